"""The agents' API: sign-in, the queue, claim, live messages both ways, resolve.

On SQLite and PostgreSQL, with a stand-in Rasa (tests/web/test_server.py).
"""
from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from bot.helpdesk.agents import hash_password
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from tests.web.conftest import new_session

PASSWORDS = {"ana": "correct horse battery", "bao": "another long secret"}


@pytest.fixture
async def client(rasa, database_url):
    accounts = {name: hash_password(password) for name, password in PASSWORDS.items()}
    app = server.create_app(str(rasa.make_url("")), database_url, agents=accounts)
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    test_client.escalations = EscalationStore(database_url)
    yield test_client
    await test_client.close()


async def sign_in(client, name="ana"):
    reply = await client.post("/api/agent/login", json={"name": name, "password": PASSWORDS[name]})
    assert reply.status == 200
    return {"Authorization": f"Bearer {(await reply.json())['token']}"}


def escalate(client, conversation_id, priority=2, queue="support", language="pt"):
    transcript = [{"sender": "customer", "text": "isso nao funciona!!!", "mood": "angry"}]
    return client.escalations.create(NewEscalation(conversation_id, "repeated_anger", priority, queue, language, None, "angry", ["angry"], transcript))


async def test_sign_in_needs_the_right_password(client):
    assert (await client.post("/api/agent/login", json={"name": "ana", "password": "wrong"})).status == 401
    assert (await client.post("/api/agent/login", json={"name": "nobody", "password": "x"})).status == 401
    assert (await client.post("/api/agent/login", json={"name": "ana"})).status == 400
    await sign_in(client)


async def test_the_agent_api_refuses_customers_and_strangers(client):
    customer = await new_session(client)
    escalate(client, customer["session_id"])
    for headers in ({}, {"Authorization": "Bearer " + customer["token"]}, {"Authorization": "Bearer made-up"}):
        reply = await client.get("/api/escalations", headers=headers)
        assert reply.status == 401 and (await reply.json())["error"] == "unauthorized"
        assert (await client.post("/api/escalations/1/claim", headers=headers)).status == 401


async def test_queue_is_sorted_by_priority_then_waiting_and_filters(client):
    agent = await sign_in(client)
    old = escalate(client, "c-old", priority=2)
    urgent = escalate(client, "c-urgent", priority=4, language="vi")
    newer = escalate(client, "c-new", priority=2, queue="sales")
    listed = await (await client.get("/api/escalations", headers=agent)).json()
    assert [e["id"] for e in listed] == [urgent["id"], old["id"], newer["id"]]
    assert set(listed[0]) >= {"id", "conversation_id", "language", "mood", "reason", "priority", "queue", "status", "created_at"}
    sales = await (await client.get("/api/escalations?queue=sales", headers=agent)).json()
    assert [e["id"] for e in sales] == [newer["id"]]
    vietnamese = await (await client.get("/api/escalations?language=vi", headers=agent)).json()
    assert [e["id"] for e in vietnamese] == [urgent["id"]]


async def test_claim_talk_both_ways_and_resolve_hands_back_to_the_bot(client, rasa):
    customer = await new_session(client)
    record = escalate(client, customer["session_id"])
    socket = await client.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    await socket.receive_json(timeout=5)  # history
    agent = await sign_in(client)

    assert (await client.post(f"/api/escalations/{record['id']}/message", headers=agent, json={"text": "oi"})).status == 409
    claimed = await client.post(f"/api/escalations/{record['id']}/claim", headers=agent)
    assert claimed.status == 200 and (await claimed.json())["status"] == "assigned"
    assert await socket.receive_json(timeout=5) == {"type": "agent_joined", "name": "ana"}
    other = await sign_in(client, "bao")
    assert (await client.post(f"/api/escalations/{record['id']}/claim", headers=other)).status == 409

    await client.post(f"/api/escalations/{record['id']}/message", headers=agent, json={"text": "Olá, sou a Ana. <b>Como</b> posso ajudar?"})
    reply = await socket.receive_json(timeout=5)
    assert reply["sender"] == "agent" and reply["text"] == "Olá, sou a Ana. <b>Como</b> posso ajudar?"

    await socket.send_json({"type": "message", "text": "meu pedido 123 nao chegou"})
    for _ in range(50):  # the socket's message is handled while this test goes on
        detail = await (await client.get(f"/api/escalations/{record['id']}", headers=agent)).json()
        if detail["messages"][-1]["sender"] == "customer":
            break
        await asyncio.sleep(0.1)
    assert detail["transcript"] == [{"sender": "customer", "text": "isso nao funciona!!!", "mood": "angry"}]
    assert (detail["messages"][-1]["sender"], detail["messages"][-1]["text"]) == ("customer", "meu pedido 123 nao chegou")
    assert rasa.received == []  # the bot stayed silent while the agent held the conversation

    resolved = await client.post(f"/api/escalations/{record['id']}/resolve", headers=agent)
    assert resolved.status == 200 and (await resolved.json())["status"] == "resolved"
    assert await socket.receive_json(timeout=5) == {"type": "agent_left", "name": "ana"}

    await socket.send_json({"type": "message", "text": "obrigado!"})
    events = [await socket.receive_json(timeout=5) for _ in range(2)]
    assert events[1]["text"] == "echo: obrigado!"  # the bot answers again
    assert [m["message"] for m in rasa.received] == ["obrigado!"]
    await socket.close()


async def test_unknown_escalation(client):
    agent = await sign_in(client)
    assert (await client.get("/api/escalations/999", headers=agent)).status == 404
    assert (await client.get("/api/escalations/abc", headers=agent)).status == 404
