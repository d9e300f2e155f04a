"""Where the help desk keeps its records: one SQL database for the web
server (sessions, transcripts, ratings) and the escalations.

SQLite by default (var/helpdesk.db); PostgreSQL or any SQLAlchemy URL when
DATABASE_URL says so. Engines are made on first use, never at import.
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from bot.settings import PROJECT_ROOT, environment


def default_database_url() -> str:
    url = environment().database_url
    if url:
        return url
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'helpdesk.db'}"


@functools.cache
def engine_for(url: str) -> sa.engine.Engine:
    return create_engine(url, future=True)


def is_sqlite_file(url) -> bool:
    database = sa.engine.make_url(str(url)).database
    return str(url).startswith("sqlite") and database not in (None, "", ":memory:")


def create_engine(url, **options) -> sa.engine.Engine:
    """An engine; for a SQLite file, connections stay open in a pool (SQLAlchemy
    1.4 opens and closes one per use, which cost more than the query here) and
    each is set up for write-ahead logging. Also used for Rasa's tracker store."""
    if not is_sqlite_file(url):
        return sa.create_engine(url, **options)
    engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        pool_size=5,
        max_overflow=10,
        connect_args={"check_same_thread": False},  # used from asyncio.to_thread's threads, one at a time
        **options,
    )
    sa.event.listen(engine, "connect", sqlite_write_ahead)
    guard_the_file(engine, Path(engine.url.database))
    return engine


def guard_the_file(engine: sa.engine.Engine, path: Path) -> None:
    """What SQLite does not do for a file that people can move or chmod.

    - A database file that existed (or that this process made) and is gone
      is an error, not a new empty file: a fresh one would hand out ticket
      numbers again, and agents and customers would see different tickets.
      Pooled connections to a file moved away are dropped, not written to.
    - A connection opened while the file was read-only stays read-only for
      good: "readonly database" drops the pool's connections, so they
      recover by themselves once the file is writable again."""
    existed = path.exists()

    @sa.event.listens_for(engine, "do_connect")
    def refuse_a_vanished_file(dialect, record, cargs, cparams):
        if existed and not path.exists():
            raise sqlite3.OperationalError(f"the database file {path} has disappeared; not making a new, empty one")
        return None  # SQLAlchemy connects as usual

    @sa.event.listens_for(engine, "connect")
    def remember_the_file(connection, record):
        nonlocal existed
        existed = True
        record.info["inode"] = path.stat().st_ino

    @sa.event.listens_for(engine, "checkout")
    def drop_connections_to_a_moved_file(connection, record, proxy):
        try:
            same = path.stat().st_ino == record.info.get("inode")
        except OSError:
            same = False
        if not same:
            raise sa.exc.DisconnectionError(f"{path} was moved or removed")

    @sa.event.listens_for(engine, "handle_error")
    def read_only_is_a_disconnect(context):
        if "readonly database" in str(context.original_exception):
            context.is_disconnect = True


def sqlite_write_ahead(connection, record) -> None:
    """SQLite in write-ahead-log mode: a commit costs 0.02 ms instead of a
    1 ms disk flush here, and readers never wait for the writer (the web
    server, the action server and Rasa share files). After a power cut the
    last commits may be lost; the database stays consistent."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    deadline = time.monotonic() + 5.0
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as error:
            # Making a new file WAL needs it alone, and SQLite says "locked"
            # at once, without waiting, while another process opens it too.
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_tables_made: set = set()
_tables_lock = threading.Lock()


def engine_with_tables(url: str, metadata: sa.MetaData) -> sa.engine.Engine:
    """The engine for `url`, with `metadata`'s tables created on first use.

    A failure (database down) is not remembered: the next call tries again.
    """
    engine = engine_for(url)
    key = (url, id(metadata))
    with _tables_lock:
        if key not in _tables_made:
            for attempt in range(3):
                try:
                    metadata.create_all(engine)
                    add_missing_columns(engine, metadata)
                    break
                except sa.exc.DBAPIError as error:
                    # The web server, the action server and the retention purge
                    # start together and make the same tables: one can look,
                    # find none, and be beaten to the CREATE. Looking again
                    # finds it, on new connections: a pooled SQLite one can
                    # keep answering from the schema it read before. Any other
                    # error is real.
                    if attempt == 2 or not made_meanwhile(error):
                        raise
                    engine.dispose()
            _tables_made.add(key)
    return engine


def made_meanwhile(error: sa.exc.DBAPIError) -> bool:
    """True when a CREATE or ADD COLUMN failed because another process had
    just done the same (SQLite's and PostgreSQL's wording)."""
    text = str(error.orig)
    return (
        "already exists" in text
        or "duplicate column name" in text
        or "pg_type_typname_nsp_index" in text  # two concurrent CREATE TABLEs in PostgreSQL
    )


def add_missing_columns(engine: sa.engine.Engine, metadata: sa.MetaData) -> None:
    """Columns added to a table after a database was made (all nullable) are
    added to it, so an existing var/helpdesk.db keeps working after an update."""
    inspector = sa.inspect(engine)
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present and column.nullable:
                kind = column.type.compile(dialect=engine.dialect)
                with engine.begin() as db:
                    db.execute(sa.text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))


def forget_tables() -> None:
    """After tables were dropped behind our back (tests), create them again."""
    with _tables_lock:
        _tables_made.clear()
