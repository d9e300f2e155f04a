"""TypingVariants: each training example also as customers type it otherwise."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.typing_variants import TypingVariants, variants_of


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Quero saber o horário.", {"Quero saber o horário", "quero saber o horário.", "Quero saber o horario."}),
        ("nao consigo entrar", {"nao consigo entrar."}),
        ("Tôi muốn đổi mật khẩu", {"Tôi muốn đổi mật khẩu.", "tôi muốn đổi mật khẩu", "Toi muon doi mat khau"}),
        ("我想预约演示", {"我想预约演示。", "我想預約演示"}),
        ("¿Tienen envío gratis?", {"¿Tienen envío gratis", "¿tienen envío gratis?", "¿Tienen envio gratis?"}),
    ],
)
def test_variants(text, expected):
    assert set(variants_of(text)) == expected


def test_variants_keep_intent_mood_and_language_and_are_added_once():
    message = Message(
        data={
            "text": "Quero saber o horário.",
            "intent": "ask_question",
            "metadata": {"example": {"mood": "neutral"}},
            "language": {"name": "pt", "confidence": 1.0},
        }
    )
    already = Message(data={"text": "quero saber o horário.", "intent": "ask_question"})
    component = TypingVariants.create({}, None, None, None)
    data = component.process_training_data(TrainingData([message, already]))
    texts = [m.get("text") for m in data.training_examples]
    assert len(texts) == len(set(texts))
    added = next(m for m in data.training_examples if m.get("text") == "Quero saber o horario.")
    assert added.get("intent") == "ask_question"
    assert added.get("metadata") == {"example": {"mood": "neutral"}}
    assert added.get("language")["name"] == "pt"


def test_nothing_changes_at_prediction_time():
    message = Message(data={"text": "Oi."})
    assert TypingVariants.create({}, None, None, None).process([message]) == [message]
    assert message.get("text") == "Oi."
