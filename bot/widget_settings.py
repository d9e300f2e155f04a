"""The widget's welcome, read from the `widget:` section of helpdesk.yml by
bot/settings.py (which reports any error with the file's name): the greeting
and starter buttons a new conversation opens with, the optional proactive
greeting by the launcher, and the optional pre-chat form.

Texts are given per language (pt, es, vi, zh). Chinese is written in
Simplified script under `zh`; Traditional is `zh-Hant` when given, else
converted from `zh` with OpenCC. The web server hands one language's part to
the widget (GET /api/widget/config, bot/web/widget_api.py).

No Rasa here: the web server imports this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Tuple

from bot.languages import LANGUAGES

# The widget's interface languages: Chinese in both scripts.
UI_LANGUAGES = ("pt", "es", "vi", "zh-Hans", "zh-Hant")
TEXT_KEYS = LANGUAGES + ("zh-Hant",)  # keys of a per-language text in helpdesk.yml
MAX_STARTERS = 4
MAX_TITLE_CHARS = 40  # a button's label
MAX_TEXT_CHARS = 200  # what a starter sends (also the longest label the chat stores as typed)
MAX_GREETING_CHARS = 300
MAX_PROACTIVE_SECONDS = 3600
PRECHAT_FIELDS = ("name", "email")

_LEAF = None
_TEXTS = {key: _LEAF for key in TEXT_KEYS}
# The keys of this part of helpdesk.yml, for bot.settings.check_keys.
WIDGET_SCHEMA: Dict[str, Any] = {
    "greeting": _TEXTS,
    "starters": _TEXTS,  # each a list of {title, text} or {title, payload}
    "proactive": {"after_seconds": _LEAF, "text": _TEXTS},
    "prechat": {"enabled": _LEAF, "required": _LEAF},
}


class WidgetSettingsError(ValueError):
    """A wrong value in the widget: section (bot/settings.py adds the file's name)."""


@dataclass(frozen=True)
class Starter:
    """A button the conversation opens with: `title` shown, `send` sent to the
    assistant as if typed (a sentence, or an intent such as /request_human)."""

    title: str
    send: str


@dataclass(frozen=True)
class WidgetSettings:
    greeting: Mapping[str, str] = field(default_factory=dict)  # UI language -> text ("" : the widget's own)
    starters: Mapping[str, Tuple[Starter, ...]] = field(default_factory=dict)  # UI language -> buttons
    proactive_after_seconds: int = 0  # 0: no proactive greeting
    proactive_text: Mapping[str, str] = field(default_factory=dict)  # UI language -> text
    prechat_enabled: bool = False
    prechat_required: Tuple[str, ...] = ()  # of PRECHAT_FIELDS

    def for_language(self, language: str) -> Dict[str, Any]:
        """What the widget needs for one UI language (JSON, no secrets)."""
        language = language if language in UI_LANGUAGES else "pt"
        # after_seconds 0 is off; the text comes along for a page's data-proactive.
        proactive = {"after_seconds": self.proactive_after_seconds, "text": self.proactive_text.get(language, "")}
        return {
            "language": language,
            "greeting": self.greeting.get(language, ""),
            "starters": [{"title": s.title, "payload": s.send} for s in self.starters.get(language, ())],
            "proactive": proactive,
            "prechat": {"enabled": self.prechat_enabled, "required": list(self.prechat_required)},
        }


def ui_language(code: Any) -> str:
    """The widget's UI language for a browser or widget code (pt-BR, zh-TW, zh-Hant...); pt when unknown."""
    code = str(code or "").strip().lower().replace("_", "-")
    if code.startswith("zh"):
        return "zh-Hant" if any(mark in code for mark in ("hant", "tw", "hk", "mo")) else "zh-Hans"
    return code[:2] if code[:2] in LANGUAGES else "pt"


def _traditional(text: str) -> str:
    import opencc  # lazy: only configurations with Chinese need it

    return str(opencc.OpenCC("s2t").convert(text))


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise WidgetSettingsError(f"{where} must be a mapping")
    return value


def _text(value: Any, where: str, limit: int) -> str:
    if not isinstance(value, str) or not value.strip():
        raise WidgetSettingsError(f"{where} must be a text, not {value!r}")
    if len(value) > limit:
        raise WidgetSettingsError(f"{where} is longer than {limit} characters")
    return value.strip()


def per_language(raw: Mapping[str, Any], where: str, read) -> Dict[str, Any]:
    """{pt, es, vi, zh[, zh-Hant]} -> {pt, es, vi, zh-Hans, zh-Hant}, each value read by `read(value, where)`."""
    found: Dict[str, Any] = {}
    for key in ("pt", "es", "vi"):
        if key in raw:
            found[key] = read(raw[key], f"{where}.{key}")
    if "zh" in raw:
        found["zh-Hans"] = read(raw["zh"], f"{where}.zh")
    if "zh-Hant" in raw:
        found["zh-Hant"] = read(raw["zh-Hant"], f"{where}.zh-Hant")
    elif "zh" in raw:
        found["zh-Hant"] = read(raw["zh"], f"{where}.zh", convert=True)
    return found


def _starters(value: Any, where: str, convert: bool = False) -> Tuple[Starter, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_STARTERS:
        raise WidgetSettingsError(f"{where} must be a list of 1 to {MAX_STARTERS} buttons")
    buttons: List[Starter] = []
    for number, item in enumerate(value, 1):
        at = f"{where}[{number}]"
        if not isinstance(item, Mapping) or set(item) - {"title", "text", "payload"}:
            raise WidgetSettingsError(f"{at} must be {{title: ..., text: ...}} or {{title: ..., payload: /intent}}")
        title = _text(item.get("title"), f"{at}.title", MAX_TITLE_CHARS)
        if ("text" in item) == ("payload" in item):
            raise WidgetSettingsError(f"{at} needs either `text` (sent as typed) or `payload` (an /intent), not both")
        if "payload" in item:
            send = _text(item["payload"], f"{at}.payload", MAX_TEXT_CHARS)
            if not send.startswith("/") or " " in send:
                raise WidgetSettingsError(f"{at}.payload must be an intent such as /request_human, not {send!r}")
        else:
            send = _text(item["text"], f"{at}.text", MAX_TEXT_CHARS)
            send = _traditional(send) if convert else send
        buttons.append(Starter(_traditional(title) if convert else title, send))
    return tuple(buttons)


def _plain(limit: int):
    def read(value: Any, where: str, convert: bool = False) -> str:
        text = _text(value, where, limit)
        return _traditional(text) if convert else text

    return read


def parse_widget(raw: Mapping[str, Any]) -> WidgetSettings:
    """The widget: section (its `attachments` part is bot/settings.py's)."""
    greeting = per_language(
        _mapping(raw.get("greeting"), "widget.greeting"), "widget.greeting", _plain(MAX_GREETING_CHARS)
    )
    starters = per_language(_mapping(raw.get("starters"), "widget.starters"), "widget.starters", _starters)
    proactive = _mapping(raw.get("proactive"), "widget.proactive")
    seconds = proactive.get("after_seconds", 0)
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 0 <= seconds <= MAX_PROACTIVE_SECONDS:
        raise WidgetSettingsError(
            f"widget.proactive.after_seconds must be a whole number of seconds 0-{MAX_PROACTIVE_SECONDS} (0: off), not {seconds!r}"
        )
    text = per_language(
        _mapping(proactive.get("text"), "widget.proactive.text"), "widget.proactive.text", _plain(MAX_GREETING_CHARS)
    )
    if seconds and not text:
        raise WidgetSettingsError("widget.proactive.text: give the greeting's text per language (pt, es, vi, zh)")
    prechat = _mapping(raw.get("prechat"), "widget.prechat")
    enabled = prechat.get("enabled", False)
    if not isinstance(enabled, bool):
        raise WidgetSettingsError(f"widget.prechat.enabled must be true or false, not {enabled!r}")
    required = prechat.get("required", [])
    if not isinstance(required, list) or any(f not in PRECHAT_FIELDS for f in required):
        raise WidgetSettingsError(
            f"widget.prechat.required must be a list of {', '.join(PRECHAT_FIELDS)} (or empty), not {required!r}"
        )
    return WidgetSettings(
        greeting=greeting,
        starters=starters,
        proactive_after_seconds=seconds,
        proactive_text=text,
        prechat_enabled=enabled,
        prechat_required=tuple(f for f in PRECHAT_FIELDS if f in required),
    )
