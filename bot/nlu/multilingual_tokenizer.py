"""Rasa component: split each message into words with its own language's rules.

Runs after LanguageDetector and uses spaCy's language classes: Chinese is
segmented into words by jieba, Vietnamese syllables are joined into words by
pyvi, Portuguese and Spanish use spaCy's rules.

Each token's lemma is the form featurizers should count, so that the ways
customers type one word meet: lower case without accents ("Não" and "nao"),
and Chinese in Simplified script (請問 and 请问).
"""
from __future__ import annotations

import functools
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.languages import LANGUAGES
from bot.nlu import chinese_script
from bot.nlu.language_scorer import strip_accents

DEFAULT_LANGUAGE = "pt"


@functools.lru_cache(maxsize=None)
def spacy_pipeline(language: str):
    """A blank spaCy pipeline (tokenizer only); loaded once per language."""
    import spacy

    if language == "zh":
        return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    return spacy.blank(language)


def normalise(word: str, language: str) -> str:
    """The form featurizers count for a word."""
    if language == "zh":
        return chinese_script.to_simplified(word).lower()
    return strip_accents(word.lower())


LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# A full stop says nothing about the message: as a token it would give the
# character n-grams something that comes and goes with typing.
FULL_STOPS = re.compile(r"^[.。．…]+$")


def tokenize_text(text: str, language: str) -> List[Token]:
    """Tokens with character offsets into `text`."""
    if not text.strip():
        return []
    # Lone surrogates (not text; a JSON "\ud800" can carry them) break spaCy,
    # pyvi and OpenCC: the same length of U+FFFD keeps every offset right.
    text = LONE_SURROGATE.sub("\ufffd", text)
    nlp = spacy_pipeline(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    segmented = text
    if language == "zh":
        # jieba knows Simplified words best: segment the Simplified form, so
        # both scripts split alike, and keep the customer's characters.
        simplified = chinese_script.to_simplified(text)
        if len(simplified) == len(text):
            segmented = simplified
    tokens = []
    for word in nlp(segmented):
        if word.is_space or FULL_STOPS.match(word.text):
            continue
        start, end = word.idx, word.idx + len(word.text)
        original = text[start:end]
        if segmented is text:
            lemma = normalise(original, language)
        else:  # already Simplified: no second conversion per word
            lemma = word.text.lower()
        tokens.append(Token(text=original, start=start, end=end, lemma=lemma.replace("_", " ")))
    return tokens


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class MultilingualTokenizer(Tokenizer):
    """Tokenizes by the language LanguageDetector found for the message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            # Tokenizer base options: split intent names into tokens?
            "intent_tokenization_flag": False,
            # Symbol on which intent names would be split.
            "intent_split_symbol": "_",
            # Regular expression to split tokens further (None: keep spaCy's).
            "token_pattern": None,
            # Symbol separating a prefix in intent names (None: no prefix).
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def supported_languages() -> Optional[List[Text]]:
        return None

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy", "jieba", "pyvi"]  # and opencc, see LanguageDetector

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        language = DEFAULT_LANGUAGE
        if attribute == TEXT:
            language = (message.get("language") or {}).get("name", DEFAULT_LANGUAGE)
        return self._apply_token_pattern(tokenize_text(text, language))
