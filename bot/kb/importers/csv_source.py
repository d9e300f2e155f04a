"""A spreadsheet of questions and answers, as CSV.

Columns: id, question, answer, language, and optionally tags (separated by
`,` or `;`); a header row names them, in any order; any other column is an
error naming it. Comma-, semicolon- or tab-separated (what spreadsheets
save), UTF-8. Rows with the same id are one article in several languages;
the question is the article's title and its first `questions:` entry; a
further row with the same id and language adds its question (its answer
must be empty or the same). The answer is Markdown (raw HTML removed).

Skipped: rows without a question or an answer, unsupported languages.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from bot.kb.importers import ExportError, ImportedArticle, Parsed, as_tags, clean_title, our_language
from bot.kb.importers.inputs import export_files, text_of
from bot.kb.importers.markdown_text import answer_first, sanitize_markdown

REQUIRED = ("id", "question", "answer", "language")
OPTIONAL = ("tags",)


def parse(path: Path, *, source: str = "csv", default_language: Optional[str] = None) -> Parsed:
    parsed = Parsed()
    for file in export_files(path, (".csv",)):
        text = text_of(file)
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        try:
            header = [name.strip().lower() for name in next(reader, [])]
        except csv.Error as error:
            raise ExportError(f"{file.name}:1: not valid CSV: {error}") from None
        _check_header(file.name, header)
        columns = {name: header.index(name) for name in REQUIRED + OPTIONAL if name in header}
        by_key: Dict[Tuple[str, str], int] = {}  # (id, language) -> index in parsed.articles
        line = reader.line_num
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                raise ExportError(f"{file.name}:{start}: not valid CSV: {error}") from None
            line = reader.line_num
            position = f"{file.name}, line {start}"
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                raise ExportError(f"{file.name}:{start}: {len(row)} fields, but the header names {len(header)} columns")

            def cell(name: str, row: List[str] = row, columns: Dict[str, int] = columns) -> str:
                index = columns.get(name)
                return row[index].strip() if index is not None and index < len(row) else ""

            _row(parsed, by_key, cell, position, source, default_language)
    return parsed


def _check_header(name: str, header: List[str]) -> None:
    unknown = [column for column in header if column not in REQUIRED + OPTIONAL]
    missing = [column for column in REQUIRED if column not in header]
    repeated = sorted({column for column in header if header.count(column) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(repr(c) for c in unknown)}")
    if missing:
        problems.append(f"missing column(s) {', '.join(repr(c) for c in missing)}")
    if repeated:
        problems.append(f"repeated column(s) {', '.join(repr(c) for c in repeated)}")
    if problems:
        expected = ", ".join(REQUIRED) + " and optionally " + ", ".join(OPTIONAL)
        raise ExportError(f"{name}:1: {'; '.join(problems)} (the columns are {expected})")


def _row(
    parsed: Parsed,
    by_key: Dict[Tuple[str, str], int],
    cell: Callable[[str], str],
    position: str,
    source: str,
    default_language: Optional[str],
) -> None:
    article_id, question, answer = cell("id"), clean_title(cell("question")), cell("answer")
    locale = cell("language") or (default_language or "")
    language = our_language(locale)
    if not article_id:
        parsed.skip("no id", position)
    elif language is None:
        parsed.skip("unsupported locale", position, f"{article_id} {locale or 'no language'}")
    elif not question:
        parsed.skip("no title", position, f"{article_id}: no question")
    elif (article_id, language) in by_key:
        index = by_key[(article_id, language)]
        first = parsed.articles[index]
        body = sanitize_markdown(answer)
        if body and answer_first(body, first.title) != first.body_markdown:
            parsed.skip("duplicate", position, f"{article_id} in {language} with another answer than {first.position}")
        elif question not in first.questions:
            parsed.articles[index] = replace(first, questions=first.questions + (question,))
    else:
        body = sanitize_markdown(answer)
        if not body:
            parsed.skip("no body", position, f"{article_id}: no answer")
            return
        by_key[(article_id, language)] = len(parsed.articles)
        parsed.articles.append(
            ImportedArticle(
                source=source,
                source_id=article_id,
                language=language,
                title=question,
                body_markdown=answer_first(body, question),
                tags=as_tags(cell("tags")),
                questions=(question,),
                locale=locale,
                position=position,
            )
        )
