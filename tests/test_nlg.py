"""Responses in the customer's language, script and tone."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain

from bot.nlu import chinese_script
from bot.rasa_plugins.nlg import MultilingualNLG
from bot.settings import get_settings
from tests.responses import DOMAIN, responses

LANGUAGES = ("pt", "es", "vi", "zh")


@pytest.fixture(scope="module")
def nlg() -> MultilingualNLG:
    return MultilingualNLG(domain=Domain.load(str(DOMAIN)))


@pytest.mark.parametrize("name", sorted(responses()))
def test_every_response_exists_in_every_language_with_the_same_tones(name):
    tones = {}
    for variation in responses()[name]:
        conditions = {c["name"]: c["value"] for c in variation.get("condition", [])}
        tones.setdefault(conditions.get("language"), set()).add(conditions.get("mood"))
    assert set(tones) == set(LANGUAGES)
    assert tones["es"] == tones["vi"] == tones["zh"] == tones["pt"]


def test_the_most_specific_variation_wins(nlg):
    angry = nlg.render("utter_greet", {"language": "es", "mood": "angry"})["text"]
    neutral = nlg.render("utter_greet", {"language": "es", "mood": "neutral"})["text"]
    assert angry != neutral
    assert nlg.render("utter_greet", {"language": "es", "mood": "angry"})["text"] == angry  # not random


def test_tone_falls_back_to_the_plain_variation(nlg):
    # utter_anything_else has no angry variation: the plain one is used.
    plain = nlg.render("utter_anything_else", {"language": "vi"})["text"]
    assert nlg.render("utter_anything_else", {"language": "vi", "mood": "angry"})["text"] == plain


def test_traditional_writer_gets_traditional_text_buttons_and_text_payloads(nlg):
    simplified = nlg.render("utter_curious_more", {"language": "zh", "script": "Hans"})
    traditional = nlg.render("utter_curious_more", {"language": "zh", "script": "Hant"})
    assert traditional["text"] == chinese_script.to_traditional(simplified["text"])
    assert chinese_script.detect_script(traditional["text"]) in ("Hant", None)
    for button in traditional["buttons"]:
        assert chinese_script.detect_script(button["title"]) != "Hans"
        assert chinese_script.detect_script(button["payload"]) != "Hans"


def test_command_payloads_are_not_converted(nlg):
    buttons = nlg.render("utter_did_it_help", {"language": "zh", "script": "Hant"})["buttons"]
    assert [b["payload"] for b in buttons] == ["/affirm", "/deny"]


def test_default_language_before_the_customer_writes(nlg):
    default = get_settings().default_language
    assert nlg.render("utter_greet", {})["text"] == nlg.render("utter_greet", {"language": default})["text"]


def test_contact_details_are_filled_from_settings(nlg):
    text = nlg.render("utter_contact_human", {"language": "pt"})["text"]
    contact = get_settings().contact
    assert contact.phone in text and contact.email in text and contact.opening_hours["pt"] in text
    assert "{" not in text


def test_angry_tone_apologises_first_in_every_language(nlg):
    apologies = {
        "pt": ("Sinto", "Peço"),
        "es": ("Lo siento", "Lamento", "Disculpe", "Perdón"),
        "vi": ("Mình rất xin lỗi", "Xin lỗi", "Mình xin lỗi", "Thành thật xin lỗi"),
        "zh": ("非常抱歉", "很抱歉", "抱歉", "真的很抱歉"),
    }
    for language, starts in apologies.items():
        text = nlg.render("utter_kb_answer", {"language": language, "mood": "angry"}, answer="A", title="T", url="U")[
            "text"
        ]
        assert text.startswith(starts), text


async def test_the_language_is_reported_only_to_a_client_that_asks(nlg):
    from rasa.shared.core.events import SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    def tracker(metadata):
        t = DialogueStateTracker.from_events("c", [UserUttered("你好", metadata=metadata)], slots=nlg_slots())
        t.update(SlotSet("language", "zh"))
        t.update(SlotSet("script", "Hant"))
        return t

    asked = await nlg.generate("utter_greet", tracker({"reply_language": True}), "rest")
    assert asked["custom"] == {"reply_language": {"language": "zh", "script": "Hant"}}
    assert asked["text"] == chinese_script.to_traditional(asked["text"])  # and written in Traditional
    plain = await nlg.generate("utter_greet", tracker({}), "rest")
    assert "custom" not in plain


def nlg_slots():
    return Domain.load(str(DOMAIN)).slots
