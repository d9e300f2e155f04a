"""Reading article files, and `python -m bot.kb check` naming each problem."""

from __future__ import annotations

import pytest

from bot.kb.__main__ import main as kb_main
from bot.kb.articles import load_folder

LANGUAGES = ("pt", "es", "vi", "zh")


def test_a_good_folder_loads_every_article(kb_folder):
    collection = load_folder(kb_folder, LANGUAGES)
    assert collection.problems == []
    article = collection.articles["pt"]["free-trial"]
    assert article.title == "Teste grátis de 14 dias"
    assert article.answer == "Você pode testar grátis por 14 dias."
    assert article.body == "More text."


@pytest.mark.parametrize(
    "content, line, words",
    [
        ("no front matter here\n", 1, "missing front matter"),
        ("---\nid: free-trial\ntitle: x\n", 1, "not closed"),
        ("---\nid: free-trial\n---\nAnswer.\n", 2, "no 'title'"),
        ("---\ntitle: x\n---\nAnswer.\n", 2, "no 'id'"),
        ("---\nid: free-trial\ntitle: x\n---\n\n\n", 5, "empty answer"),
        ("---\nid: free-trial\ntitle: a: b: c\n---\nAnswer.\n", 3, "not valid YAML"),
        ("---\nid: Free Trial\ntitle: x\n---\nAnswer.\n", 2, "lower-case"),
    ],
)
def test_broken_file_is_skipped_with_file_line_and_reason(kb_folder, content, line, words):
    broken = kb_folder / "pt" / "free-trial.md"
    broken.write_text(content, encoding="utf-8")
    collection = load_folder(kb_folder, LANGUAGES)
    problem = next(p for p in collection.problems if p.path == broken)
    assert problem.line == line
    assert words in problem.message
    assert "import-data" in collection.articles["pt"]  # the rest still loads


def test_duplicate_id_and_missing_language_are_named(kb_folder):
    original = kb_folder / "pt" / "free-trial.md"
    (kb_folder / "pt" / "trial-copy.md").write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    (kb_folder / "vi" / "import-data.md").unlink()
    problems = [str(p) for p in load_folder(kb_folder, LANGUAGES).problems]
    assert any("duplicate id 'free-trial'" in p for p in problems)
    assert any("'import-data' missing in vi" in p for p in problems)


def test_binary_file_is_a_problem_not_a_crash(kb_folder):
    (kb_folder / "es" / "junk.md").write_bytes(b"\xff\xfe\x00garbage\x80")
    problems = [str(p) for p in load_folder(kb_folder, LANGUAGES).problems]
    assert any("junk.md" in p and "UTF-8" in p for p in problems)


def test_check_command_exit_codes_and_output(kb_folder, capsys):
    assert kb_main(["check", str(kb_folder)]) == 0
    assert "OK: 8 articles" in capsys.readouterr().out
    (kb_folder / "zh" / "free-trial.md").write_text("---\nid: free-trial\n---\nA\n", encoding="utf-8")
    assert kb_main(["check", str(kb_folder)]) == 1
    out = capsys.readouterr().out
    assert f"{kb_folder / 'zh' / 'free-trial.md'}:2: front matter has no 'title'" in out


def test_the_project_knowledge_base_is_complete():
    from bot.settings import get_settings

    collection = load_folder(get_settings().knowledge_base.folder, LANGUAGES)
    assert collection.problems == []
    assert len(collection.ids()) >= 22
