"""The training data and domain are valid, complete and kept apart from tests."""
from __future__ import annotations

import collections
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = ("pt", "es", "vi", "zh")
INTENTS = ("greet", "goodbye", "thank", "affirm", "deny", "ask_question", "report_problem", "request_human", "bot_challenge", "out_of_scope")


def examples(language: str):
    for path in sorted((ROOT / "data" / "nlu" / language).glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            for example in block["examples"]:
                yield block["intent"], example["text"], (example.get("metadata") or {}).get("mood")


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def test_rasa_data_validate():
    result = subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "data", "validate", "--domain", "domain.yml",
         "--data", "data/nlu", "data/rules.yml", "--config", "config.yml", "--fail-on-warnings"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.mark.parametrize("language", LANGUAGES)
def test_enough_examples_per_intent_and_mood(language):
    rows = list(examples(language))
    intents = collections.Counter(intent for intent, _, _ in rows)
    moods = collections.Counter(mood for _, _, mood in rows)
    assert all(intents[i] >= 30 for i in INTENTS), intents
    assert all(moods[m] >= 80 for m in ("angry", "confused", "curious")), moods
    assert moods["neutral"] >= 80
    assert set(moods) == {"angry", "confused", "curious", "neutral"}


def test_chinese_training_data_has_both_scripts():
    from bot.nlu.chinese_script import detect_script

    scripts = collections.Counter(detect_script(text) for _, text, _ in examples("zh"))
    assert scripts["Hans"] >= 100 and scripts["Hant"] >= 100


@pytest.mark.parametrize("cases", ["heldout.yml", "kb_questions.yml"])
def test_held_out_items_are_not_in_the_training_data(cases):
    training = {normalise(text) for language in LANGUAGES for _, text, _ in examples(language)}
    for path in (ROOT / "data" / "kb").glob("*/*.md"):
        front = yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])
        training |= {normalise(q) for q in front.get("questions") or []}
    held_out = yaml.safe_load((ROOT / "tests" / "eval" / cases).read_text(encoding="utf-8"))
    leaked = [c["text"] for c in held_out if normalise(c["text"]) in training]
    assert leaked == []


def test_held_out_set_covers_every_intent_and_mood_per_language():
    cases = yaml.safe_load((ROOT / "tests" / "eval" / "heldout.yml").read_text(encoding="utf-8"))
    for language in LANGUAGES:
        mine = [c for c in cases if c["lang"] == language]
        assert len(mine) >= 40
        assert {c["intent"] for c in mine} == set(INTENTS)
        assert {c["mood"] for c in mine} == {"angry", "confused", "curious", "neutral"}
