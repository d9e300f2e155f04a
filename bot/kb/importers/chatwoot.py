"""Chatwoot help center: a portal's articles as its API returns them.

GET /api/v1/accounts/{account}/portals/{portal}/articles gives
{"payload": [...], "meta": {...}}; each article: id, slug, title, content
(Markdown), description, status (draft / published / archived, or 0 / 1 / 2),
locale, updated_at (Unix seconds), meta {"tags": [...]}, category {"id",
"name", "slug", "locale"}, portal {"config": {"default_locale"}},
associated_article_id (a translation points to its original). Read as one
file, a folder or a .zip of pages (a plain list too).

The language: the article's `locale`, else its category's, else the
portal's default, else --language. A translation takes its original's id
(associated_article_id), so one article in several languages is one id.

Skipped: drafts, archived, locales other than ours, no title, no body.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

from bot.kb.importers import ImportedArticle, Parsed, as_tags, clean_title, our_language
from bot.kb.importers.inputs import export_files, json_list, json_of, text_field, timestamp, walk_positions
from bot.kb.importers.markdown_text import answer_first, sanitize_markdown

STATUSES = {0: "draft", 1: "published", 2: "archived"}  # Chatwoot's enum, when the export gives numbers


def parse(path: Path, *, source: str = "chatwoot", default_language: Optional[str] = None) -> Parsed:
    parsed = Parsed()
    for file in export_files(path, (".json",)):
        entries = json_list(file, json_of(file), ("payload", "articles", "data"), "a Chatwoot articles list")
        for position, entry in walk_positions(file.name, entries, "payload"):
            if not isinstance(entry, dict):
                parsed.skip("not an article object", position)
                continue
            _entry(parsed, entry, position, source, default_language)
    return parsed


def _entry(parsed: Parsed, entry: Dict[str, Any], position: str, source: str, default_language: Optional[str]) -> None:
    root = entry.get("root_article")
    article_id = (
        text_field(entry, "associated_article_id")
        or (text_field(root, "id") if isinstance(root, dict) else "")
        or text_field(entry, "id")
    )
    locale = (
        text_field(entry, "locale")
        or _nested(entry, "category", "locale")
        or _nested(entry, "portal", "config", "default_locale")
        or (default_language or "")
    )
    status = entry.get("status", "published")
    status = STATUSES.get(status, str(status)) if isinstance(status, int) else str(status).lower()
    language = our_language(locale)
    if not article_id:
        parsed.skip("no id", position)
    elif status != "published":
        parsed.skip(status if status in ("draft", "archived") else "unpublished", position, f"{article_id} {locale}")
    elif language is None:
        parsed.skip("unsupported locale", position, f"{article_id} {locale or 'no locale'}")
    else:
        title = clean_title(entry.get("title"))
        body = sanitize_markdown(str(entry.get("content") or ""))
        meta = entry.get("meta")
        if not title:
            parsed.skip("no title", position, article_id)
        elif not body:
            parsed.skip("no body", position, article_id)
        else:
            parsed.articles.append(
                ImportedArticle(
                    source=source,
                    source_id=article_id,
                    language=language,
                    title=title,
                    body_markdown=answer_first(body, title),
                    tags=as_tags(meta.get("tags") if isinstance(meta, dict) else None),
                    source_url=text_field(entry, "url", "public_url") or None,
                    updated_at=timestamp(entry.get("updated_at")),
                    locale=locale,
                    position=position,
                )
            )


def _nested(entry: Dict[str, Any], *keys: str) -> str:
    value: Any = entry
    for key in keys[:-1]:
        value = value.get(key) if isinstance(value, dict) else None
    return text_field(value, keys[-1]) if isinstance(value, dict) else ""
