"""Transfer an escalation to another queue or to another agent.

A queued escalation changes queue (it keeps its place by priority and
waiting time there). An assigned one goes back to a queue (its own or the
one named) and waits for the next agent; the bot stays paused, since a
person still owes the customer an answer. Naming an agent hands it to them
at once. Each transfer is recorded as a note (bot/helpdesk/notes.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Dict, Optional

import sqlalchemy as sa

from bot.helpdesk.escalations import ASSIGNED, QUEUED, Escalation, EscalationStore, escalations
from bot.helpdesk.notes import TRANSFER, Note, NoteStore


class TransferRefused(Exception):
    """Why a transfer cannot be done; `code` for the console, 400 or 409."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass(frozen=True)
class Transfer:
    before: Escalation
    after: Escalation
    note: Note


def transfer(
    store: EscalationStore,
    notes: NoteStore,
    escalation_id: int,
    by: str,
    queue: Optional[str] = None,
    agent: Optional[str] = None,
    may_take_from_others: bool = False,
) -> Transfer:
    """Move the escalation; `queue` and `agent` are checked by the caller (known names)."""
    before = store.get(escalation_id)
    if before is None:
        raise TransferRefused(404, "not_found", "No such escalation.")
    if before.status not in (QUEUED, ASSIGNED):
        raise TransferRefused(409, "closed", "This conversation is closed.")
    if before.status == ASSIGNED and before.agent != by and not may_take_from_others:
        raise TransferRefused(409, "not_yours", "Another agent holds this conversation; only they can transfer it.")
    to_queue = queue or before.queue
    if agent is not None:
        if before.status == ASSIGNED and before.agent == agent:
            raise TransferRefused(400, "same_agent", f"{agent} already holds this conversation.")
        values: Dict[str, Optional[str]] = {"status": ASSIGNED, "agent": agent, "queue": to_queue}
    else:
        if before.status == QUEUED and to_queue == before.queue:
            raise TransferRefused(400, "same_queue", f"It is already waiting in {to_queue}.")
        values = {"status": QUEUED, "agent": None, "queue": to_queue}
    now = time.time()
    with store.engine.begin() as db:
        done = db.execute(
            escalations.update()
            .where(
                escalations.c.id == escalation_id,
                escalations.c.status == before.status,
                (escalations.c.agent == before.agent) if before.agent else escalations.c.agent.is_(None),
            )
            .values(
                **values,
                updated_at=now,
                claimed_at=sa.func.coalesce(escalations.c.claimed_at, now) if agent else escalations.c.claimed_at,
            )
        ).rowcount
    if not done:
        raise TransferRefused(409, "changed", "Someone else changed this conversation just now; look again.")
    after = store.get(escalation_id)
    assert after is not None
    details: Dict[str, Optional[str]] = {
        "from_queue": before.queue,
        "to_queue": to_queue,
        "from_agent": before.agent,
        "to_agent": agent,
    }
    where_to = f"{agent} (queue {to_queue})" if agent else f"the {to_queue} queue"
    where_from = f"{before.agent} (queue {before.queue})" if before.agent else f"the {before.queue} queue"
    note = notes.add(escalation_id, by, f"Transferred from {where_from} to {where_to}.", TRANSFER, details)
    return Transfer(before, after, note)
