"""The answering action: three confidence bands, tone, and feedback."""

from __future__ import annotations

import dataclasses
import json

import sqlalchemy as sa
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.kb as kb_actions
from actions.kb import ActionAnswerFeedback, ActionAnswerQuestion
from bot.helpdesk.gaps import GapStore
from bot.helpdesk.gaps import gaps as gap_table
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
    assert answer["answer"] == kb_actions.chat_text(article.answer, "pt")
    assert "**Configurações > Importar dados**" in answer["answer"]  # its Markdown kept for the widget
    assert messages[1]["response"] == "utter_did_it_help"
    assert slots["kb_articles"] == ["import-data"]


async def test_middle_band_offers_the_best_articles_as_buttons(monkeypatch):
    question = "atendimento"
    score = load_knowledge_base().search(question, "pt", limit=1)[0].score
    with_thresholds(monkeypatch, answer=score + 0.01, suggest=score - 0.01)
    messages, slots = await run(ActionAnswerQuestion(), tracker(question))
    assert messages[0]["response"] == "utter_did_you_mean"
    titles = [b["title"] for b in messages[0]["buttons"]][:-1]
    assert 2 <= len(titles) <= 3
    assert len(slots["kb_articles"]) == len(titles)


async def test_angry_customer_unsure_of_the_article_is_offered_a_person_too(monkeypatch):
    question = "atendimento"
    score = load_knowledge_base().search(question, "pt", limit=1)[0].score
    with_thresholds(monkeypatch, answer=score + 0.01, suggest=score - 0.01)
    messages, _ = await run(ActionAnswerQuestion(), tracker(question, mood="angry"))
    assert [m["response"] for m in messages] == ["utter_did_you_mean", "utter_offer_human"]


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


def with_events(t: Tracker, *events) -> Tracker:
    return Tracker.from_dict({**t.current_state(), "events": list(events)})


def kept_gaps(database_url):
    """The questions kept for "articles to write"."""
    with GapStore(database_url).engine.connect() as db:
        return db.execute(sa.select(gap_table).order_by(gap_table.c.id)).all()


async def test_a_question_without_article_is_kept_for_articles_to_write(own_database):
    await run(ActionAnswerQuestion(), tracker("voces vendem seguro para bicicleta eletrica?"))
    (gap,) = kept_gaps(own_database)
    assert (gap.conversation_id, gap.language, gap.kind) == ("test", "pt", "no_article")
    assert gap.text == "voces vendem seguro para bicicleta eletrica?"
    assert gap.vector is not None  # grouped by meaning


async def test_an_answer_that_did_not_help_keeps_the_question_and_the_article(own_database):
    question = {"event": "user", "text": "como importar meus dados de um arquivo csv?"}
    answer = {"event": "bot", "text": "...", "metadata": {"utter_action": "utter_kb_answer"}}
    no = {"event": "user", "text": "/deny"}
    t = with_events(tracker("/deny", intent="deny", kb_articles=["import-data"]), question, answer, no)
    await run(ActionAnswerFeedback(), t)
    (gap,) = kept_gaps(own_database)
    assert (gap.kind, gap.text) == ("not_helpful", "como importar meus dados de um arquivo csv?")
    assert json.loads(gap.articles_tried) == ["import-data"]


async def test_none_of_the_suggestions_is_kept_as_refused(own_database):
    question = {"event": "user", "text": "atendimento"}
    offered = {"event": "bot", "text": "Você quis dizer:", "metadata": {"utter_action": "utter_did_you_mean"}}
    no = {"event": "user", "text": "/deny"}
    t = with_events(tracker("/deny", intent="deny", kb_articles=["live-chat", "help-desk"]), question, offered, no)
    messages, _ = await run(ActionAnswerFeedback(), t)
    assert messages[0]["response"] == "utter_sorry_not_helped"
    (gap,) = kept_gaps(own_database)
    assert (gap.kind, gap.text) == ("refused_suggestion", "atendimento")
    assert json.loads(gap.articles_tried) == ["live-chat", "help-desk"]


async def test_a_database_that_is_down_loses_the_gap_but_not_the_answer(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}")
    messages, slots = await run(ActionAnswerQuestion(), tracker("voces vendem seguro para bicicleta eletrica?"))
    assert messages[0]["response"] == "utter_question_no_article"
    assert slots["kb_no_article_count"] == 1


async def test_an_article_missing_in_the_customers_language_is_answered_from_another_saying_so(monkeypatch, tmp_path):
    import shutil

    from bot.kb.service import KnowledgeBase

    folder = tmp_path / "kb"
    shutil.copytree(load_knowledge_base().folder, folder)
    (folder / "vi" / "free-trial.md").unlink()
    monkeypatch.setattr(kb_actions, "load_knowledge_base", lambda: KnowledgeBase(folder, reload_interval=0))
    messages, slots = await run(ActionAnswerQuestion(), tracker("dùng thử miễn phí được bao lâu vậy", language="vi"))
    assert [m["response"] for m in messages[:2]] == ["utter_kb_other_language", "utter_kb_answer"]
    assert messages[1]["article_id"] == "free-trial"
    assert slots["kb_articles"] == ["free-trial"]


async def test_yes_and_no_about_an_answer_are_kept_for_the_report(own_database):
    """The report counts "it helped" as resolved by the bot, "it did not" as not (bot/helpdesk/report.py)."""
    from bot.helpdesk.feedback import answer_feedback

    await run(ActionAnswerFeedback(), tracker("/affirm", intent="affirm", kb_articles=["import-data"]))
    await run(ActionAnswerFeedback(), tracker("/deny", intent="deny", kb_articles=["pricing"]))
    await run(ActionAnswerFeedback(), tracker("sim", intent="affirm"))  # a yes to nothing of ours: not kept
    with GapStore(own_database).engine.connect() as db:
        rows = db.execute(sa.select(answer_feedback).order_by(answer_feedback.c.id)).all()
    assert [(row.conversation_id, row.helped, json.loads(row.articles)) for row in rows] == [
        ("test", True, ["import-data"]),
        ("test", False, ["pricing"]),
    ]


async def test_a_database_that_is_down_loses_the_feedback_but_not_the_answer(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}")
    messages, _ = await run(ActionAnswerFeedback(), tracker("/affirm", intent="affirm", kb_articles=["import-data"]))
    assert messages[0]["response"] == "utter_glad_it_helped"
