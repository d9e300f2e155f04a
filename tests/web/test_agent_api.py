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
    return client.escalations.create(
        NewEscalation(
            conversation_id, "repeated_anger", priority, queue, language, None, "angry", ["angry"], transcript
        )
    )


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
    assert [e["id"] for e in listed] == [urgent.id, old.id, newer.id]
    assert set(listed[0]) >= {
        "id",
        "conversation_id",
        "language",
        "mood",
        "reason",
        "priority",
        "queue",
        "status",
        "created_at",
    }
    sales = await (await client.get("/api/escalations?queue=sales", headers=agent)).json()
    assert [e["id"] for e in sales] == [newer.id]
    vietnamese = await (await client.get("/api/escalations?language=vi", headers=agent)).json()
    assert [e["id"] for e in vietnamese] == [urgent.id]


async def test_claim_talk_both_ways_and_resolve_hands_back_to_the_bot(client, rasa):
    customer = await new_session(client)
    record = escalate(client, customer["session_id"])
    socket = await client.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    await socket.receive_json(timeout=5)  # history
    agent = await sign_in(client)

    assert (
        await client.post(f"/api/escalations/{record.id}/message", headers=agent, json={"text": "oi"})
    ).status == 409
    claimed = await client.post(f"/api/escalations/{record.id}/claim", headers=agent)
    assert claimed.status == 200 and (await claimed.json())["status"] == "assigned"
    assert await socket.receive_json(timeout=5) == {"type": "agent_joined", "name": "ana"}
    other = await sign_in(client, "bao")
    assert (await client.post(f"/api/escalations/{record.id}/claim", headers=other)).status == 409

    await client.post(
        f"/api/escalations/{record.id}/message",
        headers=agent,
        json={"text": "Olá, sou a Ana. <b>Como</b> posso ajudar?"},
    )
    reply = await socket.receive_json(timeout=5)
    assert reply["sender"] == "agent" and reply["text"] == "Olá, sou a Ana. <b>Como</b> posso ajudar?"

    await socket.send_json({"type": "message", "text": "meu pedido 123 nao chegou"})
    for _ in range(50):  # the socket's message is handled while this test goes on
        detail = await (await client.get(f"/api/escalations/{record.id}", headers=agent)).json()
        if detail["messages"][-1]["sender"] == "customer":
            break
        await asyncio.sleep(0.1)
    assert detail["transcript"] == [{"sender": "customer", "text": "isso nao funciona!!!", "mood": "angry"}]
    assert (detail["messages"][-1]["sender"], detail["messages"][-1]["text"]) == (
        "customer",
        "meu pedido 123 nao chegou",
    )
    assert rasa.received == []  # the bot stayed silent while the agent held the conversation
    # ...and Rasa itself was paused, so no other channel gets bot answers either.
    assert rasa.added[0] == (customer["session_id"], [{"event": "pause"}])

    resolved = await client.post(f"/api/escalations/{record.id}/resolve", headers=agent)
    assert resolved.status == 200 and (await resolved.json())["status"] == "resolved"
    assert await socket.receive_json(timeout=5) == {"type": "agent_left", "name": "ana"}
    assert rasa.added[-1][1][0] == {"event": "resume"}
    assert {"event": "slot", "name": "escalation_id", "value": None} in rasa.added[-1][1]

    await socket.send_json({"type": "message", "text": "obrigado!"})
    events = [await socket.receive_json(timeout=5) for _ in range(2)]
    assert events[1]["text"] == "echo: obrigado!"  # the bot answers again
    assert [m["message"] for m in rasa.received] == ["obrigado!"]
    await socket.close()


async def test_unknown_escalation(client):
    agent = await sign_in(client)
    assert (await client.get("/api/escalations/999", headers=agent)).status == 404
    assert (await client.get("/api/escalations/abc", headers=agent)).status == 404


async def console(client, headers):
    socket = await client.ws_connect("/api/agent/ws")
    await socket.send_json({"type": "auth", "token": headers["Authorization"][7:]})
    assert (await socket.receive_json(timeout=5))["type"] == "ready"
    return socket


