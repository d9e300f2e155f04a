"""Which queues each agent works in, and who is online for a queue.

An agent belongs to the queues stored for them here; an agent with none
stored (every account of helpdesk.yml until configured, and a database
account added without `--queue`) belongs to every queue. Presence is per
queue: `online_in("support")` names only the agents online who work in
support, so a sales agent with the console open does not make a support
customer wait for nobody (actions/handoff.py asks it).

    python -m bot.helpdesk.agents add NAME --queue support --queue sales
    python -m bot.helpdesk.agents queues NAME support,sales   (or `all`: every queue)
"""

from __future__ import annotations

import sys
from typing import Iterable, List, Optional, Sequence, Tuple

import sqlalchemy as sa

from bot.database import default_database_url, engine_with_tables
from bot.helpdesk.presence import Presence

metadata = sa.MetaData()

agent_queues = sa.Table(
    "agent_queues",
    metadata,
    sa.Column("agent", sa.String(64), primary_key=True),
    sa.Column("queue", sa.String(32), primary_key=True),
)

EVERY_QUEUE = "all"  # `queues NAME all`: the agent works in every queue again


def configured_queues() -> Tuple[str, ...]:
    """The queues of helpdesk.yml (escalation.queues), in their order there."""
    from bot.settings import get_settings

    return tuple(queue.name for queue in get_settings().escalation.queues)


class UnknownQueue(ValueError):
    """A queue name helpdesk.yml does not configure."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(f"unknown queue {name!r}: helpdesk.yml has {', '.join(known)}")
        self.name = name


class QueueMembership:
    """The agents of each queue, kept in the help-desk database."""

    def __init__(self, database_url: Optional[str] = None, queues: Optional[Sequence[str]] = None) -> None:
        self.database_url = database_url or default_database_url()
        self._queues = tuple(queues) if queues is not None else None

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    @property
    def queues(self) -> Tuple[str, ...]:
        """Every queue there is (helpdesk.yml's unless given)."""
        if self._queues is None:
            self._queues = configured_queues()
        return self._queues

    def check(self, names: Iterable[str]) -> List[str]:
        """The names as queues, without repeats; UnknownQueue for one that is not configured."""
        chosen: List[str] = []
        for name in names:
            name = name.strip()
            if name not in self.queues:
                raise UnknownQueue(name, self.queues)
            if name not in chosen:
                chosen.append(name)
        return chosen

    def set_queues(self, agent: str, names: Iterable[str]) -> List[str]:
        """The agent works in these queues from now on (none: every queue); returns them."""
        chosen = self.check(names)
        with self.engine.begin() as db:
            db.execute(agent_queues.delete().where(agent_queues.c.agent == agent))
            for queue in chosen:
                db.execute(agent_queues.insert().values(agent=agent, queue=queue))
        return self.queues_of(agent)

    def stored(self) -> dict:
        """agent -> the queues stored for them (agents of every queue are not listed)."""
        found: dict = {}
        with self.engine.connect() as db:
            for row in db.execute(sa.select(agent_queues).order_by(agent_queues.c.agent)):
                if row.queue in self.queues:  # a queue since removed from helpdesk.yml no longer counts
                    found.setdefault(row.agent, []).append(row.queue)
        return {agent: [q for q in self.queues if q in queues] for agent, queues in found.items()}

    def queues_of(self, agent: str) -> List[str]:
        """The queues the agent works in, in helpdesk.yml's order."""
        return self.stored().get(agent, list(self.queues))

    def works_in(self, agent: str, queue: str) -> bool:
        return queue in self.queues_of(agent)

    def online_in(self, queue: str, presence: Optional[Presence] = None) -> List[str]:
        """The agents online now who work in this queue."""
        online = (presence or Presence(self.database_url)).online()
        stored = self.stored()
        return [agent for agent in online if queue in stored.get(agent, self.queues)]


def online_in(queue: str, database_url: Optional[str] = None) -> List[str]:
    """Who is online for this queue (the action server asks before telling a customer a person will join)."""
    return QueueMembership(database_url).online_in(queue)


def take_queue_flags(args: List[str]) -> Tuple[List[str], List[str]]:
    """`--queue support --queue sales` (or `--queue support,sales`) taken out of a command line."""
    rest: List[str] = []
    queues: List[str] = []
    index = 0
    while index < len(args):
        if args[index] == "--queue" and index + 1 < len(args):
            queues.extend(name for name in args[index + 1].split(",") if name.strip())
            index += 2
            continue
        rest.append(args[index])
        index += 1
    return rest, queues


def queues_command(agent: str, value: str, known_agent: bool) -> int:
    """`queues NAME support,sales` (or `all`): change the agent's queues and say what they are."""
    if not known_agent:
        print(f"No account {agent} (add it with: add {agent} --queue ...).", file=sys.stderr)
        return 1
    names = [] if value.strip() == EVERY_QUEUE else [name for name in value.split(",") if name.strip()]
    try:
        queues = QueueMembership().set_queues(agent, names)
    except UnknownQueue as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"Agent {agent} works in: {', '.join(queues)}{' (every queue)' if not names else ''}.")
    return 0
