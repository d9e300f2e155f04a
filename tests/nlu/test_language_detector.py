"""LanguageDetector as Rasa runs it: metadata hints and conversation history."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language_detector import parse_hint


def detect(detector, text, metadata=None, tracker=None):
    message = Message(data={"text": text, "metadata": metadata or {}})
    detector.process([message], tracker)
    return message


def tracker_after(language: str, script=None) -> DialogueStateTracker:
    parse_data = {"intent": {"name": "greet"}, "language": {"name": language, "confidence": 0.99}}
    if script:
        parse_data["language"]["script"] = script
    return DialogueStateTracker.from_events(
        "someone", [UserUttered("earlier message", parse_data=parse_data)], domain=Domain.empty().slots
    )


def test_parse_output_has_language_confidence_and_entities(language_detector):
    message = detect(language_detector, "khach hang noi bo la gi vay")
    output = message.as_dict(only_output_properties=True)
    assert output["language"]["name"] == "vi"
    assert 0.5 < output["language"]["confidence"] <= 1.0
    entities = {e["entity"]: e["value"] for e in output["entities"]}
    assert entities == {"language": "vi", "script": "Latn"}


def test_chinese_output_carries_the_script(language_detector):
    output = detect(language_detector, "請問你們有免費試用嗎").as_dict(only_output_properties=True)
    assert output["language"] == {"name": "zh", "confidence": pytest.approx(1.0, abs=0.01), "script": "Hant"}


@pytest.mark.parametrize("text", ["ok", "?", "👍", "haha", "oki"])
def test_one_word_does_not_switch_a_vietnamese_conversation(language_detector, text):
    message = detect(language_detector, text, tracker=tracker_after("vi"))
    assert message.get("language")["name"] == "vi"


def test_a_clear_new_language_switches(language_detector):
    message = detect(language_detector, "necesito hablar con alguien de soporte por favor", tracker=tracker_after("vi"))
    assert message.get("language")["name"] == "es"


def test_traditional_conversation_keeps_traditional_for_script_neutral_text(language_detector):
    # 你好 is the same in both scripts: the conversation's script decides.
    message = detect(language_detector, "你好", tracker=tracker_after("zh", "Hant"))
    assert message.get("language")["script"] == "Hant"


@pytest.mark.parametrize(
    "hint, language, script",
    [
        ("pt-BR", "pt", None),
        ("es", "es", None),
        ("zh-TW", "zh", "Hant"),
        ("zh-Hans-CN", "zh", "Hans"),
        ("en-US", None, None),
        (42, None, None),
    ],
)
def test_client_hints(hint, language, script):
    assert parse_hint(hint) == (language, script)


def test_hint_decides_an_ambiguous_message(language_detector):
    assert detect(language_detector, "ok", {"language": "vi-VN"}).get("language")["name"] == "vi"
    assert detect(language_detector, "ok", {"language": "es-MX"}).get("language")["name"] == "es"
    assert detect(language_detector, "你好", {"language": "zh-HK"}).get("language")["script"] == "Hant"
