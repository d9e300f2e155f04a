"""A database made by an older version gains the columns added since; a
database file that is moved away is an error, never a new empty one; a
read-only spell ends by itself; processes that start together on a new
database all get their tables."""

import multiprocessing
import subprocess

import pytest
import sqlalchemy as sa

from bot.database import engine_with_tables, forget_tables
from bot.helpdesk.escalations import EscalationStore, NewEscalation


def test_an_old_escalations_table_gets_the_new_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = sa.MetaData()
    sa.Table(
        "escalations",
        old,
        *(
            sa.Column(name, sa.Text)
            for name in (
                "conversation_id",
                "language",
                "script",
                "mood",
                "moods",
                "reason",
                "queue",
                "status",
                "email",
                "agent",
                "transcript",
            )
        ),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("priority", sa.Integer),
        sa.Column("created_at", sa.Float),
        sa.Column("updated_at", sa.Float),
    )
    forget_tables()
    engine_with_tables(url, old)
    forget_tables()
    store = EscalationStore(url)
    record = store.create(NewEscalation("c1", "request_human", 2, "support", "pt", articles=["free-trial"]))
    claimed = store.claim(record.id, "ana")
    assert claimed.articles == ["free-trial"] and claimed.claimed_at >= claimed.created_at


def new(conversation: str) -> NewEscalation:
    return NewEscalation(conversation_id=conversation, reason="request_human", priority=2, queue="support")


def test_a_moved_database_is_an_error_and_no_ticket_number_is_given_twice(tmp_path):
    path = tmp_path / "helpdesk.db"
    store = EscalationStore(f"sqlite:///{path}")
    first = store.create(new("ana"))
    for suffix in ("", "-wal", "-shm"):
        if (tmp_path / f"helpdesk.db{suffix}").exists():
            (tmp_path / f"helpdesk.db{suffix}").rename(tmp_path / f"moved.db{suffix}")
    with pytest.raises(sa.exc.OperationalError, match="disappeared"):
        store.create(new("bia"))
    assert not path.exists()  # no fresh, empty database
    for suffix in ("", "-wal", "-shm"):
        if (tmp_path / f"moved.db{suffix}").exists():
            (tmp_path / f"moved.db{suffix}").rename(tmp_path / f"helpdesk.db{suffix}")
    second = store.create(new("bia"))
    assert second.id == first.id + 1
    assert [e.conversation_id for e in (store.get(first.id), store.get(second.id))] == ["ana", "bia"]


def immutable(path, on: bool) -> None:
    subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True, capture_output=True)


def test_after_a_read_only_spell_writes_work_again_without_a_restart(tmp_path):
    path = tmp_path / "helpdesk.db"
    store = EscalationStore(f"sqlite:///{path}")
    store.create(new("ana"))
    try:
        immutable(path, True)  # read-only even for root, as a chmod is for anyone else
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"chattr cannot make a file read-only here: {error}")
    try:
        store.engine.dispose()  # connections opened from now on see a read-only file
        with pytest.raises(sa.exc.OperationalError, match="readonly"):
            store.create(new("bia"))
    finally:
        immutable(path, False)
    assert store.create(new("bia")).conversation_id == "bia"


def open_every_store(url: str, start: multiprocessing.Barrier, failures: multiprocessing.Queue) -> None:
    from bot import privacy

    start.wait()
    try:
        privacy.Stores.open(database_url=url)
    except Exception as error:  # reported to the test, which names it
        failures.put(f"{type(error).__name__}: {str(error).splitlines()[0]}")


def test_servers_starting_together_on_a_new_database_all_get_their_tables(tmp_path):
    # As `make run` starts them: the web server, the action server and the
    # retention purge each make the same tables on first use.
    forking = multiprocessing.get_context("fork")
    failures = forking.Queue()
    for attempt in range(8):
        url = f"sqlite:///{tmp_path / f'new{attempt}.db'}"
        start = forking.Barrier(3)
        processes = [forking.Process(target=open_every_store, args=(url, start, failures)) for _ in range(3)]
        for process in processes:
            process.start()
        for process in processes:
            process.join(timeout=60)
        assert [process.exitcode for process in processes] == [0, 0, 0]
    found = []
    while not failures.empty():
        found.append(failures.get())
    assert not found, found
    assert {"chat_sessions", "escalations", "mail_outbox"} <= set(sa.inspect(sa.create_engine(url)).get_table_names())
