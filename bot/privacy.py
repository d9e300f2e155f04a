"""A customer's data: found in every store, exported, deleted; and the purge
of conversations older than the retention period.

    python -m bot.privacy export --email E | --conversation ID
    python -m bot.privacy delete --email E | --conversation ID
    python -m bot.privacy purge [--days N]    (default: helpdesk.yml's privacy.retention_days;
                                               `make run` runs it at start and every 6 hours)

Stores: the help-desk database (DATABASE_URL: chat sessions, their messages
and rating, messages waiting for the assistant, escalations with their
transcript, questions the bot could not answer, attached files' records), the attached files
(ATTACHMENTS_FOLDER), Rasa's tracker store (read from the endpoints file, --endpoints,
default var/endpoints.yml as `make run` writes it, else endpoints.yml) and
the escalation spool (ESCALATION_SPOOL). The browser's copy goes with the
widget's "End conversation". A conversation belongs to an e-mail address
when the address is in its escalation, anything it said, or its tracker.

On SQLite, deleted rows are overwritten (`secure_delete`) and the
write-ahead log is checkpointed and truncated, so no byte of them stays in
the files. (PostgreSQL keeps dead rows until its VACUUM.)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set

import sqlalchemy as sa
import yaml

from bot.database import default_database_url, engine_for, engine_with_tables, is_sqlite_file
from bot.helpdesk import attachments, conversations, escalations, feedback, gaps, mail, notes, pending
from bot.settings import PROJECT_ROOT, SettingsError, environment, get_settings

logger = logging.getLogger(__name__)

# Rasa's SQL tracker store's table (rasa/core/tracker_store.py, SQLEvent).
EVENTS = sa.table(
    "events",
    sa.column("id", sa.Integer),
    sa.column("sender_id", sa.String),
    sa.column("type_name", sa.String),
    sa.column("timestamp", sa.Float),
    sa.column("data", sa.Text),
)
CHECKPOINT_TRIES = 50  # x 0.1 s: a server may be reading at that moment


class PrivacyError(Exception):
    pass


def tracker_store_url(endpoints_file: Path) -> Optional[str]:
    """The SQL URL of Rasa's tracker store in an endpoints file (None: not SQL)."""
    try:
        config = yaml.safe_load(endpoints_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise PrivacyError(f"cannot read {endpoints_file}: {error}") from error
    store = {
        k: os.path.expandvars(v) if isinstance(v, str) else v for k, v in (config.get("tracker_store") or {}).items()
    }
    kind = str(store.get("type") or "")
    if kind != "SQL" and not kind.endswith("SQLiteTrackerStore"):
        return None
    dialect = str(store.get("dialect") or "sqlite")
    if dialect == "sqlite":
        path = Path(str(store.get("db") or "rasa.db"))
        return f"sqlite:///{path if path.is_absolute() else PROJECT_ROOT / path}"
    return str(
        sa.engine.URL.create(
            dialect,
            username=store.get("username"),
            password=store.get("password"),
            host=store.get("url"),
            port=int(store["port"]) if store.get("port") else None,
            database=store.get("db"),
        )
    )


def default_endpoints() -> Path:
    """RASA_ENDPOINTS, else what bot.run gives Rasa, else the project's file."""
    given = environment().rasa_endpoints
    if given is not None:
        return given
    written = PROJECT_ROOT / "var" / "endpoints.yml"
    return written if written.exists() else PROJECT_ROOT / "endpoints.yml"


@dataclass
class Stores:
    helpdesk: sa.engine.Engine
    tracker: Optional[sa.engine.Engine]
    spool: Path
    attachments: Path = field(default_factory=lambda: environment().attachments_folder)  # the customers' files

    @classmethod
    def open(cls, endpoints_file: Optional[Path] = None, database_url: Optional[str] = None) -> Stores:
        url = database_url or default_database_url()
        for tables in (
            conversations.metadata,
            pending.metadata,
            escalations.metadata,
            gaps.metadata,
            feedback.metadata,
            mail.metadata,
            notes.metadata,
            attachments.metadata,
        ):
            engine_with_tables(url, tables)
        tracker_url = tracker_store_url(endpoints_file or default_endpoints())
        # Engines cached per URL (bot.database.engine_for): the web server opens the stores per request.
        tracker = engine_for(tracker_url) if tracker_url else None
        if tracker is not None and not sa.inspect(tracker).has_table("events"):
            tracker = None  # Rasa has written nothing yet
        env = environment()
        return cls(engine_for(url), tracker, env.escalation_spool, env.attachments_folder)

    def spooled(self) -> Dict[str, Path]:
        """Spooled escalations by conversation id."""
        found: Dict[str, Path] = {}
        for path in sorted(self.spool.glob("*.json")) if self.spool.is_dir() else []:
            try:
                found[json.loads(path.read_text(encoding="utf-8"))["conversation_id"]] = path
            except (OSError, ValueError, KeyError):
                logger.warning("unreadable spool file %s", path)
        return found


def conversations_of(stores: Stores, email: str) -> List[str]:
    """Every conversation the address appears in, in any store."""
    needle = email.strip().lower()
    if "@" not in needle:
        raise PrivacyError(f"not an e-mail address: {email!r}")
    found: Set[str] = set()
    e, m, g = escalations.escalations, conversations.chat_messages, gaps.gaps
    with stores.helpdesk.connect() as db:
        query = sa.select(e.c.conversation_id).where(
            sa.or_(sa.func.lower(e.c.email) == needle, sa.func.lower(e.c.transcript).contains(needle))
        )
        found.update(db.execute(query).scalars())
        found.update(db.execute(sa.select(m.c.session_id).where(sa.func.lower(m.c.text).contains(needle))).scalars())
        found.update(
            db.execute(sa.select(g.c.conversation_id).where(sa.func.lower(g.c.text).contains(needle))).scalars()
        )
    if stores.tracker is not None:
        with stores.tracker.connect() as db:
            query = sa.select(EVENTS.c.sender_id).where(sa.func.lower(EVENTS.c.data).contains(needle)).distinct()
            found.update(db.execute(query).scalars())
    for conversation, path in stores.spooled().items():
        if needle in path.read_text(encoding="utf-8").lower():
            found.add(conversation)
    return sorted(found)


def _rows(db: sa.engine.Connection, table: Any, column: Any, conversation: str) -> List[Dict[str, Any]]:
    return [dict(row._mapping) for row in db.execute(sa.select(table).where(column == conversation))]


def export(stores: Stores, conversation_ids: Iterable[str]) -> Dict[str, Any]:
    """Everything kept about these conversations, as one JSON-ready document."""
    c, p, e, g = conversations, pending.pending_messages, escalations.escalations, gaps.gaps
    f = feedback.answer_feedback
    spooled = stores.spooled()
    out = []
    for conversation in conversation_ids:
        with stores.helpdesk.connect() as db:
            sessions = _rows(db, c.chat_sessions, c.chat_sessions.c.id, conversation)
            for session in sessions:
                session.pop("token_hash", None)  # a secret, not the customer's data
            entry: Dict[str, Any] = {
                "conversation_id": conversation,
                "chat_session": sessions[0] if sessions else None,
                "messages": _rows(db, c.chat_messages, c.chat_messages.c.session_id, conversation),
                "rating": _rows(db, c.ratings, c.ratings.c.session_id, conversation),
                "waiting_messages": _rows(db, p, p.c.session_id, conversation),
                "escalations": [
                    escalations.Escalation.from_row(row).as_dict()
                    for row in db.execute(sa.select(e).where(e.c.conversation_id == conversation))
                ],
                # The question's vector is left out: numbers computed from the text, not more of it.
                "unanswered_questions": [
                    {k: v for k, v in row.items() if k != "vector"}
                    for row in _rows(db, g, g.c.conversation_id, conversation)
                ],
                "answer_feedback": _rows(db, f, f.c.conversation_id, conversation),
                # Files the customer attached: what is known of each, and where its bytes are.
                "attachments": [
                    {**vars(kept), "file": str(stores.attachments / kept.id)}
                    for kept in attachments.of_conversations(db, [conversation])
                ],
                # Agents' replies e-mailed to the customer, while not yet sent (or given up).
                "emails": _rows(db, mail.mail_outbox, mail.mail_outbox.c.conversation_id, conversation),
                # What agents noted about the conversation (never shown to the customer in the chat).
                "internal_notes": [
                    dict(row._mapping)
                    for row in db.execute(
                        sa.select(notes.escalation_notes).where(
                            notes.escalation_notes.c.escalation_id.in_(
                                sa.select(e.c.id).where(e.c.conversation_id == conversation)
                            )
                        )
                    )
                ],
            }
        entry["tracker_events"] = []
        if stores.tracker is not None:
            with stores.tracker.connect() as db:
                query = sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == conversation).order_by(EVENTS.c.id)
                entry["tracker_events"] = [json.loads(data) for data in db.execute(query).scalars()]
        path = spooled.get(conversation)
        entry["spooled_escalation"] = json.loads(path.read_text(encoding="utf-8")) if path else None
        out.append(entry)
    return {"exported_at": time.time(), "conversations": out}


