"""The web server: the chat widget and its pages, the customers' and the
agents' APIs, and a relay to Rasa. This module builds the app (its shared
objects, middleware and routes) and runs it; the handlers live in
customer_api.py, agent_api.py and pages.py, the chat pipeline in chat.py.

    python -m bot.web.server [--port 8000]
    RASA_URL                 where Rasa runs (http://localhost:5005; several, comma-separated)
    ACTION_SERVER_URL        the action server (http://localhost:5055), to tell when it is down
    REDIS_URL                several web servers: carry live events between them (redis://host:6379/0)
    DATABASE_URL             sessions and transcripts (sqlite:///var/helpdesk.db)
    CHAT_MESSAGES_PER_10S    messages a session may send per 10 s (8; raised by `make bench`)
    CHAT_SESSIONS_PER_MINUTE new conversations per client address per minute (30)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import logging
import weakref
from typing import Mapping, Optional, Tuple, TypeVar

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from sqlalchemy.exc import SQLAlchemyError

from bot.database import default_database_url
from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.conversations import ChatStore
from bot.helpdesk.escalations import EscalationStore
from bot.helpdesk.pending import PendingMessages
from bot.helpdesk.presence import Presence
from bot.settings import EmailSettings, SettingsError, check_production, environment, get_settings
from bot.web import (
    agent_api,
    attachments_api,
    customer_api,
    guard,
    pages,
    reopen,
    suggestions_api,
    teamwork_api,
    widget_api,
)
from bot.web.chat import resend_pending
from bot.web.http import (
    AGENTS,
    ALLOWED_ORIGINS,
    BODY_SECONDS,
    CLIENT_KEY,
    CONSOLE_AGENTS,
    ESCALATIONS,
    HUB,
    LIMITER,
    LOCKS,
    LOGIN_LIMITER,
    MAX_BODY_BYTES,
    PENDING,
    PRESENCE,
    RASA,
    SESSION_LIMITER,
    STORAGE_UNAVAILABLE,
    STORE,
    TRUSTED_PROXIES,
    ApiError,
)
from bot.web.hub import Hub, RedisHub
from bot.web.limits import MAX_MESSAGES, RateLimiter
from bot.web.rasa_client import RasaClient

logger = logging.getLogger(__name__)
ResponseT = TypeVar("ResponseT", bound=web.StreamResponse)

NEW_SESSIONS_PER_MINUTE = 30  # per client address
# The calls a widget on another site makes: the only ones with CORS headers.
CUSTOMER_PATHS = customer_api.PATHS + widget_api.PATHS


@web.middleware
async def headers(request: web.Request, handler):
    """CORS for the API (the widget may sit on another site; auth is a token,
    not a cookie), safe defaults for every response, and a clear answer when
    the database is down instead of a bare 500."""
    if request.method == "OPTIONS" and request.path in CUSTOMER_PATHS:
        return with_headers(request, web.Response())
    try:
        response = await handler(request)
    except ApiError as error:
        response = error.as_response()
    except web.HTTPException as error:  # 404s and redirects get the same headers; aiohttp wants them raised
        raise with_headers(request, error) from None
    except SQLAlchemyError as error:
        logger.error("database unavailable on %s: %s", request.path, error)
        response = STORAGE_UNAVAILABLE.as_response()
    return with_headers(request, response)


def with_headers(request: web.Request, response: ResponseT) -> ResponseT:
    if request.path in CUSTOMER_PATHS and not isinstance(response, web.WebSocketResponse):
        allowed, origin = request.app[ALLOWED_ORIGINS], request.headers.get("Origin", "")
        if "*" in allowed:
            response.headers["Access-Control-Allow-Origin"] = "*"
        elif origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    if not isinstance(response, web.WebSocketResponse):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        # Our pages may be framed by our own pages only (the console by none, see pages.py).
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    return response


async def no_version(request: web.Request, response: web.StreamResponse) -> None:
    """No "Server: Python/3.10 aiohttp/3.9.5": versions help only an attacker."""
    response.headers["Server"] = "atendo"


def create_app(
    rasa_url: str,
    database_url: Optional[str] = None,
    agents: Optional[Mapping[str, str]] = None,
    messages_per_window: int = MAX_MESSAGES,
    sessions_per_minute: int = NEW_SESSIONS_PER_MINUTE,
    actions_url: Optional[str] = None,
    redis_url: Optional[str] = None,
    rasa_token: Optional[str] = None,
    allowed_origins: Tuple[str, ...] = ("*",),
    trusted_proxies: Tuple[str, ...] = (),
    body_seconds: float = 10.0,
    email: Optional[EmailSettings] = None,  # replies to customers who left (default: helpdesk.yml, SMTP_URL)
) -> web.Application:
    database_url = database_url or default_database_url()
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[headers])
    app.on_response_prepare.append(no_version)  # type: ignore[arg-type]  # (aiosignal types its items oddly)
    app[STORE] = ChatStore(database_url)
    app[ESCALATIONS] = EscalationStore(database_url)
    app[AGENTS] = AgentSessions(get_settings().agents if agents is None else agents, database_url)
    app[LOGIN_LIMITER] = RateLimiter(limit=10, window=60)
    app[PRESENCE] = Presence(database_url)
    app[CONSOLE_AGENTS] = {}
    app[HUB] = RedisHub(redis_url) if redis_url else Hub()
    app[RASA] = RasaClient(rasa_url, actions_url, rasa_token)
    app[ALLOWED_ORIGINS] = allowed_origins
    app[CLIENT_KEY] = (rasa_token or "").encode("utf-8")
    app[BODY_SECONDS] = body_seconds
    app[TRUSTED_PROXIES] = tuple(ipaddress.ip_network(network) for network in trusted_proxies)
    app[PENDING] = PendingMessages(database_url)
    app[LIMITER] = RateLimiter(limit=messages_per_window)
    app[SESSION_LIMITER] = RateLimiter(limit=sessions_per_minute, window=60)
    # One lock per session keeps its messages in order; unused locks go away.
    app[LOCKS] = weakref.WeakValueDictionary()
    customer_api.add_routes(app)
    widget_api.add_routes(app)
    agent_api.add_routes(app)
    teamwork_api.add_routes(app)
    suggestions_api.add_routes(app, actions_url, rasa_token)
    pages.add_routes(app)
    attachments_api.setup(app, database_url, environment().attachments_folder)
    settings = get_settings()
    reopen.setup(
        app,
        database_url,
        settings.email if email is None else email,
        rasa_token,
        environment().public_url,
        settings.default_language,
    )

    async def background(app: web.Application):
        await app[HUB].start()
        resender = asyncio.create_task(resend_pending(app))
        yield
        resender.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await resender
        await app[HUB].close()
        await app[RASA].close()

    app.cleanup_ctx.append(background)
    return app


class PathOnlyAccessLogger(AbstractAccessLogger):
    """Access log without query strings: the live connection carries its token there."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info('%s "%s %s" %s %.3fs', request.remote, request.method, request.path, response.status, time)


def main() -> None:
    try:
        env = environment()
        check_production(env)
    except SettingsError as error:
        raise SystemExit(f"error: {error}") from None
    parser = argparse.ArgumentParser(prog="python -m bot.web.server")
    parser.add_argument("--port", type=int, default=env.web_port)
    parser.add_argument("--host", default=env.web_host)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    app = create_app(
        env.rasa_url,
        actions_url=env.action_server_url,
        redis_url=env.redis_url,
        rasa_token=env.rasa_token,
        allowed_origins=env.allowed_origins,
        trusted_proxies=env.trusted_proxies,
        body_seconds=env.web_body_seconds,
        messages_per_window=env.chat_messages_per_10s,
        sessions_per_minute=env.chat_sessions_per_minute,
    )
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C: a clean stop, not a traceback
        asyncio.run(
            guard.serve(
                app,
                args.host,
                args.port,
                header_seconds=env.web_header_seconds,
                max_connections=env.web_max_connections,
                access_log_class=PathOnlyAccessLogger,
            )
        )


if __name__ == "__main__":
    main()
