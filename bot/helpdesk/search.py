"""Searching the queue: by the customer's e-mail or anything they wrote.

Matching ignores case and accents ("nao" finds "não", "DUNG" finds "dùng",
Vietnamese đ is d) and Chinese script (a Simplified query finds Traditional
text); every word of the query must be found. What the customer wrote is
the transcript kept with the escalation plus their messages in the chat
since the hand-over.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Callable, Dict, Iterable, List

import sqlalchemy as sa

from bot.database import engine_with_tables
from bot.helpdesk.conversations import chat_messages
from bot.helpdesk.conversations import metadata as chat_tables
from bot.helpdesk.escalations import Escalation

MAX_QUERY_CHARS = 200


@functools.lru_cache(maxsize=1)
def _to_simplified() -> Callable[[str], str]:
    try:
        import opencc  # lazy: only Chinese text needs it
    except ImportError:  # pragma: no cover - opencc is in requirements.txt
        return lambda text: text
    return opencc.OpenCC("t2s").convert


def _has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" for ch in text)


def fold(text: str) -> str:
    """Lower case, no accents, Chinese in Simplified script."""
    if _has_han(text):
        text = _to_simplified()(text)
    text = text.replace("đ", "d").replace("Đ", "d")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def customer_texts(database_url: str, conversation_ids: Iterable[str]) -> Dict[str, List[str]]:
    """What each conversation's customer wrote in the chat (the widget's messages)."""
    ids = sorted(set(conversation_ids))
    found: Dict[str, List[str]] = {}
    if not ids:
        return found
    query = sa.select(chat_messages.c.session_id, chat_messages.c.text).where(
        chat_messages.c.session_id.in_(ids), chat_messages.c.sender == "customer"
    )
    with engine_with_tables(database_url, chat_tables).connect() as db:
        for session_id, text in db.execute(query):
            found.setdefault(session_id, []).append(text)
    return found


def haystack(record: Escalation, chat: Iterable[str] = ()) -> str:
    said = [str(line.get("text") or "") for line in record.transcript if line.get("sender") == "customer"]
    return fold("\n".join([record.email or "", *said, *chat]))


def matching(records: List[Escalation], query: str, database_url: str) -> List[Escalation]:
    """The records whose customer e-mail or words hold every word of `query`, in their order."""
    words = fold(query).split()
    if not words:
        return records
    chat = customer_texts(database_url, (r.conversation_id for r in records))
    return [r for r in records if all(w in haystack(r, chat.get(r.conversation_id, ())) for w in words)]
