"""Knowledge-base articles: Markdown files with front matter, one per language.

data/kb/<lang>/<article-id>.md

---
id: import-data
title: How to import your data
tags: [import, csv, migrate]
questions: ["how do I bring my tickets from zendesk?", ...]   (optional)
url: https://...            (optional; else helpdesk.yml's article_url)
---
The first paragraph is the answer the assistant gives in the chat.

The rest is the article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple, Union

import yaml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ARTICLE_BYTES = 1_000_000
# libyaml's safe loader where PyYAML has it: ten times faster, and reading
# front matter is most of a reload of a large knowledge base.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Article:
    id: str
    language: str
    title: str
    tags: Tuple[str, ...]
    answer: str
    body: str
    questions: Tuple[str, ...] = ()  # how customers ask for it, for the search
    url: Optional[str] = None
    path: Optional[Path] = None


@dataclass(frozen=True)
class Problem:
    """Something wrong in the knowledge-base folder, with where it is."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ArticleError(ValueError):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def parse_article(text: str, path: Path, language: str) -> Article:
    """Parse one article file's text; raise ArticleError naming the line."""

    def fail(line: int, message: str) -> ArticleError:
        return ArticleError(Problem(path, line, message))

    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise fail(1, "missing front matter: the file must start with a '---' line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise fail(1, "front matter is not closed by a second '---' line") from None
    try:
        meta = yaml.load("\n".join(lines[1:end]), Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise fail(2 + (mark.line if mark else 0), f"front matter is not valid YAML: {error}") from None
    if not isinstance(meta, dict):
        raise fail(2, "front matter must be key: value lines")
    for key in ("id", "title"):
        if not str(meta.get(key) or "").strip():
            raise fail(2, f"front matter has no '{key}'")
    article_id = str(meta["id"]).strip()
    if not ID_PATTERN.match(article_id):
        raise fail(2, f"id {article_id!r} must be lower-case words joined by '-'")
    tags = meta.get("tags") or []
    if not isinstance(tags, list):
        raise fail(2, "tags must be a list, e.g. [import, csv]")
    questions = meta.get("questions") or []
    if not isinstance(questions, list):
        raise fail(2, 'questions must be a list, e.g. ["how do I import a csv?"]')
    content = "\n".join(lines[end + 1 :]).strip()
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", content) if p.strip()]
    if not paragraphs:
        raise fail(end + 2, "empty answer: the first paragraph after the front matter is the answer")
    return Article(
        id=article_id,
        language=language,
        title=str(meta["title"]).strip(),
        tags=tuple(str(t).strip() for t in tags if str(t).strip()),
        answer=paragraphs[0],
        body="\n\n".join(paragraphs[1:]),
        questions=tuple(str(q).strip() for q in questions if str(q).strip()),
        url=str(meta["url"]).strip() if meta.get("url") else None,
        path=path,
    )


@dataclass
class Collection:
    """Every good article by language, and the problems found loading them."""

    articles: Dict[str, Dict[str, Article]] = field(default_factory=dict)
    problems: List[Problem] = field(default_factory=list)

    def ids(self) -> List[str]:
        return sorted({i for by_id in self.articles.values() for i in by_id})

    def versions(self) -> List[Article]:
        """Every article in every language (one per id and language)."""
        return [article for by_id in self.articles.values() for article in by_id.values()]


# What load_folder found in a file, by path, with the file's (mtime, size):
# a reload re-reads only the files that changed.
ParsedFiles = Dict[Path, Tuple[Tuple[int, int], Union[Article, Problem]]]


def _read_article(path: Path, language: str) -> Union[Article, Problem]:
    try:
        if path.stat().st_size > MAX_ARTICLE_BYTES:
            raise ArticleError(Problem(path, 0, f"larger than {MAX_ARTICLE_BYTES} bytes"))
        return parse_article(path.read_text(encoding="utf-8"), path, language)
    except UnicodeDecodeError:
        return Problem(path, 0, "not UTF-8 text")
    except OSError as error:
        return Problem(path, 0, f"cannot read: {error}")
    except ArticleError as error:
        return error.problem


def load_folder(folder: Path, languages: Tuple[str, ...], parsed: Optional[ParsedFiles] = None) -> Collection:
    """Load every article; a broken file becomes a Problem, never an exception.

    `parsed`, kept by the caller between loads, skips re-reading unchanged files.
    """
    collection = Collection()
    seen: Set[Path] = set()
    if not folder.is_dir():
        collection.problems.append(Problem(folder, 0, "knowledge-base folder not found"))
        return collection
    for language in languages:
        by_id: Dict[str, Article] = {}
        for path in sorted((folder / language).glob("*.md")):
            try:
                stat = path.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                stamp = (-1, -1)
            seen.add(path)
            known = parsed.get(path) if parsed is not None else None
            if known is not None and known[0] == stamp and stamp[0] >= 0:
                article = known[1]
            else:
                article = _read_article(path, language)
                if parsed is not None:
                    parsed[path] = (stamp, article)
            if isinstance(article, Problem):
                collection.problems.append(article)
                continue
            if article.id in by_id:
                collection.problems.append(
                    Problem(path, 2, f"duplicate id {article.id!r} (also {by_id[article.id].path})")
                )
                continue
            by_id[article.id] = article
        collection.articles[language] = by_id
    if parsed is not None:
        for gone in set(parsed) - seen:
            del parsed[gone]
    all_ids = collection.ids()
    for language in languages:
        for article_id in all_ids:
            if article_id not in collection.articles.get(language, {}):
                collection.problems.append(
                    Problem(folder / language / f"{article_id}.md", 0, f"article {article_id!r} missing in {language}")
                )
    return collection
