"""The counts featurizer gives the classifiers exactly Rasa's sentence rows,
without the per-token matrices nobody reads."""

from __future__ import annotations

import pytest
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.sentence_counts import SentenceCountsFeaturizer

TEXTS = [
    ("quanto custa o plano basico?", "ask_question", "pt"),
    ("nao consigo entrar na minha conta", "report_problem", "pt"),
    ("¿cuánto cuesta el plan?", "ask_question", "es"),
    ("khach hang noi bo la gi", "ask_question", "vi"),
    ("请问你们有免费试用吗", "ask_question", "zh"),
    ("obrigado!", "thank", "pt"),
]


def training_data(language_detector, tokenizer) -> TrainingData:
    data = TrainingData(
        [Message(data={"text": text, "intent": intent, "metadata": {"language": lang}}) for text, intent, lang in TEXTS]
    )
    language_detector.process_training_data(data)
    tokenizer.process_training_data(data)
    return data


@pytest.mark.parametrize(
    "config",
    [
        {"token_pattern": r"(?u)\b\w+\b", "ngram_range": [1, 2]},
        {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
        {"analyzer": "char", "min_ngram": 3, "max_ngram": 5},
    ],
)
def test_same_sentence_rows_as_rasas_featurizer_and_no_sequence_rows(
    config, language_detector, tokenizer, model_storage, execution_context
):
    ours, rasas = (
        kind.create(
            {**kind.get_default_config(), **config},
            model_storage,
            Resource(f"{kind.__name__}_{config.get('analyzer', 'word')}"),
            execution_context,
        )
        for kind in (SentenceCountsFeaturizer, CountVectorsFeaturizer)
    )
    for featurizer in (ours, rasas):
        data = training_data(language_detector, tokenizer)
        featurizer.train(data)
    new = [Message(data={"text": text}) for text in ("quanto custa?", "cuanto cuesta el plan", "免费试用", "")]
    language_detector.process(new)
    tokenizer.process(new)
    mine = [Message(data=dict(m.data)) for m in new]
    theirs = [Message(data=dict(m.data)) for m in new]
    ours.process(mine)
    rasas.process(theirs)
    for a, b in zip(mine, theirs):
        ours_sentence, ours_sequence = a.get_sparse_features("text")[1], a.get_sparse_features("text")[0]
        rasas_sentence = b.get_sparse_features("text")[1]
        assert ours_sequence is None
        if rasas_sentence is None:
            assert ours_sentence is None
        else:
            assert (ours_sentence.features != rasas_sentence.features).nnz == 0
    assert mine[0].get_sparse_features("text")[1].features.nnz > 0  # counts there are
