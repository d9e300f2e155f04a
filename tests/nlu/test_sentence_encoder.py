"""SentenceEncoder: one meaning vector per message, whatever its typography."""

from __future__ import annotations

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.sentence_encoder import DIMENSIONS, SentenceEncoder, encoder_input, shorten


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.create(SentenceEncoder.get_default_config(), None, None, _context())


def _context():
    from rasa.engine.graph import ExecutionContext, GraphSchema

    return ExecutionContext(GraphSchema({}), "sentence_encoder")


def vector(encoder, text):
    message = Message(data={"text": text})
    encoder.process([message])
    _, sentence = message.get_dense_features("text")
    return sentence.features[0]


def test_a_message_gets_one_unit_length_sentence_vector(encoder):
    v = vector(encoder, "quero trocar minha senha")
    assert v.shape == (DIMENSIONS,)
    assert np.isclose(np.linalg.norm(v), 1.0, atol=1e-4)


PASSWORD = ("quero trocar minha senha", "quiero cambiar mi contraseña", "tôi muốn đổi mật khẩu", "我想修改密码")
REFUND = ("quero meu dinheiro de volta", "quiero que me devuelvan el dinero", "tôi muốn được hoàn tiền", "我想要退款")


@pytest.mark.parametrize("other", [1, 3])
def test_same_meaning_in_another_language_is_closer_than_another_meaning(encoder, other):
    asked = vector(encoder, PASSWORD[0])
    assert asked @ vector(encoder, PASSWORD[other]) > asked @ vector(encoder, REFUND[other])


def test_same_meaning_in_other_words_is_closer_than_another_meaning_in_vietnamese(encoder):
    # Without its diacritics (as the encoder sees it) Vietnamese is too far
    # from the other languages for the comparison above, not from itself.
    asked = vector(encoder, "cho mình đổi mật khẩu với")
    assert asked @ vector(encoder, PASSWORD[2]) > asked @ vector(encoder, REFUND[2])


@pytest.mark.parametrize(
    "a, b",
    [
        ("Quero saber o horário.", "quero saber o horario"),
        ("請問價格", "请问价格"),
        ("Tem desconto?。", "tem desconto?"),
        ("Tôi muốn đổi mật khẩu.", "toi muon doi mat khau"),
    ],
)
def test_typography_without_meaning_gives_the_same_vector(encoder, a, b):
    assert encoder_input(a) == encoder_input(b) or np.allclose(vector(encoder, a), vector(encoder, b), atol=1e-5)


def test_a_question_mark_is_kept():
    assert encoder_input("tem desconto?") == "tem desconto?"


def test_a_long_message_is_its_beginning_and_end():
    words = lambda text: len(text.split())  # noqa: E731 - a stand-in tokenizer counting words
    text = " ".join(f"w{i}" for i in range(200))
    head, tail = shorten(text, 20, words)
    assert words(head) == 10 and words(tail) == 10
    assert text.startswith(head) and text.endswith(tail)
    assert shorten("curta", 20, words) == ["curta"]


@pytest.mark.parametrize("text", ["", "   ", "x" * 5000, "\ud800 oi", "<script>alert(1)</script>", "😡😡😡"])
def test_odd_messages_do_not_break_it(encoder, text):
    message = Message(data={"text": text})
    encoder.process([message])
    _, sentence = message.get_dense_features("text")
    if text.strip():
        assert sentence.features.shape == (1, DIMENSIONS) and np.isfinite(sentence.features).all()
    else:
        assert sentence is None


def test_training_examples_get_vectors_too(encoder):
    data = TrainingData(
        [Message(data={"text": "Oi.", "intent": "greet"}), Message(data={"text": "oi", "intent": "greet"})]
    )
    encoder.process_training_data(data)
    vectors = [m.get_dense_features("text")[1].features for m in data.training_examples]
    assert np.allclose(vectors[0], vectors[1])
