"""The knowledge-base answer as the customer gets it: the article's first
paragraph with its Markdown, and a "read more" link in their language and
script (utter_kb_answer, rendered by the NLG as Rasa does)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Dict

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import CollectingDispatcher

import actions.kb as kb_actions
from actions.kb import ActionAnswerQuestion, chat_text, markdown_literal, read_more_url
from bot.kb.articles import parse_article
from bot.kb.service import load_knowledge_base
from bot.nlu import chinese_script
from bot.rasa_plugins.nlg import MultilingualNLG
from bot.settings import get_settings
from tests.actions.test_kb_actions import tracker
from tests.responses import DOMAIN

READ_MORE = {"pt": "Leia mais", "es": "Leer más", "vi": "Đọc thêm", "zh": "阅读全文"}
QUESTIONS = {
    "pt": "como importar meus dados de um arquivo csv?",
    "es": "como importo mis datos desde un archivo csv?",
    "vi": "lam sao nhap du lieu tu file csv?",
    "zh": "怎么从CSV文件导入数据?",
}


@pytest.fixture(scope="module")
def nlg() -> MultilingualNLG:
    return MultilingualNLG(domain=Domain.load(str(DOMAIN)))


def article(answer: str, language: str = "pt", url: str = ""):
    meta = f"url: {url}\n" if url else ""
    text = f"---\nid: x\ntitle: T\n{meta}---\n{answer}\n\nThe rest of the article.\n"
    return parse_article(text, Path("x.md"), language)


async def answer_of(question: str, **slots) -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    await ActionAnswerQuestion().run(dispatcher, tracker(question, **slots), {})
    return next(m for m in dispatcher.messages if m.get("response") == "utter_kb_answer")


def test_chat_text_keeps_the_markdown_and_fills_the_contact_details():
    markdown = (
        "Vá em **Configurações** e *depois* em `Importar`:\n- um [link](https://example.com/a)\n1. e {support_phone}"
    )
    text = chat_text(markdown, "pt")
    assert text == markdown.replace("{support_phone}", get_settings().contact.phone)


def test_chat_text_is_the_first_paragraph_at_most():
    assert chat_text("First **paragraph**.\n\nSecond one.", "pt") == "First **paragraph**."


def test_a_title_with_markdown_marks_is_shown_as_it_is():
    assert markdown_literal("snake_case *and* [x]") == r"snake\_case \*and\* \[x\]"
    assert markdown_literal("Como importar dados") == "Como importar dados"


@pytest.mark.parametrize("language", ["pt", "es", "vi", "zh"])
@pytest.mark.parametrize("mood", ["neutral", "angry", "confused"])
async def test_the_answer_is_markdown_with_a_read_more_link_in_the_customers_language(nlg, language, mood):
    message = await answer_of(QUESTIONS[language], language=language, mood=mood)
    assert message["article_id"] == "import-data"
    source = load_knowledge_base().get("import-data", language)
    values = {k: message[k] for k in ("answer", "title", "url")}
    text = nlg.render("utter_kb_answer", {"language": language, "mood": mood}, **values)["text"]
    assert chat_text(source.answer, language) in text  # its Markdown (pt, zh: bold) kept
    assert source.title in text
    assert f"[{READ_MORE[language]}]({message['url']})" in text
    assert message["url"].endswith(f"/kb/{language}/import-data")
    assert "\n" + message["answer"] in text or text.startswith(message["answer"])  # may be a list: a line of its own


async def test_a_traditional_writer_gets_traditional_text_and_the_traditional_page(nlg):
    message = await answer_of("請問要怎麼匯入CSV檔案的客戶資料?", language="zh", script="Hant")
    assert message["url"].endswith("/kb/zh/import-data?script=hant")
    values = {k: message[k] for k in ("answer", "title", "url")}
    text = nlg.render("utter_kb_answer", {"language": "zh", "script": "Hant"}, **values)["text"]
    assert f"[閱讀全文]({message['url']})" in text
    answer = chat_text(load_knowledge_base().get("import-data", "zh").answer, "zh")
    assert chinese_script.to_traditional(answer) in text and "**" in text
    simplified = await answer_of("怎么从CSV文件导入数据?", language="zh", script="Hans")
    assert "?" not in simplified["url"]


def test_the_link_goes_to_the_configured_address_or_the_articles_own(monkeypatch):
    settings = get_settings()
    kb = dataclasses.replace(settings.knowledge_base, article_url="{public_url}/help/{lang}/{id}?from=chat")
    monkeypatch.setattr(kb_actions, "get_settings", lambda: dataclasses.replace(settings, knowledge_base=kb))
    hant = tracker("x", language="zh", script="Hant")
    assert read_more_url(article("A", "zh"), hant).endswith("/help/zh/x?from=chat&script=hant")
    # An article's own address is left as it is (but made safe inside a Markdown link).
    own = article("A", "zh", url="https://docs.example.com/guide (v2)")
    assert read_more_url(own, hant) == "https://docs.example.com/guide%20%28v2%29"
