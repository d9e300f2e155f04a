"""IntentClassifier over sparse and dense features: trains, loads back, and
gives no intent to what it cannot read."""

from __future__ import annotations

import pytest
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_classifier import IntentClassifier

EXAMPLES = {
    "ask_question": [
        "quanto custa o plano",
        "qual o horario de atendimento",
        "como troco minha senha",
        "vcs entregam no sabado?",
    ],
    "report_problem": [
        "nao consigo entrar na conta",
        "o site esta fora do ar",
        "meu pedido nao chegou",
        "deu erro no pagamento",
    ],
    "greet": ["oi", "bom dia", "ola tudo bem", "boa tarde"],
}


@pytest.fixture
def trained(featurizers, model_storage, execution_context):
    def make(**config):
        full = {**IntentClassifier.get_default_config(), **config}
        resource = Resource(f"intent_{id(full)}")
        messages = [
            Message(data={"text": text, "intent": intent, "language": {"name": "pt"}})
            for intent, texts in EXAMPLES.items()
            for text in texts
        ]
        IntentClassifier.create(full, model_storage, resource, execution_context).train(
            featurizers.train(TrainingData(messages))
        )
        return IntentClassifier.load(full, model_storage, resource, execution_context)

    return make


def parse(featurizers, classifier, text, known_share=1.0):
    message = Message(data={"text": text, "language": {"name": "pt"}, "known_word_share": known_share})
    featurizers.apply([message])
    classifier.process([message])
    return message


@pytest.mark.parametrize("features", [["sparse"], ["dense"], ["sparse", "dense"]])
def test_each_choice_of_features_learns_the_intents(trained, featurizers, features):
    classifier = trained(features=features)
    assert parse(featurizers, classifier, "oi, bom dia").get("intent")["name"] == "greet"
    assert parse(featurizers, classifier, "nao consigo entrar no site").get("intent")["name"] == "report_problem"
    ranking = parse(featurizers, classifier, "quanto custa?").get("intent_ranking")
    assert ranking[0]["name"] == "ask_question" and len(ranking) == 3
    assert abs(sum(r["confidence"] for r in ranking) - 1) < 1e-6


@pytest.mark.parametrize("text, known_share", [("", 1.0), ("   ", 1.0), ("qwzx vbnm", 0.0)])
def test_unreadable_messages_get_no_intent(trained, featurizers, text, known_share):
    message = parse(featurizers, trained(), text, known_share)
    assert message.get("intent") == {"name": None, "confidence": 0.0}
    assert message.get("intent_ranking") == []


def test_unknown_feature_kind_is_a_clear_error():
    with pytest.raises(ValueError, match="features"):
        IntentClassifier.validate_config({**IntentClassifier.get_default_config(), "features": ["words"]})
