"""Vietnamese typed without diacritics reaches the encoder with them restored."""

import pytest
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.diacritic_restorer import DiacriticRestorer
from bot.nlu.diacritics import ENCODER_TEXT, VietnameseDiacritics

# A few accented sentences as the training data has them: they teach the
# word pairs a help desk hears.
TRAINING = [
    "cho mình hỏi cách đổi mật khẩu",
    "đơn hàng của tôi chưa được giao",
    "gói cơ bản giá bao nhiêu một tháng",
    "tôi muốn hoàn tiền đơn hàng này",
    "bạn là robot à?",
]


@pytest.fixture(scope="module")
def restorer() -> DiacriticRestorer:
    return DiacriticRestorer.build(TRAINING)


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("cho minh hoi cach doi mat khau", "cho mình hỏi cách đổi mật khẩu"),
        ("don hang cua toi chua duoc giao", "đơn hàng của tôi chưa được giao"),
        ("goi co ban gia bao nhieu 1 thang?", "gói cơ bản giá bao nhiêu 1 tháng?"),
        ("toi muon hoan tien", "tôi muốn hoàn tiền"),
    ],
)
def test_help_desk_phrases_get_their_diacritics_back(restorer, typed, meant):
    assert restorer.restore(typed) == meant


def test_both_typings_reach_the_encoder_as_one_text(restorer):
    assert restorer.restore("Tôi muốn hoàn tiền đơn hàng này") == restorer.restore("toi muon hoan tien don hang nay")


def test_english_words_numbers_and_punctuation_are_kept(restorer):
    assert restorer.restore("app lỗi 500, login ko dc!!").startswith("app ")
    restored = restorer.restore("ma don DH20931 - shop oi???")
    assert "dh20931" in restored and restored.endswith(" - shop ơi???")


def test_odd_input_does_not_break_it(restorer):
    assert restorer.restore("") == ""
    assert restorer.restore("!!! ??? 123") == "!!! ??? 123"
    assert len(restorer.restore("a" * 10000)) == 10000


def _message(text: str, language: str) -> Message:
    message = Message(data={TEXT: text})
    message.set("language", {"name": language, "confidence": 1.0})
    return message


def test_only_vietnamese_messages_get_an_encoder_text(model_storage, execution_context):
    resource = Resource("diacritics_test")
    examples = [_message(text, "vi") for text in TRAINING] + [_message("não consigo entrar", "pt")]
    component = VietnameseDiacritics.create({}, model_storage, resource, execution_context)
    component.train(TrainingData(training_examples=examples))
    loaded = VietnameseDiacritics.load({}, model_storage, resource, execution_context)

    vietnamese, portuguese = _message("doi mat khau", "vi"), _message("nao consigo entrar", "pt")
    loaded.process([vietnamese, portuguese])
    assert vietnamese.get(ENCODER_TEXT) == "đổi mật khẩu"
    assert portuguese.get(ENCODER_TEXT) is None
