"""Escalation records in SQL, on SQLite and on PostgreSQL."""

from bot.helpdesk.escalations import EscalationStore, NewEscalation


def new(conversation, priority=2, queue="support"):
    return NewEscalation(
        conversation,
        "request_human",
        priority,
        queue,
        "pt",
        None,
        "angry",
        ["neutral", "angry"],
        [{"sender": "customer", "text": "<b>oi</b>", "mood": "angry"}],
    )


def test_records_keep_what_an_agent_needs(database_url):
    store = EscalationStore(database_url)
    record = store.create(new("c1"))
    saved = store.get(record.id)
    assert saved.status == "queued" and saved.reason == "request_human" and saved.queue == "support"
    assert saved.language == "pt" and saved.mood == "angry" and saved.moods == ["neutral", "angry"]
    assert saved.transcript == [{"sender": "customer", "text": "<b>oi</b>", "mood": "angry"}]
    store.set_email(record.id, "ana@empresa.com")
    assert store.get(record.id).email == "ana@empresa.com"


def test_position_in_queue_counts_higher_priority_and_older_first(database_url):
    store = EscalationStore(database_url)
    first = store.create(new("a", priority=2))
    second = store.create(new("b", priority=2))
    urgent = store.create(new("c", priority=4))
    other_queue = store.create(new("d", priority=9, queue="sales"))
    assert store.position(urgent.id) == 1
    assert store.position(first.id) == 2
    assert store.position(second.id) == 3
    assert store.position(other_queue.id) == 1


def test_an_open_escalation_is_found_for_its_conversation(database_url):
    store = EscalationStore(database_url)
    assert store.open_for("x") is None
    record = store.create(new("x"))
    assert store.open_for("x").id == record.id


def test_a_spooled_escalation_is_readable_by_its_owner_only(tmp_path, monkeypatch):
    import os

    from bot.helpdesk import spool

    monkeypatch.setenv("ESCALATION_SPOOL", str(tmp_path / "spool"))
    old = os.umask(0o022)  # a permissive umask, as a shell's default
    try:
        path = spool.keep(new("c-private"))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o077 == 0
