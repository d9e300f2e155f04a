"""Every setting in one place: helpdesk.yml (what a business changes) and
the environment variables (where the processes run), each read and checked
here and nowhere else.

    HELPDESK_CONFIG   path of the settings file (default: helpdesk.yml)
    KB_FOLDER         knowledge-base folder (default from the file: data/kb)
    the others        see `Environment` below and the README's Configuration
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import yaml

from bot.helpdesk.hours import HoursError, OpeningHours
from bot.helpdesk.service_levels import ServiceLevelError, ServiceLevels
from bot.languages import LANGUAGES
from bot.widget_settings import WIDGET_SCHEMA, WidgetSettings, WidgetSettingsError, parse_widget

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
    per_address_per_hour: int = 5  # escalations from one client address; past it, the direct contacts
    service_levels: ServiceLevels = field(default_factory=ServiceLevels)  # first-response targets

    def queue(self, name: str) -> Queue:
        return next((q for q in self.queues if q.name == name), self.queues[0])


DEFAULT_RETENTION_DAYS = 365


@dataclass(frozen=True)
class PrivacySettings:
    retention_days: float = DEFAULT_RETENTION_DAYS  # conversations with nothing newer are purged


# What customers may attach in the widget (bot/helpdesk/attachments.py checks
# each file's content against these types, whatever its name says).
ATTACHMENT_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf")


@dataclass(frozen=True)
class AttachmentSettings:
    """widget.attachments in helpdesk.yml: the customer's files."""

    max_bytes: int = 5_000_000  # the largest file
    max_per_conversation: int = 10  # files one conversation may hold
    types: Tuple[str, ...] = ATTACHMENT_TYPES  # a subset of ATTACHMENT_TYPES; empty: no attachments


DEFAULT_LINK_DAYS = 7.0
SMTP_SCHEMES = {"smtp": 587, "smtps": 465}  # smtp: STARTTLS when offered; smtps: TLS from the start
STARTTLS_MODES = ("auto", "always", "never")  # smtp://...?starttls=always: refuse a server without it


@dataclass(frozen=True)
class SmtpServer:
    """Where e-mail goes, from SMTP_URL (smtp://user:password@host:587)."""

    host: str
    port: int
    implicit_tls: bool  # smtps://
    starttls: str  # one of STARTTLS_MODES (smtp:// only)
    username: Optional[str] = None  # log in when given
    password: Optional[str] = field(default=None, repr=False)

    @classmethod
    def parse(cls, url: str) -> SmtpServer:
        from urllib.parse import parse_qs, unquote, urlsplit

        parts = urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
            raise SettingsError(
                f"SMTP_URL must look like smtp://host:587 or smtps://user:password@host:465, not {_no_password(url)!r}"
            )
        try:
            port = parts.port or SMTP_SCHEMES[parts.scheme]
        except ValueError:
            raise SettingsError(f"SMTP_URL: the port is not a number (1-65535): {_no_password(url)!r}") from None
        starttls = (parse_qs(parts.query).get("starttls") or ["auto"])[0].lower()
        if starttls not in STARTTLS_MODES:
            raise SettingsError(f"SMTP_URL: starttls must be one of {', '.join(STARTTLS_MODES)}, not {starttls!r}")
        return cls(
            host=parts.hostname,
            port=port,
            implicit_tls=parts.scheme == "smtps",
            starttls="never" if parts.scheme == "smtps" else starttls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


def _no_password(url: str) -> str:
    # Everything between "//" and the last "@": a password may hold "/", ":" or "@".
    return re.sub(r"//.*@", "//***@", url)


@dataclass(frozen=True)
class EmailSettings:
    """Agents' replies e-mailed to customers who left (bot/helpdesk/mail.py)."""

    smtp: Optional[SmtpServer] = None  # SMTP_URL or email.smtp_url; None: no e-mail
    sender: str = ""  # SMTP_FROM or email.from (default: contact.email)
    link_days: float = DEFAULT_LINK_DAYS  # email.link_days: how long the link back to the conversation works
    attempts: int = 8  # email.attempts: tries per e-mail before it is logged as given up


@dataclass(frozen=True)
class Settings:
    default_language: str
    contact: Contact
    knowledge_base: KnowledgeBaseSettings
    escalation: EscalationSettings
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    attachments: AttachmentSettings = field(default_factory=AttachmentSettings)
    agents: Mapping[str, str] = field(default_factory=dict)  # name -> password hash
    widget: WidgetSettings = field(default_factory=WidgetSettings)  # welcome, starters, pre-chat form
    source: Path = field(default=Path("helpdesk.yml"))


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name) or str(default)
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"{name} must be a port number (1-65535), not {value!r}")
    return int(value)


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    value = env.get(name) or str(default)
    if not value.isdigit() or int(value) < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


