"""Which queue an escalation goes to, and how urgent it is."""

from __future__ import annotations

import re
from typing import Iterable, Optional

from bot.nlu.language_scorer import strip_accents
from bot.settings import EscalationSettings

SUPPORT = "support"


def _normalise(text: str) -> str:
    return " " + re.sub(r"\W+", " ", strip_accents(text.lower())) + " "


def _mentions(said: str, word: str, language: str) -> bool:
    # Whole words, except in Chinese, which has no spaces between words.
    target = _normalise(word)
    return (target.strip() in said) if language == "zh" else (target in said)


def choose_queue(
    settings: EscalationSettings,
    language: str,
    mood: Optional[str],
    texts: Iterable[str],
    articles: Iterable[str] = (),
) -> str:
    """`sales` (or another topic queue) for a curious prospect on its topics, else support.

    A queue other than support takes the escalation when the customer is
    curious and either an article the bot answered with or a word the
    customer wrote is one of the queue's.
    """
    if mood != "curious":
        return SUPPORT
    said = _normalise(" ".join(texts))
    answered = set(articles)
    for queue in settings.queues:
        if queue.name == SUPPORT:
            continue
        words = queue.words.get(language, ())
        if answered & set(queue.articles) or any(_mentions(said, w, language) for w in words):
            return queue.name
    return SUPPORT


def priority(settings: EscalationSettings, reason: str, mood: Optional[str]) -> int:
    """The reason's priority, plus a bonus when the customer is angry."""
    return settings.priority.get(reason, 1) + (settings.angry_bonus if mood == "angry" else 0)
