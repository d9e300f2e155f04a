"""Search one language's articles: BM25 over words plus character n-grams.

Words (BM25) find the article that shares the question's rare words; the
character n-grams find it through typos, missing accents and word forms
("importacao" / "importar"). Both are scaled to 0..1 and averaged into one
score, which is also the confidence the answering action compares with the
thresholds in helpdesk.yml.

Text is analysed like the NLU does (bot.nlu.multilingual_tokenizer): words
lower-cased without accents, Chinese in Simplified script segmented by
jieba, Vietnamese split into syllables so "khach hang" meets "khách hàng".
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np
from scipy import sparse

from bot.kb.articles import Article
from bot.nlu.words import normalise, split_words

# How much each part of an article counts for words (repeats the text).
FIELD_WEIGHTS = (("title", 3), ("tags", 3), ("questions", 2), ("answer", 2), ("body", 1))
BM25_K1 = 1.2
BM25_B = 0.75
STEM_LENGTH = 5  # pt/es words also count by their first letters: importar ~ importacao
WORD_SHARE = 0.5  # share of the words score in the final score


@dataclass(frozen=True)
class Hit:
    article_id: str
    score: float


def terms(text: str, language: str) -> List[str]:
    """The terms a text is indexed and searched by."""
    result: List[str] = []
    for token in split_words(text, language):
        lemma = token.lemma or token.text
        if not any(c.isalnum() for c in lemma):
            continue
        if language == "vi":
            syllables = lemma.split()
            result.extend(syllables)
            result.extend(a + "_" + b for a, b in itertools.pairwise(syllables))
        elif language == "zh":
            result.append(lemma)
            if len(lemma) > 1:
                result.extend(lemma)  # its characters, for partial matches
        else:
            result.append(lemma)
            if len(lemma) > STEM_LENGTH:
                result.append(lemma[:STEM_LENGTH] + "~")
    return result


def passages(article: Article) -> List[str]:
    """The short texts a question is compared with letter by letter."""
    return [article.title + " " + " ".join(article.tags), *article.questions, article.answer]


class LanguageIndex:
    """The searchable form of one language's articles."""

    def __init__(self, language: str, articles: Sequence[Article], previous: Optional[LanguageIndex] = None) -> None:
        """`previous`, the index this one replaces: its articles' terms and
        normalised passages are reused, so an edit re-reads one article, not
        all (tokenizing and normalising are most of a build)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.language = language
        self.articles = list(articles)
        self.ids = [a.id for a in articles]
        if previous is not None and previous.language != language:
            previous = None
        known = previous._term_counts if previous is not None else {}
        self._term_counts: Dict[Article, Dict[str, float]] = {
            article: known.get(article) or self._count_terms(article) for article in articles
        }
        normalised = previous._normalised if previous is not None else {}
        self._normalised: Dict[Article, List[str]] = {
            article: normalised.get(article) or [normalise(p, language) for p in passages(article)]
            for article in articles
        }
        self._build_words(articles)
        if language == "zh":
            self._characters = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
        else:
            self._characters = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
        texts: List[str] = []
        starts: List[int] = []
        for article in articles:
            starts.append(len(texts))  # every article has passages: its title and answer at least
            texts.extend(self._normalised[article])
        self._passage_starts = np.asarray(starts, dtype=np.int64)
        # By n-gram (CSC): a question has a few dozen n-grams, and reading
        # their columns is 4 times quicker than multiplying every row.
        self._character_matrix = self._characters.fit_transform(texts).tocsc() if articles else None

    def _count_terms(self, article: Article) -> Dict[str, float]:
        """An article's terms with their weight (a field's weight per occurrence)."""
        counts: Dict[str, float] = {}
        for field_name, weight in FIELD_WEIGHTS:
            value = getattr(article, field_name)
            text = " , ".join(value) if isinstance(value, tuple) else value
            for term in terms(text, self.language):
                counts[term] = counts.get(term, 0.0) + weight
        return counts

    def _build_words(self, articles: Sequence[Article]) -> None:
        vocabulary: Dict[str, int] = {}
        rows, cols, values, lengths = [], [], [], []
        for row, article in enumerate(articles):
            counts: Dict[int, float] = {}
            for term, weight in self._term_counts[article].items():
                counts[vocabulary.setdefault(term, len(vocabulary))] = weight
            lengths.append(sum(counts.values()))
            for column, count in counts.items():
                rows.append(row)
                cols.append(column)
                values.append(count)
        self._vocabulary = vocabulary
        n_docs = max(len(articles), 1)
        tf = sparse.csr_matrix((values, (rows, cols)), shape=(len(articles), len(vocabulary)))
        document_frequency = np.bincount(cols, minlength=len(vocabulary)) if cols else np.zeros(0)
        self._idf = np.log(1 + (n_docs - document_frequency + 0.5) / (document_frequency + 0.5))
        self._unknown_idf = math.log(1 + (n_docs + 0.5) / 0.5)
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        # BM25 weight of every (document, term), computed once.
        tf = tf.tocoo()
        norm = BM25_K1 * (1 - BM25_B + BM25_B * np.asarray(lengths)[tf.row] / average)
        weights = self._idf[tf.col] * tf.data * (BM25_K1 + 1) / (tf.data + norm)
        self._bm25 = sparse.csc_matrix((weights, (tf.row, tf.col)), shape=tf.shape)

    def scores(self, query: str) -> np.ndarray:
        """Every article's lexical score (0..1), in the order of `ids`."""
        if not self.ids:
            return np.zeros(0)
        return WORD_SHARE * self._word_scores(query) + (1 - WORD_SHARE) * self._character_scores(query)

    def search(self, query: str, limit: int = 3) -> List[Hit]:
        if not self.ids:
            return []
        scores = self.scores(query)
        best = np.argsort(-scores)[:limit]
        return [Hit(self.ids[i], round(float(scores[i]), 4)) for i in best if scores[i] > 0]

    def _word_scores(self, query: str) -> np.ndarray:
        query_terms = set(terms(query, self.language))
        if not query_terms:
            return np.zeros(len(self.ids))
        known = [self._vocabulary[t] for t in query_terms if t in self._vocabulary]
        # The best a document could score: every query term, rare words count more.
        ceiling = (BM25_K1 + 1) * (
            sum(self._idf[c] for c in known) + self._unknown_idf * (len(query_terms) - len(known))
        )
        if not known:
            return np.zeros(len(self.ids))
        raw = np.asarray(self._bm25[:, known].sum(axis=1)).ravel()
        return np.minimum(raw / ceiling, 1.0)

    def _character_scores(self, query: str) -> np.ndarray:
        """Per article, the closest of its passages (title, questions, answer)."""
        vector = self._characters.transform([normalise(query, self.language)])
        if self._character_matrix is None or not vector.nnz:
            return np.zeros(len(self.ids))
        similarity = self._character_matrix[:, vector.indices] @ vector.data
        return np.maximum.reduceat(similarity, self._passage_starts)
