"""Transfer to another queue or agent: the bot stays paused, the customer is
not told anything confusing, a note records it; unknown names are refused."""

from __future__ import annotations

from bot.helpdesk.agents import AgentSessions
from tests.helpdesk.desk import escalate, make_desk, sign_in, web_rasa  # noqa: F401  (fixtures)
from tests.web.conftest import new_session


async def queue_of(desk, headers, queue):
    listed = await (await desk.get(f"/api/escalations?queue={queue}", headers=headers)).json()
    return [(e["id"], e["status"], e["agent"]) for e in listed]


async def transfer(desk, headers, record, **body):
    return await desk.post(f"/api/escalations/{record.id}/transfer", headers=headers, json=body)


async def test_a_waiting_customer_moves_to_another_queue_and_a_note_says_so(desk):
    ana = await sign_in(desk)
    record = escalate(desk, "c-1", queue="support")
    moved = await transfer(desk, ana, record, queue="sales")
    assert moved.status == 200 and (await moved.json())["queue"] == "sales"
    assert await queue_of(desk, ana, "sales") == [(record.id, "queued", None)]
    assert await queue_of(desk, ana, "support") == []
    notes = (await (await desk.get(f"/api/escalations/{record.id}/notes", headers=ana)).json())["notes"]
    assert [(n["kind"], n["author"], n["details"]["from_queue"], n["details"]["to_queue"]) for n in notes] == [
        ("transfer", "ana", "support", "sales")
    ]
    assert "sales" in notes[0]["text"]


async def test_an_assigned_conversation_goes_back_to_the_queue_with_the_bot_still_paused(desk):
    customer = await new_session(desk)
    record = escalate(desk, customer["session_id"])
    widget = await desk.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    await widget.receive_json(timeout=5)  # the history
    ana, bao = await sign_in(desk, "ana"), await sign_in(desk, "bao")
    await desk.post(f"/api/escalations/{record.id}/claim", headers=ana)
    assert await widget.receive_json(timeout=5) == {"type": "agent_joined", "name": "ana"}

    back = await transfer(desk, ana, record, queue="sales")
    assert back.status == 200
    assert await queue_of(desk, ana, "sales") == [(record.id, "queued", None)]
    assert [events for _, events in desk.rasa.added] == [[{"event": "pause"}]]  # no resume: the bot stays paused
    history = await (await desk.post("/api/history", json=customer)).json()
    assert history["agent"] is None
    reply = await desk.post(f"/api/escalations/{record.id}/message", headers=ana, json={"text": "oi"})
    assert reply.status == 409  # ana no longer holds it

    assert (await desk.post(f"/api/escalations/{record.id}/claim", headers=bao)).status == 200
    # The customer was told nothing in between ("ana left, the assistant is back" would be wrong).
    assert await widget.receive_json(timeout=5) == {"type": "agent_joined", "name": "bao"}
    await widget.close()


async def test_a_conversation_handed_to_a_named_agent(desk):
    customer = await new_session(desk)
    record = escalate(desk, customer["session_id"])
    widget = await desk.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    await widget.receive_json(timeout=5)
    ana, bao = await sign_in(desk, "ana"), await sign_in(desk, "bao")

    handed = await transfer(desk, ana, record, agent="bao")  # a queued one: bao has it now
    assert handed.status == 200 and (await handed.json())["agent"] == "bao"
    assert desk.rasa.added == [(customer["session_id"], [{"event": "pause"}])]
    assert await widget.receive_json(timeout=5) == {"type": "agent_joined", "name": "bao"}
    assert (await desk.post(f"/api/escalations/{record.id}/message", headers=bao, json={"text": "Oi!"})).status == 200
    assert (await widget.receive_json(timeout=5))["text"] == "Oi!"

    refused = await transfer(desk, ana, record, agent="ana")  # bao holds it: not ana's to give away
    assert refused.status == 409 and (await refused.json())["error"] == "not_yours"
    assert (await transfer(desk, bao, record, agent="ana")).status == 200
    assert await widget.receive_json(timeout=5) == {"type": "agent_joined", "name": "ana"}
    notes = (await (await desk.get(f"/api/escalations/{record.id}/notes", headers=bao)).json())["notes"]
    assert [(n["author"], n["details"]["from_agent"], n["details"]["to_agent"]) for n in notes] == [
        ("ana", None, "bao"),
        ("bao", "bao", "ana"),
    ]
    await widget.close()


async def test_unknown_queues_and_agents_and_closed_conversations_are_refused(desk):
    ana = await sign_in(desk)
    record = escalate(desk, "c-1")
    AgentSessions({}, desk.database_url).set_disabled("cai", True)
    cases = [
        ({"queue": "billing"}, 400, "unknown_queue"),
        ({"agent": "nobody"}, 400, "unknown_agent"),
        ({"agent": "cai"}, 400, "unknown_agent"),  # disabled: may not sign in
        ({"queue": 7}, 400, "unknown_queue"),
        ({}, 400, "bad_transfer"),
        ({"queue": "support"}, 400, "same_queue"),
    ]
    for body, status, code in cases:
        refused = await transfer(desk, ana, record, **body)
        assert (refused.status, (await refused.json())["error"]) == (status, code), body
    assert (await desk.post("/api/escalations/999/transfer", headers=ana, json={"queue": "sales"})).status == 404
    assert (await desk.post(f"/api/escalations/{record.id}/transfer", json={"queue": "sales"})).status == 401
    await desk.post(f"/api/escalations/{record.id}/claim", headers=ana)
    await desk.post(f"/api/escalations/{record.id}/resolve", headers=ana)
    closed = await transfer(desk, ana, record, queue="sales")
    assert closed.status == 409 and (await closed.json())["error"] == "closed"
