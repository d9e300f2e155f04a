"""The knowledge base the assistant answers from: load, search, reload on change.

Editing, adding or removing a file under data/kb/ takes effect within about
a second (a background thread checks every `reload_interval` seconds)
without retraining the Rasa model or restarting anything. A broken file is skipped with a
warning; the rest keeps working.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
import re
import threading
import time
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np

from bot.kb.articles import SAFE_LOADER, Article, Collection, ParsedFiles, load_folder
from bot.kb.index import LanguageIndex
from bot.nlu.chinese_script import to_simplified
from bot.nlu.diacritic_restorer import DiacriticRestorer, has_diacritics
from bot.settings import LANGUAGES, PROJECT_ROOT, get_settings

logger = logging.getLogger(__name__)


# Hybrid score = LEXICAL_SHARE * words and letters (bot/kb/index.py) + the
# rest * meaning (e5 cosine, rescaled: e5-small puts unrelated texts near
# 0.75-0.85 and a question with its own article near 0.90-0.95).
LEXICAL_SHARE = 0.4
DENSE_FLOOR = 0.75
DENSE_CEILING = 0.95
EMBEDDING_CACHE = PROJECT_ROOT / "var" / "kb-embeddings.sqlite"
VIETNAMESE_EXAMPLES = PROJECT_ROOT / "data" / "nlu" / "vi"


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


# An article's body is compared by meaning in sections of about this size
# (a heading with what follows, or paragraphs put together), each with the
# article's title: a question about a detail deep in the article finds it.
# Three sections kept almost all of eight's gain on the dev questions at less
# than half the embedding time.
SECTION_CHARS = 600
MAX_SECTIONS = 3
DETAIL_CHUNK = 64  # article versions per background embedding step
FIRST_LOAD_WAIT = 120.0  # seconds the shared knowledge base waits for its sections at start


def body_sections(body: str) -> List[str]:
    """The body's first pieces of up to SECTION_CHARS, cut at headings and blank lines."""
    sections: List[str] = []
    current = ""
    for block in re.split(r"\n\s*\n|\n(?=#{1,6} )", body.strip()):
        block = block.strip()
        if not block:
            continue
        if current and (block.startswith("#") or len(current) + len(block) > SECTION_CHARS):
            sections.append(current)
            current = ""
        current = f"{current}\n{block}" if current else block
    if current:
        sections.append(current)
    return sections[:MAX_SECTIONS]


def dense_passages(article: Article) -> List[str]:
    """What an article is first compared with by meaning: title with its
    answer, and each way customers ask for it (short: quick to embed)."""
    return [f"{article.title}\n{article.answer}", *article.questions]


def section_passages(article: Article) -> List[str]:
    """Its body's sections, each with the title (embedded after the rest)."""
    return [f"{article.title}\n{section}" for section in body_sections(article.body)]


def meaning_restorer(collection: Collection) -> DiacriticRestorer:
    """Puts diacritics back on Vietnamese questions typed without them,
    knowing the help desk's phrases (the NLU's Vietnamese examples) and this
    knowledge base's own ("cáp quang", "hóa đơn", from its articles)."""
    texts = list(help_desk_vietnamese())
    for article in collection.articles.get("vi", {}).values():
        texts += [article.title, article.answer, article.body, *article.questions]
    return DiacriticRestorer.build(texts)


