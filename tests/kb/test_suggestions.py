"""Suggested answers for agents (bot/kb/suggestions.py): the bot's search,
each article in the agent's language beside the customer's, in the
customer's script, with the closest version where a language is missing."""

from __future__ import annotations

import pytest

from bot.kb.service import KnowledgeBase
from bot.kb.suggestions import BadRequest, plain_text, suggest
from bot.settings import get_settings
from tests.kb.conftest import write_article

IMPORT_QUESTION_VI = "làm sao nhập dữ liệu từ tệp CSV"


@pytest.fixture
def kb(kb_folder) -> KnowledgeBase:
    # Words and letters only: the ranking rules are the same, without loading e5.
    return KnowledgeBase(kb_folder, reload_interval=0, dense=False)


def test_the_agent_reads_portuguese_and_sends_vietnamese(kb):
    best = suggest(kb, IMPORT_QUESTION_VI, "vi", None, "pt", threshold=0.0)[0]
    assert best.article_id == "import-data"
    assert (best.title, best.agent_text, best.agent_language) == (
        "Como importar dados de um CSV",
        "Vá em Configurações > Importar dados.",
        "pt",
    )
    assert (best.customer_title, best.customer_text, best.customer_language) == (
        "Cách nhập dữ liệu từ tệp CSV",
        "Vào Cài đặt > Nhập dữ liệu.",
        "vi",
    )


def test_a_traditional_chinese_customer_gets_traditional_text(kb):
    best = suggest(kb, "要怎麼匯入CSV檔案", "zh", "Hant", "zh-Hans", threshold=0.0)[0]
    assert best.article_id == "import-data"
    assert best.customer_text == "前往 設定 > 匯入資料。"  # Taiwan wording too (OpenCC s2twp)
    assert (best.customer_title, best.customer_language) == ("如何從 CSV 檔案匯入資料", "zh-Hant")
    assert (best.agent_text, best.agent_language) == ("前往 设置 > 导入数据。", "zh-Hans")


def test_an_article_missing_in_the_agents_language_comes_in_the_closest_one(kb_folder):
    (kb_folder / "pt" / "import-data.md").unlink()
    kb = KnowledgeBase(kb_folder, reload_interval=0, dense=False)
    best = suggest(kb, IMPORT_QUESTION_VI, "vi", None, "pt", threshold=0.0)[0]
    assert best.article_id == "import-data"
    assert (best.agent_text, best.agent_language) == ("Vaya a Configuración > Importar datos.", "es")
    assert best.customer_language == "vi"


def test_an_article_missing_in_the_customers_language_says_which_one_it_is_in(kb_folder):
    (kb_folder / "vi" / "import-data.md").unlink()
    kb = KnowledgeBase(kb_folder, reload_interval=0, dense=False)
    best = suggest(kb, "CSV", "vi", None, "es", threshold=0.0)[0]
    assert best.article_id == "import-data"
    assert best.customer_language != "vi" and best.customer_text


def test_an_english_speaking_agent_sees_what_would_be_sent(kb):
    best = suggest(kb, IMPORT_QUESTION_VI, "vi", None, "en", threshold=0.0)[0]
    assert best.agent_text == best.customer_text == "Vào Cài đặt > Nhập dữ liệu."
    assert best.agent_language == "vi"


def test_contact_details_are_filled_in_as_the_bot_would(kb_folder):
    write_article(kb_folder, "vi", "contact-support", "Liên hệ hỗ trợ CSV", "Gọi {support_phone} để được hỗ trợ CSV.")
    kb = KnowledgeBase(kb_folder, reload_interval=0, dense=False)
    texts = [s.customer_text for s in suggest(kb, "hỗ trợ CSV gọi", "vi", None, "pt", threshold=0.0)]
    phone = get_settings().contact.phone
    assert f"Gọi {phone} để được hỗ trợ CSV." in texts


@pytest.mark.parametrize("text", ["", "   ", "/request_human"])
def test_nothing_to_search_gives_no_suggestions(kb, text):
    assert suggest(kb, text, "vi", None, "pt", threshold=0.0) == []


def test_at_most_three_best_first_and_weak_matches_left_out(kb):
    found = suggest(kb, "CSV 14", "pt", None, "es", limit=10, threshold=0.0)
    assert 1 <= len(found) <= 3
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert suggest(kb, "qual a capital da australia", "pt", None, "es") == []


@pytest.mark.parametrize(
    "language, script, agent", [("en", None, "pt"), ("vi", None, "fr"), ("zh", "Latn", "pt"), ("zh", None, "zh")]
)
def test_unknown_languages_are_refused_by_name(kb, language, script, agent):
    with pytest.raises(BadRequest, match="unknown"):
        suggest(kb, "CSV", language, script, agent)


@pytest.mark.parametrize(
    "markdown, typed",
    [
        ("Clique em **Esqueci minha senha** e _depois_ em *OK*.", "Clique em Esqueci minha senha e depois em OK."),
        (
            "Veja [a página de preços](https://atendo.example/precos).",
            "Veja a página de preços (https://atendo.example/precos).",
        ),
        ("1. Abra **Configurações**.\n2. Clique em `Importar`.", "1. Abra Configurações.\n2. Clique em Importar."),
        ("um nome_de_campo e 2 * 3 * 4, \\*literal\\*", "um nome_de_campo e 2 * 3 * 4, *literal*"),
    ],
)
def test_an_answer_is_sent_as_a_person_types_it(markdown, typed):
    # The widget shows an agent's message as typed: Markdown marks would show as such.
    assert plain_text(markdown) == typed