async def next_event(socket, kind):
    while True:
        event = await socket.receive_json(timeout=5)
        if event["type"] == kind:
            return event


async def test_the_console_connection_needs_an_agent_token(client):
    customer = await new_session(client)
    for token in ("made-up", customer["token"], None):
        socket = await client.ws_connect("/api/agent/ws")
        await socket.send_json({"type": "auth", "token": token})
        assert (await socket.receive_json(timeout=5))["code"] == "unauthorized"
        await socket.close()


async def test_the_console_sees_new_escalations_and_customer_messages_live_and_marks_the_agent_online(
    client, database_url
):
    from bot.helpdesk.presence import Presence

    agent = await sign_in(client)
    socket = await console(client, agent)
    assert Presence(database_url).online() == ["ana"]
    customer = await new_session(client)
    record = escalate(client, customer["session_id"])  # as the action server does, in another process
    await next_event(socket, "queue_changed")

    customer_socket = await client.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    await customer_socket.receive_json(timeout=5)
    await customer_socket.send_json({"type": "message", "text": "<img src=x onerror=alert(1)> cade meu pedido"})
    seen = await next_event(socket, "message")
    assert seen["escalation_id"] == record.id
    assert (
        seen["message"]["sender"] == "customer"
        and seen["message"]["text"] == "<img src=x onerror=alert(1)> cade meu pedido"
    )

    await socket.close()
    await customer_socket.close()
    for _ in range(100):
        if not Presence(database_url).online():
            break
        await asyncio.sleep(0.1)
    assert Presence(database_url).online() == []  # the console closed: nobody online


async def test_a_conversation_from_another_channel_is_read_from_rasa_and_answered_there(client, rasa):
    agent = await sign_in(client)
    record = escalate(client, "rest-customer-7")
    client.escalations.engine  # noqa: B018 (tables exist)
    detail = await (await client.get(f"/api/escalations/{record.id}", headers=agent)).json()
    # Only what came after the escalation; the stand-in's messages are at 1000 and 4600 s.
    assert detail["messages"] == []
    assert (await client.post(f"/api/escalations/{record.id}/claim", headers=agent)).status == 200
    sent = await client.post(f"/api/escalations/{record.id}/message", headers=agent, json={"text": "oi, aqui e a Ana"})
    assert sent.status == 200
    assert rasa.added[-1] == (
        "rest-customer-7",
        [{"event": "bot", "text": "oi, aqui e a Ana", "metadata": {"agent": "ana"}}],
    )


async def test_the_report_counts_conversations_deflection_reasons_waits_and_ratings(client):
    assert (await client.get("/api/report")).status == 401
    agent = await sign_in(client)
    sessions = [await new_session(client) for _ in range(4)]
    for session in sessions:
        reply = await client.post("/api/messages", json={**session, "text": "oi"})
        assert reply.status == 200
    await client.post("/api/rating", json={**sessions[0], "rating": 5})
    await client.post("/api/rating", json={**sessions[1], "rating": 2})
    first = escalate(client, sessions[2]["session_id"])
    escalate(client, sessions[3]["session_id"], priority=1, language="vi")
    await client.post(f"/api/escalations/{first.id}/claim", headers=agent)

    report = await (await client.get("/api/report", headers=agent)).json()
    # Rated 5: resolved by the bot; rated 2: not; the other two went to a person.
    assert report["conversations"] == 4 and report["deflection"] == 0.25
    assert report["outcomes"] == {"bot_resolved": 1, "bot_failed": 1, "person": 2, "too_early": 0}
    assert report["escalations"] == 2 and report["escalations_by_reason"] == {"repeated_anger": 2}
    assert report["escalations_by_language"] == {"pt": 1, "vi": 1} and report["escalations_by_mood"] == {"angry": 2}
    assert (
        report["median_wait_seconds"] is not None
        and report["median_wait_seconds"] >= 0
        and report["still_waiting"] == 1
    )
    assert report["ratings"] == {"count": 2, "average": 3.5, "distribution": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}}


