"""Split text into words with its own language's rules, without Rasa.

spaCy's language classes: Chinese is segmented into words by jieba,
Vietnamese syllables are joined into words by pyvi, Portuguese and Spanish
use spaCy's rules. Each word's lemma is the form featurizers and the
knowledge-base index count, so that the ways customers type one word meet:
lower case without accents ("Não" and "nao"), and Chinese in Simplified
script (請問 and 请问).

Rasa's tokenizer (multilingual_tokenizer.py) and the knowledge base both use
this; the web server imports the knowledge base, and must not pay for Rasa.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import List

from bot.languages import LANGUAGES
from bot.nlu import chinese_script
from bot.nlu.language_scorer import strip_accents


@dataclass(frozen=True)
class Word:
    """A word of a text, with its character offsets and the form to count."""

    text: str
    start: int
    end: int
    lemma: str


DEFAULT_LANGUAGE = "pt"


@functools.cache
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


def split_words(text: str, language: str) -> List[Word]:
    """Words with character offsets into `text`."""
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
    words = []
    for word in nlp(segmented):
        if word.is_space or FULL_STOPS.match(word.text):
            continue
        start, end = word.idx, word.idx + len(word.text)
        original = text[start:end]
        # (when segmented is not text it is already Simplified: no second conversion per word)
        lemma = normalise(original, language) if segmented is text else word.text.lower()
        words.append(Word(text=original, start=start, end=end, lemma=lemma.replace("_", " ")))
    return words
