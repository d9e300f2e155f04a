"""The queue's service levels and search through the agents' API: each entry's
target, due time and breach, the first answer stopping the clock, and
GET /api/escalations?q= finding customers by e-mail or words.

On SQLite and PostgreSQL, with a stand-in Rasa (tests/web/conftest.py).
"""

from __future__ import annotations

import time

import pytest
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from bot.database import engine_for
from bot.helpdesk.agents import hash_password
from bot.helpdesk.escalations import EscalationStore, NewEscalation, escalations
from bot.settings import PROJECT_ROOT, get_settings
from tests.web.conftest import new_session

PASSWORD = "correct horse battery"
LEVELS = "  service_levels:\n    support: {default: 30m, 4: 5m}\n"


@pytest.fixture
async def client(rasa, database_url, tmp_path, monkeypatch):
    text = (PROJECT_ROOT / "helpdesk.yml").read_text(encoding="utf-8")
    start = text.index("  service_levels:\n")
    end = text.index("  webhook:\n", start)
    (tmp_path / "helpdesk.yml").write_text(text[:start] + LEVELS + text[end:], encoding="utf-8")
    monkeypatch.setenv("HELPDESK_CONFIG", str(tmp_path / "helpdesk.yml"))
    get_settings.cache_clear()
    app = server.create_app(str(rasa.make_url("")), database_url, agents={"ana": hash_password(PASSWORD)})
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    test_client.escalations = EscalationStore(database_url)
    test_client.database_url = database_url
    reply = await test_client.post("/api/agent/login", json={"name": "ana", "password": PASSWORD})
    test_client.agent = {"Authorization": f"Bearer {(await reply.json())['token']}"}
    yield test_client
    await test_client.close()
    get_settings.cache_clear()


def escalate(client, conversation_id, said="isso nao funciona", priority=2, queue="support", language="pt", ago=0.0):
    record = client.escalations.create(
        NewEscalation(
            conversation_id,
            "request_human",
            priority,
            queue,
            language,
            transcript=[
                {"sender": "customer", "text": said},
                {"sender": "bot", "text": "Vou chamar uma pessoa (bot words are not the customer's)"},
            ],
        )
    )
    if ago:  # made that many seconds ago
        with engine_for(client.database_url).begin() as db:
            db.execute(
                escalations.update()
                .where(escalations.c.id == record.id)
                .values(created_at=record.created_at - ago, updated_at=record.created_at - ago)
            )
    return record


async def entries(client, query=""):
    reply = await client.get("/api/escalations" + query, headers=client.agent)
    assert reply.status == 200
    return {e["conversation_id"]: e for e in await reply.json()}


async def test_each_entry_shows_its_target_time_left_and_breach(client):
    escalate(client, "c-fresh", priority=2, ago=60)
    escalate(client, "c-late", priority=4, ago=420)  # 5 minutes to answer, waiting for 7
    escalate(client, "c-sales", queue="sales")  # no target for this queue
    listed = await entries(client)
    fresh, late, sales = listed["c-fresh"], listed["c-late"], listed["c-sales"]
    assert fresh["target_seconds"] == 1800 and fresh["breached"] is False
    assert 1700 <= fresh["seconds_left"] <= 1740
    assert fresh["due_at"] == pytest.approx(fresh["created_at"] + 1800)
    assert late["target_seconds"] == 300 and late["breached"] is True and -130 <= late["seconds_left"] <= -110
    assert (sales["target_seconds"], sales["due_at"], sales["breached"], sales["seconds_left"]) == (
        None,
        None,
        False,
        None,
    )


async def test_the_first_answer_stops_the_clock_and_is_recorded_once(client):
    customer = await new_session(client)
    record = escalate(client, customer["session_id"], priority=4, ago=100)
    assert (await client.post(f"/api/escalations/{record.id}/claim", headers=client.agent)).status == 200
    assert (await entries(client))[customer["session_id"]]["first_response_at"] is None  # claiming is no answer
    before = time.time()
    for text in ("Oi, sou a Ana", "Pode me passar o numero do pedido?"):
        sent = await client.post(f"/api/escalations/{record.id}/message", headers=client.agent, json={"text": text})
        assert sent.status == 200
        if text.startswith("Oi"):
            first = client.escalations.get(record.id).first_response_at
    entry = (await entries(client))[customer["session_id"]]
    assert entry["first_response_at"] == first and before <= first <= time.time()
    assert entry["breached"] is False and entry["seconds_left"] is None  # answered within the 5 minutes
    detail = await (await client.get(f"/api/escalations/{record.id}", headers=client.agent)).json()
    assert detail["first_response_at"] == first