async def test_the_report_as_csv_and_its_period(client):
    assert (await client.get("/api/report.csv")).status == 401
    agent = await sign_in(client)
    session = await new_session(client)
    assert (await client.post("/api/messages", json={**session, "text": "oi"})).status == 200
    await client.post("/api/rating", json={**session, "rating": 5})
    reply = await client.get("/api/report.csv?days=7", headers=agent)
    assert reply.status == 200 and reply.content_type == "text/csv"
    assert "attachment" in reply.headers["Content-Disposition"]
    lines = (await reply.text()).splitlines()
    assert lines[0] == "figure,key,value" and "conversations,,1" in lines and "deflection,,1.0" in lines
    # A period of days gone by has none of it; a nonsense period is refused and the server goes on.
    old = await (await client.get("/api/report?from=2020-01-01&to=2020-01-31", headers=agent)).json()
    assert old["conversations"] == 0 and old["period"]["until"] is not None
    for query in ("days=soon", "days=-1", "from=2026-13-01", "from=2026-12-05&to=2026-12-01"):
        refused = await client.get(f"/api/report?{query}", headers=agent)
        assert refused.status == 400, query
        assert (await refused.json())["error"] == "bad_request"
    assert (await client.get("/api/report?days=30", headers=agent)).status == 200


async def test_a_report_the_database_cannot_give_is_a_clear_error_and_the_console_goes_on(client, database_url):
    from bot.database import engine_for
    from bot.helpdesk.conversations import chat_messages

    agent = await sign_in(client)
    assert (await client.get("/api/report", headers=agent)).status == 200
    chat_messages.drop(engine_for(database_url))  # the report's reading fails from now on
    for path in ("/api/report", "/api/report.csv"):
        reply = await client.get(path, headers=agent)
        assert reply.status == 503 and (await reply.json())["error"] == "storage_unavailable"
    assert (await client.get("/api/escalations", headers=agent)).status == 200


async def test_signing_out_ends_the_session_on_the_server(client):
    agent = await sign_in(client)
    assert (await client.get("/api/escalations", headers=agent)).status == 200
    assert (await client.post("/api/agent/logout", headers=agent)).status == 200
    assert (await client.get("/api/escalations", headers=agent)).status == 401  # the token no longer works
    assert (await client.post("/api/agent/logout", headers=agent)).status == 401


async def test_every_session_of_an_agent_can_be_ended_at_once(client):
    first, second = await sign_in(client), await sign_in(client)
    other = await sign_in(client, "bao")
    assert client.app[server.AGENTS].sign_out_everywhere("ana") == 2
    assert [(await client.get("/api/escalations", headers=h)).status for h in (first, second, other)] == [401, 401, 200]


def test_an_unknown_name_costs_one_key_derivation_as_a_known_one(monkeypatch):
    """Sign-in time does not tell which names exist (counted, not timed)."""
    import bot.helpdesk.agents as agents

    sessions = agents.AgentSessions({"ana": agents.hash_password("correct horse battery")}, "sqlite://")
    derivations = []
    real = agents.hashlib.pbkdf2_hmac
    monkeypatch.setattr(agents.hashlib, "pbkdf2_hmac", lambda *a: derivations.append(1) or real(*a))
    for name in ("ana", "nobody"):
        derivations.clear()
        assert sessions.sign_in(name, "wrong password") is None
        assert len(derivations) == 1, name


@pytest.fixture
async def behind_proxy(rasa, database_url):
    """The web server behind nginx on this machine: every call comes from 127.0.0.1."""
    accounts = {name: hash_password(password) for name, password in PASSWORDS.items()}
    app = server.create_app(str(rasa.make_url("")), database_url, agents=accounts, trusted_proxies=("127.0.0.1",))
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    yield test_client
    await test_client.close()


def from_address(address: str) -> dict:
    return {"X-Forwarded-For": f"{address}, 127.0.0.1"}


async def login(client, name, password, address):
    return await client.post(
        "/api/agent/login", json={"name": name, "password": password}, headers=from_address(address)
    )


