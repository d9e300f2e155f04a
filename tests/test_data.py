"""The training data and domain are valid, complete and kept apart from the
evaluation sets."""

from __future__ import annotations

import collections
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
import yaml

from bot.launcher import rasa_command

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("pt", "es", "vi", "zh")
INTENTS = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "ask_question",
    "report_problem",
    "request_human",
    "bot_challenge",
    "out_of_scope",
)
MOODS = ("angry", "confused", "curious", "neutral")
EVALUATION_SETS = ("dev.yml", "test.yml")


def blocks(language: str):
    for path in sorted((ROOT / "data" / "nlu" / language).glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            yield path, block


def examples(language: str):
    for _, block in blocks(language):
        for example in block["examples"]:
            yield block["intent"], example["text"], (example.get("metadata") or {}).get("mood")


def cases(name: str):
    return yaml.safe_load((ROOT / "tests" / "eval" / name).read_text(encoding="utf-8"))


def same_words(text: str) -> str:
    """What is left when typing is taken away: case, accents, punctuation,
    spacing and the Chinese script (the training adds those variants itself)."""
    from bot.nlu.chinese_script import to_simplified

    text = to_simplified(text).lower().replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
    return " ".join(re.findall(r"\w+", text))


def test_rasa_data_validate():
    result = subprocess.run(
        [
            *rasa_command(),
            "data",
            "validate",
            "--domain",
            "domain.yml",
            "--data",
            "data/nlu",
            "data/rules.yml",
            "--config",
            "config.yml",
            "--fail-on-warnings",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize("language", LANGUAGES)
def test_enough_examples_per_intent_and_mood(language):
    rows = list(examples(language))
    intents = collections.Counter(intent for intent, _, _ in rows)
    moods = collections.Counter(mood for _, _, mood in rows)
    assert all(intents[i] >= 150 for i in INTENTS), intents
    assert set(moods) == set(MOODS), moods
    assert all(moods[m] >= 120 for m in ("angry", "confused", "curious")), moods
    assert moods["neutral"] > sum(moods.values()) / 2  # as in real traffic, most messages are neutral


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_training_file_says_its_language(language):
    # The language detector learns each language's chat words from these labels.
    for path, block in blocks(language):
        assert (block.get("metadata") or {}).get("language") == language, path


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_example_is_in_the_training_data_twice(language):
    texts = collections.Counter(text for _, text, _ in examples(language))
    assert [t for t, n in texts.items() if n > 1] == []


def test_chinese_training_data_has_both_scripts():
    from bot.nlu.chinese_script import detect_script

    scripts = collections.Counter(detect_script(text) for _, text, _ in examples("zh"))
    assert scripts["Hans"] >= 500 and scripts["Hant"] >= 500


@pytest.mark.parametrize("name", [*EVALUATION_SETS, "kb_questions.yml"])
def test_evaluation_items_are_not_in_the_training_data(name):
    # Compared without case, accents, punctuation or script: the training
    # adds those variants of every example, so they would be the same item.
    training = {same_words(text) for language in LANGUAGES for _, text, _ in examples(language)}
    for path in (ROOT / "data" / "kb").glob("*/*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        training |= {same_words(q) for q in front.get("questions") or []}
    leaked = [c["text"] for c in cases(name) if same_words(c["text"]) in training]
    assert leaked == []


def test_dev_and_test_sets_do_not_share_items():
    dev = {same_words(c["text"]) for c in cases("dev.yml")}
    assert [c["text"] for c in cases("test.yml") if same_words(c["text"]) in dev] == []


@pytest.mark.parametrize("name", EVALUATION_SETS)
def test_evaluation_sets_look_like_real_traffic(name):
    for language in LANGUAGES:
        mine = [c for c in cases(name) if c["lang"] == language]
        assert len(mine) >= 150, language
        assert {c["intent"] for c in mine} == set(INTENTS), language
        assert {c["mood"] for c in mine} == set(MOODS), language
        neutral = sum(c["mood"] == "neutral" for c in mine) / len(mine)
        assert 0.55 <= neutral <= 0.8, (language, neutral)
        if language == "zh":
            assert {c["script"] for c in mine} == {"Hans", "Hant"}
