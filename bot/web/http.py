"""What the web server's handlers share: the app's keys and JSON errors."""
from __future__ import annotations

import json
from typing import Any, Dict

from aiohttp import web

STORE, HUB, RASA, LIMITER, SESSION_LIMITER, LOCKS = "store", "hub", "rasa", "limiter", "session_limiter", "locks"
AGENTS, ESCALATIONS, LOGIN_LIMITER = "agents", "escalations", "login_limiter"
PRESENCE, CONSOLE_AGENTS = "presence", "console_agents"


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
    except (ValueError, RecursionError):  # RecursionError: absurdly nested input
        data = None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "Send a JSON object.")
    return data


async def read_json(request: web.Request) -> Dict[str, Any]:
    try:
        return parse_json(await request.text())
    except UnicodeDecodeError:
        raise ApiError(400, "bad_request", "Send a JSON object.")
