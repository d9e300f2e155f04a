import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

from bot.nlu.language_detector import LanguageDetector
from bot.nlu.mood_classifier import MoodClassifier
from bot.nlu.multilingual_tokenizer import MultilingualTokenizer


@pytest.fixture(scope="session")
def model_storage(tmp_path_factory) -> LocalModelStorage:
    return LocalModelStorage(tmp_path_factory.mktemp("model_storage"))


@pytest.fixture(scope="session")
def execution_context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


@pytest.fixture(scope="session")
def language_detector(model_storage, execution_context) -> LanguageDetector:
    """Trained once, then loaded back from model storage as Rasa does."""
    resource = Resource("language_detector")
    config = LanguageDetector.get_default_config()
    from rasa.shared.nlu.training_data.training_data import TrainingData

    LanguageDetector.create(config, model_storage, resource, execution_context).train(TrainingData())
    return LanguageDetector.load(config, model_storage, resource, execution_context)


@pytest.fixture(scope="session")
def tokenizer() -> MultilingualTokenizer:
    return MultilingualTokenizer.create(MultilingualTokenizer.get_default_config(), None, None, None)


@pytest.fixture
def mood_classifier_factory(model_storage, execution_context):
    def make(**config):
        resource = Resource(f"mood_{len(config)}_{id(config)}")
        full = {**MoodClassifier.get_default_config(), **config}
        return MoodClassifier.create(full, model_storage, resource, execution_context), resource, full

    return make


class Featurizers:
    """The featurizers before the classifiers, as in config.yml: tokens, word
    and character n-gram counts, the sentence vector."""

    def __init__(self, model_storage, execution_context, tokenizer):
        from bot.nlu.sentence_counts import SentenceCountsFeaturizer
        from bot.nlu.sentence_encoder import SentenceEncoder

        self.tokenizer = tokenizer
        self.counts = [
            SentenceCountsFeaturizer.create(
                {**SentenceCountsFeaturizer.get_default_config(), **config},
                model_storage,
                Resource(f"counts_{index}_{id(self)}"),
                execution_context,
            )
            for index, config in enumerate(
                [
                    {"token_pattern": r"(?u)\b\w+\b", "ngram_range": [1, 2]},
                    {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4},
                ]
            )
        ]
        self.encoder = SentenceEncoder.create(
            SentenceEncoder.get_default_config(), model_storage, None, execution_context
        )

    def train(self, data):
        self.tokenizer.process_training_data(data)
        for featurizer in self.counts:
            featurizer.train(data)
            featurizer.process_training_data(data)
        self.encoder.process_training_data(data)
        return data

    def apply(self, messages):
        self.tokenizer.process(messages)
        for featurizer in self.counts:
            featurizer.process(messages)
        self.encoder.process(messages)
        return messages


@pytest.fixture(scope="session")
def featurizers(model_storage, execution_context, tokenizer) -> Featurizers:
    return Featurizers(model_storage, execution_context, tokenizer)
