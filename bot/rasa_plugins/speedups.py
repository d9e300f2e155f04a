"""Rasa 3.6 slownesses, mended without changing what Rasa does; `install()`
puts them in place, and MultilingualNLG calls it when Rasa starts.

- Rasa checks every answer of the action server against a JSON schema with
  `jsonschema.validate`, which first checks the schema itself, every time:
  py-spy showed over half of the Rasa server's busy time per message there.
  The same check, with the validator built once.
- Reading a conversation back turns each stored event into its class by
  walking every subclass of `Event` (and `inspect.isabstract` on each), per
  event: the same lookup, remembered by type name.
"""

from __future__ import annotations

import functools
from typing import Any, Dict, Optional

from jsonschema import ValidationError, exceptions, validators
from rasa.core.actions import action
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core import events


@functools.lru_cache(maxsize=1)
def _action_result_validator():
    schema = action.RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: action.RemoteAction, result: Dict[str, Any]) -> bool:
    """As RemoteAction._validate_action_result, with the validator made once."""
    error = exceptions.best_match(_action_result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


_rasa_resolve_by_type = events.Event.resolve_by_type
_event_classes: Dict[str, type] = {}


def resolve_event_type(type_name: str, default: Optional[type] = None) -> Optional[type]:
    """As Event.resolve_by_type, remembering each class found."""
    found = _event_classes.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type(type_name, default)
        if found is not None and getattr(found, "type_name", None) == type_name:
            _event_classes[type_name] = found
    return found


def install() -> None:
    action.RemoteAction._validate_action_result = validate_action_result
    events.Event.resolve_by_type = staticmethod(resolve_event_type)


__all__ = ["ValidationError", "install", "resolve_event_type", "validate_action_result"]
