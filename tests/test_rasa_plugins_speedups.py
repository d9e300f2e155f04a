"""The faster check of the action server's answers accepts and refuses exactly what Rasa's does."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.rasa_plugins.speedups import validate_action_result

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "x", "value": 1}], "responses": [{"response": "utter_greet", "ticket": 3}]},
    {"events": [{"event": "followup", "name": "email_form"}], "responses": [{"text": "oi", "buttons": []}]},
]
ACTION = RemoteAction("action_reply", None)
BAD = [
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": "nope", "responses": []},
    {"events": [{"name": "x"}], "responses": []},
]


@pytest.mark.parametrize("result", GOOD)
def test_what_rasa_accepts_is_accepted(result):
    assert RemoteAction._validate_action_result(ACTION, result) is True
    assert validate_action_result(ACTION, result) is True


@pytest.mark.parametrize("result", BAD)
def test_what_rasa_refuses_is_refused_with_the_same_message(result):
    with pytest.raises(ValidationError) as rasa_error:
        RemoteAction._validate_action_result(ACTION, result)
    with pytest.raises(ValidationError) as ours:
        validate_action_result(ACTION, result)
    assert ours.value.message == rasa_error.value.message