@dataclass
class Deleted:
    rows: Dict[str, int] = field(default_factory=dict)
    spool_files: int = 0
    attachment_files: int = 0

    def add(self, store: str, count: int) -> None:
        self.rows[store] = self.rows.get(store, 0) + count


def delete(stores: Stores, conversation_ids: Iterable[str]) -> Deleted:
    """Remove the conversations from every store, leaving no byte of them in SQLite files."""
    ids = sorted(set(conversation_ids))
    deleted = Deleted()
    if not ids:
        return deleted
    c, p, e, g = conversations, pending.pending_messages, escalations.escalations, gaps.gaps
    f = feedback.answer_feedback
    with stores.helpdesk.connect() as db:
        files = [stores.attachments / kept.id for kept in attachments.of_conversations(db, ids)]
    with _scrubbing(stores.helpdesk) as db:
        of_theirs = sa.select(e.c.id).where(e.c.conversation_id.in_(ids))  # (before the escalations go)
        n = notes.escalation_notes
        deleted.add(n.name, db.execute(n.delete().where(n.c.escalation_id.in_(of_theirs))).rowcount)
        for table, column in (
            (c.chat_messages, c.chat_messages.c.session_id),
            (c.ratings, c.ratings.c.session_id),
            (p, p.c.session_id),
            (e, e.c.conversation_id),
            (g, g.c.conversation_id),
            (f, f.c.conversation_id),
            (mail.mail_outbox, mail.mail_outbox.c.conversation_id),
            (attachments.chat_attachments, attachments.chat_attachments.c.session_id),
            (c.chat_sessions, c.chat_sessions.c.id),
        ):
            deleted.add(table.name, db.execute(table.delete().where(column.in_(ids))).rowcount)
    if stores.tracker is not None:
        with _scrubbing(stores.tracker) as db:
            deleted.add("events", db.execute(EVENTS.delete().where(EVENTS.c.sender_id.in_(ids))).rowcount)
    spooled = stores.spooled()
    for conversation in ids:
        if conversation in spooled:
            _overwrite_and_remove(spooled[conversation])
            deleted.spool_files += 1
    for path in files:
        if path.exists():
            _overwrite_and_remove(path)
            deleted.attachment_files += 1
    return deleted


