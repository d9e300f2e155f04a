"""Score which of pt, es, vi, zh a short chat message is written in.

langdetect alone is poor on chat-length text (a single word is right less
than half the time), so its character n-gram opinion is one vote among:
- writing system: Han characters mean Chinese;
- letters only one language uses (ơ ư đ ă and most tone marks are
  Vietnamese, ç ã õ Portuguese, ñ ¿ ¡ Spanish);
- word frequencies from `wordfreq`, looked up both as typed and without
  accents, because customers type "nao" and "khong" for "não" and "không";
- a short list of chat words that tell Portuguese from Spanish ("vc", "q",
  "porfa") that no corpus lists;
- word pairs only one language's training examples use ("nota fiscal",
  "de pago"): two words both languages have can still tell them apart.
Each vote is a log-likelihood; a prior (the client's hint, the
conversation's earlier language) is added before normalising, so it decides
only when the text itself does not.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple

from bot.languages import LANGUAGES
from bot.nlu import chinese_script

LATIN_LANGUAGES = ("pt", "es", "vi")

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
TAG = re.compile(r"<[^>]{0,200}>")
URL = re.compile(r"(https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)  # links, e-mail addresses

# Letters that only one of our Latin-script languages uses.
VIETNAMESE_LETTERS = set("ăắằẳẵặđơớờởỡợưứừửữựạảấầẩẫậẹẻẽếềểễệỉịọỏốồổỗộủụỳỵỷỹýĩũ")
PORTUGUESE_LETTERS = set("çãõ")
SPANISH_LETTERS = set("ñ¿¡")

# Chat words and spellings no frequency list has, per language. They only
# need to be words a customer of one language types and the other does not.
CHAT_WORDS: Dict[str, Tuple[str, ...]] = {
    "pt": (
        "vc",
        "vcs",
        "voce",
        "voces",
        "tb",
        "tbm",
        "pq",
        "nao",
        "naum",
        "eh",
        "ta",
        "to",
        "tô",
        "ne",
        "blz",
        "vlw",
        "obg",
        "obgd",
        "brigado",
        "oi",
        "ola",
        "tchau",
        "kkk",
        "kkkk",
        "rs",
        "mto",
        "mt",
        "msm",
        "agr",
        "entao",
        "tambem",
        "voceis",
        "qdo",
        "qnd",
        "cadê",
        "cade",
        "pra",
        "pro",
        "sim",
        "obrigado",
        "obrigada",
        "atendente",
        "ajuda",
        "nunca",
        "consigo",
        "funciona",
        "isso",
        "esse",
        "essa",
        "meu",
        "minha",
    ),
    "es": (
        "q",
        "xq",
        "pq",
        "porq",
        "porfa",
        "plis",
        "tmb",
        "tb",
        "tambien",
        "ud",
        "uds",
        "usted",
        "ustedes",
        "hola",
        "chau",
        "chao",
        "gracias",
        "jaja",
        "jajaja",
        "vale",
        "oye",
        "bueno",
        "xfa",
        "dnd",
        "aki",
        "aqui",
        "nadie",
        "puedo",
        "funciona",
        "eso",
        "ese",
        "esa",
        "mi",
        "mis",
        "si",
        "tengo",
        "quiero",
        "necesito",
        "ayuda",
    ),
    "vi": (
        "ko",
        "k",
        "kg",
        "khong",
        "dc",
        "đc",
        "duoc",
        "j",
        "gi",
        "ntn",
        "bn",
        "ad",
        "sp",
        "mk",
        "mik",
        "minh",
        "ban",
        "oke",
        "uk",
        "vang",
        "ak",
        "a",
        "nhe",
        "nha",
        "ha",
        "roi",
        "cam",
        "on",
        "xin",
        "chao",
        "toi",
        "em",
        "anh",
        "chi",
        "sao",
        "nao",
        "lam",
    ),
}

# Chat words every one of our languages uses alike: they tell nothing, so a
# lone "ok" is decided by the hint and the conversation, not by word lists.
SHARED_CHAT_WORDS = frozenset(
    "ok okay oki oke okie okey haha hahaha hehe hihi lol xd hmm hm uh ah oh "
    "wow bye hi hello hey thanks thank pls please sorry bot chatbot app login email "
    "mail link demo ticket csv pdf admin bug online web site".split()
)
MAX_WORD_LENGTH = 30  # past this a "word" is noise: its spelling says nothing more
UNKNOWN_WORD_CAP = 1.0  # most log-odds one unknown word may take from a language
OUT_OF_LIST_MASS = 1e-4  # share of text made of words no list has
UNACCENTED_PENALTY = 0.2  # a word typed without its accents tells less
CHAT_WORD_FREQUENCY = 1e-3
LANGDETECT_WEIGHT = 0.5
# langdetect's character statistics need a few words to be any good: on one
# or two words it is right less than two times in three.
LANGDETECT_MIN_WORDS = 3
# The most langdetect's votes can move one language against another (its
# probabilities are floored at 1e-3).
LANGDETECT_MAX_SWING = LANGDETECT_WEIGHT * -math.log(1e-3)
LETTER_BONUS = 6.0  # log-odds one telling letter adds to its language
HAN_SHARE_FOR_CHINESE = 0.4
# log-odds a word pair only one language's training examples use adds to it
# (dev set: 1.5 fixes 1 of 7 errors, 3 fixes 4, 5 no more)
PAIR_BONUS = 3.0
# English words (the most frequent) checked for borrowing: see borrowed_english_words
# (dev set: fixes "el endpoint de /tickets ... offset?" read as pt; 20,000 did not).
ENGLISH_WORDS = 50000


def strip_accents(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def clean(text: str) -> str:
    """The text a customer meant, without markup, links, addresses or odd forms."""
    text = unicodedata.normalize("NFC", text or "")
    text = URL.sub(" ", TAG.sub(" ", text))
    return text.lower()


class CharacterModel:
    """Interpolated character trigram model: how word-like a string looks.

    It prices the words no frequency list has (names, typos, rare forms)
    from the spelling habits of the language.
    """

    WEIGHTS = (0.6, 0.3, 0.09, 0.01)  # trigram, bigram, unigram, uniform

    def __init__(self, counts: Optional[Dict[str, int]] = None) -> None:
        self.counts: Dict[str, int] = counts or {}

    @classmethod
    def from_words(cls, words: Iterable[str]) -> CharacterModel:
        counts: Dict[str, int] = {}
        for word in words:
            padded = f"^^{word}$"
            for i in range(2, len(padded)):
                for n in (1, 2, 3):
                    gram = padded[i - n + 1 : i + 1]
                    counts[gram] = counts.get(gram, 0) + 1
                    context = padded[i - n + 1 : i] + "|"
                    counts[context] = counts.get(context, 0) + 1
        return cls(counts)

    def to_dict(self) -> Dict[str, int]:
        return self.counts

    def log_probability(self, word: str) -> float:
        counts = self.counts
        total = counts.get("|", 1)
        padded = f"^^{word}$"
        log_p = 0.0
        for i in range(2, len(padded)):
            p = self.WEIGHTS[3] / 100.0
            for weight, n in zip(self.WEIGHTS[:3], (3, 2, 1)):
                gram = padded[i - n + 1 : i + 1]
                context = counts.get(padded[i - n + 1 : i] + "|", 0) if n > 1 else total
                if context:
                    p += weight * counts.get(gram, 0) / context
            log_p += math.log(p)
        return log_p


@dataclass
class Lexicon:
    """Word frequencies of one language, as typed and without accents."""

    exact: Dict[str, float] = field(default_factory=dict)
    unaccented: Dict[str, float] = field(default_factory=dict)
    spelling: CharacterModel = field(default_factory=CharacterModel)
    # Word pairs (without accents) only this language's training examples
    # use: "nota fiscal", "de pago", "shop oi".
    pairs: Dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_frequencies(cls, frequencies: Mapping[str, float]) -> Lexicon:
        lexicon = cls(exact=dict(frequencies))
        for word, frequency in frequencies.items():
            bare = strip_accents(word)
            lexicon.unaccented[bare] = lexicon.unaccented.get(bare, 0.0) + frequency
        lexicon.spelling = CharacterModel.from_words(list(frequencies) + list(lexicon.unaccented))
        return lexicon

    def to_dict(self) -> Dict[str, Any]:
        return {
            "exact": self.exact,
            "spelling": self.spelling.to_dict(),
            "pairs": self.pairs,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Lexicon:
        lexicon = cls(
            exact=dict(data["exact"]),
            spelling=CharacterModel(dict(data["spelling"])),
            pairs=dict(data.get("pairs") or {}),
        )
        for word, frequency in lexicon.exact.items():
            bare = strip_accents(word)
            lexicon.unaccented[bare] = lexicon.unaccented.get(bare, 0.0) + frequency
        return lexicon

    def log_probability(self, word: str) -> float:
        bare = strip_accents(word)
        # A word typed bare may be any of its accented forms: "o" in a
        # Vietnamese chat is mostly "ở", not the rare word "o".
        frequency = self.exact.get(word, 0.0)
        if bare == word and bare in self.unaccented:
            frequency = max(frequency, self.unaccented[bare] * UNACCENTED_PENALTY)
        if frequency > 0:
            return math.log(frequency)
        if bare in self.unaccented:
            return math.log(self.unaccented[bare] * UNACCENTED_PENALTY)
        return math.log(OUT_OF_LIST_MASS) + self.spelling.log_probability(word[:MAX_WORD_LENGTH])


def word_counts(texts: Iterable[str]) -> Dict[str, int]:
    """How often each word occurs in `texts`, lower case, as typed."""
    counts: Dict[str, int] = {}
    for text in texts:
        for word in WORD.findall(chinese_script.HAN.sub(" ", clean(text))):
            if len(word) <= MAX_WORD_LENGTH and word not in SHARED_CHAT_WORDS:
                counts[word] = counts.get(word, 0) + 1
    return counts


def word_pairs(texts: Iterable[str]) -> Dict[str, int]:
    """How often each pair of adjacent words occurs in `texts`, without accents."""
    counts: Dict[str, int] = {}
    for text in texts:
        words = [strip_accents(w) for w in WORD.findall(chinese_script.HAN.sub(" ", clean(text)))]
        for pair in itertools.pairwise(words):
            key = " ".join(pair)
            counts[key] = counts.get(key, 0) + 1
    return counts


def _own_pairs(training_pairs: Mapping[str, Mapping[str, int]], language: str) -> Dict[str, int]:
    """Word pairs only `language`'s training examples use (twice or more)."""
    mine = training_pairs.get(language) or {}
    others = set().union(*(set(pairs) for other, pairs in training_pairs.items() if other != language))
    return {pair: count for pair, count in mine.items() if count >= 2 and pair not in others}


