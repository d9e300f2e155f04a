"""The answering action: three confidence bands, tone, and feedback."""

from __future__ import annotations

import dataclasses

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.kb as kb_actions
from actions.kb import ActionAnswerFeedback, ActionAnswerQuestion
from bot.kb.service import load_knowledge_base
from bot.settings import get_settings


def tracker(text: str, intent: str = "ask_question", **slots) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {"language": "pt", "script": "Latn", "mood": "neutral", **slots},
            "latest_message": {"text": text, "intent": {"name": intent, "confidence": 0.9}},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def run(action, t: Tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def with_thresholds(monkeypatch, answer: float, suggest: float) -> None:
    settings = get_settings()
    kb = dataclasses.replace(settings.knowledge_base, answer_threshold=answer, suggest_threshold=suggest)
    monkeypatch.setattr(kb_actions, "get_settings", lambda: dataclasses.replace(settings, knowledge_base=kb))


async def test_confident_match_is_answered_with_title_link_and_feedback_buttons():
    messages, slots = await run(ActionAnswerQuestion(), tracker("como importar meus dados de um arquivo csv?"))
    answer = messages[0]
    assert answer["response"] == "utter_kb_answer"
    article = load_knowledge_base().get("import-data", "pt")
    assert answer["title"] == article.title
    assert answer["url"].endswith("/kb/pt/import-data")
    assert "**" not in answer["answer"]
    assert messages[1]["response"] == "utter_did_it_help"
    assert slots["kb_articles"] == ["import-data"]


async def test_middle_band_offers_the_best_articles_as_buttons(monkeypatch):
    question = "atendimento"
    score = load_knowledge_base().search(question, "pt", limit=1)[0].score
    with_thresholds(monkeypatch, answer=score + 0.01, suggest=score - 0.01)
    messages, slots = await run(ActionAnswerQuestion(), tracker(question))
    assert messages[0]["response"] == "utter_did_you_mean"
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert 2 <= len(titles) <= 3
    assert len(slots["kb_articles"]) == len(titles)


async def test_low_score_says_there_is_no_article_and_counts_it():
    messages, slots = await run(ActionAnswerQuestion(), tracker("qual a capital da australia?", kb_no_article_count=1))
    assert messages[0]["response"] == "utter_question_no_article"
    assert slots["kb_no_article_count"] == 2


async def test_problem_without_article_gets_the_problem_wording():
    messages, _ = await run(ActionAnswerQuestion(), tracker("minha impressora pegou fogo", intent="report_problem"))
    assert messages[0]["response"] == "utter_problem_no_article"


async def test_angry_customer_is_offered_a_person_after_the_answer():
    messages, _ = await run(ActionAnswerQuestion(), tracker("como importar dados de um csv", mood="angry"))
    assert [m["response"] for m in messages] == ["utter_kb_answer", "utter_did_it_help", "utter_offer_human"]


async def test_curious_customer_gets_something_more_to_explore():
    messages, _ = await run(
        ActionAnswerQuestion(), tracker("qual a diferenca entre chatbot e chat ao vivo", mood="curious")
    )
    assert messages[-1]["response"] == "utter_curious_more"


async def test_traditional_writer_gets_traditional_suggestion_buttons(monkeypatch):
    question = "客戶"
    score = load_knowledge_base().search(question, "zh", limit=1)[0].score
    with_thresholds(monkeypatch, answer=score + 0.01, suggest=score - 0.01)
    messages, _ = await run(ActionAnswerQuestion(), tracker(question, language="zh", script="Hant"))
    from bot.nlu.chinese_script import detect_script

    assert all(detect_script(b["title"]) != "Hans" for b in messages[0]["buttons"])


async def test_it_did_not_help_counts_as_a_failure():
    messages, slots = await run(
        ActionAnswerFeedback(), tracker("/deny", intent="deny", kb_articles=["import-data"], kb_unhelpful_count=1)
    )
    assert messages[0]["response"] == "utter_sorry_not_helped"
    assert slots["kb_unhelpful_count"] == 2
    assert slots["kb_articles"] is None


async def test_it_helped_resets_the_count():
    messages, slots = await run(
        ActionAnswerFeedback(), tracker("/affirm", intent="affirm", kb_articles=["import-data"], kb_unhelpful_count=1)
    )
    assert messages[0]["response"] == "utter_glad_it_helped"
    assert slots["kb_unhelpful_count"] == 0


async def test_yes_without_a_pending_answer_asks_what_else():
    messages, slots = await run(ActionAnswerFeedback(), tracker("sim", intent="affirm"))
    assert messages[0]["response"] == "utter_anything_else"
    assert slots == {}


async def test_contact_placeholders_are_filled_in_the_answer():
    messages, _ = await run(ActionAnswerQuestion(), tracker("qual o telefone e o horario do suporte?"))
    assert messages[0]["response"] == "utter_kb_answer"
    assert get_settings().contact.phone in messages[0]["answer"]
    assert "{support_phone}" not in messages[0]["answer"]
