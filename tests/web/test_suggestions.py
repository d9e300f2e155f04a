"""GET /api/escalations/<id>/suggestions: the knowledge base's answers to the
customer's latest message, in the agent's language beside the customer's.

The web server runs here with a stand-in Rasa; the knowledge base is the real
one, searched by a real action server process (the web server never loads the
search engine itself).
"""

from __future__ import annotations

import json
import secrets
import sys
import urllib.error
import urllib.request
from typing import List

import pytest
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from bot.helpdesk.agents import hash_password
from bot.helpdesk.conversations import ChatStore
from bot.helpdesk.escalations import EscalationStore, NewEscalation, TranscriptLine
from bot.launcher import Server as Service
from bot.launcher import free_ports
from bot.nlu.chinese_script import TRADITIONAL, detect_script
from tests.servers import ROOT, always_open_settings
from tests.web.conftest import new_session

# It starts the action server as a process (tests/conftest.py: `make test-fast` leaves such tests out).
pytestmark = pytest.mark.slow

PASSWORDS = {"ana": "correct horse battery", "bao": "another long secret"}
TOKEN = "suggestions-test-token-0123456789abcdef"
PASSWORD_QUESTION_VI = "Tôi quên mật khẩu rồi, làm sao để đặt lại mật khẩu mới?"


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    """The project's action server on a free port, asking for TOKEN, its knowledge base loaded."""
    workdir = tmp_path_factory.mktemp("actions")
    (port,) = free_ports(1)
    service = Service(
        "The action server",
        [sys.executable, "-m", "bot.action_server", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        {
            "PYTHONPATH": str(ROOT),
            "ACTION_INTERFACE": "127.0.0.1",
            "RASA_TOKEN": TOKEN,
            "HELPDESK_CONFIG": str(always_open_settings(workdir / "helpdesk.yml")),
            "DATABASE_URL": f"sqlite:///{workdir / 'actions.db'}",
            "ESCALATION_SPOOL": str(workdir / "spool"),
        },
        log=workdir / "actions.log",
    )
    service.start()
    try:
        service.wait()
        url = f"http://127.0.0.1:{port}"
        # The first search loads the knowledge base (its vectors come from the cache).
        search(url, {"text": "senha", "language": "pt", "agent_language": "pt"}, TOKEN, timeout=600)
        yield url
    finally:
        service.stop()


def search(url: str, body: dict, token: str, timeout: float = 60) -> dict:
    request = urllib.request.Request(
        f"{url}/kb/suggestions",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.loads(reply.read().decode("utf-8"))


async def web_client(rasa, database_url: str, actions_url: str) -> TestClient:
    accounts = {name: hash_password(password) for name, password in PASSWORDS.items()}
    app = server.create_app(
        str(rasa.make_url("")), database_url, agents=accounts, actions_url=actions_url, rasa_token=TOKEN
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest.fixture
async def client(rasa, database_url, action_server):
    test_client = await web_client(rasa, database_url, action_server)
    test_client.escalations = EscalationStore(database_url)
    test_client.chats = ChatStore(database_url)
    yield test_client
    await test_client.close()


async def sign_in(client, name="ana", language=None):
    reply = await client.post("/api/agent/login", json={"name": name, "password": PASSWORDS[name]})
    assert reply.status == 200
    headers = {"Authorization": f"Bearer {(await reply.json())['token']}"}
    if language:
        chosen = await client.post("/api/agent/settings", json={"language": language}, headers=headers)
        assert chosen.status == 200
    return headers


def escalate(store: EscalationStore, conversation_id, language, script=None, said=(PASSWORD_QUESTION_VI,)):
    transcript: List[TranscriptLine] = [{"sender": "bot", "text": "Xin chào!"}]
    for text in said:
        transcript += [{"sender": "customer", "text": text}, {"sender": "bot", "text": "..."}]
    return store.create(
        NewEscalation(
            conversation_id, "unhelpful_answers", 2, "support", language, script, "neutral", ["neutral"], transcript
        )
    )


async def suggestions_for(client, escalation_id, headers):
    reply = await client.get(f"/api/escalations/{escalation_id}/suggestions", headers=headers)
    assert reply.status == 200, await reply.text()
    return (await reply.json())["suggestions"]


async def test_a_portuguese_agent_reads_portuguese_and_sends_vietnamese(client):
    record = escalate(client.escalations, "c-vi", "vi")
    found = await suggestions_for(client, record.id, await sign_in(client, language="pt"))
    assert 1 <= len(found) <= 3
    best = found[0]
    assert best["article_id"] == "reset-password"
    assert best["title"] == "Como redefinir a sua senha"
    assert best["agent_text"].startswith("Na página de login, clique em Esqueci minha senha e")
    assert best["agent_language"] == "pt"
    assert best["customer_text"].startswith("Trên trang đăng nhập, bấm Quên mật khẩu và")
    assert best["customer_language"] == "vi"
    assert [s["score"] for s in found] == sorted((s["score"] for s in found), reverse=True)
    assert all(0 < s["score"] <= 1 for s in found)


async def test_each_agent_reads_in_their_own_language(client):
    record = escalate(client.escalations, "c-vi", "vi")
    spanish = (await suggestions_for(client, record.id, await sign_in(client, "bao", language="es")))[0]
    assert spanish["title"] == "Cómo restablecer su contraseña"
    assert "contraseña" in spanish["agent_text"] and spanish["agent_language"] == "es"
    assert spanish["customer_text"].startswith("Trên trang đăng nhập")


async def test_a_traditional_chinese_customer_gets_traditional_script(client):
    record = escalate(client.escalations, "c-zh", "zh", TRADITIONAL, said=("我忘記密碼了,要怎麼重新設定?",))
    best = (await suggestions_for(client, record.id, await sign_in(client, language="pt")))[0]
    assert best["article_id"] == "reset-password"
    assert best["customer_language"] == "zh-Hant"
    assert "密碼" in best["customer_text"] and "密码" not in best["customer_text"]
    assert detect_script(best["customer_text"]) == TRADITIONAL
    assert best["agent_language"] == "pt" and "senha" in best["agent_text"]


async def test_a_simplified_chinese_agent_reads_simplified(client):
    record = escalate(client.escalations, "c-zh", "zh", TRADITIONAL, said=("我忘記密碼了,要怎麼重新設定?",))
    best = (await suggestions_for(client, record.id, await sign_in(client, language="zh-Hans")))[0]
    assert best["agent_language"] == "zh-Hans" and "密码" in best["agent_text"]
    assert best["customer_language"] == "zh-Hant" and "密碼" in best["customer_text"]


async def test_the_latest_message_since_the_hand_over_counts(client):
    customer = await new_session(client)
    record = escalate(
        client.escalations, customer["session_id"], "vi", said=("Gói dùng thử miễn phí kéo dài bao lâu?",)
    )
    agent = await sign_in(client, language="pt")
    assert (await suggestions_for(client, record.id, agent))[0]["article_id"] == "free-trial"
    client.chats.add_message(customer["session_id"], "customer", PASSWORD_QUESTION_VI)
    client.chats.add_message(customer["session_id"], "agent", "Um momento, por favor.", {"name": "ana"})
    assert (await suggestions_for(client, record.id, agent))[0]["article_id"] == "reset-password"


async def test_a_button_label_before_the_hand_over_is_no_question(client):
    customer = await new_session(client)
    client.chats.add_message(customer["session_id"], "customer", PASSWORD_QUESTION_VI)
    # The widget's history keeps the label of the "talk to a person" button; the transcript its payload.
    client.chats.add_message(customer["session_id"], "customer", "Gặp nhân viên")
    record = escalate(client.escalations, customer["session_id"], "vi", said=(PASSWORD_QUESTION_VI, "/request_human"))
    found = await suggestions_for(client, record.id, await sign_in(client, language="pt"))
    assert found[0]["article_id"] == "reset-password"


async def test_no_customer_message_gives_no_suggestions(client):
    record = escalate(client.escalations, "c-silent", "vi", said=("/request_human",))
    assert await suggestions_for(client, record.id, await sign_in(client)) == []


async def test_agents_only_and_known_escalations_only(client):
    record = escalate(client.escalations, "c-vi", "vi")
    customer = await new_session(client)
    for headers in ({}, {"Authorization": "Bearer " + customer["token"]}, {"Authorization": "Bearer made-up"}):
        reply = await client.get(f"/api/escalations/{record.id}/suggestions", headers=headers)
        assert reply.status == 401 and (await reply.json())["error"] == "unauthorized"
    agent = await sign_in(client)
    for unknown in (record.id + 1000, "abc"):
        reply = await client.get(f"/api/escalations/{unknown}/suggestions", headers=agent)
        assert reply.status == 404 and (await reply.json())["error"] == "not_found"


def test_the_action_server_answers_only_with_the_secret(action_server):
    body = {"text": PASSWORD_QUESTION_VI, "language": "vi", "agent_language": "pt"}
    with pytest.raises(urllib.error.HTTPError) as refused:
        search(action_server, body, "wrong-token")
    assert refused.value.code == 401
    assert search(action_server, body, TOKEN)["suggestions"][0]["article_id"] == "reset-password"


@pytest.mark.parametrize(
    "body", [{"text": "senha", "language": "klingon", "agent_language": "pt"}, {"text": 3, "language": "pt"}]
)
def test_the_action_server_refuses_bad_requests_clearly(action_server, body):
    with pytest.raises(urllib.error.HTTPError) as refused:
        search(action_server, body, TOKEN)
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["error"] == "bad_request"


async def test_a_knowledge_base_out_of_reach_is_a_clear_503_and_the_server_keeps_serving(rasa, database_url):
    (closed_port,) = free_ports(1)
    client = await web_client(rasa, database_url, f"http://127.0.0.1:{closed_port}")
    try:
        record = escalate(EscalationStore(database_url), "c-vi", "vi")
        agent = await sign_in(client)
        reply = await client.get(f"/api/escalations/{record.id}/suggestions", headers=agent)
        assert reply.status == 503
        answer = await reply.json()
        assert answer["error"] == "kb_unavailable" and "knowledge base" in answer["message"]
        assert (await client.get(f"/api/escalations/{record.id}", headers=agent)).status == 200
    finally:
        await client.close()


def test_with_the_whole_assistant_a_vietnamese_question_gets_portuguese_beside_vietnamese(assistant):
    """As `make run` runs it (Rasa, the action server, the web server): the
    customer asks in Vietnamese, asks for a person, and a Portuguese-speaking
    agent gets the answer in both languages."""
    from bot.helpdesk.agents import AgentSessions
    from bot.helpdesk.presence import Presence
    from tests.servers import post_json

    web = assistant.web_url
    name, password = f"sugg-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    agents = AgentSessions({}, assistant.database_url)
    agents.add_account(name, password)
    agents.set_language(name, "pt")
    Presence(assistant.database_url).seen(name)  # as an open console does: someone can take the conversation
    try:
        customer = post_json(f"{web}/api/sessions", {})
        post_json(f"{web}/api/messages", {**customer, "text": PASSWORD_QUESTION_VI})
        post_json(f"{web}/api/messages", {**customer, "text": "/request_human", "display": "Gặp nhân viên"})

        token = post_json(f"{web}/api/agent/login", {"name": name, "password": password})["token"]

        def agent_get(path: str):
            request = urllib.request.Request(f"{web}{path}", headers={"Authorization": f"Bearer {token}"})
            with urllib.request.urlopen(request, timeout=120) as reply:
                return json.loads(reply.read().decode("utf-8"))

        escalation = next(e for e in agent_get("/api/escalations") if e["conversation_id"] == customer["session_id"])
        assert escalation["language"] == "vi"
        best = agent_get(f"/api/escalations/{escalation['id']}/suggestions")["suggestions"][0]
        assert best["article_id"] == "reset-password"
        assert best["title"] == "Como redefinir a sua senha" and best["agent_language"] == "pt"
        assert best["customer_text"].startswith("Trên trang đăng nhập, bấm Quên mật khẩu và")
        assert best["customer_language"] == "vi"
    finally:
        Presence(assistant.database_url).gone(name)  # the session-wide assistant: later tests expect nobody online
