"""The README's quality table, written from `make eval`'s reports, so the
figures a reader sees are the ones the last evaluation printed.

    python -m bot.figures [--reports reports] [--readme README.md] [--check]

Reads reports/test.json, dev.json, kb_questions.json,
sample_kb_questions.json and langid-*.json (a
missing one leaves its rows "not measured") and replaces the table between
the README's `<!-- quality figures -->` markers. `--check` only says whether
the README is up to date with the reports (exit 1 if not).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from bot.languages import LANGUAGES
from bot.settings import PROJECT_ROOT

START = "<!-- quality figures: written by `python -m bot.figures` (make eval) from reports/*.json; do not edit -->"
END = "<!-- end of quality figures -->"
Reports = Dict[str, Dict[str, Any]]
EVAL = "`make eval`"
TEST = "`make eval` (`python -m bot.evaluate tests/eval/test.yml --invariance`)"


def _number(value: Optional[float], digits: int = 3) -> str:
    return "–" if value is None else str(round(value, digits))


def _per_language(report: Dict[str, Any], pick: Callable[[Dict[str, Any]], Optional[float]]) -> str:
    return " / ".join(_number(pick(report["per_language"][language])) for language in LANGUAGES)


def _article_hits(key: str) -> Callable[[Dict[str, Any]], str]:
    return lambda report: _per_language(report, lambda figures: figures[key])


def _mood(kind: str, mood: str) -> Callable[[Dict[str, Any]], Optional[float]]:
    return lambda figures: (figures.get(kind) or {}).get(mood)


def _angry(report: Dict[str, Any]) -> str:
    return ", ".join(
        f"{language} {_number(_mood('mood_precision', 'angry')(f))} / {_number(_mood('mood_recall', 'angry')(f))}"
        for language, f in ((lg, report["per_language"][lg]) for lg in LANGUAGES)
    )


def _invariance(report: Dict[str, Any]) -> str:
    changes = report.get("invariance") or {}
    shares = " / ".join(_number((changes.get(c) or {}).get("overall", {}).get("share")) for c in changes)
    counts = " / ".join(f"{(changes.get(c) or {}).get('overall', {}).get('n', 0):,}" for c in changes)
    return f"{shares} ({counts} messages)" if changes else "not measured (run with --invariance)"


def _langid(report: Dict[str, Any]) -> str:
    values = [report["per_language"][language]["language_acc"] for language in LANGUAGES]
    known = [v for v in values if v is not None]
    mean = sum(known) / len(known) if known else None
    return f"{_number(mean, 4)} (" + ", ".join(f"{lg} {_number(v)}" for lg, v in zip(LANGUAGES, values)) + ")"


def _size(report: Dict[str, Any]) -> str:
    return f"{report['overall']['n']:,}"


# (figure, bar, report file, how to write its value, command)
ROWS: List[Tuple[str, str, str, Callable[[Dict[str, Any]], str], str]] = [
    (
        "intent accuracy, test set (pt / es / vi / zh)",
        "≥ 0.92",
        "test",
        lambda r: _per_language(r, lambda f: f["intent_acc"]),
        TEST,
    ),
    ("mood macro-F1, test set", "≥ 0.85", "test", lambda r: _per_language(r, lambda f: f["mood_macro_f1"]), "same"),
    ("angry precision / recall, test set", "≥ 0.90 / ≥ 0.80", "test", _angry, "same"),
    ("neutral recall, test set", "≥ 0.90", "test", lambda r: _per_language(r, _mood("mood_recall", "neutral")), "same"),
    ("language accuracy, test set", "≥ 0.99", "test", lambda r: _per_language(r, lambda f: f["language_acc"]), "same"),
    ("Chinese script accuracy, test set", "", "test", lambda r: _number(r["per_language"]["zh"]["script_acc"]), "same"),
    ("test set messages", "", "test", _size, "same"),
    (
        "unchanged intent and mood when the final full stop is added or removed / the first letter lower-cased"
        " / accents stripped / the Chinese script switched, test set",
        "≥ 0.97 each",
        "test",
        _invariance,
        "same; also `tests/test_invariance.py`",
    ),
    (
        "intent accuracy, dev set (what everything was tuned on)",
        "",
        "dev",
        lambda r: _per_language(r, lambda f: f["intent_acc"]),
        "`python -m bot.evaluate tests/eval/dev.yml`",
    ),
    ("mood macro-F1, dev set", "", "dev", lambda r: _per_language(r, lambda f: f["mood_macro_f1"]), "same"),
    ("angry precision / recall, dev set", "", "dev", _angry, "same"),
    ("language accuracy, dev set", "", "dev", lambda r: _per_language(r, lambda f: f["language_acc"]), "same"),
    (
        "language accuracy, `shared/benchmarks/langid` single words (mean of 4)",
        "≥ 0.86",
        "langid-single-words",
        _langid,
        EVAL,
    ),
    ("language accuracy, word pairs (mean of 4)", "≥ 0.95", "langid-word-pairs", _langid, EVAL),
    ("language accuracy, sentences (mean of 4)", "≥ 0.995", "langid-sentences", _langid, EVAL),
    (
        "knowledge base article hit@1 (pt / es / vi / zh), the project's questions (search weights chosen on them)",
        "≥ 0.92",
        "kb_questions",
        _article_hits("article_hit1"),
        EVAL,
    ),
    (
        "knowledge base article hit@3, the project's questions",
        "≥ 0.98",
        "kb_questions",
        _article_hits("article_hit3"),
        EVAL,
    ),
    (
        "knowledge base article hit@1, imported sample help centre (held out: never tuned on)",
        "≥ 0.92",
        "sample_kb_questions",
        _article_hits("article_hit1"),
        EVAL,
    ),
    (
        "knowledge base article hit@3, imported sample help centre",
        "≥ 0.98",
        "sample_kb_questions",
        _article_hits("article_hit3"),
        EVAL,
    ),
]


def read_reports(folder: Path) -> Reports:
    found = {}
    for name in {row[2] for row in ROWS}:
        path = folder / f"{name}.json"
        if path.exists():
            found[name] = json.loads(path.read_text(encoding="utf-8"))
    return found


def render(reports: Reports) -> str:
    lines = ["| figure | bar | measured | command |", "|---|---|---|---|"]
    for figure, bar, name, value, command in ROWS:
        shown = value(reports[name]) if name in reports else f"not measured (no reports/{name}.json)"
        lines.append(f"| {figure} | {bar} | {shown} | {command} |")
    return "\n".join(lines)


def with_table(readme: str, table: str) -> str:
    if START not in readme or END not in readme:
        raise ValueError("README.md has no quality-figures markers")
    before, rest = readme.split(START, 1)
    after = rest.split(END, 1)[1]
    return f"{before}{START}\n{table}\n{END}{after}"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.figures", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, default=PROJECT_ROOT / "reports")
    parser.add_argument("--readme", type=Path, default=PROJECT_ROOT / "README.md")
    parser.add_argument("--check", action="store_true", help="exit 1 if the README's table differs from the reports")
    args = parser.parse_args(argv)
    readme = args.readme.read_text(encoding="utf-8")
    try:
        updated = with_table(readme, render(read_reports(args.reports)))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.check:
        print("README figures are up to date." if updated == readme else "README figures differ from reports/.")
        return 0 if updated == readme else 1
    args.readme.write_text(updated, encoding="utf-8")
    print(f"Wrote the quality figures into {args.readme}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
