"""Rasa component: every training example also as customers type it otherwise.

At training time each example is added again, with the same intent and mood,
with its final punctuation removed (or a full stop added), with its first
letter in lower case, without accents or diacritics, and for Chinese in the
other script. Typography then cannot carry a label: before this, a final
full stop made one neutral message in five angry, because the angry
examples were the ones written as full sentences.

At prediction time the component does nothing.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Dict, Iterator, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import chinese_script
from bot.nlu.language_scorer import strip_accents

_FINAL_PUNCTUATION = re.compile(r"[.!?。！？…]+\s*$")


def toggle_final_punctuation(text: str) -> str:
    """Without its final punctuation, or with a full stop if it had none."""
    text = text.rstrip()
    if _FINAL_PUNCTUATION.search(text):
        return _FINAL_PUNCTUATION.sub("", text).rstrip()
    return text + ("。" if chinese_script.han_count(text) else ".")


def lower_first(text: str) -> str:
    """The first letter in lower case ("¿Tienen" -> "¿tienen")."""
    match = re.search(r"[^\W\d_]", text)
    if not match:
        return text
    i = match.start()
    return text[:i] + text[i].lower() + text[i + 1 :]


def other_script(text: str) -> str:
    """Chinese in the other script; anything else unchanged."""
    if not chinese_script.han_count(text):
        return text
    if chinese_script.detect_script(text) == chinese_script.TRADITIONAL:
        return chinese_script.to_simplified(text)
    return chinese_script.to_traditional(text)


VARIANTS = {
    "punctuation": toggle_final_punctuation,
    "lower_first": lower_first,
    "no_accents": strip_accents,
    "other_script": other_script,
}


def variants_of(text: str) -> Iterator[str]:
    """The distinct other ways of typing `text`."""
    seen = {text}
    for change in VARIANTS.values():
        variant = change(text)
        if variant.strip() and variant not in seen:
            seen.add(variant)
            yield variant


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class TypingVariants(GraphComponent):
    """Adds each training example's typing variants to the training data."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @staticmethod
    def supported_languages() -> Optional[List[str]]:
        return None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TypingVariants:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        examples = list(training_data.training_examples)
        texts = {m.get(TEXT) for m in examples if m.get(TEXT)}
        added: List[Message] = []
        for message in examples:
            text = message.get(TEXT)
            if not text:
                continue
            for variant in variants_of(text):
                if variant in texts:  # already an example of its own
                    continue
                texts.add(variant)
                data = copy.deepcopy(message.data)
                data[TEXT] = variant
                added.append(Message(data=data, output_properties=set(message.output_properties)))
        return TrainingData(
            training_examples=examples + added,
            entity_synonyms=training_data.entity_synonyms,
            regex_features=training_data.regex_features,
            lookup_tables=training_data.lookup_tables,
            responses=training_data.responses,
        )

    def process(self, messages: List[Message]) -> List[Message]:
        return messages
