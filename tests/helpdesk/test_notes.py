"""Internal notes: agents see them in the detail view with author and time;
the customer never does (widget, history, Rasa's tracker)."""

from __future__ import annotations

from tests.helpdesk.desk import escalate, make_desk, sign_in, web_rasa  # noqa: F401  (fixtures)
from tests.web.conftest import new_session

SECRET = "Cliente VIP; reembolso já aprovado pelo financeiro (não contar ainda)"


async def test_a_note_is_seen_by_agents_with_author_and_time_and_never_by_the_customer(desk):
    customer = await new_session(desk)
    record = escalate(desk, customer["session_id"])
    widget = await desk.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    await widget.receive_json(timeout=5)  # the history
    ana, bao = await sign_in(desk, "ana"), await sign_in(desk, "bao")
    assert (await desk.post(f"/api/escalations/{record.id}/claim", headers=ana)).status == 200
    assert (await widget.receive_json(timeout=5))["type"] == "agent_joined"

    added = await desk.post(f"/api/escalations/{record.id}/notes", headers=ana, json={"text": SECRET})
    assert added.status == 201
    await desk.post(f"/api/escalations/{record.id}/message", headers=ana, json={"text": "Olá! Já vou verificar."})
    assert (await widget.receive_json(timeout=5))["text"] == "Olá! Já vou verificar."  # the next thing it gets

    notes = (await (await desk.get(f"/api/escalations/{record.id}/notes", headers=bao)).json())["notes"]
    assert [(n["author"], n["text"], n["kind"]) for n in notes] == [("ana", SECRET, "note")]
    assert notes[0]["created_at"] > 0

    history = await (await desk.post("/api/history", json=customer)).json()
    assert [m["text"] for m in history["messages"]] == ["Olá! Já vou verificar."]
    await widget.close()
    again = await desk.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    shown = await again.receive_json(timeout=5)
    assert shown["type"] == "history" and SECRET not in str(shown)
    await again.close()
    assert SECRET not in str(desk.rasa.added) and SECRET not in str(desk.rasa.received)  # not in Rasa's tracker
    detail = await (await desk.get(f"/api/escalations/{record.id}", headers=bao)).json()
    assert SECRET not in str(detail["messages"]) and SECRET not in str(detail["transcript"])


async def test_bad_notes_are_refused(desk):
    ana = await sign_in(desk)
    record = escalate(desk, "c-1")
    for body in ({}, {"text": "   "}, {"text": 5}, {"text": "x" * 4001}):
        refused = await desk.post(f"/api/escalations/{record.id}/notes", headers=ana, json=body)
        assert refused.status == 400 and (await refused.json())["error"] == "bad_note"
    assert (await desk.post("/api/escalations/999/notes", headers=ana, json={"text": "x"})).status == 404
    assert (await desk.get("/api/escalations/abc/notes", headers=ana)).status == 404
    assert (await desk.get(f"/api/escalations/{record.id}/notes")).status == 401
    assert (await (await desk.get(f"/api/escalations/{record.id}/notes", headers=ana)).json())["notes"] == []


def test_a_customers_data_export_has_the_notes_and_deleting_it_removes_them(database_url, tmp_path):
    from bot import privacy
    from bot.helpdesk.escalations import EscalationStore, NewEscalation
    from bot.helpdesk.notes import NoteStore

    store, notes = EscalationStore(database_url), NoteStore(database_url)
    theirs = store.create(NewEscalation("c-gone", "request_human", 2, "support", "pt"))
    other = store.create(NewEscalation("c-kept", "request_human", 2, "support", "pt"))
    notes.add(theirs.id, "ana", SECRET)
    notes.add(other.id, "ana", "outro cliente")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("tracker_store: null\n", encoding="utf-8")
    stores = privacy.Stores.open(endpoints, database_url)
    exported = privacy.export(stores, ["c-gone"])["conversations"][0]
    assert [n["text"] for n in exported["internal_notes"]] == [SECRET]
    done = privacy.delete(stores, ["c-gone"])
    assert done.rows["escalation_notes"] == 1
    assert notes.of(theirs.id) == [] and [n.text for n in notes.of(other.id)] == ["outro cliente"]
