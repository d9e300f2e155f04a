"""Intercom Help Center: articles as GET /articles returns them.

{"type": "list", "data": [...], "pages": {...}} or a plain list, in one file,
a folder or a .zip of pages. Each article: id, title, body (HTML), state
(published / draft), default_locale, url, updated_at (Unix seconds), and
`translated_content`: {"type": "article_translated_content", "pt-BR":
{"title", "body", "state", "url", "updated_at"...}, "es": {...}}. The
top-level fields are the default locale's content, used when
translated_content does not repeat it.

Skipped: drafts, locales other than ours, no title, no body.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bot.kb.importers import ImportedArticle, Parsed, as_tags, clean_title, normal_locale, our_language
from bot.kb.importers.html import html_to_markdown
from bot.kb.importers.inputs import export_files, json_list, json_of, text_field, timestamp, walk_positions
from bot.kb.importers.markdown_text import answer_first


def parse(path: Path, *, source: str = "intercom", default_language: Optional[str] = None) -> Parsed:
    parsed = Parsed()
    for file in export_files(path, (".json",)):
        document = json_of(file)
        if isinstance(document, dict) and document.get("type") == "article":
            document = [document]
        entries = json_list(file, document, ("data", "articles"), "an Intercom articles list")
        for position, entry in walk_positions(file.name, entries, "data"):
            if not isinstance(entry, dict):
                parsed.skip("not an article object", position)
                continue
            article_id = text_field(entry, "id")
            if not article_id:
                parsed.skip("no id", position)
                continue
            for locale, content in _contents(entry, default_language):
                _content(parsed, entry, article_id, locale, content, f"{position} {locale or 'no locale'}", source)
    return parsed


def _contents(entry: Dict[str, Any], default_language: Optional[str]) -> List[Tuple[str, Dict[str, Any]]]:
    """(locale, content) for every language of the article, the default locale first."""
    default_locale = text_field(entry, "default_locale") or (default_language or "")
    translated = entry.get("translated_content")
    translated = translated if isinstance(translated, dict) else {}
    contents = [(str(k), v) for k, v in translated.items() if isinstance(v, dict)]
    if default_locale and not any(normal_locale(k) == normal_locale(default_locale) for k, _ in contents):
        contents.insert(0, (default_locale, entry))
    elif not contents:
        contents = [(default_locale, entry)]
    return contents


def _content(
    parsed: Parsed,
    entry: Dict[str, Any],
    article_id: str,
    locale: str,
    content: Dict[str, Any],
    position: str,
    source: str,
) -> None:
    language = our_language(locale)
    state = text_field(content, "state") or text_field(entry, "state") or "published"
    if state != "published":
        parsed.skip("draft" if state == "draft" else "unpublished", position, f"{article_id} {state}")
        return
    if language is None:
        parsed.skip("unsupported locale", position, f"{article_id} {locale or 'no locale'}")
        return
    title = clean_title(content.get("title"))
    url = text_field(content, "url") or None
    body = html_to_markdown(str(content.get("body") or ""), url)
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
                tags=as_tags(entry.get("tags")),
                source_url=url,
                updated_at=timestamp(content.get("updated_at") or entry.get("updated_at")),
                locale=locale,
                position=position,
            )
        )
