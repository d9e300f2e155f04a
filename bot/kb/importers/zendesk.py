"""Zendesk Guide: Help Center API article pages.

What GET /api/v2/help_center/{locale}/articles.json (or /articles.json with
?include=translations) returns, saved as one file, a folder or a .zip of
pages: {"articles": [...], "next_page": ...}. One object per article and
locale: id, title, body (HTML), locale, source_locale, draft, outdated,
html_url, updated_at, label_names, section_id, user_segment_id... The same
`id` in several locales is one article in several languages; an article with
sideloaded `translations` gives one entry per translation.

Skipped: drafts, locales other than ours, articles restricted to a user
segment (`user_segment_id` set: signed-in users or agents only, which the
assistant's anonymous customers must not be shown), no title, no body.
`outdated: true` translations (the source article changed since) are still
real content: imported, and named in the summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

from bot.kb.importers import ImportedArticle, Parsed, as_tags, clean_title, our_language
from bot.kb.importers.html import html_to_markdown
from bot.kb.importers.inputs import export_files, json_list, json_of, text_field, timestamp, walk_positions
from bot.kb.importers.markdown_text import answer_first


def parse(path: Path, *, source: str = "zendesk", default_language: Optional[str] = None) -> Parsed:
    parsed = Parsed()
    for file in export_files(path, (".json",)):
        entries = json_list(file, json_of(file), ("articles",), "a Zendesk Help Center articles page")
        for position, entry in walk_positions(file.name, entries, "articles"):
            if not isinstance(entry, dict):
                parsed.skip("not an article object", position)
                continue
            translations = entry.get("translations")
            if isinstance(translations, list) and translations:
                for index, translation in enumerate(translations):
                    if isinstance(translation, dict):
                        _entry(
                            parsed,
                            {**entry, **translation, "id": entry.get("id")},
                            f"{position}.translations[{index}]",
                            source,
                            default_language,
                        )
            else:
                _entry(parsed, entry, position, source, default_language)
    return parsed


def _entry(parsed: Parsed, entry: Dict[str, Any], position: str, source: str, default_language: Optional[str]) -> None:
    article_id = text_field(entry, "id")
    locale = text_field(entry, "locale") or (default_language or "")
    language = our_language(locale)
    if not article_id:
        parsed.skip("no id", position)
    elif entry.get("draft") is True:
        parsed.skip("draft", position, f"{article_id} {locale}")
    elif language is None:
        parsed.skip("unsupported locale", position, f"{article_id} {locale or 'no locale'}")
    elif entry.get("user_segment_id") is not None or entry.get("user_segment_ids"):
        parsed.skip("restricted to a user segment", position, f"{article_id} {locale}")
    else:
        title = clean_title(entry.get("title") or entry.get("name"))
        url = text_field(entry, "html_url") or None
        body = html_to_markdown(str(entry.get("body") or ""), url)
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
                    tags=as_tags(entry.get("label_names")),
                    source_url=url,
                    updated_at=timestamp(entry.get("updated_at")),
                    locale=locale,
                    outdated=entry.get("outdated") is True,
                    position=position,
                )
            )
