"""Is a "yes", "no" or "thanks" really only that?

The short replies ("You're welcome!", "OK, anything else?") are right only
for a message that is just a reply. A message that asks something or
reports a problem must never get them, even when the intent classifier
read it as affirm, deny or thank ("vocês têm teste grátis?" once came out
as `thank`): such a message goes the knowledge-base way instead.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable

from rasa_sdk import Tracker

from bot.nlu import chinese_script

REPLY_INTENTS = ("affirm", "deny", "thank")
REQUEST_INTENTS = ("ask_question", "report_problem", "request_human")
# A request intent this probable beside the reply intent means the message
# carries a request too ("sim, mas como eu cancelo?").
REQUEST_PROBABILITY = 0.25
# Words (Chinese: characters) a bare reply seldom goes beyond.
SHORT_REPLY_WORDS = 6
SHORT_REPLY_HAN = 8
_QUESTION_MARK = re.compile(r"[?？]")
_WORD = re.compile(r"\w+", re.UNICODE)


def _size(text: str) -> int:
    """Words, counting each Chinese character as a word's worth."""
    han = chinese_script.han_count(text)
    words = len(_WORD.findall(chinese_script.HAN.sub(" ", text)))
    return words + (han * SHORT_REPLY_WORDS) // SHORT_REPLY_HAN


def request_probability(ranking: Iterable[Dict[str, Any]]) -> float:
    return sum(entry.get("confidence") or 0.0 for entry in ranking if entry.get("name") in REQUEST_INTENTS)


def carries_a_request(text: str, ranking: Iterable[Dict[str, Any]]) -> bool:
    """Does the message ask something or report a problem, beyond replying?

    Yes when the classifier gives the request intents together a real
    chance, when it is longer than a bare reply, or when it asks a question
    in more than two words ("sim?" is still a reply, a hesitant one).
    """
    if request_probability(ranking) >= REQUEST_PROBABILITY:
        return True
    size = _size(text)
    if size > SHORT_REPLY_WORDS:
        return True
    return bool(_QUESTION_MARK.search(text)) and size > 2


def is_only_a_reply(tracker: Tracker) -> bool:
    """The latest message is a bare affirm, deny or thank."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name")
    if intent not in REPLY_INTENTS:
        return False
    return not carries_a_request(message.get("text") or "", message.get("intent_ranking") or [])