def _own_words(training_words: Mapping[str, Mapping[str, int]], language: str) -> Dict[str, float]:
    """Words only `language`'s training examples use, with their share of its words."""
    mine = training_words.get(language) or {}
    total = sum(mine.values())
    others = set().union(*(set(words) for other, words in training_words.items() if other != language))
    return {word: count / total for word, count in mine.items() if count >= 2 and word not in others}


def build_lexicons(
    max_words: int = 120000,
    training_words: Optional[Mapping[str, Mapping[str, int]]] = None,
    training_weight: float = 0.0,
    training_pairs: Optional[Mapping[str, Mapping[str, int]]] = None,
) -> Dict[str, Lexicon]:
    """Lexicons from wordfreq's lists plus our chat words (done at training).

    `training_words` (language -> word -> count, from the labelled training
    examples) adds how customers of a help desk write: "shop", "ad" and
    "tks" in Vietnamese chats, "nop" in Spanish ones, which no corpus lists.
    A word that only one language's training examples use (twice or more)
    gets at least `training_weight` times its share of that language's
    training words. Words several languages use ("sistema", "pedido") keep
    the corpus figures: which writer used them more says nothing.
    """
    import wordfreq

    lexicons = {}
    for language in LATIN_LANGUAGES:
        top = _most_frequent(wordfreq.get_frequency_dict(language, "best"), max_words)
        top = {w: f for w, f in top.items() if WORD.fullmatch(w)}
        for word in CHAT_WORDS[language]:
            top[word] = max(top.get(word, 0.0), CHAT_WORD_FREQUENCY)
        for word, share in _own_words(training_words or {}, language).items():
            top[word] = max(top.get(word, 0.0), training_weight * share)
        lexicons[language] = Lexicon.from_frequencies(top)
        lexicons[language].pairs = _own_pairs(training_pairs or {}, language)
    return lexicons


