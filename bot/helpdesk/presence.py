"""Which agents are online: an agent is online while their console is open.

The console's live connection marks the agent as seen when it opens and on
every heartbeat; the action server asks `online()` before telling a customer
that a person will join. Kept in the help-desk database, so it holds across
processes and machines.
"""

from __future__ import annotations

import time
from typing import List, Optional

import sqlalchemy as sa

from bot.database import default_database_url, engine_with_tables

ONLINE_SECONDS = 60  # seen this recently = online (the console beats every 20 s)

metadata = sa.MetaData()

agent_presence = sa.Table(
    "agent_presence",
    metadata,
    sa.Column("agent", sa.String(64), primary_key=True),
    sa.Column("last_seen", sa.Float, nullable=False),
)


class Presence:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self.database_url = database_url or default_database_url()

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    def seen(self, agent: str) -> None:
        now = time.time()
        with self.engine.begin() as db:
            updated = db.execute(
                agent_presence.update().where(agent_presence.c.agent == agent).values(last_seen=now)
            ).rowcount
        if not updated:
            try:
                with self.engine.begin() as db:
                    db.execute(agent_presence.insert().values(agent=agent, last_seen=now))
            except sa.exc.IntegrityError:
                pass  # another connection of the same agent got there first

    def gone(self, agent: str) -> None:
        with self.engine.begin() as db:
            db.execute(agent_presence.delete().where(agent_presence.c.agent == agent))

    def online(self) -> List[str]:
        since = time.time() - ONLINE_SECONDS
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(agent_presence.c.agent)
                .where(agent_presence.c.last_seen >= since)
                .order_by(agent_presence.c.agent)
            )
            return [row.agent for row in rows]
