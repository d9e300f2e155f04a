"""Importers: other help desks' article exports made into our article files.

python -m bot.kb import SOURCE FILE --into FOLDER

Each source module reads what its product exports (no network) and returns
`ImportedArticle`s, one per article and language, and the entries it skipped
with the reason; `bot.kb.importers.writer` turns them into
FOLDER/<lang>/<id>.md files, all or nothing, and says what changed.

Ids: `<source>-<source id>` for the help desks (`zendesk-360001234`), the
CSV's own `id`, a Markdown or HTML file's name; lower-cased, anything but
a-z and 0-9 made `-`. Locales: pt-BR, pt-PT... are pt; es, es-419... es;
vi, vi-VN vi; zh-CN, zh-Hans, zh-SG and zh-TW, zh-HK, zh-Hant all zh (the
Traditional text kept as written; of two Chinese versions of one article the
Simplified one is kept, like the rest of the knowledge base); others skipped.

Nothing here imports Rasa.
"""

from __future__ import annotations

import importlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Protocol, Tuple

from bot.languages import LANGUAGES

# SOURCE name -> the module that reads it (imported when used: only the
# chosen source's parser and its HTML converter are loaded).
SOURCES: Dict[str, str] = {
    "zendesk": "bot.kb.importers.zendesk",
    "intercom": "bot.kb.importers.intercom",
    "freshdesk": "bot.kb.importers.freshdesk",
    "chatwoot": "bot.kb.importers.chatwoot",
    "csv": "bot.kb.importers.csv_source",
    "markdown": "bot.kb.importers.files",
    "html": "bot.kb.importers.files",
}
# Sources whose ids are already names of ours, used without the source prefix.
OWN_IDS = frozenset({"csv", "markdown", "html"})

TRADITIONAL_CHINESE = frozenset({"zh-tw", "zh-hk", "zh-mo", "zh-hant"})


class ExportError(ValueError):
    """The export cannot be read (bad JSON, bad columns, not a zip...): the
    message names the file and the line or entry. Nothing is written."""


@dataclass(frozen=True)
class ImportedArticle:
    """One article in one of our languages, as an export gave it."""

    source: str  # a SOURCES name
    source_id: str  # the article's id in the source (the same in every language)
    language: str  # one of LANGUAGES
    title: str
    body_markdown: str  # sanitised Markdown: answer paragraph first, then the article
    tags: Tuple[str, ...] = ()
    source_url: Optional[str] = None
    updated_at: Optional[str] = None  # as the source says, ISO 8601 where it gives seconds
    questions: Tuple[str, ...] = ()
    locale: str = ""  # as the source wrote it (zh-TW), for the summary and the Chinese choice
    outdated: bool = False  # the source marks this translation as behind its original
    position: str = ""  # where in the export, e.g. "articles.json, articles[3]"

    @property
    def article_id(self) -> str:
        name = slugify(self.source_id)
        if self.source in OWN_IDS or not name:
            return name
        return f"{self.source}-{name}"

    @property
    def traditional(self) -> bool:
        return is_traditional(self.locale)


@dataclass(frozen=True)
class Skipped:
    """An entry of the export that was not imported, and why."""

    reason: str  # the kind, counted in the summary: "draft", "no title", "unsupported locale"...
    position: str  # file and index or line
    detail: str = ""  # e.g. the locale, the article's id

    def __str__(self) -> str:
        return f"{self.position}: {self.reason}" + (f" ({self.detail})" if self.detail else "")


@dataclass
class Parsed:
    """What a source's parser read: the articles and the skipped entries."""

    articles: List[ImportedArticle] = field(default_factory=list)
    skipped: List[Skipped] = field(default_factory=list)

    def skip(self, reason: str, position: str, detail: str = "") -> None:
        self.skipped.append(Skipped(reason, position, detail))


class Parser(Protocol):
    def __call__(self, path: Path, *, source: str, default_language: Optional[str] = None) -> Parsed: ...


def get_parser(source: str) -> Parser:
    if source not in SOURCES:
        raise ExportError(f"unknown source {source!r}: one of {', '.join(SOURCES)}")
    parse: Parser = importlib.import_module(SOURCES[source]).parse
    return parse


def normal_locale(locale: object) -> str:
    return str(locale or "").strip().lower().replace("_", "-")


def our_language(locale: object) -> Optional[str]:
    """pt-BR -> pt, es-419 -> es, zh-Hant -> zh, en-US -> None."""
    base = normal_locale(locale).split("-")[0]
    return base if base in LANGUAGES else None


def is_traditional(locale: object) -> bool:
    parts = normal_locale(locale).split("-")
    return parts[0] == "zh" and any("-".join(parts[:i]) in TRADITIONAL_CHINESE for i in (2, 3))


def slugify(text: object) -> str:
    """Our id rules: accents dropped, lower case, anything but a-z and 0-9 a `-`."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def clean_title(text: object) -> str:
    """One line, without control characters."""
    return " ".join("".join(c if unicodedata.category(c)[0] != "C" else " " for c in str(text or "")).split())


def as_tags(value: object) -> Tuple[str, ...]:
    """A list of names, of {"name": ...} objects, or one string split on `,` / `;`."""
    if value is None:
        return ()
    if isinstance(value, dict):  # Intercom: {"type": "tag.list", "tags": [...]}
        value = value.get("tags") or value.get("data") or []
    items = re.split(r"[,;]", value) if isinstance(value, str) else value if isinstance(value, list) else []
    tags: List[str] = []
    for item in items:
        name = item.get("name") if isinstance(item, dict) else item
        tag = clean_title(name) if isinstance(name, str | int | float) else ""
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)