def borrowed_english_words(count: int = ENGLISH_WORDS) -> FrozenSet[str]:
    """English words of the trade customers of all three Latin languages
    borrow ("endpoint", "offset"): of English's `count` most frequent words,
    those more frequent in English than in pt, es and vi, by wordfreq."""
    import wordfreq

    others = [wordfreq.get_frequency_dict(language, "best") for language in LATIN_LANGUAGES]
    english = _most_frequent(wordfreq.get_frequency_dict("en", "best"), count)
    return frozenset(w for w, f in english.items() if all(f > other.get(w, 0.0) for other in others))


def _most_frequent(frequencies: Mapping[str, float], count: int) -> Dict[str, float]:
    return dict(sorted(frequencies.items(), key=lambda item: -item[1])[:count])


class LangdetectVoter:
    """langdetect restricted to our languages, deterministic."""

    PROFILES = ("pt", "es", "vi", "zh-cn", "zh-tw")

    def __init__(self) -> None:
        import os

        from langdetect import detector_factory

        factory = detector_factory.DetectorFactory()
        factory.seed = 0
        directory = detector_factory.PROFILES_DIRECTORY
        profiles = []
        for name in self.PROFILES:
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                profiles.append(f.read())
        factory.load_json_profile(profiles)
        self._factory = factory

    def probabilities(self, text: str) -> Dict[str, float]:
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        detector.append(text)
        try:
            found = detector.get_probabilities()
        except LangDetectException:
            return {}
        result: Dict[str, float] = {}
        for item in found:
            language = "zh" if item.lang.startswith("zh") else item.lang
            result[language] = result.get(language, 0.0) + item.prob
        return result


