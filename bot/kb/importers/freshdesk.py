"""Freshdesk solution articles, as API v2 returns them.

GET /api/v2/solutions/folders/{id}/articles gives a list of articles: id,
title, description (HTML), description_text, status (1 draft, 2 published),
tags, folder_id, category_id, hierarchy, created_at, updated_at. A
translation is the same article fetched in another language
(/api/v2/solutions/articles/{id}/{language_code}, .../folders/{id}/articles/{language_code}):
an object with the same `id` whose `hierarchy` entries carry the language
({"type": "category", "data": {"id", "name", "language": "pt-BR"}}).

Read here: one file, a folder or a .zip of such lists (or {"articles": [...]},
or v1's {"article": {...}} wrappers, or nested categories > folders >
articles); the language from the article's `language` / `lang` /
`language_code`, else its hierarchy, else per-translation objects in
`translations` (a list, or an object keyed by language code), else
--language. The same `id` in several languages is one article.

Skipped: drafts, other statuses, locales other than ours, no language, no
title, no body.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

from bot.kb.importers import ImportedArticle, Parsed, as_tags, clean_title, our_language
from bot.kb.importers.html import html_to_markdown
from bot.kb.importers.inputs import export_files, json_list, json_of, text_field, timestamp
from bot.kb.importers.markdown_text import answer_first, sanitize_markdown

DRAFT, PUBLISHED = 1, 2
WRAPPERS = ("article", "solution_article")  # v1 and the account export wrap each object
NESTED = ("categories", "folders", "articles", "solution_folders", "solution_articles")


def parse(path: Path, *, source: str = "freshdesk", default_language: Optional[str] = None) -> Parsed:
    parsed = Parsed()
    for file in export_files(path, (".json",)):
        entries = json_list(
            file, json_of(file), ("articles", "solution_articles", "categories"), "a Freshdesk solution articles list"
        )
        for position, entry in _articles(entries, file.name, "articles"):
            if not isinstance(entry, dict):
                parsed.skip("not an article object", position)
                continue
            article_id = text_field(entry, "id")
            if not article_id:
                parsed.skip("no id", position)
                continue
            for language_code, content, where in _translations(entry, default_language, position):
                _content(parsed, entry, article_id, language_code, content, where, source)
    return parsed


def _articles(entries: List[Any], name: str, label: str) -> Iterator[Tuple[str, Any]]:
    """The article objects, through v1 wrappers and nested categories and folders."""
    for index, entry in enumerate(entries):
        position = f"{name}, {label}[{index}]"
        for wrapper in WRAPPERS + ("category", "folder", "solution_category", "solution_folder"):
            if isinstance(entry, dict) and len(entry) == 1 and isinstance(entry.get(wrapper), dict):
                entry = entry[wrapper]
                break
        nested = [key for key in NESTED if isinstance(entry, dict) and isinstance(entry.get(key), list)]
        if nested and not (isinstance(entry, dict) and "title" in entry):
            for key in nested:
                yield from _articles(entry[key], f"{position}", key)
        else:
            yield position, entry


def _translations(
    entry: Dict[str, Any], default_language: Optional[str], position: str
) -> List[Tuple[str, Dict[str, Any], str]]:
    """(language code, content, position) for each language this object holds."""
    own = text_field(entry, "language", "lang", "language_code") or _hierarchy_language(entry)
    translations = entry.get("translations")
    found: List[Tuple[str, Dict[str, Any], str]] = []
    if own or not translations:
        found.append((own or (default_language or ""), entry, position))
    if isinstance(translations, dict):
        translations = [{"language": k, **v} for k, v in translations.items() if isinstance(v, dict)]
    if isinstance(translations, list):
        for index, translation in enumerate(translations):
            if isinstance(translation, dict):
                code = text_field(translation, "language", "lang", "language_code") or _hierarchy_language(translation)
                found.append((code, {**entry, **translation}, f"{position}.translations[{index}]"))
    return found


def _hierarchy_language(entry: Dict[str, Any]) -> str:
    for level in entry.get("hierarchy") or []:
        if isinstance(level, dict) and isinstance(level.get("data"), dict):
            language = text_field(level["data"], "language")
            if language:
                return language
    return ""


def _content(
    parsed: Parsed,
    entry: Dict[str, Any],
    article_id: str,
    code: str,
    content: Dict[str, Any],
    position: str,
    source: str,
) -> None:
    language = our_language(code)
    status = content.get("status", PUBLISHED)
    detail = f"{article_id} {code or 'no language'}"
    if status == DRAFT or str(status).lower() == "draft":
        parsed.skip("draft", position, detail)
    elif status != PUBLISHED and str(status).lower() not in ("2", "published"):
        parsed.skip("unpublished", position, f"{detail} status {status}")
    elif not code:
        parsed.skip("no language", position, f"{article_id}: none in the export; give --language")
    elif language is None:
        parsed.skip("unsupported locale", position, detail)
    else:
        title = clean_title(content.get("title"))
        url = text_field(content, "url", "html_url", "portal_url") or None
        html = text_field(content, "description")
        plain = text_field(content, "description_text", "desc_un_html")
        body = html_to_markdown(html, url) if html else sanitize_markdown(plain)
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
                    tags=as_tags(content.get("tags")),
                    source_url=url,
                    updated_at=timestamp(content.get("updated_at")),
                    locale=code,
                    position=position,
                )
            )
