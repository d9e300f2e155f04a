"""What customers said about the bot's answers: "yes, it helped" or "no, it
did not" after an answer from the knowledge base (actions/kb.py).

The report (bot/helpdesk/report.py) counts a conversation as resolved by the
bot when the customer said an answer helped, and not when the last thing they
said about an answer was that it did not. Recording never fails the
customer's chat: a database problem is logged. Kept in the help-desk
database; `python -m bot.privacy` exports and deletes it with the rest of the
conversation.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from bot.database import default_database_url, engine_with_tables

logger = logging.getLogger(__name__)

MAX_ARTICLES = 20  # article ids kept per answer

metadata = sa.MetaData()

answer_feedback = sa.Table(
    "answer_feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(128), index=True, nullable=False),
    sa.Column("helped", sa.Boolean, nullable=False),
    sa.Column("articles", sa.Text),  # JSON list of the article ids the answer came from
    sa.Column("created_at", sa.Float, nullable=False, index=True),
)


def record_feedback(
    conversation_id: str,
    helped: bool,
    articles: Sequence[str] = (),
    database_url: Optional[str] = None,
    at: Optional[float] = None,
) -> bool:
    """Keep the customer's yes or no about an answer; False (logged) if it could not be kept."""
    values = {
        "conversation_id": conversation_id,
        "helped": bool(helped),
        "articles": json.dumps([str(a) for a in articles][:MAX_ARTICLES]),
        "created_at": time.time() if at is None else at,
    }
    try:
        engine = engine_with_tables(database_url or default_database_url(), metadata)
        with engine.begin() as db:
            db.execute(answer_feedback.insert().values(**values))
    except (SQLAlchemyError, OSError) as error:  # default_database_url may fail to make var/
        logger.error("answer feedback of %s not recorded: %s", conversation_id, error)
        return False
    return True
