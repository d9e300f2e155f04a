"""`python -m bot.rasa_plugins.cli`: a training data file that breaks Rasa's
schema is refused with Rasa's message every time it is read, though a file
that passed is checked only once."""

import pytest
import rasa.shared.utils.validation as validation
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.utils.validation import YamlValidationException

from bot.rasa_plugins import cli

GOOD = 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - oi\n    - ola\n'
BROKEN = 'version: "3.1"\nnlu:\n- intent: greet\n  exampels: |\n    - oi\n'


@pytest.fixture
def checked_once(monkeypatch):
    monkeypatch.setattr(validation, "validate_yaml_schema", validation.validate_yaml_schema)  # put back after
    calls = []
    check = validation.validate_yaml_schema

    def counting(*args, **kwargs):
        calls.append(args[1])
        return check(*args, **kwargs)

    monkeypatch.setattr(validation, "validate_yaml_schema", counting)
    cli.validate_each_file_once()
    return calls


def test_a_broken_file_is_refused_each_time_it_is_read(checked_once):
    for _ in range(2):
        with pytest.raises(YamlValidationException, match="exampels"):
            RasaYAMLReader().reads(BROKEN)
    assert len(checked_once) == 2


def test_a_good_file_is_checked_once_and_read_every_time(checked_once):
    first, second = RasaYAMLReader().reads(GOOD), RasaYAMLReader().reads(GOOD)
    assert [m.get("text") for m in first.training_examples] == ["oi", "ola"]
    assert [m.get("text") for m in second.training_examples] == ["oi", "ola"]
    assert len(checked_once) == 1
