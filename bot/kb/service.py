"""The knowledge base the assistant answers from: load, search, reload on change.

Editing, adding or removing a file under data/kb/ takes effect at the next
question (checked at most every `reload_interval` seconds) without retraining
the Rasa model or restarting anything. A broken file is skipped with a
warning; the rest keeps working.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from bot.kb.articles import Article, Collection, load_folder
from bot.kb.index import LanguageIndex
from bot.settings import LANGUAGES, PROJECT_ROOT, get_settings

logger = logging.getLogger(__name__)


# Hybrid score = LEXICAL_SHARE * words and letters (bot/kb/index.py) + the
# rest * meaning (e5 cosine, rescaled: e5-small puts unrelated texts near
# 0.75-0.85 and a question with its own article near 0.90-0.95).
LEXICAL_SHARE = 0.5
DENSE_FLOOR = 0.75
DENSE_CEILING = 0.95
EMBEDDING_CACHE = PROJECT_ROOT / "var" / "kb-embeddings.sqlite"


@dataclass(frozen=True)
class Match:
    article: Article
    score: float
    requested_language: str = ""

    @property
    def article_id(self) -> str:
        return self.article.id

    @property
    def other_language(self) -> bool:
        """Answered from another language's version (none in the customer's)."""
        return bool(self.requested_language) and self.article.language != self.requested_language


def dense_passages(article: Article) -> List[str]:
    """What an article is compared with by meaning: title with its answer, and
    each way customers ask for it."""
    return [f"{article.title}\n{article.answer}", *article.questions]


def folder_signature(folder: Path) -> Tuple:
    """Changes whenever an article file is added, removed or edited."""
    try:
        return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in folder.glob("*/*.md")))
    except OSError:
        return ()


class ArticleShelf:
    """Every article by language, reloaded when the folder changes.

    What the article pages need; KnowledgeBase adds the search indexes.
    """

    def __init__(
        self,
        folder: Path,
        languages: Sequence[str] = LANGUAGES,
        fallback_order: Sequence[str] = LANGUAGES,
        reload_interval: float = 1.0,
    ) -> None:
        self.folder = folder
        self.languages = tuple(languages)
        self.fallback_order = tuple(fallback_order)
        self.reload_interval = reload_interval
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._signature: Tuple = ()
        self.collection = Collection()
        self.reload()

    def reload(self) -> None:
        """Load every article (and rebuild what depends on them)."""
        signature = folder_signature(self.folder)
        collection = load_folder(self.folder, self.languages)
        for problem in collection.problems:
            logger.warning(f"knowledge base: {problem}")
        self._loaded(collection)
        self.collection, self._signature = collection, signature
        self._checked_at = time.monotonic()
        logger.info(
            "knowledge base: %d articles in %s",
            sum(len(a) for a in collection.articles.values()),
            ", ".join(self.languages),
        )

    def _loaded(self, collection: Collection) -> None:
        """Hook for what must be rebuilt with the articles."""

    def reload_if_changed(self) -> bool:
        if time.monotonic() - self._checked_at < self.reload_interval:
            return False
        with self._lock:
            self._checked_at = time.monotonic()
            if folder_signature(self.folder) == self._signature:
                return False
            self.reload()
            return True

    def get(self, article_id: str, language: str) -> Optional[Article]:
        """The article in `language`, else in the first language that has it."""
        self.reload_if_changed()
        return self._find(article_id, language)

    def _find(self, article_id: str, language: str) -> Optional[Article]:
        for candidate in (language, *self.fallback_order):
            article = self.collection.articles.get(candidate, {}).get(article_id)
            if article is not None:
                return article
        return None

    def article_ids(self) -> List[str]:
        return self.collection.ids()


class KnowledgeBase(ArticleShelf):
    """The articles plus a search index per language and, with `dense`, the
    articles' meaning in every language (bot/kb/embeddings.py), so a
    paraphrase or another language's version is found too."""

    def __init__(
        self,
        folder: Path,
        languages: Sequence[str] = LANGUAGES,
        fallback_order: Sequence[str] = LANGUAGES,
        reload_interval: float = 1.0,
        dense: bool = True,
        embedding_cache: Optional[Path] = EMBEDDING_CACHE,
    ) -> None:
        self.dense = dense
        self._passage_cache: Any = None
        if dense:
            from bot.kb.embeddings import PassageCache

            self._passage_cache = PassageCache(embedding_cache)
        super().__init__(folder, languages, fallback_order, reload_interval)

    def _loaded(self, collection: Collection) -> None:
        previous: Dict[str, LanguageIndex] = getattr(self, "_indexes", {})
        self._indexes: Dict[str, LanguageIndex] = {
            language: LanguageIndex(language, self._articles_for(collection, language), previous.get(language))
            for language in self.languages
        }
        self._ids = collection.ids()
        self._id_number = {article_id: number for number, article_id in enumerate(self._ids)}
        self._vectors = None
        if self._passage_cache is not None and self._ids:
            texts: List[str] = []
            owners: List[int] = []
            for by_id in collection.articles.values():
                for article in by_id.values():
                    for passage in dense_passages(article):
                        texts.append(passage)
                        owners.append(self._id_number[article.id])
            self._vectors = self._passage_cache.embed(texts)
            self._owners = np.asarray(owners)

    def _dense_scores(self, text: str) -> Optional[np.ndarray]:
        """Per article id (in `_ids` order), its closest passage in any language, 0..1."""
        if self._vectors is None:
            return None
        from bot.kb.embeddings import embed_queries

        similarity = self._vectors @ embed_queries([text])[0]
        best = np.full(len(self._ids), -1.0)
        np.maximum.at(best, self._owners, similarity)
        return np.clip((best - DENSE_FLOOR) / (DENSE_CEILING - DENSE_FLOOR), 0.0, 1.0)

    def _articles_for(self, collection: Collection, language: str) -> List[Article]:
        """The language's articles; without `dense`, plus another language's
        for ids it lacks (with it, those are found by meaning)."""
        own = collection.articles.get(language, {})
        articles = list(own.values())
        if self.dense:
            return articles
        for article_id in collection.ids():
            if article_id in own:
                continue
            for other in self.fallback_order:
                found = collection.articles.get(other, {}).get(article_id)
                if found:
                    articles.append(found)
                    break
        return articles

    def search(self, text: str, language: str, limit: int = 3) -> List[Match]:
        self.reload_if_changed()
        index = self._indexes.get(language) or self._indexes.get(self.languages[0])
        if index is None:
            return []
        lexical = np.zeros(len(self._ids))
        indexed = np.zeros(len(self._ids), dtype=bool)
        numbers = [self._id_number[article_id] for article_id in index.ids]
        lexical[numbers] = index.scores(text)
        indexed[numbers] = True
        dense = self._dense_scores(text)
        scores = lexical
        if dense is not None:
            # An article missing in this language has no words to compare:
            # its meaning, from its other versions, is all its score.
            scores = np.where(indexed, LEXICAL_SHARE * lexical + (1 - LEXICAL_SHARE) * dense, dense)
        matches = []
        for number in np.argsort(-scores)[:limit]:
            if scores[number] <= 0:
                break
            article = self._find(self._ids[number], language)
            if article is not None:
                matches.append(Match(article, round(float(scores[number]), 4), language))
        return matches


_shared: Dict[type, ArticleShelf] = {}


def _shared_instance(kind: type) -> ArticleShelf:
    """One per process and kind, built on first use (not at import)."""
    if kind not in _shared:
        settings = get_settings()
        order = (settings.default_language, *[other for other in LANGUAGES if other != settings.default_language])
        _shared[kind] = kind(settings.knowledge_base.folder, LANGUAGES, order)
    return _shared[kind]


def load_knowledge_base() -> KnowledgeBase:
    """The articles with their search indexes (the answering action, evaluation)."""
    shelf = _shared_instance(KnowledgeBase)
    assert isinstance(shelf, KnowledgeBase)
    return shelf


def load_articles() -> ArticleShelf:
    """The articles alone (the web server's article pages)."""
    return _shared_instance(ArticleShelf)
