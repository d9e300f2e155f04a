"""Internal notes on an escalation: what agents tell each other about a
conversation, never shown to the customer.

Notes live in their own table, apart from the chat (bot/helpdesk/conversations.py),
the escalation's transcript and Rasa's tracker, so nothing that shows or
sends a conversation to the customer (the widget, e-mail) can reach them.
A transfer adds a note of kind "transfer" that records where it went.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import sqlalchemy as sa

from bot.database import default_database_url, engine_with_tables

metadata = sa.MetaData()

MAX_NOTE_CHARS = 4000
NOTE, TRANSFER = "note", "transfer"

escalation_notes = sa.Table(
    "escalation_notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("escalation_id", sa.Integer, index=True, nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False, default=NOTE),
    sa.Column("details", sa.Text),  # JSON: a transfer's from/to queue and agent
    sa.Column("created_at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class Note:
    """One internal note, as the console shows it."""

    id: int
    escalation_id: int
    author: str
    text: str
    created_at: float
    kind: str = NOTE
    details: Dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


class NoteStore:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self.database_url = database_url or default_database_url()

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    def add(
        self, escalation_id: int, author: str, text: str, kind: str = NOTE, details: Optional[Dict[str, Any]] = None
    ) -> Note:
        text = text.strip()
        if not text or len(text) > MAX_NOTE_CHARS:
            raise ValueError(f"a note of 1-{MAX_NOTE_CHARS} characters")
        now = time.time()
        values = {
            "escalation_id": escalation_id,
            "author": author,
            "text": text,
            "kind": kind,
            "details": json.dumps(details or {}, ensure_ascii=False),
            "created_at": now,
        }
        with self.engine.begin() as db:
            note_id = db.execute(escalation_notes.insert().values(**values)).inserted_primary_key[0]
        return Note(note_id, escalation_id, author, text, now, kind, dict(details or {}))

    def of(self, escalation_id: int) -> List[Note]:
        """The escalation's notes, oldest first."""
        query = (
            sa.select(escalation_notes)
            .where(escalation_notes.c.escalation_id == escalation_id)
            .order_by(escalation_notes.c.created_at, escalation_notes.c.id)
        )
        with self.engine.connect() as db:
            return [
                Note(
                    row.id,
                    row.escalation_id,
                    row.author,
                    row.text,
                    row.created_at,
                    row.kind,
                    json.loads(row.details) if row.details else {},
                )
                for row in db.execute(query)
            ]

    def delete_for(self, escalation_ids: List[int]) -> int:
        """Removes the notes of these escalations (a customer's data deleted); how many."""
        if not escalation_ids:
            return 0
        with self.engine.begin() as db:
            return db.execute(
                escalation_notes.delete().where(escalation_notes.c.escalation_id.in_(escalation_ids))
            ).rowcount