async def test_wrong_passwords_lock_the_name_for_everyone_but_not_the_other_agents(behind_proxy, monkeypatch):
    import time as clock

    from bot.helpdesk import agents

    for attempt in range(agents.FREE_FAILURES):
        assert (await login(behind_proxy, "ana", f"guess {attempt}", f"203.0.113.{attempt}")).status == 401
    locked = await login(behind_proxy, "ana", PASSWORDS["ana"], "198.51.100.7")  # even the right one, from anywhere
    assert locked.status == 429 and (await locked.json())["error"] == "locked"
    assert 1 <= int(locked.headers["Retry-After"]) <= agents.LOCK_SECONDS
    assert (
        await login(behind_proxy, "bao", PASSWORDS["bao"], "203.0.113.1")
    ).status == 200  # nobody else is locked out
    for attempt in range(agents.FREE_FAILURES):  # an unknown name locks the same way: it tells nothing
        await login(behind_proxy, "nobody", "guess", f"192.0.2.{attempt}")
    assert (await login(behind_proxy, "nobody", "guess", "192.0.2.99")).status == 429
    later = clock.time() + agents.LOCK_SECONDS + 1
    monkeypatch.setattr(agents.time, "time", lambda: later)
    assert (await login(behind_proxy, "ana", PASSWORDS["ana"], "198.51.100.7")).status == 200


async def test_behind_a_trusted_proxy_each_caller_has_its_own_limit_and_nobody_else_can_choose_one(
    behind_proxy, client
):
    for attempt in range(10):  # the sign-in limit per address: 10 a minute
        await login(behind_proxy, f"name{attempt}", "guess", "203.0.113.50")
    assert (await login(behind_proxy, "other", "guess", "203.0.113.50")).status == 429
    assert (await login(behind_proxy, "bao", PASSWORDS["bao"], "198.51.100.8")).status == 200  # another caller
    # Without a trusted proxy the header is the caller's own claim: every attempt counts on the peer.
    for attempt in range(10):
        await login(client, f"name{attempt}", "guess", f"203.0.113.{attempt}")
    assert (await login(client, "bao", PASSWORDS["bao"], "198.51.100.9")).status == 429


async def test_the_agents_api_answers_no_other_site(client):
    origin = {"Origin": "https://attacker.example"}
    for method, path in (("OPTIONS", "/api/escalations"), ("GET", "/api/escalations"), ("POST", "/api/agent/login")):
        reply = await client.request(method, path, headers=origin)
        assert "Access-Control-Allow-Origin" not in reply.headers, path
    widget = await client.post("/api/sessions", headers=origin)  # the widget's calls may come from any site (default)
    assert widget.headers["Access-Control-Allow-Origin"] == "*"


async def test_an_admin_exports_and_deletes_a_customers_data_other_agents_may_not(
    client, database_url, tmp_path, monkeypatch
):
    from bot.helpdesk.agents import AgentSessions

    (tmp_path / "endpoints.yml").write_text("action_endpoint:\n  url: http://127.0.0.1:1/webhook\n")
    monkeypatch.setenv("RASA_ENDPOINTS", str(tmp_path / "endpoints.yml"))  # no tracker store here (a stand-in Rasa)

    AgentSessions({}, database_url).add_account("root-admin", "a long admin password", admin=True)
    customer = await new_session(client)
    email = "cliente.privado@example.com"
    await client.post("/api/messages", json={**customer, "text": f"meu email e {email}"})
    escalate(client, customer["session_id"])

    plain = await sign_in(client)  # ana: not an admin
    refused = await client.get(f"/api/privacy/export?email={email}", headers=plain)
    assert refused.status == 403 and (await refused.json())["error"] == "forbidden"
    assert (await client.post("/api/privacy/delete", json={"email": email}, headers=plain)).status == 403

    reply = await client.post("/api/agent/login", json={"name": "root-admin", "password": "a long admin password"})
    session = await reply.json()
    assert session["admin"] is True
    admin = {"Authorization": f"Bearer {session['token']}"}
    document = await (await client.get(f"/api/privacy/export?email={email}", headers=admin)).json()
    (exported,) = document["conversations"]
    assert exported["conversation_id"] == customer["session_id"]
    assert any(email in m["text"] for m in exported["messages"]) and exported["escalations"]
    assert (await client.get("/api/privacy/export", headers=admin)).status == 400  # whose?

    deleted = await (await client.post("/api/privacy/delete", json={"email": email}, headers=admin)).json()
    assert deleted["conversations"] == 1 and deleted["rows"]["chat_messages"] >= 1
    again = await (await client.get(f"/api/privacy/export?email={email}", headers=admin)).json()
    assert again["conversations"] == []
    assert (await client.post("/api/history", json=customer)).status == 401  # the conversation is gone


