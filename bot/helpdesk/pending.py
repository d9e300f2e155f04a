"""Customer messages the assistant could not take yet (Rasa or the action
server down or restarting): kept in the help-desk database and sent again,
in order, when it is back, so nothing the customer wrote is lost.

Several web servers may share the database: a message is leased before it
is sent, so only one of them sends it.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from bot.database import engine_with_tables

LEASE_SECONDS = 60  # a web server that died while sending: another one retries after this

metadata = sa.MetaData()

pending_messages = sa.Table(
    "pending_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(64), index=True, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("metadata", sa.Text),  # JSON sent to Rasa with the text (language hint)
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("lease_owner", sa.String(32)),
    sa.Column("lease_until", sa.Float),
)


@dataclass(frozen=True)
class WaitingMessage:
    """A customer message leased for sending again."""

    id: int
    text: str
    metadata: Dict[str, Any]  # what goes to Rasa with it (language hint...)
    created_at: float


class PendingMessages:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.owner = uuid.uuid4().hex  # this web server

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    def add(self, session_id: str, text: str, extra: Dict[str, Any]) -> None:
        with self.engine.begin() as db:
            db.execute(
                pending_messages.insert().values(
                    session_id=session_id,
                    text=text,
                    metadata=json.dumps(extra),
                    created_at=time.time(),
                    attempts=0,
                )
            )

    def waiting(self, session_id: str) -> bool:
        with self.engine.connect() as db:
            query = sa.select(pending_messages.c.id).where(pending_messages.c.session_id == session_id).limit(1)
            return db.execute(query).first() is not None

    def sessions(self) -> List[str]:
        """Sessions with messages waiting, the longest waiting first."""
        query = (
            sa.select(pending_messages.c.session_id, sa.func.min(pending_messages.c.id).label("first"))
            .group_by(pending_messages.c.session_id)
            .order_by(sa.text("first"))
        )
        with self.engine.connect() as db:
            return [row.session_id for row in db.execute(query)]

    def lease_next(self, session_id: str) -> Optional[WaitingMessage]:
        """The session's oldest waiting message, now leased to this server; None
        if there is none or another server is sending it."""
        now = time.time()
        with self.engine.begin() as db:
            row = db.execute(
                sa.select(pending_messages)
                .where(pending_messages.c.session_id == session_id)
                .order_by(pending_messages.c.id)
                .limit(1)
            ).first()
            if row is None:
                return None
            taken = db.execute(
                pending_messages.update()
                .where(pending_messages.c.id == row.id)
                .where(
                    sa.or_(
                        pending_messages.c.lease_until.is_(None),
                        pending_messages.c.lease_until < now,
                        pending_messages.c.lease_owner == self.owner,
                    )
                )
                .values(lease_owner=self.owner, lease_until=now + LEASE_SECONDS, attempts=row.attempts + 1)
            ).rowcount
        if not taken:
            return None
        return WaitingMessage(row.id, row.text, json.loads(row.metadata or "{}"), row.created_at)

    def release(self, pending_id: int) -> None:
        """Sending failed: the message waits for the next try."""
        with self.engine.begin() as db:
            db.execute(
                pending_messages.update()
                .where(pending_messages.c.id == pending_id)
                .values(lease_owner=None, lease_until=None)
            )

    def done(self, pending_id: int) -> None:
        with self.engine.begin() as db:
            db.execute(pending_messages.delete().where(pending_messages.c.id == pending_id))