class _scrubbing:
    """A transaction whose deleted rows are overwritten; on SQLite, the log
    is then checkpointed into the file and truncated."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        self.sqlite = is_sqlite_file(engine.url)

    def __enter__(self) -> sa.engine.Connection:
        self.connection = self.engine.connect()
        if self.sqlite:
            self.connection.exec_driver_sql("PRAGMA secure_delete = ON")
            self.connection.commit()
        self.transaction = self.connection.begin()
        return self.connection

    def __exit__(self, kind, error, trace) -> None:
        try:
            if error is not None:
                self.transaction.rollback()
                return
            self.transaction.commit()
            if self.sqlite:
                self.connection.exec_driver_sql("PRAGMA secure_delete = OFF")
                _checkpoint(self.connection, self.engine.url.database)
                self.connection.commit()
        finally:
            self.connection.close()


def _checkpoint(connection: sa.engine.Connection, path: str) -> None:
    for _ in range(CHECKPOINT_TRIES):
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if not busy:
            return
        time.sleep(0.1)
    raise PrivacyError(
        f"{path}: the write-ahead log could not be emptied (a server kept reading); "
        "the rows are deleted, but old copies stay in its -wal file until the next checkpoint: run this again"
    )


def _overwrite_and_remove(path: Path) -> None:
    size = path.stat().st_size
    with path.open("r+b") as file:
        file.write(b"\0" * size)
        file.flush()
        os.fsync(file.fileno())
    path.unlink()


def older_than(stores: Stores, days: float) -> List[str]:
    """Conversations with nothing newer than `days` ago in any store."""
    cutoff = time.time() - days * 86400
    c, e, g = conversations, escalations.escalations, gaps.gaps
    newest: Dict[str, float] = {}

    def note(rows: Iterable[Any]) -> None:
        for conversation, at in rows:
            newest[conversation] = max(newest.get(conversation, 0.0), at or 0.0)

    with stores.helpdesk.connect() as db:
        note(db.execute(sa.select(c.chat_sessions.c.id, c.chat_sessions.c.created_at)))
        m = c.chat_messages
        note(db.execute(sa.select(m.c.session_id, sa.func.max(m.c.created_at)).group_by(m.c.session_id)))
        note(db.execute(sa.select(e.c.conversation_id, sa.func.max(e.c.updated_at)).group_by(e.c.conversation_id)))
        note(db.execute(sa.select(g.c.conversation_id, sa.func.max(g.c.created_at)).group_by(g.c.conversation_id)))
    if stores.tracker is not None:
        with stores.tracker.connect() as db:
            query = sa.select(EVENTS.c.sender_id, sa.func.max(EVENTS.c.timestamp)).group_by(EVENTS.c.sender_id)
            note(db.execute(query))
    for conversation, path in stores.spooled().items():
        newest[conversation] = max(newest.get(conversation, 0.0), path.stat().st_mtime)
    return sorted(conversation for conversation, at in newest.items() if at < cutoff)


def purge(stores: Stores, days: float) -> Deleted:
    return delete(stores, older_than(stores, days))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.privacy", description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=Path, help="Rasa's endpoints file (its tracker store)")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("export", "print everything kept, as JSON"), ("delete", "remove it from every store")):
        command = commands.add_parser(name, help=help_text)
        who = command.add_mutually_exclusive_group(required=True)
        who.add_argument("--email", help="every conversation this address appears in")
        who.add_argument("--conversation", help="one conversation (its session or sender id)")
    purge_command = commands.add_parser("purge", help="delete conversations older than the retention period")
    purge_command.add_argument("--days", type=float, help="default: privacy.retention_days in helpdesk.yml")
    purge_command.add_argument("--quiet", action="store_true", help="say something only when it deleted something")
    args = parser.parse_args(argv)
    try:
        stores = Stores.open(args.endpoints)
        if args.command == "purge":
            days = args.days if args.days is not None else get_settings().privacy.retention_days
            done = purge(stores, days)
            if args.quiet and not any(done.rows.values()) and not done.spool_files and not done.attachment_files:
                return 0
            print(
                f"Purged conversations older than {days:g} days: {json.dumps(done.rows)}, spool files {done.spool_files}, "
                f"attached files {done.attachment_files}"
            )
            return 0
        ids = conversations_of(stores, args.email) if args.email else [args.conversation]
        if args.command == "export":
            json.dump(export(stores, ids), sys.stdout, ensure_ascii=False, indent=2, default=str)
            print()
            return 0
        done = delete(stores, ids)
        print(
            f"Deleted {len(ids)} conversation(s): {json.dumps(done.rows)}, spool files {done.spool_files}, "
            f"attached files {done.attachment_files}"
        )
        return 0
    except (PrivacyError, SettingsError, sa.exc.SQLAlchemyError, sqlite3.Error, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