async def test_the_questions_the_bot_could_not_answer_are_listed_by_group_for_agents_only(client, database_url):
    from bot.helpdesk.gaps import NO_ARTICLE, NOT_HELPFUL, record_gap

    assert (await client.get("/api/kb/gaps")).status == 401
    record_gap("c1", "pt", "Vocês vendem gift card?", NO_ARTICLE, [], None, database_url=database_url)
    record_gap("c2", "es", "vocês vendem gift card", NOT_HELPFUL, ["pagos"], None, database_url=database_url)
    record_gap("c3", "pt", "Qual o CNPJ da empresa?", NO_ARTICLE, [], None, database_url=database_url)
    agent = await sign_in(client)
    reply = await client.get("/api/kb/gaps", headers=agent)
    assert reply.status == 200
    newest, gift = (await reply.json())["groups"]
    assert newest["examples"] == ["Qual o CNPJ da empresa?"]
    assert gift == {
        "size": 2,
        "languages": ["es", "pt"],
        "examples": ["vocês vendem gift card", "Vocês vendem gift card?"],
        "kinds": {NO_ARTICLE: 1, NOT_HELPFUL: 1},
        "articles_tried": ["pagos"],
        "newest_at": gift["newest_at"],
    }
    assert len((await (await client.get("/api/kb/gaps?limit=1", headers=agent)).json())["groups"]) == 1
    assert (await client.get("/api/kb/gaps?limit=many", headers=agent)).status == 400


async def test_a_queue_entry_shows_what_the_customer_last_wrote_not_the_buttons_they_clicked(client):
    agent = await sign_in(client)
    long_text = "meu pedido 7788 nao chegou " + "e ninguem responde " * 12
    transcript = [
        {"sender": "customer", "text": "oi"},
        {"sender": "bot", "text": "Oi! Como posso ajudar?"},
        {"sender": "customer", "text": long_text},
        {"sender": "customer", "text": "/request_human"},
    ]
    client.escalations.create(
        NewEscalation("c-words", "request_human", 2, "support", "pt", None, "neutral", ["neutral"], transcript)
    )
    entry = next(
        e
        for e in await (await client.get("/api/escalations", headers=agent)).json()
        if e["conversation_id"] == "c-words"
    )
    said = entry["customer_said"]
    assert said.startswith("meu pedido 7788 nao chegou") and said.endswith("…") and len(said) <= 120


async def test_an_agent_chooses_the_console_language_and_keeps_it_at_the_next_sign_in(client):
    agent = await sign_in(client)
    chosen = await client.post("/api/agent/settings", json={"language": "vi"}, headers=agent)
    assert chosen.status == 200 and (await chosen.json())["language"] == "vi"
    again = await client.post("/api/agent/login", json={"name": "ana", "password": PASSWORDS["ana"]})
    assert (await again.json())["language"] == "vi"
    wrong = await client.post("/api/agent/settings", json={"language": "tlh"}, headers=agent)
    assert wrong.status == 400 and "zh-Hant" in (await wrong.json())["message"]
    assert (await client.post("/api/agent/settings", json={"language": "pt"})).status == 401


async def test_an_id_too_large_for_the_database_is_simply_unknown(client):
    agent = await sign_in(client)
    huge = "9" * 25
    for path in (f"/api/escalations/{huge}", f"/api/escalations/{huge}/notes", f"/api/canned/{huge}"):
        reply = await client.get(path, headers=agent)
        assert reply.status == 404 and (await reply.json())["error"] == "not_found", path