@dataclass
class LanguageGuess:
    language: str
    confidence: float
    script: Optional[str]
    scores: Dict[str, float]
    evidence: float  # how much the text itself said, in log-odds


class LanguageScorer:
    def __init__(
        self,
        lexicons: Mapping[str, Lexicon],
        langdetect_voter: Optional[LangdetectVoter] = None,
        borrowed_english: FrozenSet[str] = frozenset(),
    ) -> None:
        self.lexicons = lexicons
        self.langdetect = langdetect_voter
        self.borrowed_english = borrowed_english  # see borrowed_english_words

    def guess(self, text: str, prior: Optional[Mapping[str, float]] = None) -> LanguageGuess:
        """Score the text; `prior` maps languages to probabilities."""
        text = clean(text)
        prior_log_odds = {language: 0.0 for language in LANGUAGES}
        if prior:
            total = sum(prior.values()) or 1.0
            for language in LANGUAGES:
                prior_log_odds[language] = math.log(max(prior.get(language, 0.0) / total, 0.01))
        log_odds = self._text_log_odds(text, prior_log_odds)
        evidence = _spread(log_odds)
        for language in LANGUAGES:
            log_odds[language] += prior_log_odds[language]
        probabilities = _softmax(log_odds)
        language = max(probabilities.items(), key=lambda item: item[1])[0]
        script = chinese_script.detect_script(text) if language == "zh" else None
        return LanguageGuess(
            language=language,
            confidence=probabilities[language],
            script=script,
            scores=probabilities,
            evidence=evidence,
        )

    def _text_log_odds(self, text: str, prior_log_odds: Mapping[str, float]) -> Dict[str, float]:
        log_odds = {language: 0.0 for language in LANGUAGES}
        han = chinese_script.han_count(text)
        words = WORD.findall(chinese_script.HAN.sub(" ", text))
        # Han characters against Latin words (a character is about a word):
        # "我的app login不了" is Chinese with English words in it.
        if han and han / (han + len(words)) >= HAN_SHARE_FOR_CHINESE:
            # Chinese with a few English words mixed in is still Chinese.
            log_odds["zh"] = 10.0 + min(han, 10)
            return log_odds
        words = [w for w in words if w not in SHARED_CHAT_WORDS]
        if not words:
            return log_odds  # "ok", "haha": the prior decides, Chinese included
        self._add_letter_votes(text, log_odds)
        self._add_word_votes(words, log_odds)
        self._add_pair_votes(words, log_odds)
        if (
            self.langdetect is not None
            and len(words) >= LANGDETECT_MIN_WORDS
            and _spread({k: log_odds[k] + prior_log_odds[k] for k in LATIN_LANGUAGES}) <= LANGDETECT_MAX_SWING
        ):
            # Only when its votes could change the answer: langdetect is a
            # tenth of a message's parse (2-3 ms), and most sentences' words
            # already decide by more than it can move.
            self._add_langdetect_votes(" ".join(words), log_odds)
        # Latin letters without Han characters: not Chinese.
        log_odds["zh"] = min(log_odds[language] for language in LATIN_LANGUAGES) - 20.0
        return log_odds

    @staticmethod
    def _add_letter_votes(text: str, log_odds: Dict[str, float]) -> None:
        letters = set(text)
        for language, telling in (
            ("vi", VIETNAMESE_LETTERS),
            ("pt", PORTUGUESE_LETTERS),
            ("es", SPANISH_LETTERS),
        ):
            count = len(letters & telling)
            if count:
                log_odds[language] += LETTER_BONUS * min(count, 3)

    def _add_word_votes(self, words: Iterable[str], log_odds: Dict[str, float]) -> None:
        for word in words:
            votes = {language: self.lexicons[language].log_probability(word) for language in LATIN_LANGUAGES}
            best = max(votes.values())
            # A word no list has ("qwzx", a name) is only a hint: its
            # spelling may not outvote the conversation's language. Nor may
            # an English word customers of any of the three borrow: which
            # corpus happened to list "endpoint" more often says nothing.
            capped = not self.known(word) or self.borrowed(word)
            for language, vote in votes.items():
                log_odds[language] += max(vote - best, -UNKNOWN_WORD_CAP) if capped else vote - best

    def _add_pair_votes(self, words: List[str], log_odds: Dict[str, float]) -> None:
        bare = [strip_accents(w) for w in words]
        for pair in itertools.pairwise(bare):
            key = " ".join(pair)
            for language in LATIN_LANGUAGES:
                if key in self.lexicons[language].pairs:
                    log_odds[language] += PAIR_BONUS

    def borrowed(self, word: str) -> bool:
        """Is the word English rather than pt, es or vi (by corpus frequency)?"""
        return word in self.borrowed_english

    def known(self, word: str) -> bool:
        """Is the word in any language's list (as typed or without accents)?"""
        bare = strip_accents(word)
        return any(word in lexicon.exact or bare in lexicon.unaccented for lexicon in self.lexicons.values())

    def known_share(self, text: str) -> float:
        """Share of the text's words any language knows (1.0 for Chinese or no words)."""
        text = clean(text)
        if chinese_script.han_count(text):
            return 1.0
        words = [w for w in WORD.findall(text) if w not in SHARED_CHAT_WORDS]
        if not words:
            return 1.0
        return sum(1 for w in words if self.known(w)) / len(words)

    def _add_langdetect_votes(self, text: str, log_odds: Dict[str, float]) -> None:
        assert self.langdetect is not None  # the caller checks
        probabilities = self.langdetect.probabilities(text)
        if not probabilities:
            return
        votes = {
            language: LANGDETECT_WEIGHT * math.log(max(probabilities.get(language, 0.0), 1e-3))
            for language in LATIN_LANGUAGES
        }
        if not (set(text) & VIETNAMESE_LETTERS):
            # langdetect learnt Vietnamese with its marks: typed bare ("ban la
            # robot a") it looks like nothing to it, which is no evidence.
            votes["vi"] = max(votes["pt"], votes["es"])
        for language, vote in votes.items():
            log_odds[language] += vote


def _softmax(log_odds: Mapping[str, float]) -> Dict[str, float]:
    top = max(log_odds.values())
    exps = {k: math.exp(v - top) for k, v in log_odds.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


def _spread(log_odds: Mapping[str, float]) -> float:
    ranked: List[float] = sorted(log_odds.values(), reverse=True)
    return ranked[0] - ranked[1]
