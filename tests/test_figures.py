"""The README's quality table is written from the evaluation's reports."""

from __future__ import annotations

import json

import pytest

from bot import figures
from bot.languages import LANGUAGES
from bot.settings import PROJECT_ROOT


def report(**figures_by_language):
    per_language = {
        language: {
            "n": 10,
            "language_acc": 1.0,
            "script_acc": None,
            "intent_acc": 0.5,
            "mood_macro_f1": 0.75,
            "article_hit1": None,
            "article_hit3": None,
            "mood_precision": {"angry": 0.9},
            "mood_recall": {"angry": 0.8, "neutral": 1.0},
            **figures_by_language.get(language, {}),
        }
        for language in LANGUAGES
    }
    return {"per_language": per_language, "overall": {"n": 40}}


def test_the_table_shows_what_the_reports_say_and_what_is_missing(tmp_path):
    (tmp_path / "test.json").write_text(json.dumps(report(es={"intent_acc": 0.9876})), encoding="utf-8")
    table = figures.render(figures.read_reports(tmp_path))
    intent = next(line for line in table.splitlines() if line.startswith("| intent accuracy, test set"))
    assert "| 0.5 / 0.988 / 0.5 / 0.5 |" in intent
    assert "pt 0.9 / 0.8" in next(
        line for line in table.splitlines() if line.startswith("| angry precision / recall, test")
    )
    assert "not measured (no reports/dev.json)" in table


def test_the_readme_is_rewritten_between_its_markers_only(tmp_path):
    (tmp_path / "test.json").write_text(json.dumps(report()), encoding="utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n\n{figures.START}\nold table\n{figures.END}\n\nthe rest\n", encoding="utf-8")
    assert figures.main(["--reports", str(tmp_path), "--readme", str(readme), "--check"]) == 1
    assert figures.main(["--reports", str(tmp_path), "--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n\n") and text.endswith("\n\nthe rest\n") and "old table" not in text
    assert figures.main(["--reports", str(tmp_path), "--readme", str(readme), "--check"]) == 0


def test_the_projects_readme_has_the_markers():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(figures.START) == 1 and readme.count(figures.END) == 1


def test_without_markers_it_says_so(tmp_path):
    with pytest.raises(ValueError, match="markers"):
        figures.with_table("no markers here", "| table |")
