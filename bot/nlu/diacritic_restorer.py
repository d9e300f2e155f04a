"""Put Vietnamese diacritics back on text typed without them.

Restoration is a syllable bigram model decoded with Viterbi: for each bare
syllable the candidates are the accented syllables that strip to it;
unigram frequencies come from `wordfreq`'s Vietnamese list, bigram counts
from accented text of ours (training examples, knowledge-base articles),
which knows help-desk phrases ("mật khẩu", "đơn hàng", "hoàn tiền").

Used by the NLU (bot/nlu/diacritics.py) and by the knowledge base's search
(bot/kb/service.py); this module does not import Rasa.
"""

from __future__ import annotations

import math
import re
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

from bot.nlu.language_scorer import VIETNAMESE_LETTERS, strip_accents

# Words as \w runs, so a code such as "DH20931" stays one token, kept as typed.
_TOKEN = re.compile(r"\w+|\W+", re.UNICODE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_START = "<s>"
# Witten-Bell weight of the distinct followers of a syllable (dev set: 4).
BIGRAM_WEIGHT = 4.0
# Weight of our own text's syllable counts beside wordfreq's.
OWN_TEXT_WEIGHT = 0.5
MAX_CANDIDATES = 12  # forms of one bare syllable kept, most frequent first
UNSEEN = 1e-9


def has_diacritics(text: str) -> bool:
    return any(c in VIETNAMESE_LETTERS for c in text.lower())


def syllables(text: str) -> List[str]:
    return _WORD.findall(text.lower())


class DiacriticRestorer:
    """Puts Vietnamese diacritics back on bare syllables."""

    def __init__(self, unigrams: Mapping[str, float], bigrams: Mapping[str, int]) -> None:
        self.unigrams = dict(unigrams)
        self.bigrams = dict(bigrams)  # "prev next" -> count
        self._context: Dict[str, int] = {}
        self._followers: Dict[str, int] = {}
        for pair, count in self.bigrams.items():
            first = pair.split(" ", 1)[0]
            self._context[first] = self._context.get(first, 0) + count
            self._followers[first] = self._followers.get(first, 0) + 1
        forms: Dict[str, List[str]] = {}
        for form in self.unigrams:
            forms.setdefault(strip_accents(form), []).append(form)
        self._forms = {
            bare: sorted(found, key=lambda f: -self.unigrams[f])[:MAX_CANDIDATES] for bare, found in forms.items()
        }

    @classmethod
    def build(cls, texts: Iterable[str]) -> DiacriticRestorer:
        """From wordfreq's Vietnamese list and accented texts of ours."""
        import wordfreq

        unigrams: Dict[str, float] = {
            word: frequency
            for word, frequency in wordfreq.get_frequency_dict("vi", "best").items()
            if _WORD.fullmatch(word)
        }
        own: Dict[str, int] = {}
        bigrams: Dict[str, int] = {}
        for text in texts:
            if not has_diacritics(text):
                continue  # bare text would teach bare forms
            for sentence in re.split(r"[.!?;,:\n()\"]+", text):
                previous = _START
                for syllable in syllables(sentence):
                    own[syllable] = own.get(syllable, 0) + 1
                    key = f"{previous} {syllable}"
                    bigrams[key] = bigrams.get(key, 0) + 1
                    previous = syllable
        total = sum(own.values()) or 1
        for syllable, count in own.items():
            unigrams[syllable] = unigrams.get(syllable, 0.0) + OWN_TEXT_WEIGHT * count / total
        return cls(unigrams, bigrams)

    def to_dict(self) -> Dict[str, Dict]:
        return {"unigrams": self.unigrams, "bigrams": self.bigrams}

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping]) -> DiacriticRestorer:
        return cls(data["unigrams"], data["bigrams"])

    def restore(self, text: str) -> str:
        """`text` without its marks, then with the likeliest marks put back.

        Lower case; what is not a Vietnamese syllable (an English word, a
        number, punctuation) stays as it was.
        """
        tokens = _TOKEN.findall(strip_accents(text).lower())
        restored = list(tokens)
        run: List[int] = []  # token indexes of consecutive words
        for index, token in enumerate(tokens + [" . "]):
            if _WORD.fullmatch(token):
                run.append(index)
                continue
            if token.strip() or index == len(tokens):
                self._restore_run(tokens, run, restored)  # punctuation breaks the context
                run = []
        return "".join(restored)

    def _restore_run(self, tokens: List[str], run: List[int], restored: List[str]) -> None:
        if not run:
            return
        words = [tokens[i] for i in run]
        for i, form in zip(run, self._decode(words)):
            restored[i] = form

    def _decode(self, words: List[str]) -> List[str]:
        # Viterbi over candidate forms; best[form] = (log score, path).
        best: Dict[str, Tuple[float, List[str]]] = {_START: (0.0, [])}
        for word in words:
            candidates = self._forms.get(word) or [word]
            step: Dict[str, Tuple[float, List[str]]] = {}
            for form in candidates:
                unigram = self.unigrams.get(form, UNSEEN)
                choice: Optional[Tuple[float, List[str]]] = None
                for previous, (score, path) in best.items():
                    total = score + math.log(self._probability(previous, form, unigram))
                    if choice is None or total > choice[0]:
                        choice = (total, path)
                assert choice is not None  # `best` is never empty
                step[form] = (choice[0], choice[1] + [form])
            best = step
        return max(best.values(), key=lambda item: item[0])[1]

    def _probability(self, previous: str, form: str, unigram: float) -> float:
        context = self._context.get(previous, 0)
        if not context:
            return unigram
        # Witten-Bell: a context followed by many different words leaves
        # more to the unigram.
        weight = context / (context + BIGRAM_WEIGHT * self._followers[previous])
        seen = self.bigrams.get(f"{previous} {form}", 0) / context
        return weight * seen + (1 - weight) * unigram
