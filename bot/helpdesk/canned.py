"""Canned replies: answers agents saved, one version per language.

Any agent may use, add, change or delete them (they are shared by the
team). Inserting one in a conversation takes the version in the customer's
language and script; when it is missing, `version_for` says what it used
instead: the other Chinese script converted with OpenCC, or English, or
whatever version there is, so the console can tell the agent.
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional

import sqlalchemy as sa

from bot.database import default_database_url, engine_with_tables

metadata = sa.MetaData()

LANGUAGES = ("pt", "es", "vi", "zh-Hans", "zh-Hant", "en")  # a version each; English is optional
MAX_TITLE_CHARS = 120
MAX_TEXT_CHARS = 4000

EXACT, CONVERTED, FALLBACK, NONE = "exact", "converted", "fallback", "none"

canned_replies = sa.Table(
    "canned_replies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(MAX_TITLE_CHARS), nullable=False),
    sa.Column("texts", sa.Text, nullable=False),  # JSON {language: text}
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class CannedReply:
    """One saved answer with its versions (language -> text)."""

    id: int
    title: str
    texts: Dict[str, str]
    created_by: str
    updated_by: str
    created_at: float
    updated_at: float

    def as_dict(self) -> Dict[str, Any]:
        return {**dataclasses.asdict(self), "missing": [lang for lang in LANGUAGES if lang not in self.texts]}


@dataclass(frozen=True)
class Version:
    """The text of a canned reply for one language, and how it was found."""

    language: str  # the language asked for
    text: str
    used: Optional[str]  # the version the text comes from (None: there is none)
    how: str = EXACT  # exact, converted (the other Chinese script), fallback, none

    def as_dict(self) -> Dict[str, Any]:
        return dataclasses.asdict(self)


def language_key(language: Optional[str], script: Optional[str] = None) -> Optional[str]:
    """An escalation's language and script as a version key: "vi", "zh-Hant"."""
    if language == "zh":
        return "zh-Hant" if script == "Hant" else "zh-Hans"
    return language if language in LANGUAGES else None


def _convert(text: str, config: str) -> str:
    import opencc  # lazy: only Chinese customers need it

    return opencc.OpenCC(config).convert(text)


def version_for(texts: Mapping[str, str], language: Optional[str]) -> Version:
    """The version to use for `language`; when it is missing, the best stand-in and how it was made."""
    wanted = language or "en"
    if texts.get(wanted):
        return Version(wanted, texts[wanted], wanted)
    other = {"zh-Hans": "zh-Hant", "zh-Hant": "zh-Hans"}.get(wanted)
    if other and texts.get(other):
        return Version(wanted, _convert(texts[other], "t2s" if wanted == "zh-Hans" else "s2t"), other, CONVERTED)
    for stand_in in ("en", *LANGUAGES):
        if texts.get(stand_in):
            return Version(wanted, texts[stand_in], stand_in, FALLBACK)
    return Version(wanted, "", None, NONE)


def clean(title: Any, texts: Any) -> tuple:
    """A title and versions as stored; ValueError says what is wrong."""
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > MAX_TITLE_CHARS:
        raise ValueError(f"a title of 1-{MAX_TITLE_CHARS} characters")
    if not isinstance(texts, dict):
        raise ValueError(f"texts: an object of language -> text ({', '.join(LANGUAGES)})")
    kept: Dict[str, str] = {}
    for language, text in texts.items():
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}: use {', '.join(LANGUAGES)}")
        if not isinstance(text, str) or len(text) > MAX_TEXT_CHARS:
            raise ValueError(f"texts.{language}: text of at most {MAX_TEXT_CHARS} characters")
        if text.strip():
            kept[language] = text.strip()
    if not kept:
        raise ValueError("at least one language needs a text")
    return title.strip(), {language: kept[language] for language in LANGUAGES if language in kept}


class CannedReplies:
    """The team's saved answers, kept in the help-desk database."""

    def __init__(self, database_url: Optional[str] = None) -> None:
        self.database_url = database_url or default_database_url()

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    @staticmethod
    def _from_row(row: Any) -> CannedReply:
        return CannedReply(
            row.id, row.title, json.loads(row.texts), row.created_by, row.updated_by, row.created_at, row.updated_at
        )

    def add(self, author: str, title: Any, texts: Any) -> CannedReply:
        title, kept = clean(title, texts)
        now = time.time()
        values = {
            "title": title,
            "texts": json.dumps(kept, ensure_ascii=False),
            "created_by": author,
            "updated_by": author,
            "created_at": now,
            "updated_at": now,
        }
        with self.engine.begin() as db:
            reply_id = db.execute(canned_replies.insert().values(**values)).inserted_primary_key[0]
        return CannedReply(reply_id, title, kept, author, author, now, now)

    def change(self, reply_id: int, author: str, title: Any, texts: Any) -> Optional[CannedReply]:
        """Replaces the title and every version; None if there is no such reply."""
        title, kept = clean(title, texts)
        with self.engine.begin() as db:
            changed = db.execute(
                canned_replies.update()
                .where(canned_replies.c.id == reply_id)
                .values(
                    title=title,
                    texts=json.dumps(kept, ensure_ascii=False),
                    updated_by=author,
                    updated_at=time.time(),
                )
            ).rowcount
        return self.get(reply_id) if changed else None

    def delete(self, reply_id: int) -> bool:
        with self.engine.begin() as db:
            return bool(db.execute(canned_replies.delete().where(canned_replies.c.id == reply_id)).rowcount)

    def get(self, reply_id: int) -> Optional[CannedReply]:
        with self.engine.connect() as db:
            row = db.execute(sa.select(canned_replies).where(canned_replies.c.id == reply_id)).first()
        return self._from_row(row) if row else None

    def all(self) -> List[CannedReply]:
        """Every canned reply, by title."""
        with self.engine.connect() as db:
            rows = db.execute(sa.select(canned_replies).order_by(canned_replies.c.title, canned_replies.c.id))
            return [self._from_row(row) for row in rows]
