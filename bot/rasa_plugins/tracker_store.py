"""Rasa's SQL tracker store for SQLite: write-ahead log, pooled connections,
and the conversation's stored events kept in memory between messages.

endpoints.yml: `tracker_store: {type: bot.rasa_plugins.tracker_store.SQLiteTrackerStore, db: var/conversations.db}`.
For PostgreSQL use Rasa's own `type: SQL` (deploy/endpoints.yml).

Why: every message saves the conversation, and a flushed commit per message
was a large share of Rasa's time (hence bot.database.sqlite_write_ahead).
And every message reads the whole conversation back, one ORM object per
event: with the sentence encoder, a quarter of the Rasa server's busy time
(py-spy, `make bench`). Here the rows' JSON is kept per conversation, and a
message reads only the rows added since (`id >` the last one) plus the
count of the conversation's rows. A count that does not add up (rows
deleted by `bot.privacy`, or by anyone) reloads the whole conversation, so
the cache never answers with what the table no longer holds.
"""

from __future__ import annotations

import collections
import json
from dataclasses import dataclass, field
from typing import Any, Iterator, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker

from bot.database import create_engine

CACHED_CONVERSATIONS = 256  # the most recently active; older ones are read in full again


@dataclass(frozen=True)
class StoredEvent:
    id: int
    type_name: str
    timestamp: Optional[float]  # NULL in the table: like SQL, never >= a session's start
    data: str  # the event's JSON, as stored


@dataclass
class StoredConversation:
    events: List[StoredEvent] = field(default_factory=list)  # every session's, by id

    def latest_session(self) -> List[StoredEvent]:
        """What Rasa's `_event_query` selects: the events from the latest
        `session_started` on (by timestamp, as Rasa compares), or all."""
        starts = [
            e.timestamp for e in self.events if e.type_name == SessionStarted.type_name and e.timestamp is not None
        ]
        if not starts:
            return list(self.events)
        start = max(starts)
        return [e for e in self.events if e.timestamp is not None and e.timestamp >= start]


class SQLiteTrackerStore(SQLTrackerStore):
    engine: sa.engine.Engine  # set by SQLTrackerStore, replaced below

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("dialect", "sqlite")
        super().__init__(*args, **kwargs)
        self._conversations: collections.OrderedDict[str, StoredConversation] = collections.OrderedDict()
        if self.engine.dialect.name == "sqlite":
            # Pooled connections in WAL mode instead of one new connection per message.
            self.engine.dispose()
            self.engine = create_engine(self.engine.url)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    def _stored(self, session: Any, sender_id: str) -> StoredConversation:
        """The conversation's rows as the table holds them now."""
        table = self.SQLEvent.__table__
        known = self._conversations.pop(sender_id, None) or StoredConversation()
        last_id = known.events[-1].id if known.events else 0
        count, max_id = session.execute(
            sa.select(sa.func.count(), sa.func.max(table.c.id)).where(table.c.sender_id == sender_id)
        ).one()
        if (count, max_id or 0) != (len(known.events), last_id):
            new = self._rows(session, sender_id, after_id=last_id)
            if len(known.events) + len(new) == count:
                known.events.extend(new)
            else:  # rows were deleted: read it all again
                known = StoredConversation(self._rows(session, sender_id, after_id=0))
        self._conversations[sender_id] = known
        while len(self._conversations) > CACHED_CONVERSATIONS:
            self._conversations.popitem(last=False)
        return known

    def _rows(self, session: Any, sender_id: str, after_id: int) -> List[StoredEvent]:
        table = self.SQLEvent.__table__
        query = (
            sa.select(table.c.id, table.c.type_name, table.c.timestamp, table.c.data)
            .where(table.c.sender_id == sender_id, table.c.id > after_id)
            .order_by(table.c.id)
        )
        return [StoredEvent(*row) for row in session.execute(query)]

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            stored = self._stored(session, sender_id)
        rows = stored.events if fetch_events_from_all_sessions else stored.latest_session()
        if not (self.domain and rows):
            return None
        return DialogueStateTracker.from_dict(sender_id, [json.loads(row.data) for row in rows], self.domain.slots)

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator:
        """The tracker's events the table does not hold yet (as Rasa's, counted from the cache)."""
        stored = len(self._stored(session, tracker.sender_id).latest_session())
        return iter(list(tracker.events)[stored:])
