"""Imported articles written into a knowledge-base folder, and what changed.

- All or nothing: the export is read and every file rendered and checked
  first; the changed files are written into a temporary folder next to
  FOLDER and only then moved into place (each move atomic), so a broken
  export or a full disk leaves FOLDER as it was.
- Idempotent: the same export gives byte-identical files, and an unchanged
  file is not touched; a changed article (title, body, tags, updated_at...)
  is rewritten.
- Never deletes: files of this source that are not in this export are left
  and named in the summary ("not in this export"); files of other sources
  and hand-written ones are never overwritten (an import whose id is already
  such a file's is skipped with the reason).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Dict, List, Optional, Tuple

import yaml

from bot.kb.articles import ID_PATTERN, MAX_ARTICLE_BYTES, ArticleError, parse_article
from bot.kb.importers import ImportedArticle, Parsed, Skipped, get_parser
from bot.languages import LANGUAGES

DETAILS_PER_REASON = 10  # skipped entries listed by position in the printed summary, per reason


@dataclass
class Summary:
    """What an import did; `str()` is the report `python -m bot.kb import` prints."""

    source: str
    folder: Path
    added: List[str] = field(default_factory=list)  # "pt/zendesk-360001234.md"
    updated: List[str] = field(default_factory=list)
    unchanged: List[str] = field(default_factory=list)
    skipped: List[Skipped] = field(default_factory=list)
    outdated: List[str] = field(default_factory=list)  # imported, but the source marks the translation outdated
    not_in_export: List[str] = field(default_factory=list)  # this source's files left as they were
    languages: Dict[str, int] = field(default_factory=dict)  # articles of this export in each language

    def skipped_counts(self) -> Dict[str, int]:
        return dict(sorted(Counter(s.reason for s in self.skipped).items(), key=lambda item: (-item[1], item[0])))

    def __str__(self) -> str:
        lines = [
            f"{self.source} into {self.folder}: added {len(self.added)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, skipped {len(self.skipped)}",
            "languages: " + ", ".join(f"{lang} {self.languages.get(lang, 0)}" for lang in LANGUAGES),
        ]
        if self.skipped:
            lines.append("skipped: " + ", ".join(f"{reason} {n}" for reason, n in self.skipped_counts().items()))
            for reason in self.skipped_counts():
                entries = [s for s in self.skipped if s.reason == reason]
                lines.extend(f"  {entry}" for entry in entries[:DETAILS_PER_REASON])
                if len(entries) > DETAILS_PER_REASON:
                    lines.append(f"  ... and {len(entries) - DETAILS_PER_REASON} more {reason}")
        if self.outdated:
            lines.append(
                f"outdated in {self.source} (imported; the source says the original changed since): "
                + ", ".join(self.outdated)
            )
        if self.not_in_export:
            lines.append(
                f"not in this export, left as they are ({len(self.not_in_export)}): " + ", ".join(self.not_in_export)
            )
        return "\n".join(lines)


def import_export(source: str, export: Path, folder: Path, default_language: Optional[str] = None) -> Summary:
    """Read SOURCE's export at `export` and write its articles into `folder`.

    Raises ExportError (nothing written) when the export cannot be read."""
    parsed = get_parser(source)(export, source=source, default_language=default_language)
    return write_articles(source, parsed, folder)


def render(article: ImportedArticle) -> str:
    """The article file's text: front matter, then the answer and the article."""
    meta: Dict[str, object] = {"id": article.article_id, "title": article.title, "tags": list(article.tags)}
    if article.questions:
        meta["questions"] = list(article.questions)
    meta["source"] = article.source
    meta["source_id"] = article.source_id
    if article.source_url and article.source_url.lower().startswith(("http://", "https://")):
        meta["source_url"] = article.source_url
    if article.updated_at:
        meta["updated_at"] = article.updated_at
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, default_flow_style=None, width=1_000_000)
    return f"---\n{front}---\n{article.body_markdown.strip()}\n"


