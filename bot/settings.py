"""Every setting in one place: helpdesk.yml, overridden by environment variables.

    HELPDESK_CONFIG   path of the settings file (default: helpdesk.yml)
    KB_FOLDER         knowledge-base folder (default from the file: data/kb)
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

import yaml

from bot.helpdesk.hours import HoursError, OpeningHours
from bot.languages import LANGUAGES

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """helpdesk.yml is missing something or has a wrong value."""


@dataclass(frozen=True)
class Contact:
    phone: str
    email: str
    opening_hours: Mapping[str, str]

    def placeholders(self, language: str) -> Dict[str, str]:
        """Values for {support_phone}, {support_email}, {opening_hours}."""
        hours = self.opening_hours.get(language) or next(iter(self.opening_hours.values()), "")
        return {
            "support_phone": self.phone,
            "support_email": self.email,
            "opening_hours": hours,
        }

    def fill(self, text: str, language: str) -> str:
        """Replace the contact placeholders in an article's text."""
        for key, value in self.placeholders(language).items():
            text = text.replace("{" + key + "}", value)
        return text


@dataclass(frozen=True)
class KnowledgeBaseSettings:
    folder: Path
    article_url: str
    answer_threshold: float
    suggest_threshold: float


@dataclass(frozen=True)
class Queue:
    name: str
    articles: Tuple[str, ...] = ()
    words: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    hours: Optional[OpeningHours] = None  # None: always open

    def is_open(self, now: Optional[datetime] = None) -> bool:
        return self.hours is None or self.hours.is_open(now)


RULES = ("request_human", "repeated_anger", "anger_with_threat", "unhelpful_answers", "repeated_fallback", "no_article")


@dataclass(frozen=True)
class EscalationSettings:
    queues: Tuple[Queue, ...]
    rules: Mapping[str, Mapping[str, float]]  # rule name -> its thresholds
    threats: Mapping[str, Tuple[str, ...]]
    priority: Mapping[str, int]
    angry_bonus: int
    webhook_url: str
    webhook_attempts: int

    def queue(self, name: str) -> Queue:
        return next((q for q in self.queues if q.name == name), self.queues[0])


@dataclass(frozen=True)
class Settings:
    default_language: str
    contact: Contact
    knowledge_base: KnowledgeBaseSettings
    escalation: EscalationSettings
    agents: Mapping[str, str] = field(default_factory=dict)  # name -> password hash
    source: Path = field(default=Path("helpdesk.yml"))


def _resolve(path: str) -> Path:
    candidate = Path(path)
    return candidate if candidate.is_absolute() else PROJECT_ROOT / candidate


def _section(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key) or {}
    if not isinstance(value, Mapping):
        raise SettingsError(f"'{key}' must be a mapping of settings")
    return value


def parse_settings(raw: Any, source: Path) -> Settings:
    try:
        if not isinstance(raw, Mapping):
            raise SettingsError("the file must be a mapping of settings")
        default_language = raw.get("default_language", "pt")
        if default_language not in LANGUAGES:
            raise SettingsError(f"default_language must be one of {LANGUAGES}")
        contact = raw["contact"]
        if not isinstance(contact, Mapping):
            raise SettingsError("'contact' must be a mapping with phone and email")
        kb = _section(raw, "knowledge_base")
        thresholds = _section(kb, "thresholds")
        answer = float(thresholds.get("answer", 0.55))
        suggest = float(thresholds.get("suggest", 0.30))
        if not 0 <= suggest <= answer <= 1:
            raise SettingsError("knowledge_base.thresholds: need 0 <= suggest <= answer <= 1")
        return Settings(
            default_language=default_language,
            contact=Contact(
                phone=str(contact["phone"]),
                email=str(contact["email"]),
                opening_hours=dict(contact.get("opening_hours") or {}),
            ),
            knowledge_base=KnowledgeBaseSettings(
                folder=_resolve(os.environ.get("KB_FOLDER") or kb.get("folder", "data/kb")),
                article_url=str(kb.get("article_url", "")),
                answer_threshold=answer,
                suggest_threshold=suggest,
            ),
            escalation=parse_escalation(_section(raw, "escalation")),
            agents=parse_agents(_section(raw, "agents")),
            source=source,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        if isinstance(error, SettingsError):
            raise SettingsError(f"{source}: {error}") from error
        raise SettingsError(f"{source}: missing or wrong setting: {error}") from error


def parse_agents(raw: Mapping[str, Any]) -> Dict[str, str]:
    agents = {str(name): str(hashed) for name, hashed in raw.items()}
    for name, hashed in agents.items():
        if not hashed.startswith("pbkdf2_sha256$"):
            raise SettingsError(f"agents.{name}: store a hash from `python -m bot.helpdesk.agents hash`, never a password")
    return agents


def parse_escalation(raw: Mapping[str, Any]) -> EscalationSettings:
    queues = []
    for name, queue in (_section(raw, "queues") or {"support": {}}).items():
        queue = queue or {}
        words = {language: tuple(str(w) for w in queue.get("words", {}).get(language) or ()) for language in LANGUAGES}
        try:
            hours = OpeningHours.parse(queue["hours"]) if queue.get("hours") else None
        except HoursError as error:
            raise SettingsError(f"escalation.queues.{name}.hours: {error}") from None
        queues.append(Queue(str(name), tuple(str(a) for a in queue.get("articles") or ()), words, hours))
    if "support" not in {q.name for q in queues}:
        raise SettingsError("escalation.queues needs a 'support' queue, where everything else goes")
    webhook = _section(raw, "webhook")
    rules = {str(name): dict(values or {}) for name, values in _section(raw, "rules").items()}
    unknown = set(rules) - set(RULES)
    if unknown:
        raise SettingsError(f"escalation.rules: unknown rule(s) {sorted(unknown)}; the rules are {', '.join(RULES)}")
    threats = _section(raw, "threats")
    return EscalationSettings(
        queues=tuple(queues),
        rules=rules,
        threats={language: tuple(str(w) for w in threats.get(language) or ()) for language in LANGUAGES},
        priority={str(k): int(v) for k, v in _section(raw, "priority").items()},
        angry_bonus=int(raw.get("angry_bonus", 1)),
        webhook_url=str(webhook.get("url") or os.environ.get("ESCALATION_WEBHOOK_URL", "")),
        webhook_attempts=max(1, int(webhook.get("attempts", 4))),
    )


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    source = _resolve(os.environ.get("HELPDESK_CONFIG", "helpdesk.yml"))
    try:
        raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SettingsError(f"cannot read settings from {source}: {error}") from error
    return parse_settings(raw, source)