@dataclass(frozen=True)
class Environment:
    """Where the processes listen and find each other, from environment
    variables (defaults: everything on this machine, SQLite under var/)."""

    rasa_port: int  # RASA_PORT
    action_port: int  # ACTION_PORT
    web_port: int  # WEB_PORT
    rasa_interface: str  # RASA_INTERFACE: Rasa's HTTP API has no authentication, keep it local
    action_interface: str  # ACTION_INTERFACE
    web_host: str  # WEB_HOST
    public_url: str  # PUBLIC_URL: the web server as customers reach it (article links)
    rasa_url: str  # RASA_URL: the web server's Rasa servers, comma-separated
    action_server_url: Optional[str]  # ACTION_SERVER_URL: checked before a message goes to Rasa
    redis_url: Optional[str]  # REDIS_URL: live events between several web servers
    database_url: Optional[str]  # DATABASE_URL: the help-desk database (None: var/helpdesk.db)
    escalation_spool: Path  # ESCALATION_SPOOL: escalations kept while the database is down
    attachments_folder: Path  # ATTACHMENTS_FOLDER: customers' files (var/attachments), outside the web root
    escalation_webhook_url: str  # ESCALATION_WEBHOOK_URL: when helpdesk.yml names none
    chat_messages_per_10s: int  # CHAT_MESSAGES_PER_10S
    chat_sessions_per_minute: int  # CHAT_SESSIONS_PER_MINUTE
    rasa_token: Optional[str]  # RASA_TOKEN: Rasa's --auth-token, for its HTTP API
    allowed_origins: Tuple[str, ...]  # ALLOWED_ORIGINS: sites whose pages may call the API ("*": any)
    web_header_seconds: float  # WEB_HEADER_SECONDS: a connection without a request head by then is closed
    web_body_seconds: float  # WEB_BODY_SECONDS: a request body not received by then gets 408
    web_max_connections: int  # WEB_MAX_CONNECTIONS: open connections of one web server
    rasa_endpoints: Optional[Path]  # RASA_ENDPOINTS: Rasa's endpoints file, for its tracker store (bot.privacy)
    trusted_proxies: Tuple[str, ...]  # TRUSTED_PROXIES: addresses/networks whose X-Forwarded-For is believed
    production: bool  # ATENDO_ENV=production: refuse to start with development defaults
    smtp_url: Optional[str] = None  # SMTP_URL: e-mail for customers who left (wins over helpdesk.yml)
    smtp_from: Optional[str] = None  # SMTP_FROM: the sender address of those e-mails


