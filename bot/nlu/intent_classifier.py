"""Rasa component: what the customer wants, from word counts and meaning.

A logistic regression over the sparse word and character n-gram features
and the dense sentence vector together (bot/nlu/sentence_features.py).

Two kinds of message get no intent here, so the FallbackClassifier after it
answers "I did not understand" instead of a confident guess:
- no features at all (empty, only spaces);
- words that no language's word list has ("qwzx vbnm"): a linear model
  still spreads its probability over the intents and may pick one with
  high confidence.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import linear_model
from bot.nlu.language_detector import KNOWN_WORD_SHARE
from bot.nlu.linear_model import LinearScores
from bot.nlu.sentence_features import KINDS, feature_matrix, feature_widths

logger = logging.getLogger(__name__)

MODEL_FILE = "intent_classifier.skops"


def readable(message: Message) -> bool:
    if not (message.get(TEXT) or "").strip():
        return False
    return message.get(KNOWN_WORD_SHARE, 1.0) > 0


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class IntentClassifier(GraphComponent):
    """Logistic regression over sparse and dense sentence features."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # Which features to use: "sparse" (n-gram counts), "dense" (meaning).
            "features": ["sparse", "dense"],
            # Weight of the dense vector against the (unit-length) counts.
            "dense_weight": 1.0,
            # Languages whose sentence vectors get weights of their own (see
            # sentence_features.feature_matrix).
            "own_dense_languages": ["vi"],
            # Inverse regularisation strength of the logistic regression.
            "C": 10.0,
            # saga: as accurate here as lbfgs, and 4-5 times faster on the
            # training examples' unit-length rows.
            "solver": "saga",
            # Stopping tolerance of the solver: at 1e-2 it stopped so early that
            # any change to the data moved the dev figures by a point or two.
            "tol": 1e-3,
            # Iterations of the solver.
            "max_iter": 1000,
            # How many intents the ranking in the parse result lists.
            "ranking_length": 10,
        }

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn", "skops"]

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        unknown = set(config["features"]) - set(KINDS)
        if unknown or not config["features"]:
            raise ValueError(
                f"IntentClassifier: 'features' must list some of {', '.join(KINDS)}; got {config['features']}."
            )
        if config["C"] <= 0:
            raise ValueError("IntentClassifier: 'C' must be positive.")

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Any = None,
        widths: Optional[Dict[str, int]] = None,
    ) -> None:
        self.validate_config(config)
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model
        self._scores = LinearScores(model) if model is not None else None
        self._widths = widths or {}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentClassifier:
        return cls(config, model_storage, resource)

    def _matrix(self, messages: List[Message]) -> Any:
        return feature_matrix(
            messages,
            self._config["features"],
            self._config["dense_weight"],
            self._widths,
            own_dense_languages=self._config["own_dense_languages"],
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(INTENT) and m.get(TEXT)]
        if len({m.get(INTENT) for m in examples}) < 2:
            logger.warning("IntentClassifier: fewer than two intents in the training data; not trained.")
            return self._resource
        self._widths = feature_widths(examples)
        self._model = linear_model.fit(
            "IntentClassifier",
            self._config,
            self._matrix(examples),
            [m.get(INTENT) for m in examples],
            max_iter=self._config["max_iter"],
        )
        self._scores = LinearScores(self._model)
        linear_model.save(self._model_storage, self._resource, MODEL_FILE, self._model, self._widths)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentClassifier:
        try:
            model, widths = linear_model.load(model_storage, resource, MODEL_FILE)
        except (ValueError, FileNotFoundError) as error:
            logger.warning(f"IntentClassifier: no usable trained model ({error}); every message falls back.")
            model, widths = None, None
        return cls(config, model_storage, resource, model, widths)

    def process(self, messages: List[Message]) -> List[Message]:
        known = [m for m in messages if readable(m)] if self._scores is not None else []
        if known and self._scores is not None:
            probabilities = self._scores.probabilities(self._matrix(known))
            for message, row in zip(known, probabilities):
                ranking = sorted(
                    ({"name": name, "confidence": float(p)} for name, p in zip(self._scores.classes, row)),
                    key=lambda entry: -float(entry["confidence"]),  # type: ignore[arg-type]
                )
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking[: self._config["ranking_length"]], add_to_output=True)
        answered = {id(m) for m in known}
        for message in messages:
            if id(message) not in answered:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
