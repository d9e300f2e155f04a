"""One feature row per message for the intent and mood classifiers.

The featurizers before them give two kinds of sentence features: sparse word
and character n-gram counts (CountVectorsFeaturizer) and the dense meaning
vector (SentenceEncoder). Counts grow with the length of a message and the
vector has length 1, so the counts are put on a log scale and brought to
length 1 as well, and the vector is weighted against them.
"""
from __future__ import annotations

from typing import Any, Dict, List, Tuple

import numpy as np
import scipy.sparse
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message

SPARSE = "sparse"
DENSE = "dense"
KINDS = (SPARSE, DENSE)


ROWS = "sentence_feature_rows"  # the rows of a message, kept for the next classifier


def _rows(message: Message) -> Tuple[scipy.sparse.csr_matrix, np.ndarray]:
    """The message's sparse and dense rows, computed once for both classifiers."""
    rows = message.get(ROWS)
    if rows is None:
        rows = (_sparse_row(message), _dense_row(message))
        message.set(ROWS, rows)
    return rows


def _sparse_row(message: Message) -> scipy.sparse.csr_matrix:
    """The featurizers' sparse sentence features side by side, on a log
    scale and of length 1.

    Put together here rather than by Message.get_sparse_features, which
    takes 0.6 ms a message: a quarter of a minute at every training.
    """
    parts = [
        f.features for f in message.features
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
        f.features for f in message.features
        if f.is_dense() and f.type == FEATURE_TYPE_SENTENCE and f.attribute == TEXT
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


def _fit(row: Any, width: int) -> Any:
    """A row of the expected width: zeros where a featurizer found nothing."""
    if row.shape[1] == width:
        return row
    return scipy.sparse.csr_matrix((1, width)) if scipy.sparse.issparse(row) else np.zeros((1, width))


def feature_matrix(
    messages: List[Message], kinds: List[str], dense_weight: float, widths: Dict[str, int]
) -> scipy.sparse.csr_matrix:
    """Rows of the chosen kinds of features, in the order of `messages`."""
    blocks = []
    if SPARSE in kinds:
        blocks.append(scipy.sparse.vstack([_fit(_rows(m)[0], widths[SPARSE]) for m in messages]))
    if DENSE in kinds:
        dense = np.vstack([_fit(_rows(m)[1], widths[DENSE]) for m in messages])
        blocks.append(scipy.sparse.csr_matrix(dense * dense_weight))
    return scipy.sparse.hstack(blocks, format="csr")
