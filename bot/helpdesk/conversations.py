"""The help desk's conversations: chat sessions, their transcript, and ratings
(written by the web server, read by the agents' API and the report).

SQLAlchemy Core, so the same code runs on SQLite (the default,
var/helpdesk.db) and on PostgreSQL (`DATABASE_URL=postgresql://...`).
The engine is made on first use, never at import.
"""

from __future__ import annotations

import collections
import hashlib
import hmac
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple, TypedDict

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from bot.database import engine_with_tables
from bot.helpdesk.attachments import AttachedFile

logger = logging.getLogger(__name__)

metadata = sa.MetaData()

chat_sessions = sa.Table(
    "chat_sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("language", sa.String(8)),
    sa.Column("script", sa.String(8)),
    # From the widget's pre-chat form (bot/web/widget_api.py): who the customer said they are.
    sa.Column("contact_name", sa.String(80)),
    sa.Column("contact_email", sa.String(254)),
)

chat_messages = sa.Table(
    "chat_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(64), sa.ForeignKey("chat_sessions.id"), index=True, nullable=False),
    sa.Column("sender", sa.String(16), nullable=False),  # customer, bot, agent, system
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("extra", sa.Text),  # JSON: buttons, language
    sa.Column("created_at", sa.Float, nullable=False),
)

ratings = sa.Table(
    "ratings",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("chat_sessions.id"), primary_key=True),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Session:
    id: str
    language: Optional[str] = None
    script: Optional[str] = None


class _ChatLineFields(TypedDict):
    sender: str  # customer, bot or agent
    text: str
    at: float  # when it was stored (Unix time)


class ChatLine(_ChatLineFields, total=False):
    """A line of a transcript: as stored, in the history, and in live events
    (bot/web/events.py has its JSON schema)."""

    buttons: List[Dict[str, str]]  # the bot's choices
    language: Optional[str]  # of the bot's answer
    script: Optional[str]
    name: str  # the agent's display name
    attachment: AttachedFile  # a file the customer attached (bot/helpdesk/attachments.py)


def chat_line(sender: str, text: str, extra: Optional[Dict[str, Any]], at: float) -> ChatLine:
    line = ChatLine(sender=sender, text=text, at=at)
    line.update(extra or {})  # type: ignore[typeddict-item]  # (extra holds only ChatLine's optional keys)
    return line


REMEMBERED_SESSIONS = 10_000  # sessions this process has seen sign in, for a database outage


