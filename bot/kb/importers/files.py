"""Markdown or HTML files: one file, a folder or a .zip of them.

- id: the file's name without its suffixes (`import-data.pt.md` -> import-data).
- language: what the file says (front matter `lang` / `language` / `locale`,
  `<html lang>`), else a `.pt.md`-style suffix, else the nearest `<lang>/`
  folder (`pt/`, `pt-br/`...), else --language.
- title: front matter `title` / `<title>`, else the first `#` heading (or
  `<h1>`), which then leaves the body.
- tags: front matter `tags` / `<meta name="keywords">`; source_url: front
  matter `url` / `source_url` / `<link rel="canonical">`; updated_at: front
  matter `updated_at` / `date` / `<meta property="article:modified_time">`.

Skipped: `draft: true` / `published: false` in the front matter, locales
other than ours, no language, no title, no body. A front matter that is not
valid YAML is a broken export (the file and line are named).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Any, Dict, Optional, Tuple

import yaml

from bot.kb.importers import (
    ExportError,
    ImportedArticle,
    Parsed,
    as_tags,
    clean_title,
    our_language,
)
from bot.kb.importers.html import parse_html, soup_to_markdown
from bot.kb.importers.inputs import ExportFile, export_files, text_of, timestamp
from bot.kb.importers.markdown_text import FENCE, HEADING, answer_first, sanitize_markdown

SUFFIXES = {"markdown": (".md", ".markdown"), "html": (".html", ".htm")}
LOCALE_NAME = re.compile(r"^[a-z]{2}(?:[-_][a-z0-9]{2,4}){0,2}$", re.IGNORECASE)  # pt, pt-br, zh_Hant, zh-hant-tw


def parse(path: Path, *, source: str = "markdown", default_language: Optional[str] = None) -> Parsed:
    parsed = Parsed()
    for file in export_files(path, SUFFIXES[source]):
        stem, suffix_locale = _name(file.relative, SUFFIXES[source])
        folder_locale = next((p for p in reversed(file.relative.parts[:-1]) if LOCALE_NAME.match(p)), "")
        found = _html(file) if source == "html" else _markdown(file)
        if found is None:
            parsed.skip("draft", file.name, stem)
            continue
        title, body, own_locale, meta = found
        locale = own_locale or suffix_locale or folder_locale or (default_language or "")
        language = our_language(locale)
        if not locale:
            parsed.skip("no language", file.name, f"{stem}: none in the file, its name or its folder; give --language")
        elif language is None:
            parsed.skip("unsupported locale", file.name, f"{stem} {locale}")
        elif not title:
            parsed.skip("no title", file.name, stem)
        elif not body:
            parsed.skip("no body", file.name, stem)
        else:
            questions = meta.get("questions")
            parsed.articles.append(
                ImportedArticle(
                    source=source,
                    source_id=stem,
                    language=language,
                    title=title,
                    body_markdown=answer_first(body, title),
                    tags=as_tags(meta.get("tags")),
                    source_url=meta.get("url") or None,
                    updated_at=timestamp(meta.get("updated_at")),
                    questions=tuple(clean_title(q) for q in questions if clean_title(q))
                    if isinstance(questions, list)
                    else (),
                    locale=locale,
                    position=file.name,
                )
            )
    return parsed


def _name(relative: PurePosixPath, suffixes: Tuple[str, ...]) -> Tuple[str, str]:
    """("import-data", "pt") for import-data.pt.md; ("import-data", "") for import-data.md."""
    name = relative.name
    base = next(name[: -len(s)] for s in suffixes if name.lower().endswith(s))
    stem, dot, last = base.rpartition(".")
    if dot and stem and LOCALE_NAME.match(last):
        return stem, last
    return base, ""


Found = Optional[Tuple[str, str, str, Dict[str, Any]]]  # title, body, locale, meta; None for a draft


def _markdown(file: ExportFile) -> Found:
    text = text_of(file).replace("\r\n", "\n").replace("\r", "\n")
    meta: Dict[str, Any] = {}
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
        if end is None:
            raise ExportError(f"{file.name}:1: front matter is not closed by a second '---' line")
        try:
            loaded = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = 2 + (mark.line if mark else 0)
            column = f":{mark.column + 1}" if mark else ""
            problem = getattr(error, "problem", None) or str(error).split("\n")[0]
            raise ExportError(f"{file.name}:{line}{column}: front matter is not valid YAML: {problem}") from None
        if not isinstance(loaded, dict):
            raise ExportError(f"{file.name}:2: front matter must be key: value lines")
        meta = {str(k).lower(): v for k, v in loaded.items()}
        text = "\n".join(lines[end + 1 :])
    if meta.get("draft") is True or meta.get("published") is False:
        return None
    body = sanitize_markdown(text)
    title = clean_title(meta.get("title"))
    if not title:
        title, body = _first_heading(body)
    locale = _text(meta, "lang", "language", "locale")
    meta["url"] = _text(meta, "source_url", "url")
    meta["updated_at"] = next(
        (meta[k] for k in ("updated_at", "updated", "last_modified", "date") if meta.get(k)), None
    )
    meta.setdefault("tags", meta.get("keywords"))
    return title, body, locale, meta


def _first_heading(body: str) -> Tuple[str, str]:
    """The first level-1 heading (else the first heading, when the text starts
    with it) as the title, and the body without it."""
    lines = body.split("\n")
    fence = False
    candidates = []
    for index, line in enumerate(lines):
        if FENCE.match(line):
            fence = not fence
        heading = None if fence else HEADING.match(line)
        if heading:
            candidates.append((len(line.lstrip().split(" ", 1)[0]), index, heading.group("text")))
    level_one = [c for c in candidates if c[0] == 1]
    leading = [c for c in candidates if not any(line.strip() for line in lines[: c[1]])]
    if not (level_one or leading):
        return "", body
    _, index, text = (level_one or leading)[0]
    return clean_title(re.sub(r"[*_`]", "", text)), "\n".join(lines[:index] + lines[index + 1 :]).strip("\n")


def _html(file: ExportFile) -> Found:
    soup = parse_html(text_of(file))
    meta: Dict[str, Any] = {}
    root = soup.html
    locale = str(root.get("lang") or "") if root is not None else ""
    title_tag = soup.find("title")
    title = clean_title(title_tag.get_text()) if title_tag else ""
    for tag in soup.find_all("meta"):
        name = str(tag.get("name") or tag.get("property") or "").lower()
        content = str(tag.get("content") or "")
        if name == "keywords":
            meta["tags"] = content
        elif name in ("article:modified_time", "last-modified", "dcterms.modified", "date") and content:
            meta.setdefault("updated_at", content)
    canonical = soup.find("link", rel="canonical")
    href = canonical.get("href") if canonical else None
    meta["url"] = href.strip() if isinstance(href, str) and href.strip().startswith(("http://", "https://")) else None
    body_root = soup.body or soup
    if not title:
        heading = body_root.find("h1")
        if heading is not None:
            title = clean_title(heading.get_text())
            heading.decompose()
    return title, soup_to_markdown(body_root, meta["url"]), locale, meta


def _text(meta: Dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return ""