def write_articles(source: str, parsed: Parsed, folder: Path) -> Summary:
    summary = Summary(source=source, folder=folder, skipped=list(parsed.skipped))
    existing = _existing_files(folder)
    paths_by_id = {(path.parts[0], article_id): path for path, (_, article_id) in existing.items() if article_id}
    changes: Dict[PurePosixPath, bytes] = {}
    written: set = set()
    for article in _choose(parsed.articles, summary.skipped):
        relative = PurePosixPath(article.language, f"{article.article_id}.md")
        owner = existing.get(relative)
        if owner is not None and owner[0] != source:
            summary.skipped.append(
                Skipped(
                    "id taken by another source's file", article.position, f"{relative} is {owner[0] or 'not imported'}"
                )
            )
            continue
        other = paths_by_id.get((article.language, article.article_id))
        if other is not None and other != relative:
            summary.skipped.append(Skipped("id taken by another file", article.position, str(other)))
            continue
        data = render(article).encode("utf-8")
        problem = _problem(data, folder / relative, article.language)
        if problem:
            summary.skipped.append(Skipped("not a valid article", article.position, problem))
            continue
        written.add(relative)
        summary.languages[article.language] = summary.languages.get(article.language, 0) + 1
        if article.outdated:
            summary.outdated.append(f"{article.article_id} ({article.language})")
        path = folder / relative
        if owner is None:
            summary.added.append(str(relative))
            changes[relative] = data
        elif _read(path) == data:
            summary.unchanged.append(str(relative))
        else:
            summary.updated.append(str(relative))
            changes[relative] = data
    summary.not_in_export = sorted(
        str(p) for p, (owner_source, _) in existing.items() if owner_source == source and p not in written
    )
    _commit(folder, changes)
    return summary


def _choose(articles: List[ImportedArticle], skipped: List[Skipped]) -> List[ImportedArticle]:
    """One article per id and language; ids that are ours; one id per source article."""
    chosen: Dict[Tuple[str, str], ImportedArticle] = {}
    owners: Dict[str, str] = {}  # our id -> the source id it came from
    for article in articles:
        article_id = article.article_id
        if not ID_PATTERN.match(article_id):
            skipped.append(Skipped("no usable id", article.position, f"{article.source_id!r} gives {article_id!r}"))
            continue
        if owners.setdefault(article_id, article.source_id) != article.source_id:
            skipped.append(
                Skipped(
                    "id clash",
                    article.position,
                    f"{article.source_id!r} and {owners[article_id]!r} both give {article_id}",
                )
            )
            continue
        key = (article_id, article.language)
        kept = chosen.get(key)
        if kept is None:
            chosen[key] = article
        elif article.language == "zh" and kept.traditional != article.traditional:
            # The knowledge base's Chinese is Simplified (its search folds
            # Traditional into it): the Simplified version is kept, whatever the order.
            second, chosen[key] = (kept, article) if kept.traditional else (article, kept)
            skipped.append(
                Skipped("second Chinese version", second.position, f"{second.locale}; {chosen[key].locale} kept")
            )
        else:
            skipped.append(
                Skipped("duplicate", article.position, f"{article_id} in {article.language} already at {kept.position}")
            )
    return list(chosen.values())


def _existing_files(folder: Path) -> Dict[PurePosixPath, Tuple[Optional[str], Optional[str]]]:
    """Every article file in the folder: its `source` and `id` from the front matter (None if it has none)."""
    files: Dict[PurePosixPath, Tuple[Optional[str], Optional[str]]] = {}
    for language in LANGUAGES:
        for path in sorted((folder / language).glob("*.md")):
            meta = _front_matter(path)
            source, article_id = meta.get("source"), meta.get("id")
            files[PurePosixPath(language, path.name)] = (
                str(source) if source else None,
                str(article_id).strip() if article_id else None,
            )
    return files


def _front_matter(path: Path) -> dict:
    text = (_read(path) or b"").decode("utf-8", errors="replace")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return {}
    try:
        meta = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _read(path: Path) -> Optional[bytes]:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _problem(data: bytes, path: Path, language: str) -> Optional[str]:
    """Why the rendered file would not load, if it would not (it always should)."""
    if len(data) > MAX_ARTICLE_BYTES:
        return f"larger than {MAX_ARTICLE_BYTES} bytes"
    try:
        parse_article(data.decode("utf-8"), path, language)
    except ArticleError as error:
        return error.problem.message
    return None


def _commit(folder: Path, changes: Dict[PurePosixPath, bytes]) -> None:
    """Write the changed files next to the folder first, then move each into place."""
    if not changes:
        return
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.import-", dir=folder.parent))
    try:
        for relative, data in changes.items():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).write_bytes(data)
        for relative in changes:
            (folder / relative).parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / relative, folder / relative)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