def environment(env: Optional[Mapping[str, str]] = None) -> Environment:
    """Read now (not cached): the launcher and the tests set variables for the processes they start."""
    env = os.environ if env is None else env
    rasa_port, action_port, web_port = (
        _port(env, "RASA_PORT", 5005),
        _port(env, "ACTION_PORT", 5055),
        _port(env, "WEB_PORT", 8000),
    )
    return Environment(
        rasa_port=rasa_port,
        action_port=action_port,
        web_port=web_port,
        rasa_interface=env.get("RASA_INTERFACE") or "127.0.0.1",
        action_interface=env.get("ACTION_INTERFACE") or "127.0.0.1",
        web_host=env.get("WEB_HOST") or "127.0.0.1",
        public_url=(env.get("PUBLIC_URL") or f"http://localhost:{web_port}").rstrip("/"),
        rasa_url=env.get("RASA_URL") or f"http://localhost:{rasa_port}",
        action_server_url=env.get("ACTION_SERVER_URL") or None,
        redis_url=env.get("REDIS_URL") or None,
        database_url=env.get("DATABASE_URL") or None,
        escalation_spool=_resolve(env.get("ESCALATION_SPOOL") or "var/spool"),
        attachments_folder=_resolve(env.get("ATTACHMENTS_FOLDER") or "var/attachments"),
        escalation_webhook_url=env.get("ESCALATION_WEBHOOK_URL") or "",
        chat_messages_per_10s=_count(env, "CHAT_MESSAGES_PER_10S", 8),
        chat_sessions_per_minute=_count(env, "CHAT_SESSIONS_PER_MINUTE", 30),
        rasa_token=env.get("RASA_TOKEN") or None,
        allowed_origins=tuple(
            o.strip().rstrip("/") for o in (env.get("ALLOWED_ORIGINS") or "*").split(",") if o.strip()
        ),
        web_header_seconds=float(_count(env, "WEB_HEADER_SECONDS", 10)),
        web_body_seconds=float(_count(env, "WEB_BODY_SECONDS", 10)),
        web_max_connections=_count(env, "WEB_MAX_CONNECTIONS", 2000),
        rasa_endpoints=_resolve(env["RASA_ENDPOINTS"]) if env.get("RASA_ENDPOINTS") else None,
        trusted_proxies=_networks(env, "TRUSTED_PROXIES"),
        production=_mode(env) == "production",
        smtp_url=env.get("SMTP_URL") or None,
        smtp_from=env.get("SMTP_FROM") or None,
    )


def _networks(env: Mapping[str, str], name: str) -> Tuple[str, ...]:
    found = []
    for item in (env.get(name) or "").split(","):
        if item.strip():
            try:
                found.append(str(ipaddress.ip_network(item.strip(), strict=False)))
            except ValueError:
                raise SettingsError(f"{name}: {item.strip()!r} is not an IP address or network") from None
    return tuple(found)


def _mode(env: Mapping[str, str]) -> str:
    mode = (env.get("ATENDO_ENV") or "development").strip().lower()
    if mode not in ("development", "production"):
        raise SettingsError(f"ATENDO_ENV must be 'development' or 'production', not {mode!r}")
    return mode


# The contact details this repository ships with, and address domains that
# can never receive mail (RFC 2606): in production they mean "not set yet".
SHIPPED_CONTACT = ("+55 11 4000-1234", "suporte@atendo.example")
RESERVED_DOMAIN = re.compile(r"(^|\.)(example(\.(com|net|org))?|test|invalid|localhost)$", re.IGNORECASE)
LOCAL_HOST = re.compile(r"^https?://(localhost|127\.|0\.0\.0\.0|\[::1\])", re.IGNORECASE)
MIN_TOKEN_CHARS = 24


def production_problems(settings: Settings, env: Environment) -> List[str]:
    """What a production start must not run with, each with what to set."""
    problems = []
    contact = settings.contact
    if contact.phone in SHIPPED_CONTACT or contact.email in SHIPPED_CONTACT:
        problems.append(
            f"{settings.source}: contact.phone and contact.email are the examples this project ships; set your support's phone and e-mail"
        )
    if RESERVED_DOMAIN.search(contact.email.rpartition("@")[2]):
        problems.append(
            f"{settings.source}: contact.email {contact.email!r} cannot receive mail; set your support's address"
        )
    link = settings.knowledge_base.article_url.format(public_url=env.public_url, lang="pt", id="x")
    if LOCAL_HOST.match(link):
        problems.append(
            f"article links point to this machine ({link}); set PUBLIC_URL to the address customers reach the web server at"
        )
    if not env.rasa_token or len(env.rasa_token) < MIN_TOKEN_CHARS:
        problems.append(
            f"RASA_TOKEN is missing or shorter than {MIN_TOKEN_CHARS} characters; set a random secret "
            '(python -c "import secrets; print(secrets.token_urlsafe(32))") so Rasa\'s HTTP API needs it'
        )
    if "*" in env.allowed_origins:
        problems.append(
            "ALLOWED_ORIGINS is '*' (any site may call the API); set the sites that embed the widget, "
            "comma-separated (https://www.example.com)"
        )
    return problems


