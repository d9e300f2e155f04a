"""A Rasa 3.6 slowness, mended without changing what Rasa does.

Rasa checks every answer of the action server against a JSON schema with
`jsonschema.validate`, which first checks the schema itself, every time:
py-spy showed over half of the Rasa server's busy time per message there.
The same check, with the validator built once, is installed by
`install()`, which MultilingualNLG calls when Rasa starts.
"""

from __future__ import annotations

import functools
from typing import Any, Dict

from jsonschema import ValidationError, exceptions, validators
from rasa.core.actions import action
from rasa.shared.constants import DOCS_BASE_URL


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


def install() -> None:
    action.RemoteAction._validate_action_result = validate_action_result


__all__ = ["ValidationError", "install", "validate_action_result"]
