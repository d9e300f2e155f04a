"""The named rules that make the bot hand over by itself."""

import pytest

from bot.helpdesk.rules import Turn, anger_reason, consecutive_fallbacks, reached, threatens, turns_from_events
from bot.settings import get_settings


def settings():
    return get_settings().escalation


def turn(text="x", mood="neutral", confidence=0.9, intent="ask_question", language="pt"):
    return Turn(text, intent, mood, confidence, language)


def test_two_angry_messages_escalate_on_the_second():
    first = [turn("isso nao funciona!!!", "angry")]
    assert anger_reason(settings(), first) is None
    assert anger_reason(settings(), first + [turn("de novo?? que porcaria", "angry")]) == "repeated_anger"


def test_anger_below_the_confidence_does_not_count():
    turns = [turn("hmm", "angry", 0.4), turn("hmm!!", "angry", 0.5)]
    assert anger_reason(settings(), turns) is None


def test_a_calm_message_after_anger_does_not_escalate():
    turns = [turn("!!!", "angry"), turn("!!!", "angry"), turn("ok, obrigado", "neutral")]
    assert anger_reason(settings(), turns) is None


@pytest.mark.parametrize(
    "language, text",
    [
        ("pt", "vou CANCELAR essa assinatura agora"),
        ("es", "voy a llamar a mi abogado"),
        ("vi", "toi se kien cong ty cac ban"),
        ("zh", "再不处理我就去投诉你们"),
        ("pt", "me cobraram duas vezes no cartão"),
    ],
)
def test_one_angry_message_with_a_threat_is_enough(language, text):
    assert anger_reason(settings(), [turn(text, "angry", language=language)]) == "anger_with_threat"


def test_threat_words_are_whole_words_outside_chinese():
    assert threatens(settings(), "o pagamento falhou", "pt")
    assert not threatens(settings(), "a pagina nao carrega", "pt")


def test_fallbacks_in_a_row():
    turns = [
        turn(intent="nlu_fallback"),
        turn(intent="greet"),
        turn(intent="nlu_fallback"),
        turn(intent="nlu_fallback"),
    ]
    assert consecutive_fallbacks(turns) == 2
    assert reached(settings(), "repeated_fallback", 2) and not reached(settings(), "repeated_fallback", 1)


def test_turns_are_read_from_rasa_events():
    events = [
        {"event": "action", "name": "action_listen"},
        {
            "event": "user",
            "text": "oi",
            "parse_data": {
                "intent": {"name": "greet"},
                "mood": {"name": "angry", "confidence": 0.81},
                "language": {"name": "pt"},
            },
        },
        {"event": "bot", "text": "Olá"},
        {"event": "user", "text": "/affirm", "parse_data": {"intent": {"name": "affirm"}}},
    ]
    turns = turns_from_events(events)
    assert turns[0] == Turn("oi", "greet", "angry", 0.81, "pt")
    assert turns[1].mood is None and turns[1].mood_confidence == 0.0
