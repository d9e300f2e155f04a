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
from typing import Dict, List, Optional, Sequence, Tuple

from bot.kb.articles import Article, Collection, load_folder
from bot.kb.index import LanguageIndex
from bot.settings import LANGUAGES, get_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Match:
    article: Article
    score: float

    @property
    def article_id(self) -> str:
        return self.article.id


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
        reload_interval: float = 2.0,
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
    """The articles plus a search index per language."""

    def _loaded(self, collection: Collection) -> None:
        self._indexes: Dict[str, LanguageIndex] = {
            language: LanguageIndex(language, self._articles_for(collection, language)) for language in self.languages
        }

    def _articles_for(self, collection: Collection, language: str) -> List[Article]:
        """The language's articles, plus another language's for ids it lacks."""
        own = collection.articles.get(language, {})
        articles = list(own.values())
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
        matches = []
        for hit in index.search(text, limit):
            article = self._find(hit.article_id, language)
            if article is not None:
                matches.append(Match(article, hit.score))
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
