"""Rasa component: how the customer feels, independent of what they want.

Adds to every parse result `"mood": {"name": "angry", "confidence": 0.91}`
(angry, confused, curious or neutral) and a `mood` entity for the slot.

Trained from each training example's metadata (`metadata: {mood: angry}` in
data/nlu/<lang>/*.yml) with a logistic regression over the words the
MultilingualTokenizer found, character n-grams (for typos and unsegmented
writing) and how the message is typed (capitals, !!!, ???), which says as
much about mood as the words do.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

MOOD = "mood"
MOODS = ("angry", "confused", "curious", "neutral")
NEUTRAL = "neutral"
MODEL_FILE = "mood_classifier.skops"
# The only types our saved model may contain beyond what skops trusts by
# itself; a file asking for anything else is refused, not executed.
TRUSTED_TYPES = {"bot.nlu.mood_classifier.style_matrix", "scipy.sparse._csr.csr_matrix"}


def mood_label(message: Message) -> Optional[str]:
    """The mood a training example is labelled with, if any."""
    metadata = message.get(METADATA) or {}
    for level in ("example", "intent"):
        mood = (metadata.get(level) or {}).get(MOOD)
        if mood:
            return mood
    return None


def words_of(message: Message) -> str:
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    return " ".join(token.lemma or token.text for token in tokens)


_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def style_features(text: str) -> List[float]:
    """How it is typed: shouting, exclamations, questions.

    Length is left out on purpose: long rants are angry in the training data,
    but a long, polite message is not, and length would teach the opposite.
    """
    letters = _LETTER.findall(text)
    upper = sum(1 for c in letters if c.isupper())
    caps_share = upper / len(letters) if len(letters) >= 4 else 0.0
    return [
        caps_share,
        min(text.count("!") + text.count("！"), 5) / 5,
        min(text.count("?") + text.count("？"), 5) / 5,
        1.0 if re.search(r"[?？]{2,}", text) else 0.0,
        1.0 if re.search(r"[!！]{2,}", text) else 0.0,
    ]


def style_matrix(texts: np.ndarray) -> np.ndarray:
    # Scaled up so a few style columns can weigh against thousands of n-grams.
    return np.array([style_features(t) for t in texts]) * 3


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class MoodClassifier(GraphComponent):
    """Classifies each message as angry, confused, curious or neutral."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Inverse regularisation strength of the logistic regression.
            "C": 10.0,
            # Character n-gram lengths over the normalised text.
            "char_ngram_min": 1,
            "char_ngram_max": 4,
            # Add a `mood` entity so the `mood` slot follows the customer.
            "add_entities": True,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["sklearn", "skops"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Any = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MoodClassifier:
        return cls(config, model_storage, resource)

    @classmethod
    def validate_config(cls, config: Dict[Text, Any]) -> None:
        if config["C"] <= 0:
            raise ValueError("MoodClassifier: 'C' must be positive.")

    def _build_model(self) -> Any:
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import FunctionTransformer

        features = ColumnTransformer(
            [
                (
                    "words",
                    TfidfVectorizer(
                        token_pattern=r"(?u)[^\s]+", ngram_range=(1, 2), sublinear_tf=True
                    ),
                    0,
                ),
                (
                    "characters",
                    TfidfVectorizer(
                        analyzer="char_wb",
                        ngram_range=(
                            self._config["char_ngram_min"],
                            self._config["char_ngram_max"],
                        ),
                        sublinear_tf=True,
                        min_df=2,
                    ),
                    0,
                ),
                (
                    "style",
                    FunctionTransformer(style_matrix),
                    1,
                ),
            ]
        )
        return Pipeline(
            [
                ("features", features),
                (
                    "classifier",
                    LogisticRegression(
                        C=self._config["C"], class_weight="balanced", max_iter=2000
                    ),
                ),
            ]
        )

    @staticmethod
    def _rows(messages: List[Message]) -> np.ndarray:
        return np.array(
            [[words_of(m), m.get(TEXT) or ""] for m in messages], dtype=object
        )

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            m for m in training_data.training_examples if m.get(TEXT) and mood_label(m)
        ]
        unknown = {mood_label(m) for m in examples} - set(MOODS)
        if unknown:
            raise ValueError(
                f"MoodClassifier: unknown mood label(s) {sorted(unknown)} in the "
                f"training data; use one of {', '.join(MOODS)}."
            )
        if len({mood_label(m) for m in examples}) < 2:
            logger.warning("MoodClassifier: fewer than two moods labelled; not trained.")
            return self._resource
        self._model = self._build_model()
        self._model.fit(self._rows(examples), [mood_label(m) for m in examples])
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self._model, directory / MODEL_FILE)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> MoodClassifier:
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                untrusted = set(sio.get_untrusted_types(file=path))
                if not untrusted <= TRUSTED_TYPES:
                    raise ValueError(f"unexpected types in {path}: {sorted(untrusted - TRUSTED_TYPES)}")
                model = sio.load(path, trusted=sorted(untrusted))
        except (ValueError, FileNotFoundError) as error:
            logger.warning(f"MoodClassifier: no usable trained model ({error}); every mood is neutral.")
            model = None
        return cls(config, model_storage, resource, model)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            name, confidence = self._classify(message)
            message.set(MOOD, {"name": name, "confidence": confidence}, add_to_output=True)
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

    def _classify(self, message: Message) -> tuple:
        if self._model is None or not (message.get(TEXT) or "").strip():
            return NEUTRAL, 1.0
        probabilities = self._model.predict_proba(self._rows([message]))[0]
        best = int(np.argmax(probabilities))
        return str(self._model.classes_[best]), round(float(probabilities[best]), 4)
