"""The action server (rasa-sdk's, with our actions) that refuses strangers.

    python -m bot.action_server [--port 5055]

`rasa run actions` answers anyone who reaches its port: a crafted POST
/webhook could change a ticket's reply address or forge one. With RASA_TOKEN
set (`bot.run` always sets it), every call but /health must bring
`Authorization: Bearer <RASA_TOKEN>`, which Rasa sends from the endpoints
file `bot.run` writes.

Besides Rasa's /webhook it answers the web server's POST /kb/suggestions
(suggested answers for the agent console, bot/kb/suggestions.py): the
knowledge base's search is loaded here, and the web server stays without it.
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import json
import logging
from typing import TYPE_CHECKING, Any, Optional

from bot import warning_filters
from bot.settings import SettingsError, environment

if TYPE_CHECKING:
    from sanic import HTTPResponse, Request, Sanic

UNAUTHORIZED = {"error": "unauthorized", "message": "The action server answers the Rasa server only."}


def create(token: Optional[str]) -> Sanic:
    # Imported here, after the warning filters: importing sanic resets them.
    warning_filters.install_after_sanic()
    from rasa_sdk.endpoint import create_app
    from sanic import response

    app = create_app("actions", cors_origins=None)  # Rasa calls it, never a browser
    app.add_route(kb_suggestions, "/kb/suggestions", methods=["POST"])
    if token:
        expected = f"Bearer {token}"

        @app.middleware("request")
        async def require_the_secret(request: Request):
            if request.path == "/health":
                return None
            if not hmac.compare_digest(request.headers.get("Authorization", ""), expected):
                return response.json(UNAUTHORIZED, status=401)
            return None

    return app


async def kb_suggestions(request: Request) -> HTTPResponse:
    """POST /kb/suggestions {"text", "language", "script", "agent_language",
    "limit"}: suggested answers for an agent (bot/kb/suggestions.py), asked by
    the web server, which does not load the search engine itself."""
    from sanic import response

    from bot.kb.service import load_knowledge_base
    from bot.kb.suggestions import MAX_SUGGESTIONS, BadRequest, suggest

    body = request.json if isinstance(request.json, dict) else {}
    text, language, script = body.get("text"), body.get("language"), body.get("script")
    agent_language, limit = body.get("agent_language", "en"), body.get("limit", MAX_SUGGESTIONS)
    if not isinstance(text, str) or not isinstance(language, str) or not isinstance(agent_language, str):
        return response.json({"error": "bad_request", "message": 'Send {"text", "language", "agent_language"}.'}, 400)
    if not isinstance(limit, int) or isinstance(limit, bool):
        return response.json({"error": "bad_request", "message": "limit must be a whole number."}, 400)

    def search():
        # As the answering action, in a thread: a first search builds the
        # indexes, which must not stop the conversations meanwhile.
        return suggest(load_knowledge_base(), text, language, script, agent_language, limit)

    try:
        found = await asyncio.to_thread(search)
    except BadRequest as error:
        return response.json({"error": "bad_request", "message": str(error)}, 400)
    return response.json({"suggestions": [s.as_dict() for s in found]}, dumps=_json_dumps)


def _json_dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)


def main() -> None:
    try:
        env = environment()
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from None
    parser = argparse.ArgumentParser(prog="python -m bot.action_server")
    parser.add_argument("--port", type=int, default=env.action_port)
    args = parser.parse_args()
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    app = create(env.rasa_token)
    from rasa_sdk import utils

    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    app.run(env.action_interface, args.port, workers=1)


if __name__ == "__main__":
    main()
