"""The classifiers' feature rows and their fast probabilities."""

from __future__ import annotations

import numpy as np
import scipy.sparse
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from sklearn.linear_model import LogisticRegression

from bot.nlu.linear_model import LinearScores
from bot.nlu.sentence_features import feature_matrix, feature_widths


def message(counts=None, vector=None) -> Message:
    result = Message(data={"text": "x"})
    if counts is not None:
        result.add_features(Features(scipy.sparse.coo_matrix([counts]), "sentence", "text", "counts"))
    if vector is not None:
        result.add_features(Features(np.array([vector]), "sentence", "text", "encoder"))
    return result


def test_rows_put_counts_on_a_log_scale_of_length_one_beside_the_weighted_vector():
    messages = [message([3, 0, 1], [0.6, 0.8]), message([0, 2, 0], [1.0, 0.0])]
    matrix = feature_matrix(messages, ["sparse", "dense"], 2.0, feature_widths(messages)).toarray()
    counts = np.log1p(np.array([3.0, 0.0, 1.0]))
    assert np.allclose(matrix[0], [*(counts / np.linalg.norm(counts)), 1.2, 1.6])
    assert np.allclose(matrix[1], [0, 1, 0, 2.0, 0.0])


def test_a_message_without_a_kind_of_feature_gets_zeros_there_and_extra_columns_follow():
    messages = [message([1, 1], [0.0, 1.0]), message(None, [1.0, 0.0])]
    widths = feature_widths(messages)
    matrix = feature_matrix(messages, ["sparse", "dense"], 1.0, widths, np.array([[5.0], [7.0]])).toarray()
    assert matrix.shape == (2, 5)
    assert np.allclose(matrix[1], [0, 0, 1, 0, 7])
    assert np.allclose(feature_matrix(messages, ["dense"], 1.0, widths).toarray(), [[0, 1], [1, 0]])


def test_a_vietnamese_vector_gets_columns_of_its_own():
    portuguese, vietnamese = message([1, 0], [0.6, 0.8]), message([0, 1], [1.0, 0.0])
    portuguese.set("language", {"name": "pt"})
    vietnamese.set("language", {"name": "vi"})
    messages = [portuguese, vietnamese]
    matrix = feature_matrix(
        messages, ["sparse", "dense"], 1.0, feature_widths(messages), own_dense_languages=["vi"]
    ).toarray()
    assert np.allclose(matrix, [[1, 0, 0.6, 0.8, 0, 0], [0, 1, 0, 0, 1.0, 0.0]])


def test_linear_scores_give_what_the_model_gives():
    random = np.random.default_rng(0)
    features = scipy.sparse.random(60, 30, density=0.3, random_state=1, format="csr")
    labels = random.choice(["angry", "neutral", "curious"], size=60)
    model = LogisticRegression(C=10, max_iter=500).fit(features, labels)
    scores = LinearScores(model)
    assert scores.classes == list(model.classes_)
    assert np.allclose(scores.probabilities(features), model.predict_proba(features))