class ChatStore:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        # session id -> (token hash, session): a customer already chatting can
        # go on while the database is down (their escalation is spooled).
        self._seen: collections.OrderedDict[str, Tuple[str, Session]] = collections.OrderedDict()

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    def create_session(self) -> Dict[str, str]:
        """A new session: its id, and the token that alone proves ownership."""
        session_id, token = secrets.token_urlsafe(16), secrets.token_urlsafe(32)
        with self.engine.begin() as db:
            db.execute(chat_sessions.insert().values(id=session_id, token_hash=_hash(token), created_at=time.time()))
        self._remember(session_id, _hash(token), Session(session_id))
        return {"session_id": session_id, "token": token}

    def _remember(self, session_id: str, token_hash: str, session: Session) -> None:
        self._seen[session_id] = (token_hash, session)
        self._seen.move_to_end(session_id)
        while len(self._seen) > REMEMBERED_SESSIONS:
            self._seen.popitem(last=False)

    def authenticate(self, session_id: Any, token: Any) -> Optional[Session]:
        if not isinstance(session_id, str) or not isinstance(token, str) or len(session_id) > 64:
            return None
        try:
            with self.engine.connect() as db:
                row = db.execute(sa.select(chat_sessions).where(chat_sessions.c.id == session_id)).first()
        except SQLAlchemyError:
            seen = self._seen.get(session_id)
            if seen is None:
                raise
            logger.warning("database unavailable: session %s signed in from memory", session_id)
            return seen[1] if hmac.compare_digest(seen[0], _hash(token)) else None
        if row is None or not hmac.compare_digest(row.token_hash, _hash(token)):
            return None
        session = Session(row.id, row.language, row.script)
        self._remember(session_id, row.token_hash, session)
        return session

    def set_contact(self, session_id: str, name: Optional[str], email: Optional[str]) -> None:
        """The name and e-mail address the customer gave in the pre-chat form."""
        with self.engine.begin() as db:
            db.execute(
                chat_sessions.update()
                .where(chat_sessions.c.id == session_id)
                .values(contact_name=name, contact_email=email)
            )

    def contact(self, session_id: str) -> Optional[Dict[str, Optional[str]]]:
        """The pre-chat form's {name, email}, None when the customer gave neither."""
        query = sa.select(chat_sessions.c.contact_name, chat_sessions.c.contact_email).where(
            chat_sessions.c.id == session_id
        )
        with self.engine.connect() as db:
            row = db.execute(query).first()
        if row is None or not (row.contact_name or row.contact_email):
            return None
        return {"name": row.contact_name, "email": row.contact_email}

    def new_token(self, session_id: str) -> Optional[Dict[str, Any]]:
        """A fresh token for an existing session (the e-mailed link back to a
        conversation, bot/web/reopen.py); the old token stops working. None if
        the session is gone (deleted, purged)."""
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as db:
            row = db.execute(sa.select(chat_sessions).where(chat_sessions.c.id == session_id)).first()
            if row is None:
                return None
            db.execute(chat_sessions.update().where(chat_sessions.c.id == session_id).values(token_hash=_hash(token)))
        self._remember(session_id, _hash(token), Session(row.id, row.language, row.script))
        return {"session_id": session_id, "token": token, "language": row.language, "script": row.script}

    def has_session(self, session_id: str) -> bool:
        """Is this conversation a widget session (not a REST or shell one)?"""
        with self.engine.connect() as db:
            return db.execute(sa.select(chat_sessions.c.id).where(chat_sessions.c.id == session_id)).first() is not None

    def set_language(self, session_id: str, language: Optional[str], script: Optional[str]) -> None:
        with self.engine.begin() as db:
            db.execute(
                chat_sessions.update().where(chat_sessions.c.id == session_id).values(language=language, script=script)
            )

    def add_message(self, session_id: str, sender: str, text: str, extra: Optional[Dict[str, Any]] = None) -> ChatLine:
        now = time.time()
        with self.engine.begin() as db:
            db.execute(
                chat_messages.insert().values(
                    session_id=session_id,
                    sender=sender,
                    text=text,
                    extra=json.dumps(extra, ensure_ascii=False) if extra else None,
                    created_at=now,
                )
            )
        return chat_line(sender, text, extra, now)

    def add_bot_messages(
        self,
        session_id: str,
        messages: List[Tuple[str, Dict[str, Any]]],
        language: Optional[str],
        script: Optional[str],
    ) -> List[ChatLine]:
        """The bot's answers to one message, and the conversation's language, in one transaction."""
        now = time.time()
        stored: List[ChatLine] = []
        with self.engine.begin() as db:
            for text, extra in messages:
                db.execute(
                    chat_messages.insert().values(
                        session_id=session_id,
                        sender="bot",
                        text=text,
                        extra=json.dumps(extra, ensure_ascii=False),
                        created_at=now,
                    )
                )
                stored.append(chat_line("bot", text, extra, now))
            if language:
                db.execute(
                    chat_sessions.update()
                    .where(chat_sessions.c.id == session_id)
                    .values(language=language, script=script)
                )
        return stored

    def history(self, session_id: str, limit: int = 200) -> List[ChatLine]:
        query = (
            sa.select(chat_messages)
            .where(chat_messages.c.session_id == session_id)
            .order_by(chat_messages.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as db:
            rows = db.execute(query).all()
        return [
            chat_line(r.sender, r.text, json.loads(r.extra) if r.extra else None, r.created_at) for r in reversed(rows)
        ]

    def rate(self, session_id: str, rating: int) -> None:
        with self.engine.begin() as db:
            db.execute(ratings.delete().where(ratings.c.session_id == session_id))
            db.execute(ratings.insert().values(session_id=session_id, rating=rating, created_at=time.time()))

    def rating(self, session_id: str) -> Optional[int]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(ratings.c.rating).where(ratings.c.session_id == session_id)).first()
        return row.rating if row else None