@functools.cache
def help_desk_vietnamese() -> Tuple[str, ...]:
    """The Vietnamese training examples' texts (0.15 s, once per process);
    none when they cannot be read: the articles alone teach the restorer."""
    import yaml

    texts: List[str] = []
    for path in sorted(VIETNAMESE_EXAMPLES.glob("*.yml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
            for block in data.get("nlu") or []:
                texts += [e["text"] for e in block.get("examples") or [] if isinstance(e, dict) and "text" in e]
        # Not readable, not UTF-8 (a ValueError), not YAML, not Rasa's lists.
        except (OSError, ValueError, yaml.YAMLError, AttributeError, TypeError) as error:
            logger.warning(f"knowledge base: {path} not read for Vietnamese diacritics ({error})")
    return tuple(texts)


def passage_form(text: str, language: str) -> str:
    """The typing an article's text is compared by meaning in: as written,
    Chinese in Simplified script (so either script's question meets it)."""
    return to_simplified(text) if language == "zh" else text


def question_form(text: str, language: str, restorer: DiacriticRestorer) -> str:
    """The same for a question; Vietnamese typed without diacritics gets
    them back (e5 puts "khach hang" far from "khách hàng"). Accented
    questions, and articles, stay as written: restoring them too lost more
    than it gained on the dev questions."""
    if language == "vi" and not has_diacritics(text):
        return restorer.restore(text)
    return passage_form(text, language)


def folder_signature(folder: Path) -> Tuple:
    """Changes whenever an article file (`*/*.md`) is added, removed or
    edited. The watcher reads it every second: os.scandir with one stat a
    file is 2.5 times quicker than Path.glob (47 ms at 10,000 articles)."""
    found = []
    try:
        with os.scandir(folder) as languages:
            folders = [entry.path for entry in languages if entry.is_dir()]
        for language_folder in folders:
            with os.scandir(language_folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".md"):
                        status = entry.stat()
                        found.append((entry.path, status.st_mtime_ns, status.st_size))
    except OSError:  # a folder or file gone while being read: the next look sees it
        return ()
    return tuple(sorted(found))


class ArticleShelf:
    """Every article by language, reloaded when the folder changes.

    What the article pages need; KnowledgeBase adds the search indexes. With
    a `reload_interval`, a background thread checks the folder that often and
    swaps in the new articles when they are ready, so a question never waits
    for a directory walk or a rebuild; with 0, every call checks (tests).
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
        self._signature: Tuple = ()
        self._parsed: ParsedFiles = {}
        self.collection = Collection()
        self.reload()
        if reload_interval > 0:
            self._watch()

    def reload(self) -> None:
        """Load every article (and rebuild what depends on them)."""
        with self._lock:
            signature = folder_signature(self.folder)
            collection = load_folder(self.folder, self.languages, self._parsed)
            for problem in collection.problems:
                logger.warning(f"knowledge base: {problem}")
            self._loaded(collection)
            self.collection, self._signature = collection, signature
        logger.info(
            "knowledge base: %d articles in %s",
            sum(len(a) for a in collection.articles.values()),
            ", ".join(self.languages),
        )

    def _loaded(self, collection: Collection) -> None:
        """Hook for what must be rebuilt with the articles."""

    def reload_if_changed(self) -> bool:
        if folder_signature(self.folder) == self._signature:
            return False
        self.reload()
        return True

    def _watch(self) -> None:
        # The thread holds the shelf weakly: a shelf nobody uses stops its watcher.
        shelf_ref = weakref.ref(self)
        interval = self.reload_interval

        def watch() -> None:
            while True:
                time.sleep(interval)
                shelf = shelf_ref()
                if shelf is None:
                    return
                try:
                    shelf.reload_if_changed()
                except Exception:  # a bad reload must not end the watching
                    logger.exception("knowledge base: reload failed; keeping the articles loaded before")
                del shelf

        threading.Thread(target=watch, name="kb-folder-watch", daemon=True).start()

    def _check_now(self) -> None:
        if self.reload_interval <= 0:
            self.reload_if_changed()

    def get(self, article_id: str, language: str) -> Optional[Article]:
        """The article in `language`, else in the first language that has it."""
        self._check_now()
        return self._find(self.collection, article_id, language)

    def _find(self, collection: Collection, article_id: str, language: str) -> Optional[Article]:
        for candidate in (language, *self.fallback_order):
            article = collection.articles.get(candidate, {}).get(article_id)
            if article is not None:
                return article
        return None

    def article_ids(self) -> List[str]:
        return self.collection.ids()


@dataclass(frozen=True)
class _Searchable:
    """Everything a search reads, swapped in as one piece by a reload."""

    collection: Collection
    indexes: Dict[str, LanguageIndex]
    ids: List[str]
    id_number: Dict[str, int]
    numbers: Dict[str, np.ndarray]  # each index's articles' numbers, in its order
    restorer: Optional[DiacriticRestorer] = None  # Vietnamese questions' diacritics
    dense: Optional[_DenseRows] = None


@dataclass(frozen=True)
class _DenseRows:
    """Every article version's passage vectors, one version's rows together."""

    vectors: np.ndarray  # one row per passage
    starts: np.ndarray  # where each version's rows start
    version_article: np.ndarray  # each version's article number
    versions_per_article: np.ndarray
    by_article: np.ndarray  # the versions ordered by article number
    article_starts: np.ndarray  # where each article's versions start in that order

    def article_similarity(self, question: np.ndarray, articles: int) -> np.ndarray:
        """Per article, the closest passage of each of its versions, half the
        best version and half their average: agreeing versions count more."""
        similarity = self.vectors @ question
        per_version = np.maximum.reduceat(similarity, self.starts)
        # Every article has a version (ids come from them), so no segment is empty.
        best = np.maximum.reduceat(per_version[self.by_article], self.article_starts)
        total = np.bincount(self.version_article, weights=per_version, minlength=articles)
        mean = total / np.maximum(self.versions_per_article, 1)
        return 0.5 * best + 0.5 * mean


@dataclass(frozen=True)
class _VersionRows:
    """One article version's vectors: its first passages, then (once the
    background job has embedded them) its sections."""

    vectors: np.ndarray
    complete: bool


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
        """With a `reload_interval`, body sections are embedded in the
        background after a (re)load: the articles are searchable at once by
        words, titles, answers and questions, and the sections join when
        ready (`wait_until_complete`). With 0, all at once."""
        self.dense = dense
        self._passage_cache: Any = None
        self._article_vectors: Dict[Article, _VersionRows] = {}
        self._searchable: Optional[_Searchable] = None
        self._detail_jobs: List[Future] = []
        self._detail_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-details")
        if dense:
            from bot.kb.embeddings import PassageCache

            self._passage_cache = PassageCache(embedding_cache)
        super().__init__(folder, languages, fallback_order, reload_interval)

    def _loaded(self, collection: Collection) -> None:
        # An edit re-indexes only its language and re-embeds only its article.
        previous = self._searchable
        indexes: Dict[str, LanguageIndex] = {}
        for language in self.languages:
            articles = self._articles_for(collection, language)
            before = previous.indexes.get(language) if previous else None
            if before is not None and before.articles == articles:
                indexes[language] = before
            else:
                indexes[language] = LanguageIndex(language, articles, before)
        ids = collection.ids()
        id_number = {article_id: number for number, article_id in enumerate(ids)}
        dense = restorer = None
        if self._passage_cache is not None and ids:
            restorer = self._restorer_for(collection, previous)
            versions = collection.versions()
            self._embed_first_passages(versions)
            if self.reload_interval <= 0:
                self._embed_details(versions)
            else:
                self._detail_jobs = [job for job in self._detail_jobs if not job.done()]
                self._detail_jobs.append(self._detail_worker.submit(self._complete_in_background, versions))
            dense = self._dense_rows(versions, id_number)
        numbers = {
            language: np.asarray([id_number[article_id] for article_id in index.ids], dtype=np.int64)
            for language, index in indexes.items()
        }
        self._searchable = _Searchable(collection, indexes, ids, id_number, numbers, restorer, dense)

    @staticmethod
    def _restorer_for(collection: Collection, previous: Optional[_Searchable]) -> DiacriticRestorer:
        # Rebuilt only when a Vietnamese article changed.
        if previous is None or previous.restorer is None:
            return meaning_restorer(collection)
        if previous.collection.articles.get("vi", {}) != collection.articles.get("vi", {}):
            return meaning_restorer(collection)
        return previous.restorer

    def _embed_first_passages(self, versions: List[Article]) -> None:
        # Vectors of versions seen before are reused (an edit embeds one article).
        known = {v: self._article_vectors[v] for v in versions if v in self._article_vectors}
        new = [v for v in versions if v not in known]
        texts = [[passage_form(p, v.language) for p in dense_passages(v)] for v in new]
        vectors = self._passage_cache.embed([passage for passages in texts for passage in passages])
        start = 0
        for version, passages in zip(new, texts):
            rows = vectors[start : start + len(passages)]
            known[version] = _VersionRows(rows, complete=False)
            start += len(passages)
        self._article_vectors = known

    def _embed_details(self, versions: List[Article], bulk: Optional[bool] = None, guard: Any = None) -> None:
        """Sections of the versions that lack them; `guard` (the reload lock,
        from the background) is held only to store them."""
        known = self._article_vectors
        todo = [v for v in versions if v in known and not known[v].complete]
        texts = [[passage_form(p, v.language) for p in section_passages(v)] for v in todo]
        vectors = self._passage_cache.embed([p for sections in texts for p in sections], bulk=bulk)
        with guard or contextlib.nullcontext():
            start = 0
            for version, sections in zip(todo, texts):
                first = self._article_vectors.get(version)
                if first is not None and not first.complete:
                    rows = np.concatenate([first.vectors, vectors[start : start + len(sections)]])
                    self._article_vectors[version] = _VersionRows(rows, complete=True)
                start += len(sections)

    def _complete_in_background(self, versions: List[Article]) -> None:
        try:
            for start in range(0, len(versions), DETAIL_CHUNK):
                chunk = [v for v in versions[start : start + DETAIL_CHUNK] if v in self._article_vectors]
                self._embed_details(chunk, bulk=True, guard=self._lock)
            with self._lock:
                state = self._searchable
                if state is not None and state.dense is not None:
                    dense = self._dense_rows(state.collection.versions(), state.id_number)
                    self._searchable = dataclasses.replace(state, dense=dense)
        except Exception:  # the first passages keep answering
            logger.exception("knowledge base: embedding the articles' sections failed")

    def wait_until_complete(self, timeout: Optional[float] = None) -> bool:
        """Wait for the background embedding; True when nothing is left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for job in list(self._detail_jobs):
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                job.result(timeout=left)
            except FutureTimeout:
                return False
        return True

    def _dense_rows(self, versions: List[Article], id_number: Dict[str, int]) -> _DenseRows:
        rows = [self._article_vectors[v] for v in versions]
        starts = _segment_starts([len(r.vectors) for r in rows])
        version_article = np.asarray([id_number[v.id] for v in versions])
        versions_per_article = np.bincount(version_article, minlength=len(id_number))
        return _DenseRows(
            vectors=np.concatenate([r.vectors for r in rows]),
            starts=starts,
            version_article=version_article,
            versions_per_article=versions_per_article,
            by_article=np.argsort(version_article, kind="stable"),
            article_starts=_segment_starts(versions_per_article),
        )

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
        self._check_now()
        state = self._searchable
        if state is None:
            return []
        indexed_language = language if language in state.indexes else self.languages[0]
        index = state.indexes.get(indexed_language)
        if index is None:
            return []
        # The question's embedding (e5, outside the GIL) is computed while
        # the lexical scores are.
        question_vector = None
        if state.dense is not None and state.restorer is not None:
            meant = question_form(text, language, state.restorer)
            question_vector = _embedding_pool().submit(_embed_query, meant)
        lexical = np.zeros(len(state.ids))
        indexed = np.zeros(len(state.ids), dtype=bool)
        numbers = state.numbers[indexed_language]
        lexical[numbers] = index.scores(text)
        indexed[numbers] = True
        scores = lexical
        if question_vector is not None and state.dense is not None:
            similarity = state.dense.article_similarity(question_vector.result(), len(state.ids))
            dense = np.clip((similarity - DENSE_FLOOR) / (DENSE_CEILING - DENSE_FLOOR), 0.0, 1.0)
            # An article missing in this language has no words to compare:
            # its meaning, from its other versions, is all its score.
            scores = np.where(indexed, LEXICAL_SHARE * lexical + (1 - LEXICAL_SHARE) * dense, dense)
        matches = []
        if limit < len(scores):  # the best few of thousands, without sorting them all
            top = np.argpartition(-scores, limit)[:limit]
            best_first = top[np.argsort(-scores[top], kind="stable")]
        else:
            best_first = np.argsort(-scores, kind="stable")
        for number in best_first:
            if scores[number] <= 0:
                break
            article = self._find(state.collection, state.ids[number], language)
            if article is not None:
                matches.append(Match(article, round(float(scores[number]), 4), language))
        return matches


def _segment_starts(sizes: Any) -> np.ndarray:
    """Where each of consecutive segments of these sizes starts (for reduceat)."""
    return np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)


def _embed_query(text: str) -> np.ndarray:
    from bot.kb.embeddings import embed_queries

    return embed_queries([text])[0]


@functools.cache
def _embedding_pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-embed")


_shared: Dict[type, ArticleShelf] = {}


def _shared_instance(kind: type) -> ArticleShelf:
    """One per process and kind, built on first use (not at import)."""
    if kind not in _shared:
        settings = get_settings()
        order = (settings.default_language, *[other for other in LANGUAGES if other != settings.default_language])
        shelf = kind(settings.knowledge_base.folder, LANGUAGES, order)
        if isinstance(shelf, KnowledgeBase):
            # A knowledge base of a few hundred articles starts complete; a
            # larger one answers at once and completes in the background.
            shelf.wait_until_complete(timeout=FIRST_LOAD_WAIT)
        _shared[kind] = shelf
    return _shared[kind]


def load_knowledge_base() -> KnowledgeBase:
    """The articles with their search indexes (the answering action, evaluation)."""
    shelf = _shared_instance(KnowledgeBase)
    assert isinstance(shelf, KnowledgeBase)
    return shelf


def load_articles() -> ArticleShelf:
    """The articles alone (the web server's article pages)."""
    return _shared_instance(ArticleShelf)
