"""The SQLite tracker store answers what Rasa's own SQL tracker store reads
from the same table, message after message, though it keeps conversations
in memory: across a new session, with a second server writing, and after a
conversation's rows were deleted (a privacy request)."""

from __future__ import annotations

import sqlite3

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_plugins.tracker_store import SQLiteTrackerStore
from tests.servers import ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def stores(path, domain):
    ours = SQLiteTrackerStore(domain=domain, dialect="sqlite", db=str(path))
    rasas = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(path))
    return ours, rasas


def turn(text: str, at: float):
    return [
        UserUttered(text, {"name": "ask_question", "confidence": 0.9}, timestamp=at),
        ActionExecuted("action_answer_question", timestamp=at + 0.1),
        BotUttered(f"resposta para {text}", timestamp=at + 0.2),
        SlotSet("language", "pt", timestamp=at + 0.3),
        ActionExecuted("action_listen", timestamp=at + 0.4),
    ]


async def say(store, domain, sender: str, text: str, at: float) -> None:
    tracker = await store.retrieve(sender) or DialogueStateTracker(sender, domain.slots)
    for event in turn(text, at):
        tracker.update(event)
    await store.save(tracker)


def as_dicts(tracker):
    return None if tracker is None else [event.as_dict() for event in tracker.events]


async def test_every_message_reads_back_what_rasas_own_store_reads(tmp_path, domain):
    ours, rasas = stores(tmp_path / "trackers.db", domain)
    for n in range(6):
        await say(ours, domain, "ana", f"pergunta {n}", at=1000.0 + n)
        assert as_dicts(await ours.retrieve("ana")) == as_dicts(await rasas.retrieve("ana"))
    assert len((await ours.retrieve("ana")).events) == 30
    assert await ours.retrieve("nobody") is None


async def test_a_new_session_starts_from_its_own_events_and_the_full_history_keeps_all(tmp_path, domain):
    ours, rasas = stores(tmp_path / "trackers.db", domain)
    await say(ours, domain, "ana", "antes", at=1000.0)
    tracker = await ours.retrieve("ana")
    tracker.update(ActionExecuted("action_session_start", timestamp=2000.0))
    tracker.update(SessionStarted(timestamp=2000.1))
    tracker.update(ActionExecuted("action_listen", timestamp=2000.2))
    await ours.save(tracker)
    await say(ours, domain, "ana", "depois", at=2001.0)
    latest = await ours.retrieve("ana")
    assert as_dicts(latest) == as_dicts(await rasas.retrieve("ana"))
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["depois"]
    full = await ours.retrieve_full_tracker("ana")
    assert as_dicts(full) == as_dicts(await rasas.retrieve_full_tracker("ana"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["antes", "depois"]


async def test_what_another_server_wrote_is_seen(tmp_path, domain):
    ours, _ = stores(tmp_path / "trackers.db", domain)
    other, _ = stores(tmp_path / "trackers.db", domain)
    await say(ours, domain, "ana", "primeira", at=1000.0)
    await say(other, domain, "ana", "segunda", at=1001.0)
    texts = [e.text for e in (await ours.retrieve("ana")).events if isinstance(e, UserUttered)]
    assert texts == ["primeira", "segunda"]


async def test_deleted_rows_are_never_answered_from_memory(tmp_path, domain):
    path = tmp_path / "trackers.db"
    ours, rasas = stores(path, domain)
    await say(ours, domain, "ana", "meu email e ana@example.com", at=1000.0)
    assert await ours.retrieve("ana") is not None
    with sqlite3.connect(path) as db:  # as a privacy deletion does, from another process
        db.execute("delete from events where sender_id = 'ana'")
    assert await ours.retrieve("ana") is None
    # Deleted and written again with as many rows: still the table's truth.
    await say(rasas, domain, "ana", "outra conversa", at=3000.0)
    await say(ours, domain, "bia", "oi", at=3000.0)
    with sqlite3.connect(path) as db:
        db.execute("delete from events where sender_id = 'bia'")
    await say(rasas, domain, "bia", "tchau", at=3001.0)
    assert as_dicts(await ours.retrieve("ana")) == as_dicts(await rasas.retrieve("ana"))
    assert [e.text for e in (await ours.retrieve("bia")).events if isinstance(e, UserUttered)] == ["tchau"]
