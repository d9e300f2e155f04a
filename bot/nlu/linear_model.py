"""The logistic regression the intent and mood classifiers share: fitted
over the rows of bot/nlu/sentence_features.py, kept in the model as a skops
file beside the feature widths, and read back without trusting the file.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Dict, List, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

logger = logging.getLogger(__name__)

WIDTHS_FILE = "feature_widths.json"


def fit(name: str, config: Dict[str, Any], matrix: scipy.sparse.csr_matrix, labels: List[str], max_iter: int) -> Any:
    """A balanced logistic regression with the classifier's C, solver and tol."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(
        C=config["C"],
        solver=config["solver"],
        tol=config["tol"],
        class_weight="balanced",
        max_iter=max_iter,
        random_state=0,
    )
    started = time.monotonic()
    model.fit(matrix, labels)
    logger.info(
        f"{name}: {matrix.shape[0]} examples, {matrix.shape[1]} features: fit "
        f"{time.monotonic() - started:.1f} s ({int(max(model.n_iter_))} iterations)."
    )
    return model


def save(model_storage: ModelStorage, resource: Resource, file_name: str, model: Any, widths: Dict[str, int]) -> None:
    import skops.io as sio

    with model_storage.write_to(resource) as directory:
        sio.dump(model, directory / file_name)
        (directory / WIDTHS_FILE).write_text(json.dumps(widths))


def load(model_storage: ModelStorage, resource: Resource, file_name: str) -> Tuple[Any, Dict[str, int]]:
    """The saved model and widths; ValueError or FileNotFoundError if there is
    none or it asks for types skops does not trust (refused, not executed)."""
    import skops.io as sio

    with model_storage.read_from(resource) as directory:
        path = directory / file_name
        untrusted = sio.get_untrusted_types(file=path)
        if untrusted:
            raise ValueError(f"unexpected types in {path}: {sorted(untrusted)}")
        return sio.load(path, trusted=[]), json.loads((directory / WIDTHS_FILE).read_text())


class LinearScores:
    """Class probabilities of a fitted multinomial LogisticRegression.

    The same numbers as its predict_proba, without the copy of the whole
    weight matrix that scipy makes for each call (2 ms a message here).
    """

    def __init__(self, model: Any) -> None:
        self.classes = [str(c) for c in model.classes_]
        self._weights = np.ascontiguousarray(model.coef_.T)
        self._intercept = model.intercept_

    def probabilities(self, matrix: scipy.sparse.csr_matrix) -> np.ndarray:
        scores = np.asarray(matrix @ self._weights) + self._intercept
        scores -= scores.max(axis=1, keepdims=True)
        exponentials = np.exp(scores)
        return exponentials / exponentials.sum(axis=1, keepdims=True)
