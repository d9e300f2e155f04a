"""The help desk's report: how many conversations the bot handled alone, why
and for whom it called a person, how long customers waited, how they rated.

Conversations are those of the chat widget in which the customer wrote
something; escalations come from every channel.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from typing import Any, Dict, Optional

import sqlalchemy as sa

from bot.database import default_database_url, engine_with_tables
from bot.helpdesk.conversations import chat_messages, chat_sessions, ratings
from bot.helpdesk.conversations import metadata as chat_tables
from bot.helpdesk.escalations import escalations
from bot.helpdesk.escalations import metadata as escalation_tables


def build_report(database_url: Optional[str] = None, days: Optional[float] = None) -> Dict[str, Any]:
    url = database_url or default_database_url()
    engine_with_tables(url, chat_tables)
    engine = engine_with_tables(url, escalation_tables)
    since = time.time() - days * 86400 if days else 0.0
    with engine.connect() as db:
        talked = sa.select(chat_sessions.c.id, chat_sessions.c.language).where(
            chat_sessions.c.id.in_(
                sa.select(chat_messages.c.session_id).where(
                    chat_messages.c.sender == "customer", chat_messages.c.created_at >= since
                )
            )
        )
        conversations = {row.id: row.language for row in db.execute(talked)}
        handed = db.execute(sa.select(escalations).where(escalations.c.created_at >= since)).all()
        stars = [row.rating for row in db.execute(sa.select(ratings.c.rating).where(ratings.c.created_at >= since))]
    escalated = {row.conversation_id for row in handed}
    waits = [row.claimed_at - row.created_at for row in handed if row.claimed_at]
    total = len(conversations)
    return {
        "since": since or None,
        "conversations": total,
        "conversations_by_language": dict(Counter(lang or "unknown" for lang in conversations.values())),
        "resolved_without_person": total - len(escalated & set(conversations)),
        "deflection": round((total - len(escalated & set(conversations))) / total, 3) if total else None,
        "escalations": len(handed),
        "escalations_by_reason": dict(Counter(row.reason for row in handed)),
        "escalations_by_language": dict(Counter(row.language or "unknown" for row in handed)),
        "escalations_by_mood": dict(Counter(row.mood or "unknown" for row in handed)),
        "escalations_by_queue": dict(Counter(row.queue for row in handed)),
        "escalations_by_status": dict(Counter(row.status for row in handed)),
        "median_wait_seconds": round(statistics.median(waits), 1) if waits else None,
        "still_waiting": sum(1 for row in handed if row.claimed_at is None and row.status == "queued"),
        "ratings": {
            "count": len(stars),
            "average": round(statistics.mean(stars), 2) if stars else None,
            "distribution": {str(n): stars.count(n) for n in range(1, 6)},
        },
    }
