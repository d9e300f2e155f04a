"""MoodClassifier trained from example metadata, and its outputs."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.mood_classifier import MoodClassifier, style_features
from bot.nlu.multilingual_tokenizer import tokenize_text

EXAMPLES = {
    "angry": ["ISSO E UM ABSURDO!!!", "que porcaria de sistema, quero cancelar!!", "estou furioso, ninguem resolve NADA", "PESSIMO atendimento!!!"],
    "confused": ["nao entendi, onde eu clico??", "como assim? to perdido", "nao sei o que fazer agora???", "hein? nao entendi nada"],
    "curious": ["que legal, o que mais da pra fazer?", "quero saber mais sobre os recursos", "interessante! tem demonstracao?", "me conta mais sobre o chatbot"],
    "neutral": ["qual o horario de atendimento", "preciso alterar meu email", "bom dia", "gostaria de um boleto"],
}


def training_data() -> TrainingData:
    messages = []
    for mood, texts in EXAMPLES.items():
        for text in texts:
            message = Message(data={"text": text, "intent": "x", "metadata": {"example": {"mood": mood}}})
            message.set("text_tokens", tokenize_text(text, "pt"))
            messages.append(message)
    return TrainingData(messages)


def classify(classifier, text):
    message = Message(data={"text": text, "text_tokens": tokenize_text(text, "pt")})
    classifier.process([message])
    return message


def test_trained_classifier_recognises_moods_and_survives_loading(mood_classifier_factory, model_storage, execution_context):
    classifier, resource, config = mood_classifier_factory()
    classifier.train(training_data())
    loaded = MoodClassifier.load(config, model_storage, resource, execution_context)
    assert classify(loaded, "ABSURDO!!! quero cancelar essa porcaria").get("mood")["name"] == "angry"
    assert classify(loaded, "nao entendi onde clico???").get("mood")["name"] == "confused"
    message = classify(loaded, "legal, quero saber mais")
    assert message.get("mood")["name"] == "curious"
    assert 0 < message.get("mood")["confidence"] <= 1
    assert {"entity": "mood", "value": "curious"}.items() <= message.get("entities")[-1].items()


def test_unknown_mood_label_is_a_clear_error(mood_classifier_factory):
    classifier, _, _ = mood_classifier_factory()
    data = training_data()
    data.training_examples[0].set("metadata", {"example": {"mood": "furious"}})
    with pytest.raises(ValueError, match="furious"):
        classifier.train(data)


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_message_is_neutral(mood_classifier_factory, text):
    classifier, _, _ = mood_classifier_factory()
    classifier.train(training_data())
    assert classify(classifier, text).get("mood") == {"name": "neutral", "confidence": 1.0}


def test_untrained_classifier_says_neutral(model_storage, execution_context):
    from rasa.engine.storage.resource import Resource

    loaded = MoodClassifier.load(MoodClassifier.get_default_config(), model_storage, Resource("never_trained"), execution_context)
    assert classify(loaded, "QUE ABSURDO!!!").get("mood")["name"] == "neutral"


def test_style_features_see_shouting_and_question_marks():
    shouting, calm = style_features("ISSO NAO FUNCIONA!!!"), style_features("isso nao funciona")
    assert shouting[0] > 0.9 and calm[0] == 0
    assert style_features("como???")[3] == 1.0


@pytest.mark.parametrize("text", ["x" * 10000, "😡😡😡", "<script>alert('x')</script>", "\x00\ufffd", "请问你们有免费试用吗"])
def test_odd_messages_get_one_of_the_four_moods(mood_classifier_factory, text):
    classifier, _, _ = mood_classifier_factory()
    classifier.train(training_data())
    mood = classify(classifier, text).get("mood")
    assert mood["name"] in {"angry", "confused", "curious", "neutral"}
    assert 0 <= mood["confidence"] <= 1
