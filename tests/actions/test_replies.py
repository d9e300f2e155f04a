"""A request is never brushed off with "You're welcome" or "OK, anything else?".

Each case is a message the classifier once read as thank, affirm or deny
although it asks something or reports a problem; the actions must answer it
from the knowledge base (or say there is no article), in every language.
Bare replies keep their short answers.
"""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.kb import ActionAnswerFeedback
from actions.replies import carries_a_request
from actions.small_talk import ActionReply

DISMISSALS = {"utter_you_are_welcome", "utter_anything_else", "utter_glad_it_helped", "utter_sorry_not_helped"}
KB_ANSWERS = {"utter_kb_answer", "utter_did_you_mean", "utter_question_no_article", "utter_problem_no_article"}


def tracker(text, language, intent, ranking=None, bot_spoke=False, **slots):
    events = [{"event": "bot", "text": "Olá!"}] if bot_spoke else []
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": {
                "language": language,
                "script": "Hans" if language == "zh" else "Latn",
                "mood": "neutral",
                **slots,
            },
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.6},
                "intent_ranking": ranking or [{"name": intent, "confidence": 0.6}],
            },
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def responses(action, t):
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, t, {})
    return [m.get("response") for m in dispatcher.messages]


def action_for(intent):
    return ActionReply() if intent == "thank" else ActionAnswerFeedback()


@pytest.mark.parametrize(
    "language, text, intent, article",
    [
        ("pt", "vocês têm teste grátis?", "thank", "free-trial"),
        ("pt", "o sistema está fora do ar, ninguem da equipe consegue entrar", "affirm", None),
        ("es", "¿ustedes tienen una prueba gratis de la herramienta?", "thank", "free-trial"),
        ("es", "no, lo que quiero es agendar una demostración del producto", "deny", "book-a-demo"),
        ("vi", "Tôi muốn dùng thử miễn phí phần mềm bên bạn, làm sao để đăng ký?", "affirm", "free-trial"),
        ("vi", "khong, minh muon hoi cach nhap du lieu tu file csv", "deny", "import-data"),
        ("zh", "你们有免费试用吗？怎么申请", "thank", "free-trial"),
        ("zh", "不是，我想预约一个产品演示", "deny", "book-a-demo"),
    ],
)
async def test_a_request_read_as_a_reply_is_answered_as_a_question(language, text, intent, article):
    t = tracker(text, language, intent, bot_spoke=True, kb_articles=["customer-types"])
    said = await responses(action_for(intent), t)
    assert not DISMISSALS & set(said), said
    assert KB_ANSWERS & set(said), said
    if article:
        dispatcher = CollectingDispatcher()
        await action_for(intent).run(dispatcher, t, {})
        answered = [m.get("article_id") for m in dispatcher.messages if m.get("response") == "utter_kb_answer"]
        suggested = [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]
        assert answered == [article] or suggested, dispatcher.messages


@pytest.mark.parametrize(
    "language, text", [("pt", "valeu!"), ("es", "muchas gracias"), ("vi", "cam on ban nhieu"), ("zh", "谢谢你")]
)
async def test_bare_thanks_after_an_answer_get_you_are_welcome(language, text):
    said = await responses(ActionReply(), tracker(text, language, "thank", bot_spoke=True))
    assert said == ["utter_you_are_welcome"]


@pytest.mark.parametrize(
    "language, text, intent, expected",
    [
        ("pt", "sim, ajudou", "affirm", "utter_glad_it_helped"),
        ("es", "no", "deny", "utter_sorry_not_helped"),
        ("vi", "dung roi", "affirm", "utter_glad_it_helped"),
        ("zh", "没用", "deny", "utter_sorry_not_helped"),
    ],
)
async def test_yes_or_no_to_did_it_help_is_feedback(language, text, intent, expected):
    t = tracker(text, language, intent, bot_spoke=True, kb_articles=["free-trial"])
    assert (await responses(ActionAnswerFeedback(), t))[0] == expected


async def test_a_reply_with_a_likely_request_intent_carries_a_request():
    ranking = [{"name": "affirm", "confidence": 0.55}, {"name": "ask_question", "confidence": 0.3}]
    assert carries_a_request("sim, e o preço", ranking)
    assert not carries_a_request("sim", [{"name": "affirm", "confidence": 0.95}])
    assert not carries_a_request("sim?", [{"name": "affirm", "confidence": 0.95}])
