"""Rasa's SQL tracker store, with SQLite in write-ahead-log mode (see
bot.database.sqlite_write_ahead): every message saves the conversation, and
a flushed commit per message was a large share of Rasa's time here.

endpoints.yml: `tracker_store: {type: bot.rasa_plugins.tracker_store.SQLiteTrackerStore, db: var/conversations.db}`.
For PostgreSQL use Rasa's own `type: SQL` (deploy/endpoints.yml).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from bot.database import create_engine


class SQLiteTrackerStore(SQLTrackerStore):
    engine: sa.engine.Engine  # set by SQLTrackerStore, replaced below

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("dialect", "sqlite")
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # Pooled connections in WAL mode instead of one new connection per message.
            self.engine.dispose()
            self.engine = create_engine(self.engine.url)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
