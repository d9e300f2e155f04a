"""What the web server's handlers share: the app's keys and JSON errors."""
from __future__ import annotations

import json
from typing import Any, Dict

from aiohttp import web

STORE, HUB, RASA, LIMITER, SESSION_LIMITER, LOCKS = "store", "hub", "rasa", "limiter", "session_limiter", "locks"
AGENTS, ESCALATIONS, LOGIN_LIMITER = "agents", "escalations", "login_limiter"
PRESENCE, CONSOLE_AGENTS, PENDING = "presence", "console_agents", "pending"
MAX_BODY_BYTES = 64 * 1024  # of a request


class ApiError(Exception):
    """A refused API call; the middleware answers it as JSON (with CORS headers)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def json_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


def parse_json(raw: str) -> Dict[str, Any]:
    try:
        data = json.loads(raw)
        # "\ud800" escapes decode to lone surrogates, which are no text at all:
        # nothing downstream (database, hashing, spaCy) could store them.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):  # RecursionError: absurdly nested input
        data = None  # (UnicodeEncodeError is a ValueError)
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "Send a JSON object (UTF-8 text).")
    return data


async def read_json(request: web.Request) -> Dict[str, Any]:
    try:
        return parse_json(await request.text())
    except (UnicodeDecodeError, LookupError, web.RequestPayloadError):
        # Not UTF-8, an unknown charset, or a body that does not decompress.
        raise ApiError(400, "bad_request", "Send a JSON object (UTF-8 text).")
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "too_large", f"The request body is too large (at most {MAX_BODY_BYTES} bytes).")
