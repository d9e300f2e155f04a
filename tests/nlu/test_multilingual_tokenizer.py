"""Words per language, and lemmas that make the ways of typing a word meet."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.multilingual_tokenizer import tokenize_text


def words(text, language):
    return [t.text for t in tokenize_text(text, language)]


def lemmas(text, language):
    return [t.lemma for t in tokenize_text(text, language)]


def test_chinese_is_segmented_into_words_not_one_token():
    assert words("我想导入客户数据", "zh") == ["我", "想", "导入", "客户", "数据"]


def test_traditional_taiwan_wording_gets_the_simplified_words_as_lemmas():
    assert words("匯入客戶資料", "zh") == ["匯入", "客戶", "資料"]
    assert lemmas("匯入客戶資料", "zh") == lemmas("导入客户数据", "zh") == ["导入", "客户", "数据"]


def test_vietnamese_words_are_joined():
    assert "Khách hàng" in words("Khách hàng nội bộ là gì?", "vi")


def test_unaccented_forms_share_lemmas():
    assert lemmas("Não consigo", "pt") == lemmas("nao consigo", "pt") == ["nao", "consigo"]
    assert lemmas("¿Cómo está?", "es")[1] == "como"


@pytest.mark.parametrize(
    "language, with_stop",
    [
        ("pt", "Quero trocar a senha."),
        ("es", "Necesito ayuda..."),
        ("vi", "Cho mình hỏi giá."),
        ("zh", "我想退款。"),
    ],
)
def test_a_full_stop_is_not_a_word(language, with_stop):
    assert lemmas(with_stop, language) == lemmas(with_stop.rstrip(".。"), language)
    assert tokenize_text("...", language) == []


@pytest.mark.parametrize("language", ["pt", "es", "vi", "zh"])
@pytest.mark.parametrize("text", ["", "   ", "😀😀", "<b>x</b>", "a" * 10000])
def test_odd_input_gives_tokens_within_the_text(language, text):
    for token in tokenize_text(text, language):
        assert 0 <= token.start < token.end <= len(text)
        assert text[token.start : token.end] == token.text


def test_component_uses_the_detected_language(tokenizer):
    message = Message(data={"text": "我想导入客户数据", "language": {"name": "zh"}})
    tokenizer.process([message])
    assert [t.text for t in message.get("text_tokens")] == ["我", "想", "导入", "客户", "数据"]


@pytest.mark.parametrize("simplified, traditional", [("为什么登录不了", "為什麼登入不了"), ("怎么办", "怎麼辦")])
def test_both_chinese_scripts_give_the_same_words(simplified, traditional):
    # OpenCC's tw2sp once turned the Simplified 么 into 幺 ("什幺") but 麼 into 么.
    lemmas = lambda text: [t.lemma for t in tokenize_text(text, "zh")]  # noqa: E731
    assert lemmas(simplified) == lemmas(traditional)
    assert "幺" not in "".join(lemmas(simplified))