async def test_an_answer_after_the_due_time_stays_a_breach(client):
    customer = await new_session(client)
    record = escalate(client, customer["session_id"], priority=4, ago=600)
    await client.post(f"/api/escalations/{record.id}/claim", headers=client.agent)
    await client.post(f"/api/escalations/{record.id}/message", headers=client.agent, json={"text": "Desculpe a demora"})
    entry = (await entries(client))[customer["session_id"]]
    assert entry["first_response_at"] is not None and entry["breached"] is True


async def test_a_refused_message_is_no_first_response(client):
    customer = await new_session(client)
    record = escalate(client, customer["session_id"])
    await client.post(f"/api/escalations/{record.id}/claim", headers=client.agent)
    empty = await client.post(f"/api/escalations/{record.id}/message", headers=client.agent, json={"text": "  "})
    assert empty.status == 400
    assert client.escalations.get(record.id).first_response_at is None


async def test_search_finds_customers_by_words_without_case_or_accents(client):
    escalate(client, "c-pt", said="Não consigo emitir a NOTA fiscal")
    escalate(client, "c-vi", said="Tôi không đăng nhập được", language="vi")
    escalate(client, "c-zh", said="我無法登錄帳戶", language="zh")
    escalate(client, "c-es", said="¿Dónde está mi factura?", language="es")
    assert set(await entries(client, "?q=nao%20consigo%20nota")) == {"c-pt"}
    assert set(await entries(client, "?q=NÃO")) == {"c-pt"}
    assert set(await entries(client, "?q=dang%20nhap")) == {"c-vi"}  # đ is d
    assert set(await entries(client, "?q=登录")) == {"c-zh"}  # Simplified finds Traditional
    assert set(await entries(client, "?q=donde%20factura")) == {"c-es"}
    assert set(await entries(client, "?q=nota%20factura")) == set()  # every word must be there
    assert set(await entries(client, "?q=chamar")) == set()  # what the bot said is not the customer's
    assert len(await entries(client, "?q=%20%20")) == 4  # blank: no search


async def test_search_finds_the_customers_email_and_what_they_wrote_after_the_hand_over(client):
    customer = await new_session(client)
    record = escalate(client, customer["session_id"], said="oi")
    client.escalations.set_email(record.id, "Maria.Silva@Example.com")
    escalate(client, "c-other", said="oi")
    assert set(await entries(client, "?q=maria.silva@example")) == {customer["session_id"]}
    socket = await client.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    await socket.receive_json(timeout=5)  # history
    await socket.send_json({"type": "message", "text": "o pedido 7788 chegou quebrado"})
    await socket.receive_json(timeout=5)  # the stand-in bot's answer: the message is stored
    await socket.close()
    assert set(await entries(client, "?q=7788%20quebrado")) == {customer["session_id"]}


async def test_search_works_with_the_queue_and_language_filters(client):
    escalate(client, "c-pt-support", said="minha fatura veio errada")
    escalate(client, "c-pt-sales", said="quero saber da fatura do plano", queue="sales")
    escalate(client, "c-es-support", said="mi fatura", language="es")
    assert set(await entries(client, "?q=fatura")) == {"c-pt-support", "c-pt-sales", "c-es-support"}
    assert set(await entries(client, "?q=fatura&queue=sales")) == {"c-pt-sales"}
    assert set(await entries(client, "?q=fatura&language=es")) == {"c-es-support"}
    assert set(await entries(client, "?q=fatura&language=pt&queue=support")) == {"c-pt-support"}


async def test_a_search_too_long_is_refused_and_the_server_keeps_serving(client):
    escalate(client, "c-1")
    reply = await client.get("/api/escalations?q=" + "a" * 201, headers=client.agent)
    assert reply.status == 400 and "200 characters" in (await reply.json())["message"]
    assert set(await entries(client, "?q=funciona")) == {"c-1"}
    assert (await client.get("/api/escalations?q=x")).status == 401  # agents only
