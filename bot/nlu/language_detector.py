"""Rasa component: which language (and Chinese script) each message is in.

Adds to every parse result
    "language": {"name": "vi", "confidence": 0.97}          (+ "script" for zh)
and three entities, `language`, `script` and `mood`'s sibling slots read, so
the conversation's slots follow the customer (see domain.yml).

The text decides when it is clear. When it is not ("ok", "?", an emoji), the
client's hint (message metadata `language`, e.g. "pt-BR" or "zh-TW") and the
conversation's earlier language decide, so a one-word reply does not switch
a Vietnamese conversation to Spanish.
"""

from __future__ import annotations

import gzip
import json
import logging
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu import chinese_script
from bot.nlu.language_scorer import (
    LANGUAGES,
    LangdetectVoter,
    LanguageGuess,
    LanguageScorer,
    Lexicon,
    borrowed_english_words,
    build_lexicons,
    word_counts,
    word_pairs,
)

logger = logging.getLogger(__name__)

LANGUAGE = "language"
SCRIPT = "script"
LATIN = "Latn"
LEXICON_FILE = "lexicons.json.gz"
# Share of the message's words found in any language's word list; 0 means
# nothing we can read ("qwzx vbnm"). Not in the parse output; the
# IntentClassifier reads it.
KNOWN_WORD_SHARE = "known_word_share"

# Region and script subtags of a browser language that tell the script.
_HINT_SCRIPTS = {
    "tw": chinese_script.TRADITIONAL,
    "hk": chinese_script.TRADITIONAL,
    "mo": chinese_script.TRADITIONAL,
    "hant": chinese_script.TRADITIONAL,
    "cn": chinese_script.SIMPLIFIED,
    "sg": chinese_script.SIMPLIFIED,
    "hans": chinese_script.SIMPLIFIED,
}


def parse_hint(hint: Any) -> Tuple[Optional[str], Optional[str]]:
    """ "pt-BR" -> ("pt", None); "zh-TW" -> ("zh", "Hant"); junk -> (None, None)."""
    if not isinstance(hint, str):
        return None, None
    parts = hint.strip().lower().replace("_", "-").split("-")
    language = parts[0]
    if language not in LANGUAGES:
        return None, None
    if language != "zh":
        return language, None
    scripts = [_HINT_SCRIPTS[part] for part in parts[1:] if part in _HINT_SCRIPTS]
    return language, (scripts[0] if scripts else None)


def labelled_language(example: Message) -> Optional[str]:
    """The language a training example is labelled with (intent block or example metadata)."""
    metadata = example.get(METADATA) or {}
    for level in ("example", "intent"):
        language = (metadata.get(level) or {}).get(LANGUAGE)
        if language in LANGUAGES:
            return language
    return None


