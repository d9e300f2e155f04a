"""Escalations: conversations handed to a person, kept in the help-desk database.

Status goes queued -> assigned -> resolved. While nobody can take one, an
escalation waits as a ticket with the customer's e-mail address.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, TypedDict

import sqlalchemy as sa

from bot.database import default_database_url, engine_with_tables

metadata = sa.MetaData()

QUEUED, ASSIGNED, RESOLVED = "queued", "assigned", "resolved"

escalations = sa.Table(
    "escalations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(128), index=True, nullable=False),
    sa.Column("language", sa.String(8)),
    sa.Column("script", sa.String(8)),
    sa.Column("mood", sa.String(16)),
    sa.Column("moods", sa.Text),  # JSON list of the conversation's moods, oldest first
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("queue", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default=QUEUED),
    sa.Column("email", sa.String(254)),
    sa.Column("agent", sa.String(64)),
    sa.Column("transcript", sa.Text),  # JSON list of {sender, text, mood?}
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("articles", sa.Text),  # JSON list of the article ids the bot tried
    sa.Column("claimed_at", sa.Float),
    sa.Column("resolved_at", sa.Float),
    # Keyed hash of the customer's address (bot.web.chat.client_key): the limit per address.
    sa.Column("client", sa.String(64), index=True),
    # When an agent first sent the customer a message (bot.helpdesk.service_levels).
    sa.Column("first_response_at", sa.Float),
    # The name the customer gave in the widget's pre-chat form (the e-mail goes in `email`).
    sa.Column("customer_name", sa.String(80)),
)


class TranscriptLine(TypedDict, total=False):
    """A line of the transcript kept with an escalation (JSON in the table)."""

    sender: str  # "customer" or "bot"
    text: str
    mood: Optional[str]  # the customer's mood on this message; customer lines only


@dataclass
class NewEscalation:
    conversation_id: str
    reason: str
    priority: int
    queue: str
    language: Optional[str] = None
    script: Optional[str] = None
    mood: Optional[str] = None
    moods: List[str] = field(default_factory=list)
    transcript: List[TranscriptLine] = field(default_factory=list)
    articles: List[str] = field(default_factory=list)
    client: Optional[str] = None
    email: Optional[str] = None  # from the widget's pre-chat form: the bot need not ask
    customer_name: Optional[str] = None


@dataclass(frozen=True)
class Escalation:
    """One stored escalation, as the console, the actions and the webhook see it."""

    id: int
    conversation_id: str
    reason: str
    priority: int
    queue: str
    status: str
    created_at: float
    updated_at: float
    language: Optional[str] = None
    script: Optional[str] = None
    mood: Optional[str] = None
    moods: List[str] = field(default_factory=list)
    transcript: List[TranscriptLine] = field(default_factory=list)
    articles: List[str] = field(default_factory=list)
    email: Optional[str] = None
    agent: Optional[str] = None
    claimed_at: Optional[float] = None
    resolved_at: Optional[float] = None
    client: Optional[str] = None
    first_response_at: Optional[float] = None
    customer_name: Optional[str] = None  # from the widget's pre-chat form

    @classmethod
    def from_row(cls, row: Any) -> Escalation:
        values = dict(row._mapping)
        for key in ("moods", "transcript", "articles"):  # JSON text in the table
            values[key] = json.loads(values[key]) if values.get(key) else []
        return cls(**values)

    def as_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


class EscalationStore:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self.database_url = database_url or default_database_url()

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    def create(self, new: NewEscalation) -> Escalation:
        now = time.time()
        values = {
            "conversation_id": new.conversation_id,
            "language": new.language,
            "script": new.script,
            "mood": new.mood,
            "moods": json.dumps(new.moods),
            "reason": new.reason,
            "priority": new.priority,
            "queue": new.queue,
            "status": QUEUED,
            "transcript": json.dumps(new.transcript, ensure_ascii=False),
            "articles": json.dumps(new.articles),
            "client": new.client,
            "email": new.email,
            "customer_name": new.customer_name,
            "created_at": now,
            "updated_at": now,
        }
        with self.engine.begin() as db:
            escalation_id = db.execute(escalations.insert().values(**values)).inserted_primary_key[0]
        return Escalation(
            id=escalation_id,
            conversation_id=new.conversation_id,
            reason=new.reason,
            priority=new.priority,
            queue=new.queue,
            status=QUEUED,
            created_at=now,
            updated_at=now,
            language=new.language,
            script=new.script,
            mood=new.mood,
            moods=list(new.moods),
            transcript=list(new.transcript),
            articles=list(new.articles),
            client=new.client,
            email=new.email,
            customer_name=new.customer_name,
        )

    def made_from(self, client: str, since: float) -> int:
        """Escalations made from this client address since then."""
        query = (
            sa.select(sa.func.count())
            .select_from(escalations)
            .where(escalations.c.client == client, escalations.c.created_at >= since)
        )
        with self.engine.connect() as db:
            return int(db.execute(query).scalar_one())

    def open_for(self, conversation_id: str) -> Optional[Escalation]:
        """The conversation's escalation that is not resolved yet, if any."""
        query = (
            sa.select(escalations)
            .where(escalations.c.conversation_id == conversation_id, escalations.c.status != RESOLVED)
            .order_by(escalations.c.id.desc())
        )
        with self.engine.connect() as db:
            row = db.execute(query).first()
        return Escalation.from_row(row) if row else None

    def position(self, escalation_id: int) -> int:
        """1 for the next to be taken in its queue: higher priority first, then older."""
        with self.engine.connect() as db:
            me = db.execute(sa.select(escalations).where(escalations.c.id == escalation_id)).first()
            if me is None or me.status != QUEUED:
                return 0
            ahead = db.execute(
                sa.select(sa.func.count())
                .select_from(escalations)
                .where(
                    escalations.c.queue == me.queue,
                    escalations.c.status == QUEUED,
                    escalations.c.id != me.id,
                    sa.or_(
                        escalations.c.priority > me.priority,
                        sa.and_(escalations.c.priority == me.priority, escalations.c.created_at <= me.created_at),
                    ),
                )
            ).scalar_one()
        return ahead + 1

    def set_email(self, escalation_id: int, email: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                escalations.update()
                .where(escalations.c.id == escalation_id)
                .values(email=email, updated_at=time.time())
            )

    def last_change(self) -> tuple:
        """Changes whenever an escalation is created, claimed or resolved (for live queues)."""
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(sa.func.count(), sa.func.max(escalations.c.updated_at)).select_from(escalations)
            ).first()
        return tuple(row)

    def get(self, escalation_id: int) -> Optional[Escalation]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(escalations).where(escalations.c.id == escalation_id)).first()
        return Escalation.from_row(row) if row else None

    def list(
        self, statuses=(QUEUED, ASSIGNED), queue: Optional[str] = None, language: Optional[str] = None
    ) -> List[Escalation]:
        """Open escalations, the most urgent first, then the longest waiting."""
        query = sa.select(escalations).where(escalations.c.status.in_(list(statuses)))
        if queue:
            query = query.where(escalations.c.queue == queue)
        if language:
            query = query.where(escalations.c.language == language)
        query = query.order_by(escalations.c.priority.desc(), escalations.c.created_at.asc())
        with self.engine.connect() as db:
            return [Escalation.from_row(row) for row in db.execute(query)]

    def claim(self, escalation_id: int, agent: str) -> Optional[Escalation]:
        """Assign a queued escalation to an agent; None if someone else holds it or it is closed."""
        with self.engine.begin() as db:
            taken = db.execute(
                escalations.update()
                .where(escalations.c.id == escalation_id)
                .where(
                    sa.or_(
                        escalations.c.status == QUEUED,
                        sa.and_(escalations.c.status == ASSIGNED, escalations.c.agent == agent),
                    )
                )
                .values(
                    status=ASSIGNED,
                    agent=agent,
                    updated_at=time.time(),
                    claimed_at=sa.func.coalesce(escalations.c.claimed_at, time.time()),
                )
            ).rowcount
        return self.get(escalation_id) if taken else None

    def mark_first_response(self, escalation_id: int, at: Optional[float] = None) -> bool:
        """Remember when an agent first answered; later answers change nothing.
        True if this was the first."""
        with self.engine.begin() as db:
            return bool(
                db.execute(
                    escalations.update()
                    .where(escalations.c.id == escalation_id, escalations.c.first_response_at.is_(None))
                    # updated_at: the consoles' queues learn it (the entry stops counting down).
                    .values(first_response_at=time.time() if at is None else at, updated_at=time.time())
                ).rowcount
            )

    def resolve(self, escalation_id: int, agent: str) -> Optional[Escalation]:
        with self.engine.begin() as db:
            done = db.execute(
                escalations.update()
                .where(
                    escalations.c.id == escalation_id, escalations.c.status == ASSIGNED, escalations.c.agent == agent
                )
                .values(status=RESOLVED, updated_at=time.time(), resolved_at=time.time())
            ).rowcount
        return self.get(escalation_id) if done else None
