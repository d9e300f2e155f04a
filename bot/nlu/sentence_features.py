"""One feature row per message for the intent and mood classifiers.

The featurizers before them give two kinds of sentence features: sparse word
and character n-gram counts (CountVectorsFeaturizer) and the dense meaning
vector (SentenceEncoder). Counts grow with the length of a message and the
vector has length 1, so the counts are put on a log scale and brought to
length 1 as well, and the vector is weighted against them.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message

SPARSE = "sparse"
DENSE = "dense"
KINDS = (SPARSE, DENSE)


# The rows of a message, kept on the object for the next classifier. Not in
# message.data: Rasa fingerprints every training message's data between
# training steps, and hashing the rows' text form cost 40 s per training.
_ROWS = "_sentence_feature_rows"


def _rows(message: Message) -> Tuple[scipy.sparse.csr_matrix, np.ndarray]:
    """The message's sparse and dense rows, computed once for both classifiers
    (again if features were added since)."""
    kept = getattr(message, _ROWS, None)
    if kept is None or kept[0] != len(message.features):
        kept = (len(message.features), (_sparse_row(message), _dense_row(message)))
        setattr(message, _ROWS, kept)
    return kept[1]


def _sparse_row(message: Message) -> scipy.sparse.csr_matrix:
    """The featurizers' sparse sentence features side by side, on a log
    scale and of length 1.

    Put together here rather than by Message.get_sparse_features, which
    takes 0.6 ms a message: a quarter of a minute at every training.
    """
    parts = [
        f.features
        for f in message.features
        if f.is_sparse() and f.type == FEATURE_TYPE_SENTENCE and f.attribute == TEXT
    ]
    if not parts:
        return scipy.sparse.csr_matrix((1, 0))
    columns, values, offset = [], [], 0
    for part in parts:
        part = part.tocoo()
        columns.append(part.col + offset)
        values.append(part.data)
        offset += part.shape[1]
    data = np.log1p(np.concatenate(values).astype(np.float64))
    norm = np.sqrt((data * data).sum())
    if norm > 0:
        data = data / norm
    indices = np.concatenate(columns)
    return scipy.sparse.csr_matrix((data, indices, [0, len(indices)]), shape=(1, offset))


def _dense_row(message: Message) -> np.ndarray:
    parts = [
        f.features for f in message.features if f.is_dense() and f.type == FEATURE_TYPE_SENTENCE and f.attribute == TEXT
    ]
    if not parts:
        return np.zeros((1, 0))
    return np.hstack([np.asarray(part, dtype=np.float64).reshape(1, -1) for part in parts])


def feature_widths(messages: List[Message]) -> Dict[str, int]:
    """How wide each kind of feature is, from the messages that have it."""
    return {
        SPARSE: max((_rows(m)[0].shape[1] for m in messages), default=0),
        DENSE: max((_rows(m)[1].shape[1] for m in messages), default=0),
    }


def _language(message: Message) -> Optional[str]:
    return (message.get("language") or {}).get("name")


def feature_matrix(
    messages: List[Message],
    kinds: List[str],
    dense_weight: float,
    widths: Dict[str, int],
    extra: Optional[np.ndarray] = None,
    own_dense_languages: Sequence[str] = (),
) -> scipy.sparse.csr_matrix:
    """Rows of the chosen kinds of features (and `extra` columns), in the
    order of `messages`; zeros where a featurizer found nothing.

    The dense vector of a message in one of `own_dense_languages` goes to
    columns of that language's own instead of the shared ones: Vietnamese
    vectors come from restored text (bot/nlu/diacritics.py), and in the
    shared columns they pulled the other languages' weights (dev set, mood
    macro-F1: pt 0.952 -> 0.958, es 0.925 -> 0.940 with their own columns).

    Built straight from the rows' arrays: stacking thousands of one-row
    matrices with scipy costs seconds at training and a millisecond a message.
    """
    sparse_width = widths[SPARSE] if SPARSE in kinds else 0
    vector_width = widths[DENSE] if DENSE in kinds else 0
    blocks = {language: number for number, language in enumerate(own_dense_languages, start=1)}
    dense_width = vector_width * (1 + len(blocks))
    extra_width = extra.shape[1] if extra is not None else 0
    indices, values, pointers = [], [], [0]
    extra_columns = np.arange(sparse_width + dense_width, sparse_width + dense_width + extra_width)
    for number, message in enumerate(messages):
        sparse, dense = _rows(message)
        count = 0
        if sparse_width and sparse.shape[1] == sparse_width:
            indices.append(sparse.indices)
            values.append(sparse.data)
            count += len(sparse.indices)
        if vector_width and dense.shape[1] == vector_width:
            start = sparse_width + vector_width * blocks.get(_language(message) or "", 0)
            indices.append(np.arange(start, start + vector_width))
            values.append(dense.ravel() * dense_weight)
            count += vector_width
        if extra is not None and extra_width:
            indices.append(extra_columns)
            values.append(extra[number])
            count += extra_width
        pointers.append(pointers[-1] + count)
    width = sparse_width + dense_width + extra_width
    if not indices:
        return scipy.sparse.csr_matrix((len(messages), width))
    return scipy.sparse.csr_matrix(
        (np.concatenate(values).astype(np.float64), np.concatenate(indices), pointers),
        shape=(len(messages), width),
    )
