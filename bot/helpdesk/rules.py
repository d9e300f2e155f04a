"""When the bot should hand a conversation to a person by itself.

The rules and their thresholds are in helpdesk.yml (`escalation.rules`);
each rule's name becomes the escalation's reason. These functions read a
plain view of the conversation, so they are easy to test and to reuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional

from bot.nlu.language_scorer import strip_accents
from bot.settings import EscalationSettings

FALLBACK_INTENT = "nlu_fallback"


@dataclass(frozen=True)
class Turn:
    """One customer message as the NLU saw it."""

    text: str
    intent: Optional[str]
    mood: Optional[str]
    mood_confidence: float
    language: Optional[str]


def turns_from_events(events: Iterable[Dict[str, Any]]) -> List[Turn]:
    turns = []
    for event in events:
        if event.get("event") != "user":
            continue
        parsed = event.get("parse_data") or {}
        mood = parsed.get("mood") or {}
        turns.append(
            Turn(
                text=event.get("text") or "",
                intent=(parsed.get("intent") or {}).get("name"),
                mood=mood.get("name"),
                mood_confidence=float(mood.get("confidence") or 0.0),
                language=(parsed.get("language") or {}).get("name"),
            )
        )
    return turns


def _words(text: str) -> str:
    return " " + re.sub(r"\W+", " ", strip_accents(text.lower())) + " "


def threatens(settings: EscalationSettings, text: str, language: Optional[str]) -> bool:
    """A threat to cancel, a legal threat or a payment problem in the text."""
    said = _words(text)
    for word in settings.threats.get(language or "", ()):
        target = _words(word)
        if (target.strip() in said) if language == "zh" else (target in said):
            return True
    return False


def anger_reason(settings: EscalationSettings, turns: List[Turn]) -> Optional[str]:
    """anger_with_threat or repeated_anger, decided when the latest message is angry."""
    if not turns:
        return None
    rules = settings.rules

    def angry(turn: Turn, rule: str) -> bool:
        return turn.mood == "angry" and turn.mood_confidence >= rules[rule].get("confidence", 0.7)

    latest = turns[-1]
    if (
        "anger_with_threat" in rules
        and angry(latest, "anger_with_threat")
        and threatens(settings, latest.text, latest.language)
    ):
        return "anger_with_threat"
    if (
        "repeated_anger" in rules
        and angry(latest, "repeated_anger")
        and sum(1 for t in turns if angry(t, "repeated_anger")) >= rules["repeated_anger"].get("times", 2)
    ):
        return "repeated_anger"
    return None


def consecutive_fallbacks(turns: List[Turn]) -> int:
    count = 0
    for turn in reversed(turns):
        if turn.intent != FALLBACK_INTENT:
            break
        count += 1
    return count


def reached(settings: EscalationSettings, rule: str, count: int) -> bool:
    """Has a counting rule (unhelpful_answers, repeated_fallback, no_article) fired?"""
    return rule in settings.rules and count >= settings.rules[rule].get("times", 2)
