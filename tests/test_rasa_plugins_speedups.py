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


def test_events_are_read_back_as_the_same_classes_as_rasa_reads_them():
    from rasa.shared.core.events import Event

    from bot.rasa_plugins.speedups import _rasa_resolve_by_type, resolve_event_type

    names = ["user", "bot", "action", "slot", "session_started", "restart", "pause", "resume", "active_loop"]
    for name in names * 2:  # the second round comes from what was remembered
        assert resolve_event_type(name) is _rasa_resolve_by_type(name)
    assert resolve_event_type("no_such_event", default=Event) is Event
    with pytest.raises(ValueError):
        resolve_event_type("no_such_event")
