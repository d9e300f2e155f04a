"""What the web server's handlers share: the app's typed keys and the one
error type every API refusal (HTTP or live connection) is raised as."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import weakref
from typing import Any, Dict, Optional

from aiohttp import web

from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.conversations import ChatStore
from bot.helpdesk.escalations import EscalationStore
from bot.helpdesk.pending import PendingMessages
from bot.helpdesk.presence import Presence
from bot.web import events
from bot.web.hub import Hub
from bot.web.limits import RateLimiter
from bot.web.rasa_client import RasaClient

STORE = web.AppKey("store", ChatStore)
ESCALATIONS = web.AppKey("escalations", EscalationStore)
PENDING = web.AppKey("pending", PendingMessages)
AGENTS = web.AppKey("agents", AgentSessions)
PRESENCE = web.AppKey("presence", Presence)
HUB = web.AppKey("hub", Hub)
RASA = web.AppKey("rasa", RasaClient)
LIMITER = web.AppKey("limiter", RateLimiter)  # customer messages per session
SESSION_LIMITER = web.AppKey("session_limiter", RateLimiter)  # new conversations per address
LOGIN_LIMITER = web.AppKey("login_limiter", RateLimiter)  # agents' sign-in attempts per address
LOCKS = web.AppKey("locks", weakref.WeakValueDictionary)  # session id -> asyncio.Lock
CONSOLE_AGENTS = web.AppKey("console_agents", dict)
ALLOWED_ORIGINS = web.AppKey(
    "allowed_origins", tuple
)  # sites whose pages may call the API ("*": any)  # agent name -> open consoles on this server
TRUSTED_PROXIES = web.AppKey("trusted_proxies", tuple)  # ip_network objects
BODY_SECONDS = web.AppKey("body_seconds", float)  # a request body must arrive within this
CLIENT_KEY = web.AppKey("client_key", bytes)  # keys the hash of customers' addresses (the internal secret)
MAX_BODY_BYTES = 64 * 1024  # of a request


def client_address(request: web.Request) -> str:
    """Who is calling, for the limits per address. Behind a trusted proxy
    (TRUSTED_PROXIES: nginx appends the address it saw to X-Forwarded-For)
    the last address no trusted proxy added; otherwise the peer itself, so
    nobody can pick an address by sending the header."""
    peer = request.remote or "unknown"
    trusted = request.app.get(TRUSTED_PROXIES) or ()
    if not trusted or not _is_in(peer, trusted):
        return peer
    hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_in(hop, trusted):
            return hop
    return hops[0] if hops else peer


def client_key(request: web.Request) -> Optional[str]:
    """The caller's address as a keyed hash: what the action server counts
    escalations by, without keeping anyone's address. None for this machine
    (a developer trying the widget, or a proxy not listed in TRUSTED_PROXIES,
    behind which every customer would share one address and one limit)."""
    address = client_address(request)
    try:
        if ipaddress.ip_address(address).is_loopback:
            return None
    except ValueError:
        return None
    key = request.app.get(CLIENT_KEY) or b""
    return hmac.new(key, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def _is_in(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class ApiError(Exception):
    """A refused call, with a code the widget and the console translate.

    Over HTTP the middleware answers it as JSON (with CORS headers); on a
    live connection it is sent as an error event."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers: Dict[str, str] = {}

    def with_headers(self, headers: Dict[str, str]) -> ApiError:
        self.headers.update(headers)
        return self

    def as_response(self) -> web.Response:
        response = json_error(self.status, self.code, self.message)
        response.headers.update(self.headers)
        return response

    def as_event(self) -> Dict[str, Any]:
        return events.error(self.code, self.message)


def json_error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": code, "message": message}, status=status)


STORAGE_UNAVAILABLE = ApiError(
    503, "storage_unavailable", "Chat history is unavailable right now; please try again in a moment."
)


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
        return parse_json(await asyncio.wait_for(request.text(), request.app.get(BODY_SECONDS, 10.0)))
    except asyncio.TimeoutError:
        raise ApiError(408, "too_slow", "The request body came too slowly.") from None
    except (UnicodeDecodeError, LookupError, web.RequestPayloadError):
        # Not UTF-8, an unknown charset, or a body that does not decompress.
        raise ApiError(400, "bad_request", "Send a JSON object (UTF-8 text).") from None
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "too_large", f"The request body is too large (at most {MAX_BODY_BYTES} bytes).") from None


def session_lock(app: web.Application, session_id: str) -> asyncio.Lock:
    """One lock per session keeps its messages in order."""
    lock = app[LOCKS].get(session_id)
    if lock is None:
        lock = app[LOCKS][session_id] = asyncio.Lock()
    return lock
