"""The customer's side of a hand-over: the widget learns whether an agent is
chatting (live and after a reload), and a customer waiting in the queue is
told their place instead of being answered by the bot.

On SQLite and PostgreSQL, with a stand-in Rasa whose conversation can be in
a form (tests/web/test_widget_browser.py and test_handover_browser.py run the
real stack).
"""

from __future__ import annotations

import datetime
import time

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from bot.helpdesk.agents import hash_password
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.helpdesk.presence import Presence
from bot.helpdesk.waiting import AGAIN_AFTER_SECONDS, QueueNotices
from bot.settings import get_settings
from tests.servers import always_open_settings
from tests.web.conftest import new_session

PASSWORD = "correct horse battery"


@pytest.fixture
async def rasa():
    """A stand-in Rasa that echoes; `rasa.form` is the form its conversations are in."""
    received = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append(body)
        return web.json_response([{"recipient_id": body["sender"], "text": f"echo: {body['message']}"}])

    async def tracker(request: web.Request) -> web.Response:
        loop = {"name": stand_in.form} if stand_in.form else {}
        return web.json_response({"slots": {"language": "pt"}, "active_loop": loop, "events": []})

    async def add_events(request: web.Request) -> web.Response:
        return web.json_response({"sender_id": request.match_info["id"]})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/conversations/{id}/tracker", tracker)
    app.router.add_post("/conversations/{id}/tracker/events", add_events)
    stand_in = TestServer(app)
    await stand_in.start_server()
    stand_in.received = received
    stand_in.form = None
    yield stand_in
    await stand_in.close()


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """helpdesk.yml with every queue open (the tests must not depend on the hour); `settings.path` to change."""
    path = always_open_settings(tmp_path / "helpdesk.yml")
    monkeypatch.setenv("HELPDESK_CONFIG", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


@pytest.fixture
async def client(rasa, database_url, settings):
    app = server.create_app(str(rasa.make_url("")), database_url, agents={"ana": hash_password(PASSWORD)})
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    test_client.escalations = EscalationStore(database_url)
    test_client.notices = QueueNotices(database_url)
    reply = await test_client.post("/api/agent/login", json={"name": "ana", "password": PASSWORD})
    test_client.agent = {"Authorization": f"Bearer {(await reply.json())['token']}"}
    Presence(database_url).seen("ana")  # her console is open: customers wait for her live
    yield test_client
    await test_client.close()


def escalate(client, conversation_id, language="pt", script=None, queue="support"):
    transcript = [{"sender": "customer", "text": "quero falar com alguem"}]
    return client.escalations.create(
        NewEscalation(conversation_id, "request_human", 2, queue, language, script, None, [], transcript)
    )


async def say(client, session, text):
    reply = await client.post("/api/messages", json={**session, "text": text})
    assert reply.status == 200, await reply.text()
    return [m["text"] for m in (await reply.json())["messages"]]


async def history(client, session):
    return await (await client.post("/api/history", json=session)).json()


async def claim(client, record):
    assert (await client.post(f"/api/escalations/{record.id}/claim", headers=client.agent)).status == 200


async def test_the_widget_knows_an_agent_is_chatting_live_after_a_reload_and_after_hand_back(client):
    customer = await new_session(client)
    record = escalate(client, customer["session_id"])
    url = f"/api/ws?session_id={customer['session_id']}&token={customer['token']}"
    socket = await client.ws_connect(url)
    assert (await socket.receive_json(timeout=5))["agent"] is None  # queued: nobody chatting yet
    assert (await history(client, customer))["agent"] is None

    await claim(client, record)
    assert await socket.receive_json(timeout=5) == {"type": "agent_joined", "name": "ana"}
    reloaded = await client.ws_connect(url)  # the customer reloads the page
    first = await reloaded.receive_json(timeout=5)
    assert first["type"] == "history" and first["agent"] == "ana"
    assert (await history(client, customer))["agent"] == "ana"

    assert (await client.post(f"/api/escalations/{record.id}/resolve", headers=client.agent)).status == 200
    assert await reloaded.receive_json(timeout=5) == {"type": "agent_left", "name": "ana"}
    again = await client.ws_connect(url)
    assert (await again.receive_json(timeout=5))["agent"] is None
    assert (await history(client, customer))["agent"] is None
    for s in (socket, reloaded, again):
        await s.close()


@pytest.mark.parametrize(
    "language, script, text, expected",
    [
        ("pt", None, "tem alguem ai?", "Você é o 2º na fila"),
        ("es", None, "hay alguien?", "Estás en el puesto 2 de la fila"),
        ("vi", None, "co ai khong?", "Bạn đang ở vị trí 2 trong hàng chờ"),
        ("zh", "Hans", "有人吗", "您目前排在第 2 位。客服一有空就会在这里回复您"),
        ("zh", "Hant", "有人嗎", "您目前排在第 2 位。客服一有空就會在這裡回覆您"),
    ],
)
async def test_a_waiting_customer_is_told_their_place_in_their_language_not_answered_by_the_bot(
    client, rasa, language, script, text, expected
):
    escalate(client, "someone-before", language, script)
    customer = await new_session(client)
    record = escalate(client, customer["session_id"], language, script)

    answers = await say(client, customer, text)
    assert len(answers) == 1 and answers[0].startswith(expected)
    assert rasa.received == []  # neither re-greeted nor answered as if nothing was pending
    lines = [(m["sender"], m["text"]) for m in (await history(client, customer))["messages"]]
    assert lines == [("customer", text), ("bot", answers[0])]
    # The agents see what the customer wrote and what they were told.
    detail = await (await client.get(f"/api/escalations/{record.id}", headers=client.agent)).json()
    assert [(m["sender"], m["text"]) for m in detail["messages"]] == lines


async def test_the_place_is_said_again_only_when_it_changed_or_after_a_while(client, rasa):
    ahead = escalate(client, "someone-before")
    customer = await new_session(client)
    record = escalate(client, customer["session_id"])

    assert (await say(client, customer, "tem alguem ai?"))[0].startswith("Você é o 2º na fila")
    assert await say(client, customer, "alo??") == []  # the same place a moment later: not again
    assert await say(client, customer, "meu pedido 123 nao chegou") == []

    await claim(client, ahead)  # the customer before is being served
    assert (await say(client, customer, "e agora?"))[0].startswith("Você é o 1º na fila")
    assert await say(client, customer, "ok") == []

    client.notices.told(record, 1, at=time.time() - AGAIN_AFTER_SECONDS - 1)
    assert (await say(client, customer, "ainda estou aqui"))[0].startswith("Você é o 1º na fila")
    # Asking for a person again always gets an answer.
    assert (await say(client, customer, "/request_human"))[0].startswith("Você é o 1º na fila")

    assert rasa.received == []
    detail = await (await client.get(f"/api/escalations/{record.id}", headers=client.agent)).json()
    said = [m["text"] for m in detail["messages"] if m["sender"] == "customer"]
    assert said == ["tem alguem ai?", "alo??", "meu pedido 123 nao chegou", "e agora?", "ok", "ainda estou aqui"] + [
        "/request_human"
    ]

    await claim(client, record)  # an agent has it now: no place, no bot
    assert await say(client, customer, "oi?") == []
    assert rasa.received == []


async def test_every_tab_of_a_waiting_customer_sees_their_place(client):
    customer = await new_session(client)
    escalate(client, customer["session_id"], "vi")
    url = f"/api/ws?session_id={customer['session_id']}&token={customer['token']}"
    writer, other = await client.ws_connect(url), await client.ws_connect(url)
    for s in (writer, other):
        await s.receive_json(timeout=5)  # history
    await writer.send_json({"type": "message", "text": "co ai khong?"})
    assert (await other.receive_json(timeout=5))["text"] == "co ai khong?"
    for s in (writer, other):
        told = await s.receive_json(timeout=5)
        assert told["sender"] == "bot" and told["text"].startswith("Bạn đang ở vị trí 1 trong hàng chờ")
        assert (told["language"], told["script"]) == ("vi", None)
    for s in (writer, other):
        await s.close()


async def test_a_customer_in_the_email_form_still_gets_the_bot(client, rasa):
    """Nobody was online: the bot asked for an e-mail address; the answer is for the bot."""
    customer = await new_session(client)
    record = escalate(client, customer["session_id"])
    rasa.form = "email_form"
    assert await say(client, customer, "ana@example.com") == ["echo: ana@example.com"]
    assert [r["message"] for r in rasa.received] == ["ana@example.com"]

    client.escalations.set_email(record.id, "ana@example.com")
    rasa.form = None  # the ticket is made; now they wait, and know where the answer goes if they leave
    told = await say(client, customer, "tem alguem ai?")
    assert told[0].startswith("Você é o 1º na fila") and told[0].endswith("a resposta chega no seu e-mail.")
    assert len(rasa.received) == 1


async def test_the_place_is_kept_per_escalation(client):
    """A customer whose first escalation was resolved and who asks again is told again."""
    customer = await new_session(client)
    first = escalate(client, customer["session_id"])
    assert (await say(client, customer, "alguem?"))[0].startswith("Você é o 1º na fila")
    await claim(client, first)
    assert (await client.post(f"/api/escalations/{first.id}/resolve", headers=client.agent)).status == 200
    escalate(client, customer["session_id"])
    assert (await say(client, customer, "alguem?"))[0].startswith("Você é o 1º na fila")


async def test_a_ticket_waiting_outside_opening_hours_leaves_the_customer_with_the_bot(client, settings):
    """Hours later, nobody is there to answer: the bot does, and the agents still see the message."""
    import yaml

    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    del days[datetime.datetime.now(datetime.timezone.utc).weekday()]  # closed all day today
    config = yaml.safe_load(settings.read_text(encoding="utf-8"))
    config["escalation"]["queues"]["support"]["hours"] = {
        "timezone": "UTC",
        "days": days,
        "open": "00:00",
        "close": "23:59",
    }
    settings.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    get_settings.cache_clear()
    customer = await new_session(client)
    record = escalate(client, customer["session_id"])
    assert await say(client, customer, "como mudo minha senha?") == ["echo: como mudo minha senha?"]
    detail = await (await client.get(f"/api/escalations/{record.id}", headers=client.agent)).json()
    assert any(m["text"] == "como mudo minha senha?" for m in detail["messages"])


async def test_with_nobody_of_the_queue_online_the_bot_answers_the_waiting_customer(client, database_url):
    Presence(database_url).gone("ana")
    customer = await new_session(client)
    escalate(client, customer["session_id"], queue="sales")
    assert await say(client, customer, "tem alguem ai?") == ["echo: tem alguem ai?"]
