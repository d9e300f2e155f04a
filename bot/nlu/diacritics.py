"""Vietnamese typed without diacritics, with its diacritics put back.

Customers type "cho minh hoi cach doi mat khau" as often as "cho mình hỏi
cách đổi mật khẩu". The sentence encoder understands the second far better
(dev set, Vietnamese intent: 0.956 with the marks, 0.912 without), but it
must see one form whatever the customer typed, or typing changes the
answer. So every Vietnamese message is stripped and then restored here:
both typings reach the encoder as the same, mostly correct, accented text.

The restoration itself is bot/nlu/diacritic_restorer.py; this component
builds its tables from the accented training examples.
"""

from __future__ import annotations

import gzip
import json
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.diacritic_restorer import DiacriticRestorer

# Message attribute (not in the parse output) the SentenceEncoder reads
# instead of the text when it is set.
ENCODER_TEXT = "encoder_text"
TABLES_FILE = "diacritics.json.gz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class VietnameseDiacritics(GraphComponent):
    """Gives the encoder each Vietnamese message with its diacritics restored."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    @staticmethod
    def supported_languages() -> Optional[List[str]]:
        return None

    @staticmethod
    def required_packages() -> List[str]:
        return ["wordfreq"]

    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        restorer: Optional[DiacriticRestorer] = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._restorer = restorer

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> VietnameseDiacritics:
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self._restorer = DiacriticRestorer.build(
            example.get(TEXT)
            for example in training_data.training_examples
            if _language(example) == "vi" and example.get(TEXT)
        )
        with self._model_storage.write_to(self._resource) as directory:
            with gzip.open(directory / TABLES_FILE, "wt", encoding="utf-8") as f:
                json.dump(self._restorer.to_dict(), f)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> VietnameseDiacritics:
        with model_storage.read_from(resource) as directory:
            with gzip.open(directory / TABLES_FILE, "rt", encoding="utf-8") as f:
                return cls(model_storage, resource, DiacriticRestorer.from_dict(json.load(f)))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text and self._restorer is not None and _language(message) == "vi":
                message.set(ENCODER_TEXT, self._restorer.restore(text))
        return messages


def _language(message: Message) -> Optional[str]:
    return (message.get("language") or {}).get("name")
