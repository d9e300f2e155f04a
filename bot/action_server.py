"""The action server (rasa-sdk's, with our actions) that refuses strangers.

    python -m bot.action_server [--port 5055]

`rasa run actions` answers anyone who reaches its port: a crafted POST
/webhook could change a ticket's reply address or forge one. With RASA_TOKEN
set (`bot.run` always sets it), every call but /health must bring
`Authorization: Bearer <RASA_TOKEN>`, which Rasa sends from the endpoints
file `bot.run` writes.
"""

from __future__ import annotations

import argparse
import hmac
import logging
from typing import TYPE_CHECKING, Optional

from bot import warning_filters
from bot.settings import SettingsError, environment

if TYPE_CHECKING:
    from sanic import Sanic

UNAUTHORIZED = {"error": "unauthorized", "message": "The action server answers the Rasa server only."}


def create(token: Optional[str]) -> Sanic:
    # Imported here, after the warning filters: importing sanic resets them.
    warning_filters.install_after_sanic()
    from rasa_sdk.endpoint import create_app
    from sanic import response
    from sanic.request import Request

    app = create_app("actions", cors_origins=None)  # Rasa calls it, never a browser
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
