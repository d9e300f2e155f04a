"""Questions the assistant could not answer, grouped by meaning: the articles
the knowledge base is missing ("Articles to write" in the agent console).

A gap is one customer question with what went wrong: no article matched
(`no_article`), the customer turned the suggested ones down
(`refused_suggestion`), or said the answer did not help (`not_helpful`).
The action server records it with the question's e5 vector
(bot.kb.embeddings.embed_queries); grouping clusters those vectors, so the
same question in Portuguese, Spanish and Vietnamese falls in one group.

Recording never fails the customer's chat: a database problem is logged.
Kept in the help-desk database; `python -m bot.privacy` exports, deletes and
purges them with the rest of the conversation.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from bot.database import default_database_url, engine_with_tables

if TYPE_CHECKING:
    import numpy as np  # imported where used: the web server, which only groups, starts without it

logger = logging.getLogger(__name__)

NO_ARTICLE, REFUSED_SUGGESTION, NOT_HELPFUL = "no_article", "refused_suggestion", "not_helpful"
KINDS = (NO_ARTICLE, REFUSED_SUGGESTION, NOT_HELPFUL)
DIMENSIONS = 384  # multilingual-e5-small (bot/kb/embeddings.py)
MAX_TEXT_CHARS = 500  # of a question kept
MAX_ARTICLES = 20  # article ids kept per question
# Cosine distance under which two questions are one group (average linkage).
# e5's query vectors sit close together: unrelated questions are 0.15-0.25
# apart, paraphrases 0.03-0.15, so the usual 0.2-0.3 makes one group of
# everything. Chosen on the project's tests/eval/kb_questions.yml (adjusted
# Rand index against their articles: 0.159 at 0.12, 0.139 at 0.14, 0.079 at
# 0.16), never on the sample knowledge base's held-out questions.
DISTANCE_THRESHOLD = 0.12
MAX_ROWS = 5000  # newest questions grouped (clustering costs n^2)
EXAMPLES = 5

metadata = sa.MetaData()

gaps = sa.Table(
    "kb_gaps",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(128), index=True, nullable=False),
    sa.Column("language", sa.String(8)),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("articles_tried", sa.Text),  # JSON list of article ids
    sa.Column("vector", sa.LargeBinary),  # 384 float32 (a unit vector), or NULL
    sa.Column("created_at", sa.Float, nullable=False, index=True),
)


@dataclass(frozen=True)
class GapGroup:
    """Questions that mean the same thing: one article to write."""

    size: int
    languages: List[str]  # sorted
    examples: List[str]  # up to EXAMPLES texts, newest first, no repeats
    kinds: Dict[str, int]  # kind -> questions, the most common first
    articles_tried: List[str]  # the most common first
    newest_at: float

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)


def normalised(text: str) -> str:
    """The text to group questions without a vector by: case, spacing and
    the punctuation around it do not count."""
    return re.sub(r"\s+", " ", text.casefold()).strip(" \t?!.,;:¿¡？！。，")


class GapStore:
    def __init__(self, database_url: Optional[str] = None) -> None:
        self.database_url = database_url or default_database_url()

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    def record(
        self,
        conversation_id: str,
        language: Optional[str],
        text: str,
        kind: str,
        articles_tried: Sequence[str] = (),
        vector: Optional[np.ndarray] = None,
    ) -> bool:
        """Keep one unanswered question; False (logged) if it could not be kept."""
        if kind not in KINDS:
            logger.error("knowledge-base gap not recorded: unknown kind %r", kind)
            return False
        text = (text or "").strip()[:MAX_TEXT_CHARS]
        if not text:
            return False
        values = {
            "conversation_id": conversation_id,
            "language": language,
            "text": text,
            "kind": kind,
            "articles_tried": json.dumps([str(a) for a in articles_tried][:MAX_ARTICLES]),
            "vector": _blob(vector),
            "created_at": time.time(),
        }
        try:
            with self.engine.begin() as db:
                db.execute(gaps.insert().values(**values))
        except SQLAlchemyError as error:
            logger.error("knowledge-base gap of %s not recorded (database unavailable): %s", conversation_id, error)
            return False
        return True

    def groups(self, limit: int = 50) -> List[GapGroup]:
        """The questions grouped by meaning, the group with the newest question first."""
        query = sa.select(gaps).order_by(gaps.c.created_at.desc(), gaps.c.id.desc()).limit(MAX_ROWS)
        with self.engine.connect() as db:
            rows = db.execute(query).all()  # newest first
        members: Dict[Any, List[Any]] = defaultdict(list)
        for row, label in zip(rows, _labels(rows)):
            members[label].append(row)
        found = [_group(rows) for rows in members.values()]
        found.sort(key=lambda group: group.newest_at, reverse=True)
        return found[: max(0, limit)]


def _blob(vector: Optional[np.ndarray]) -> Optional[bytes]:
    if vector is None:
        return None
    import numpy as np

    values = np.asarray(vector, dtype=np.float32).reshape(-1)
    if values.shape != (DIMENSIONS,) or not np.isfinite(values).all():
        logger.warning("knowledge-base gap: a vector of shape %s is not kept", np.shape(vector))
        return None
    return values.tobytes()


def _labels(rows: Sequence[Any]) -> List[Any]:
    """A group label per row: a cluster of the vectors, or the normalised text
    (the cluster of a row with a vector and that same text, if there is one)."""
    with_vector = [i for i, row in enumerate(rows) if row.vector is not None and len(row.vector) == DIMENSIONS * 4]
    labels: List[Any] = [("text", normalised(row.text)) for row in rows]
    if with_vector:
        import numpy as np

        vectors = np.stack([np.frombuffer(rows[i].vector, dtype=np.float32) for i in with_vector])
        clusters = _clusters(vectors)
        by_text: Dict[Any, Any] = {}
        for i, cluster in zip(with_vector, clusters):
            by_text.setdefault(labels[i], ("cluster", int(cluster)))
            labels[i] = ("cluster", int(cluster))
        labels = [by_text.get(label, label) for label in labels]
    return labels


def _clusters(vectors: np.ndarray) -> Sequence[int]:
    if len(vectors) < 2:  # the clustering needs two
        return [0] * len(vectors)
    import inspect

    from sklearn.cluster import AgglomerativeClustering  # here: the web server stays lean

    # scikit-learn 1.2 renamed `affinity` to `metric`.
    metric = "metric" if "metric" in inspect.signature(AgglomerativeClustering).parameters else "affinity"
    clustering = AgglomerativeClustering(
        n_clusters=None, linkage="average", distance_threshold=DISTANCE_THRESHOLD, **{metric: "cosine"}
    )
    return clustering.fit_predict(vectors)


def _group(rows: List[Any]) -> GapGroup:
    """Rows newest first."""
    examples: List[str] = []
    for row in rows:
        if row.text not in examples:
            examples.append(row.text)
        if len(examples) == EXAMPLES:
            break
    articles: Counter = Counter()
    for row in rows:
        articles.update(json.loads(row.articles_tried or "[]"))
    return GapGroup(
        size=len(rows),
        languages=sorted({row.language for row in rows if row.language}),
        examples=examples,
        kinds=dict(Counter(row.kind for row in rows).most_common()),
        articles_tried=[article for article, _ in articles.most_common(EXAMPLES)],
        newest_at=max(row.created_at for row in rows),
    )


def record_gap(
    conversation_id: str,
    language: Optional[str],
    text: str,
    kind: str,
    articles_tried: Sequence[str] = (),
    vector: Optional[np.ndarray] = None,
    database_url: Optional[str] = None,
) -> bool:
    """Keep a question the assistant could not answer (for the action server).

    `kind` is one of KINDS; `vector` the question's row of
    bot.kb.embeddings.embed_queries (or None). Never raises on a database
    problem: it is logged and False returned, and the chat goes on."""
    try:
        return GapStore(database_url).record(conversation_id, language, text, kind, articles_tried, vector)
    except (SQLAlchemyError, OSError) as error:  # default_database_url may fail to make var/
        logger.error("knowledge-base gap of %s not recorded: %s", conversation_id, error)
        return False


def gap_groups(limit: int = 50, database_url: Optional[str] = None) -> List[GapGroup]:
    """The unanswered questions grouped by meaning, newest group first."""
    return GapStore(database_url).groups(limit)