def check_production(env: Optional[Environment] = None) -> None:
    """In production (ATENDO_ENV=production), raise SettingsError listing every problem."""
    env = environment() if env is None else env
    if not env.production:
        return
    problems = production_problems(get_settings(), env)
    if problems:
        raise SettingsError("ATENDO_ENV=production, but:\n  - " + "\n  - ".join(problems))


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
        suggest = float(thresholds.get("suggest", 0.45))
        if not 0 <= suggest <= answer <= 1:
            raise SettingsError("knowledge_base.thresholds: need 0 <= suggest <= answer <= 1")
        try:
            str(kb.get("article_url", "")).format(public_url="", lang="", id="")
        except (KeyError, IndexError, ValueError) as error:
            raise SettingsError(
                f"knowledge_base.article_url: only {{public_url}}, {{lang}} and {{id}} are filled in ({error!r})"
            ) from None
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
            privacy=parse_privacy(_section(raw, "privacy")),
            email=parse_email(_section(raw, "email"), str(contact["email"])),
            attachments=parse_attachments(_section(_section(raw, "widget"), "attachments")),
            widget=parse_widget_section(_section(raw, "widget")),
            source=source,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        if isinstance(error, SettingsError):
            raise SettingsError(f"{source}: {error}") from error
        raise SettingsError(f"{source}: missing or wrong setting: {error}") from error


