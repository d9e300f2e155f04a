"""Rasa component: split each message into words with its own language's rules.

Runs after LanguageDetector; the splitting itself (spaCy, jieba, pyvi, and
each word's lemma) is bot/nlu/words.py, which the knowledge base shares.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.words import DEFAULT_LANGUAGE, split_words


def tokenize_text(text: str, language: str) -> List[Token]:
    """Rasa tokens with character offsets into `text`."""
    return [Token(text=w.text, start=w.start, end=w.end, lemma=w.lemma) for w in split_words(text, language)]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MultilingualTokenizer(Tokenizer):
    """Tokenizes by the language LanguageDetector found for the message."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
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
    def supported_languages() -> Optional[List[str]]:
        return None

    @staticmethod
    def required_packages() -> List[str]:
        return ["spacy", "jieba", "pyvi"]  # and opencc, see LanguageDetector

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        text = message.get(attribute) or ""
        language = DEFAULT_LANGUAGE
        if attribute == TEXT:
            language = (message.get("language") or {}).get("name", DEFAULT_LANGUAGE)
        return self._apply_token_pattern(tokenize_text(text, language))
