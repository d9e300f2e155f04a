"""Rasa component: how the customer feels, independent of what they want.

Adds to every parse result `"mood": {"name": "angry", "confidence": 0.91}`
(angry, confused, curious or neutral), `mood_ranking` (every mood's
probability) and a `mood` entity for the slot.

Neutral is the default: a logistic regression over the same sparse and
dense sentence features as the intent (bot/nlu/sentence_features.py) and
how the message is typed (capitals, !!!, ???) gives each mood a
probability, and another mood than neutral is reported only when its
probability reaches that mood's threshold. The thresholds are chosen on the
dev set for precision (`python -m bot.evaluate tests/eval/dev.yml
--tune-moods`): a false "angry" apologises to a calm customer and can hand
them over to a person. Trained from each example's `metadata: {mood: ...}`.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import linear_model
from bot.nlu.linear_model import LinearScores
from bot.nlu.sentence_features import KINDS, feature_matrix, feature_widths

logger = logging.getLogger(__name__)

MOOD = "mood"
MOOD_RANKING = "mood_ranking"
MOODS = ("angry", "confused", "curious", "neutral")
NEUTRAL = "neutral"
MODEL_FILE = "mood_classifier.skops"


def mood_label(message: Message) -> Optional[str]:
    """The mood a training example is labelled with, if any."""
    metadata = message.get(METADATA) or {}
    for level in ("example", "intent"):
        mood = (metadata.get(level) or {}).get(MOOD)
        if mood:
            return mood
    return None


# Letters after the first of a word: capitals there are shouting, while a
# capital at the start of a word or sentence is only correct writing.
_INNER_LETTER = re.compile(r"(?<=[^\W\d_])[^\W\d_]", re.UNICODE)


def style_features(text: str) -> List[float]:
    """How it is typed: shouting, exclamations, questions.

    Length is left out on purpose: long rants are angry in the training data,
    but a long, polite message is not, and length would teach the opposite.
    """
    letters = _INNER_LETTER.findall(text)
    upper = sum(1 for c in letters if c.isupper())
    caps_share = upper / len(letters) if len(letters) >= 4 else 0.0
    return [
        caps_share,
        min(text.count("!") + text.count("！"), 5) / 5,
        min(text.count("?") + text.count("？"), 5) / 5,
        1.0 if re.search(r"[?？]{2,}", text) else 0.0,
        1.0 if re.search(r"[!！]{2,}", text) else 0.0,
    ]


def style_matrix(texts: List[str], weight: float) -> np.ndarray:
    return np.array([style_features(t) for t in texts], dtype=np.float64).reshape(len(texts), -1) * weight


def choose_mood(probabilities: Dict[str, float], thresholds: Dict[str, float]) -> Tuple[str, float]:
    """The most probable mood among those at or above their threshold, else neutral."""
    candidates = [(p, mood) for mood, p in probabilities.items() if mood != NEUTRAL and p >= thresholds.get(mood, 0.5)]
    if not candidates:
        return NEUTRAL, probabilities.get(NEUTRAL, 1.0)
    p, mood = max(candidates)
    return mood, p


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class MoodClassifier(GraphComponent):
    """Classifies each message as angry, confused, curious or neutral."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # Which sentence features to use: "sparse" (n-gram counts), "dense" (meaning).
            "features": ["sparse", "dense"],
            # Weight of the dense vector against the (unit-length) counts.
            "dense_weight": 1.0,
            # Languages whose sentence vectors get weights of their own (see
            # sentence_features.feature_matrix).
            "own_dense_languages": ["vi"],
            # Weight of the typing features (capitals, !!, ??).
            "style_weight": 1.0,
            # Inverse regularisation strength of the logistic regression.
            "C": 10.0,
            # saga: as accurate here as lbfgs, and 4-5 times faster on the
            # training examples' unit-length rows.
            "solver": "saga",
            # Stopping tolerance of the solver: at 1e-2 it stopped so early that
            # any change to the data moved the dev figures by a point or two.
            "tol": 1e-3,
            # Probability a mood needs to be reported instead of neutral.
            "thresholds": {"angry": 0.5, "confused": 0.5, "curious": 0.5},
            # Per language, thresholds that replace those above (the same
            # probability is not as sure a sign of anger in every language).
            "language_thresholds": {},
            # Add a `mood` entity so the `mood` slot follows the customer.
            "add_entities": True,
        }

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn", "skops"]

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
    ) -> MoodClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if config["C"] <= 0:
            raise ValueError("MoodClassifier: 'C' must be positive.")
        if set(config["features"]) - set(KINDS):
            raise ValueError(f"MoodClassifier: 'features' must list some of {', '.join(KINDS)}.")
        for where, thresholds in [("thresholds", config["thresholds"])] + [
            (f"language_thresholds.{language}", found)
            for language, found in (config.get("language_thresholds") or {}).items()
        ]:
            unknown = set(thresholds) - (set(MOODS) - {NEUTRAL})
            if unknown:
                raise ValueError(f"MoodClassifier: {where} are for angry, confused and curious; got {sorted(unknown)}.")

    def _matrix(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        style = style_matrix([m.get(TEXT) or "" for m in messages], self._config["style_weight"])
        return feature_matrix(
            messages,
            self._config["features"],
            self._config["dense_weight"],
            self._widths,
            style,
            self._config["own_dense_languages"],
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.training_examples if m.get(TEXT) and mood_label(m)]
        labels: List[str] = [mood_label(m) or NEUTRAL for m in examples]  # (all labelled, as filtered above)
        unknown = set(labels) - set(MOODS)
        if unknown:
            raise ValueError(
                f"MoodClassifier: unknown mood label(s) {sorted(unknown)} in the "
                f"training data; use one of {', '.join(MOODS)}."
            )
        if len(set(labels)) < 2:
            logger.warning("MoodClassifier: fewer than two moods labelled; not trained.")
            return self._resource
        self._widths = feature_widths(examples)
        self._model = linear_model.fit("MoodClassifier", self._config, self._matrix(examples), labels, max_iter=2000)
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
    ) -> MoodClassifier:
        try:
            model, widths = linear_model.load(model_storage, resource, MODEL_FILE)
        except (ValueError, FileNotFoundError) as error:
            logger.warning(f"MoodClassifier: no usable trained model ({error}); every mood is neutral.")
            model, widths = None, None
        return cls(config, model_storage, resource, model, widths)

    def probabilities(self, messages: List[Message]) -> List[Dict[str, float]]:
        """Every mood's probability for each message (neutral for an empty one)."""
        rows: List[Dict[str, float]] = [{NEUTRAL: 1.0} for _ in messages]
        if self._scores is None:
            return rows
        readable = [i for i, m in enumerate(messages) if (m.get(TEXT) or "").strip()]
        if readable:
            predicted = self._scores.probabilities(self._matrix([messages[i] for i in readable]))
            for i, row in zip(readable, predicted):
                rows[i] = {mood: round(float(p), 4) for mood, p in zip(self._scores.classes, row)}
        return rows

    def thresholds(self, language: Optional[str]) -> Dict[str, float]:
        """The mood thresholds for a message in `language`."""
        own = (self._config.get("language_thresholds") or {}).get(language) or {}
        return {**self._config["thresholds"], **own}

    def process(self, messages: List[Message]) -> List[Message]:
        for message, probabilities in zip(messages, self.probabilities(messages)):
            language = (message.get("language") or {}).get("name")
            name, confidence = choose_mood(probabilities, self.thresholds(language))
            message.set(MOOD, {"name": name, "confidence": confidence}, add_to_output=True)
            ranking = sorted(probabilities.items(), key=lambda item: -item[1])
            message.set(MOOD_RANKING, [{"name": m, "confidence": p} for m, p in ranking], add_to_output=True)
            if self._config["add_entities"]:
                entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != MOOD]
                entities.append(
                    {
                        "entity": MOOD,
                        "value": name,
                        "start": 0,
                        "end": 0,
                        "confidence_entity": confidence,
                        "extractor": self.__class__.__name__,
                    }
                )
                message.set(ENTITIES, entities, add_to_output=True)
        return messages