def previous_language(tracker: Optional[DialogueStateTracker]) -> Tuple[Optional[str], Optional[str]]:
    """The language and script of the conversation's latest parsed message."""
    if tracker is None:
        return None, None
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            language = (event.parse_data or {}).get(LANGUAGE) or {}
            if language.get("name") in LANGUAGES:
                return language["name"], language.get(SCRIPT)
    return None, None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class LanguageDetector(GraphComponent):
    """Detects pt, es, vi or zh (and Hans/Hant) for each message."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # How many of the most frequent words of each language to keep.
            "lexicon_size": 120000,
            # Weight of the training examples' own words (labelled with their
            # language: `metadata: {language: pt}` on each intent block) beside
            # wordfreq's lists; 0 leaves them out.
            "training_word_weight": 0.5,
            # Prior weight of the client's language hint against the others.
            "hint_weight": 4.0,
            # Prior weight of the conversation's earlier language.
            "history_weight": 50.0,
            # Add `language`, `script` entities so slots can follow them.
            "add_entities": True,
        }

    @staticmethod
    def supported_languages() -> Optional[List[str]]:
        return None  # the point of this component is that there is no one language

    @staticmethod
    def required_packages() -> List[str]:
        # opencc is left out: Rasa looks packages up by import name and by
        # distribution name, and for opencc the two differ.
        return ["langdetect", "wordfreq"]

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        lexicons: Optional[Dict[str, Lexicon]] = None,
        borrowed_english: FrozenSet[str] = frozenset(),
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._scorer = LanguageScorer(lexicons, LangdetectVoter(), borrowed_english) if lexicons else None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageDetector:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Build the word lists from wordfreq and the labelled training
        examples once and store them in the model."""
        texts: Dict[str, List[str]] = {}
        for example in training_data.training_examples:
            language = labelled_language(example)
            if language and example.get(TEXT):
                texts.setdefault(language, []).append(example.get(TEXT))
        lexicons = build_lexicons(
            self._config["lexicon_size"],
            {language: word_counts(found) for language, found in texts.items()},
            self._config["training_word_weight"],
            {language: word_pairs(found) for language, found in texts.items()},
        )
        borrowed_english = borrowed_english_words()
        with self._model_storage.write_to(self._resource) as directory:
            with gzip.open(directory / LEXICON_FILE, "wt", encoding="utf-8") as f:
                json.dump(
                    {
                        "lexicons": {k: v.to_dict() for k, v in lexicons.items()},
                        "borrowed_english": sorted(borrowed_english),
                    },
                    f,
                )
        self._scorer = LanguageScorer(lexicons, LangdetectVoter(), borrowed_english)
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanguageDetector:
        with model_storage.read_from(resource) as directory:
            with gzip.open(directory / LEXICON_FILE, "rt", encoding="utf-8") as f:
                data = json.load(f)
        lexicons = {k: Lexicon.from_dict(v) for k, v in data["lexicons"].items()}
        return cls(config, model_storage, resource, lexicons, frozenset(data["borrowed_english"]))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # The tokenizer after us needs each example's language: the label
        # where the training data has one, else what the text says.
        for example in training_data.training_examples:
            if not example.get(TEXT):
                continue
            language = labelled_language(example)
            if language:
                example.set(LANGUAGE, {"name": language, "confidence": 1.0}, add_to_output=True)
                example.set(KNOWN_WORD_SHARE, 1.0)
            else:
                self._annotate(example, None)
        return training_data

    def process(self, messages: List[Message], tracker: Optional[DialogueStateTracker] = None) -> List[Message]:
        for message in messages:
            self._annotate(message, tracker)
        return messages

    def guess(
        self,
        text: str,
        hint: Any = None,
        tracker: Optional[DialogueStateTracker] = None,
    ) -> Tuple[LanguageGuess, Optional[str]]:
        """The language guess and the script to answer in."""
        hint_language, hint_script = parse_hint(hint)
        earlier_language, earlier_script = previous_language(tracker)
        prior = {language: 1.0 for language in LANGUAGES}
        if hint_language:
            prior[hint_language] *= self._config["hint_weight"]
        if earlier_language:
            prior[earlier_language] *= self._config["history_weight"]
        assert self._scorer is not None  # trained or loaded before processing
        guess = self._scorer.guess(text, prior)
        script = None
        if guess.language == "zh":
            script = (
                guess.script
                or (earlier_script if earlier_language == "zh" else None)
                or hint_script
                or chinese_script.SIMPLIFIED
            )
        return guess, script

    def _annotate(self, message: Message, tracker: Optional[DialogueStateTracker]) -> None:
        metadata = message.get(METADATA) or {}
        hint = metadata.get(LANGUAGE) if isinstance(metadata, dict) else None
        guess, script = self.guess(message.get(TEXT) or "", hint, tracker)
        result: Dict[str, Any] = {
            "name": guess.language,
            "confidence": round(guess.confidence, 4),
        }
        if script:
            result[SCRIPT] = script
        message.set(LANGUAGE, result, add_to_output=True)
        message.set(KNOWN_WORD_SHARE, self._scorer.known_share(message.get(TEXT) or ""))  # type: ignore[union-attr]
        if self._config["add_entities"]:
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") not in (LANGUAGE, SCRIPT)]
            entities.append(_entity(LANGUAGE, guess.language, guess.confidence))
            entities.append(_entity(SCRIPT, script or LATIN, guess.confidence))
            message.set(ENTITIES, entities, add_to_output=True)


def _entity(name: str, value: str, confidence: float) -> Dict[str, Any]:
    return {
        "entity": name,
        "value": value,
        "start": 0,
        "end": 0,
        "confidence_entity": round(confidence, 4),
        "extractor": LanguageDetector.__name__,
    }
