"""Rasa component: Rasa's LogisticRegressionClassifier, safe on messages it
cannot read.

Two kinds of message get no intent here, so the FallbackClassifier after it
answers "I did not understand" instead of a confident guess:
- no features at all (empty, only spaces): Rasa 3.6's classifier raises on
  them, as scikit-learn refuses a row with zero columns;
- words that no language's word list has ("qwzx vbnm"): a linear model
  still spreads its probability over the intents and may pick one with
  high confidence.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.language_detector import KNOWN_WORD_SHARE


def _readable(message: Message) -> bool:
    return message.features_present(TEXT) and message.get(KNOWN_WORD_SHARE, 1.0) > 0


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class IntentClassifier(LogisticRegressionClassifier):
    """Logistic regression over the featurizers' sparse features."""

    def process(self, messages: List[Message]) -> List[Message]:
        readable = [m for m in messages if _readable(m)]
        if readable:
            super().process(readable)
        for message in messages:
            if not _readable(message):
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