def _at_least_one(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise SettingsError(f"{name} must be a whole number of at least 1, not {value!r}")
    return value


def parse_widget_section(raw: Mapping[str, Any]) -> WidgetSettings:
    """widget.greeting, .starters, .proactive and .prechat, checked by bot/widget_settings.py."""
    try:
        return parse_widget(raw)
    except WidgetSettingsError as error:
        raise SettingsError(str(error)) from None


def parse_privacy(raw: Mapping[str, Any]) -> PrivacySettings:
    days = raw.get("retention_days", DEFAULT_RETENTION_DAYS)
    if isinstance(days, bool) or not isinstance(days, int | float) or days <= 0:
        raise SettingsError(f"privacy.retention_days must be a number of days above 0, not {days!r}")
    return PrivacySettings(retention_days=float(days))


def parse_email(raw: Mapping[str, Any], contact_email: str) -> EmailSettings:
    """The `email:` section; SMTP_URL and SMTP_FROM in the environment win over it."""
    env = environment()
    url = env.smtp_url or str(raw.get("smtp_url") or "")
    sender = env.smtp_from or str(raw.get("from") or "") or contact_email
    if url and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", sender):
        raise SettingsError(f"email.from (or SMTP_FROM) must be an e-mail address, not {sender!r}")
    days = raw.get("link_days", DEFAULT_LINK_DAYS)
    if isinstance(days, bool) or not isinstance(days, int | float) or not 0 < days <= 90:
        raise SettingsError(f"email.link_days must be a number of days above 0 and at most 90, not {days!r}")
    return EmailSettings(
        smtp=SmtpServer.parse(url) if url else None,
        sender=sender,
        link_days=float(days),
        attempts=_at_least_one(raw.get("attempts", 8), "email.attempts"),
    )


def parse_attachments(raw: Mapping[str, Any]) -> AttachmentSettings:
    size, count = raw.get("max_bytes", 5_000_000), raw.get("max_per_conversation", 10)
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 50_000_000:
        raise SettingsError(
            f"widget.attachments.max_bytes must be a whole number of bytes up to 50000000, not {size!r}"
        )
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 1000:
        raise SettingsError(f"widget.attachments.max_per_conversation must be a whole number 0-1000, not {count!r}")
    types = raw.get("types", list(ATTACHMENT_TYPES))
    if not isinstance(types, list) or any(kind not in ATTACHMENT_TYPES for kind in types):
        raise SettingsError(f"widget.attachments.types: a list of {', '.join(ATTACHMENT_TYPES)}; not {types!r}")
    return AttachmentSettings(max_bytes=size, max_per_conversation=count, types=tuple(types))


def parse_agents(raw: Mapping[str, Any]) -> Dict[str, str]:
    agents = {str(name): str(hashed) for name, hashed in raw.items()}
    for name, hashed in agents.items():
        if not hashed.startswith("pbkdf2_sha256$"):
            raise SettingsError(
                f"agents.{name}: store a hash from `python -m bot.helpdesk.agents hash`, never a password"
            )
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
    try:
        service_levels = ServiceLevels.parse(raw.get("service_levels"), tuple(q.name for q in queues))
    except ServiceLevelError as error:
        raise SettingsError(str(error)) from None
    return EscalationSettings(
        queues=tuple(queues),
        rules=rules,
        threats={language: tuple(str(w) for w in threats.get(language) or ()) for language in LANGUAGES},
        priority={str(k): int(v) for k, v in _section(raw, "priority").items()},
        angry_bonus=int(raw.get("angry_bonus", 1)),
        webhook_url=str(webhook.get("url") or environment().escalation_webhook_url),
        webhook_attempts=max(1, int(webhook.get("attempts", 4))),
        per_address_per_hour=_at_least_one(raw.get("per_address_per_hour", 5), "escalation.per_address_per_hour"),
        service_levels=service_levels,
    )


# Every key helpdesk.yml may hold. A misspelt key would otherwise be ignored
# silently ("escalaton:" would switch off every escalation rule), so any
# other key is an error naming its file and line. LEAF: a value, not a
# mapping; NAMES: keys the business chooses (queue names, agent names).
LEAF, NAMES = None, "*"
_LANGUAGE_KEYS = {language: LEAF for language in LANGUAGES}
_RULE_KEYS = {rule: {"times": LEAF, "confidence": LEAF} for rule in RULES}
SCHEMA: Dict[str, Any] = {
    "default_language": LEAF,
    "contact": {"phone": LEAF, "email": LEAF, "opening_hours": _LANGUAGE_KEYS},
    "knowledge_base": {
        "folder": LEAF,
        "article_url": LEAF,
        "thresholds": {"answer": LEAF, "suggest": LEAF},
    },
    "escalation": {
        "queues": {
            NAMES: {
                "hours": {"timezone": LEAF, "days": LEAF, "open": LEAF, "close": LEAF},
                "articles": LEAF,
                "words": _LANGUAGE_KEYS,
            }
        },
        "rules": _RULE_KEYS,
        "threats": _LANGUAGE_KEYS,
        "priority": {rule: LEAF for rule in RULES},
        "angry_bonus": LEAF,
        "per_address_per_hour": LEAF,
        "service_levels": {NAMES: LEAF},  # queue -> {default|priority: duration}, checked by ServiceLevels
        "webhook": {"url": LEAF, "attempts": LEAF},
    },
    "agents": {NAMES: LEAF},
    "privacy": {"retention_days": LEAF},
    "email": {"smtp_url": LEAF, "from": LEAF, "link_days": LEAF, "attempts": LEAF},
    "widget": {
        "attachments": {"max_bytes": LEAF, "max_per_conversation": LEAF, "types": LEAF},
        **WIDGET_SCHEMA,  # greeting, starters, proactive, prechat (bot/widget_settings.py)
    },
}


def check_keys(node: yaml.Node, schema: Any, source: Path, where: str = "") -> None:
    """Raise SettingsError at the first key the schema does not know."""
    if schema is LEAF or not isinstance(node, yaml.MappingNode):
        return  # wrong value types are parse_settings' to report
    for key_node, value_node in node.value:
        key = str(key_node.value)
        known = schema[NAMES] if NAMES in schema else schema.get(key, KeyError)
        if known is KeyError:
            close = difflib.get_close_matches(key, list(schema), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            section = f"in '{where}'" if where else "at the top level"
            raise SettingsError(
                f"{source}:{key_node.start_mark.line + 1}: unknown setting '{key}' {section}{hint}; "
                f"known there: {', '.join(schema)}"
            )
        check_keys(value_node, known, source, f"{where}.{key}" if where else key)


def read_settings_file(source: Path) -> Any:
    """The file's content, after checking every key is one we know."""
    try:
        text = source.read_text(encoding="utf-8")
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SettingsError(f"cannot read settings from {source}: {error}") from error
    if node is not None:
        check_keys(node, SCHEMA, source)
    return raw


@functools.lru_cache(maxsize=1)
def get_settings() -> Settings:
    source = _resolve(os.environ.get("HELPDESK_CONFIG", "helpdesk.yml"))
    return parse_settings(read_settings_file(source), source)
