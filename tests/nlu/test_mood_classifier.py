"""MoodClassifier trained from example metadata, and its outputs."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.mood_classifier import MoodClassifier, choose_mood, style_features

EXAMPLES = {
    "angry": [
        "ISSO E UM ABSURDO!!!",
        "que porcaria de sistema, quero cancelar!!",
        "estou furioso, ninguem resolve NADA",
        "PESSIMO atendimento!!!",
    ],
    "confused": [
        "nao entendi, onde eu clico??",
        "como assim? to perdido",
        "nao sei o que fazer agora???",
        "hein? nao entendi nada",
    ],
    "curious": [
        "que legal, o que mais da pra fazer?",
        "quero saber mais sobre os recursos",
        "interessante! tem demonstracao?",
        "me conta mais sobre o chatbot",
    ],
    "neutral": ["qual o horario de atendimento", "preciso alterar meu email", "bom dia", "gostaria de um boleto"],
}


@pytest.fixture
def training_data(featurizers):
    def make() -> TrainingData:
        messages = [
            Message(
                data={"text": text, "intent": "x", "metadata": {"example": {"mood": mood}}, "language": {"name": "pt"}}
            )
            for mood, texts in EXAMPLES.items()
            for text in texts
        ]
        return featurizers.train(TrainingData(messages))

    return make


@pytest.fixture
def classify(featurizers):
    def run(classifier, text):
        message = Message(data={"text": text, "language": {"name": "pt"}})
        featurizers.apply([message])
        classifier.process([message])
        return message

    return run


def test_trained_classifier_recognises_moods_and_survives_loading(
    mood_classifier_factory, model_storage, execution_context, training_data, classify
):
    classifier, resource, config = mood_classifier_factory()
    classifier.train(training_data())
    loaded = MoodClassifier.load(config, model_storage, resource, execution_context)
    assert classify(loaded, "ABSURDO!!! quero cancelar essa porcaria").get("mood")["name"] == "angry"
    assert classify(loaded, "nao entendi onde clico???").get("mood")["name"] == "confused"
    message = classify(loaded, "legal, quero saber mais")
    assert message.get("mood")["name"] == "curious"
    assert 0 < message.get("mood")["confidence"] <= 1
    assert {"entity": "mood", "value": "curious"}.items() <= message.get("entities")[-1].items()


def test_unknown_mood_label_is_a_clear_error(mood_classifier_factory, training_data):
    classifier, _, _ = mood_classifier_factory()
    data = training_data()
    data.training_examples[0].set("metadata", {"example": {"mood": "furious"}})
    with pytest.raises(ValueError, match="furious"):
        classifier.train(data)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_message_is_neutral(mood_classifier_factory, text, training_data, classify):
    classifier, _, _ = mood_classifier_factory()
    classifier.train(training_data())
    assert classify(classifier, text).get("mood") == {"name": "neutral", "confidence": 1.0}


def test_a_mood_below_its_threshold_is_neutral(mood_classifier_factory, training_data, classify):
    strict, _, _ = mood_classifier_factory(thresholds={"angry": 0.99, "confused": 0.99, "curious": 0.99})
    strict.train(training_data())
    message = classify(strict, "que absurdo, estou cansado disso")
    assert message.get("mood")["name"] == "neutral"
    ranking = {entry["name"]: entry["confidence"] for entry in message.get("mood_ranking")}
    assert set(ranking) == {"angry", "confused", "curious", "neutral"}
    assert abs(sum(ranking.values()) - 1) < 0.01


def test_a_language_threshold_replaces_the_shared_one_for_that_language_only(
    mood_classifier_factory, training_data, classify
):
    strict = {"angry": 0.99, "confused": 0.99, "curious": 0.99}
    classifier, _, _ = mood_classifier_factory(thresholds=strict, language_thresholds={"pt": {"angry": 0.2}})
    classifier.train(training_data())
    message = classify(classifier, "que absurdo, estou cansado disso")
    assert message.get("mood")["name"] == "angry", message.get("mood_ranking")
    spanish = mood_classifier_factory(thresholds=strict, language_thresholds={"es": {"angry": 0.2}})[0]
    spanish.train(training_data())
    assert classify(spanish, "que absurdo, estou cansado disso").get("mood")["name"] == "neutral"


def test_choose_mood_prefers_the_most_probable_mood_over_its_threshold():
    thresholds = {"angry": 0.6, "confused": 0.4, "curious": 0.4}
    assert choose_mood({"angry": 0.55, "confused": 0.1, "curious": 0.05, "neutral": 0.3}, thresholds)[0] == "neutral"
    assert choose_mood({"angry": 0.45, "confused": 0.42, "curious": 0.0, "neutral": 0.13}, thresholds)[0] == "confused"
    assert choose_mood({"angry": 0.7, "confused": 0.2, "curious": 0.0, "neutral": 0.1}, thresholds) == ("angry", 0.7)


def test_untrained_classifier_says_neutral(model_storage, execution_context, classify):
    from rasa.engine.storage.resource import Resource

    loaded = MoodClassifier.load(
        MoodClassifier.get_default_config(), model_storage, Resource("never_trained"), execution_context
    )
    assert classify(loaded, "QUE ABSURDO!!!").get("mood")["name"] == "neutral"


def test_style_features_see_shouting_and_question_marks():
    shouting, calm = style_features("ISSO NAO FUNCIONA!!!"), style_features("isso nao funciona")
    assert shouting[0] > 0.9 and calm[0] == 0
    assert style_features("Quero Saber") == style_features("quero saber")  # capitals that start words are not shouting
    assert style_features("como???")[3] == 1.0


@pytest.mark.parametrize(
    "text", ["x" * 10000, "😡😡😡", "<script>alert('x')</script>", "\x00\ufffd", "请问你们有免费试用吗"]
)
def test_odd_messages_get_one_of_the_four_moods(mood_classifier_factory, text, training_data, classify):
    classifier, _, _ = mood_classifier_factory()
    classifier.train(training_data())
    mood = classify(classifier, text).get("mood")
    assert mood["name"] in {"angry", "confused", "curious", "neutral"}
    assert 0 <= mood["confidence"] <= 1
