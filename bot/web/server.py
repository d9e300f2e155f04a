"""The web server: the chat widget and its demo page, the customer's live
connection, the knowledge-base article pages, and a relay to Rasa.

    python -m bot.web.server [--port 8000]
    RASA_URL                 where Rasa runs (http://localhost:5005; several, comma-separated)
    ACTION_SERVER_URL        the action server (http://localhost:5055), to tell when it is down
    REDIS_URL                several web servers: carry live events between them (redis://host:6379/0)
    DATABASE_URL             sessions and transcripts (sqlite:///var/helpdesk.db)
    CHAT_MESSAGES_PER_10S    messages a session may send per 10 s (8; raised by `make bench`)
    CHAT_SESSIONS_PER_MINUTE new conversations per client address per minute (30)

Customers never choose their conversation id: POST /api/sessions issues a
random id and a secret token, and every call (HTTP or WebSocket) must bring
both. Messages go to Rasa's REST channel under that id; replies, and later
agents' messages, reach every open tab of the session through the Hub.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import html
import logging
import os
import re
import weakref
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional

from aiohttp import WSMsgType, web
from aiohttp.abc import AbstractAccessLogger
from sqlalchemy.exc import SQLAlchemyError

from bot.database import default_database_url
from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.escalations import ASSIGNED, EscalationStore
from bot.helpdesk.presence import Presence
from bot.kb.service import load_articles
from bot.languages import REPLY_LANGUAGE
from bot.settings import LANGUAGES, get_settings
from bot.web import agent_api
from bot.web.http import (
    AGENTS,
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
    STORE,
    ApiError,
    json_error,
    parse_json,
    read_json,
)
from bot.web.hub import Hub, RedisHub
from bot.web.limits import MAX_MESSAGE_CHARS, MAX_MESSAGES, RateLimiter
from bot.web.pending import PendingMessages
from bot.web.rasa_client import AssistantUnavailable, RasaClient
from bot.web.store import ChatStore, Session

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
MAX_DISPLAY_CHARS = 200
MAX_HINT_CHARS = 35
NEW_SESSIONS_PER_MINUTE = 30  # per client address


class ChatError(Exception):
    """A customer message we refuse, with a code the widget translates."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status

    def as_event(self) -> Dict[str, Any]:
        return {"type": "error", "code": self.code, "message": self.message}


# --- chat ------------------------------------------------------------------


def check_text(text: Any) -> str:
    text = text.replace("\x00", "") if isinstance(text, str) else ""
    if not text.strip():
        raise ChatError("empty", "The message is empty.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ChatError("too_long", f"The message is too long (at most {MAX_MESSAGE_CHARS} characters).", 413)
    return text


def session_lock(app: web.Application, session_id: str) -> asyncio.Lock:
    """One lock per session keeps its messages in order."""
    lock = app[LOCKS].get(session_id)
    if lock is None:
        lock = app[LOCKS][session_id] = asyncio.Lock()
    return lock


UNAVAILABLE = "The assistant is not reachable right now; your message is kept and will be answered as soon as it is back."


async def handle_customer_message(
    app: web.Application, session: Session, data: Dict[str, Any], origin: Optional[web.WebSocketResponse] = None
) -> List[Dict[str, Any]]:
    """Store a customer message, pass it to Rasa, store and publish the replies.

    If Rasa or the action server is down, the message waits in PENDING and
    is sent again when they are back (see `resend_pending`)."""
    text = check_text(data.get("text"))
    if not app[LIMITER].allow(session.id):
        raise ChatError("rate_limited", "Too many messages; wait a few seconds.", 429)
    display = data.get("display").replace("\x00", "") if isinstance(data.get("display"), str) else ""
    shown = display if 0 < len(display.strip()) and len(display) <= MAX_DISPLAY_CHARS else text
    hint = data.get("language")
    metadata = {"language": hint[:MAX_HINT_CHARS]} if isinstance(hint, str) else {}
    metadata[REPLY_LANGUAGE] = True
    store: ChatStore = app[STORE]
    hub: Hub = app[HUB]
    async with session_lock(app, session.id):
        customer = await asyncio.to_thread(store.add_message, session.id, "customer", shown)
        await hub.publish_except(session.id, {"type": "message", **customer}, origin)
        held = await asyncio.to_thread(app[ESCALATIONS].open_for, session.id)
        if held is not None:  # agents watching the escalation see it at once
            await hub.publish(agent_api.CONSOLES, {"type": "message", "escalation_id": held["id"], "conversation_id": session.id, "message": customer})
        if held is not None and held["status"] == ASSIGNED:
            return []  # an agent holds the conversation: the bot stays silent
        try:
            if await asyncio.to_thread(app[PENDING].waiting, session.id):
                raise AssistantUnavailable("earlier messages of this conversation are still waiting")  # keep the order
            await hub.publish(session.id, {"type": "typing"})
            return await deliver(app, session.id, text, metadata, escalated=held is not None)
        except AssistantUnavailable as error:
            logger.error("Rasa unavailable for %s, message kept: %s", session.id, error)
            await asyncio.to_thread(app[PENDING].add, session.id, text, metadata)
            failure = ChatError("assistant_unavailable", UNAVAILABLE, 503)
            await hub.publish_except(session.id, failure.as_event(), origin)  # other tabs stop "typing"
            raise failure


async def deliver(
    app: web.Application, session_id: str, text: str, metadata: Dict[str, Any], escalated: bool = False,
    taken: Optional[Callable[[], None]] = None,
) -> List[Dict[str, Any]]:
    """Send one customer message to Rasa; store and publish the bot's replies.

    Raises AssistantUnavailable when the message was not answered: Rasa not
    reached, or its action server down. The action server is asked first, so
    that Rasa does not take a message it cannot answer."""
    rasa: RasaClient = app[RASA]
    if not await rasa.actions_up():
        raise AssistantUnavailable("the action server is not answering")
    replies = await rasa.send(session_id, text, metadata)
    if not replies and not await rasa.actions_up(fresh=True):
        # It went down while Rasa worked on this very message: Rasa keeps it
        # and will see it a second time when it is sent again.
        raise AssistantUnavailable("the action server stopped answering")
    if taken is not None:  # Rasa has answered it: never send it again, even if this server dies now
        await asyncio.to_thread(taken)
    shown, language, script = split_language(replies)
    if language is None:  # an answer that did not come through our NLG
        language, script = await rasa.language(session_id)
    store: ChatStore = app[STORE]
    extra = {"language": language, "script": script}
    stored = await asyncio.to_thread(
        store.add_bot_messages, session_id, [(r.get("text") or "", {"buttons": r.get("buttons") or [], **extra}) for r in shown],
        language if language else None, script,
    )
    events = []
    for message in stored:
        event = {"type": "message", **message}
        await app[HUB].publish(session_id, event)
        events.append(event)
    if escalated:  # the bot's answers while queued (e.g. the e-mail form), for the agents' view
        for event in events:
            await app[HUB].publish(agent_api.CONSOLES, {"type": "message", "conversation_id": session_id, "message": event})
    return events


def split_language(replies: List[Dict[str, Any]]):
    """The answers to show, and the language and script our NLG reported with
    them (bot.languages.REPLY_LANGUAGE), trusting known values only."""
    shown, language, script = [], None, None
    for reply in replies:
        reported = (reply.get("custom") or {}).get(REPLY_LANGUAGE) if isinstance(reply.get("custom"), dict) else None
        if isinstance(reported, dict):
            if reported.get("language") in LANGUAGES:
                language = reported["language"]
                script = reported.get("script") if reported.get("script") in ("Hans", "Hant") else None
            continue
        shown.append(reply)
    return shown, language, script


PENDING_RETRY_SECONDS = 2.0


async def resend_pending(app: web.Application) -> None:
    """Send waiting messages again, oldest conversation first, each conversation
    in order; stop a round at the first failure (still down)."""
    while True:
        await asyncio.sleep(PENDING_RETRY_SECONDS)
        try:
            sessions = await asyncio.to_thread(app[PENDING].sessions)
            for session_id in sessions:
                if not await resend_session(app, session_id):
                    break
        except SQLAlchemyError as error:
            logger.warning("waiting messages: database unavailable: %s", error)
        except Exception:  # noqa: BLE001 (the loop must outlive any surprise; logged with its reason)
            logger.exception("waiting messages: retry failed")


async def resend_session(app: web.Application, session_id: str) -> bool:
    pending: PendingMessages = app[PENDING]
    async with session_lock(app, session_id):
        while True:
            message = await asyncio.to_thread(pending.lease_next, session_id)
            if message is None:
                return True
            held = await asyncio.to_thread(app[ESCALATIONS].open_for, session_id)
            if held is not None and held["status"] == ASSIGNED:
                await asyncio.to_thread(pending.done, message["id"])  # a person has it now (it is in the transcript)
                continue
            try:
                await deliver(app, session_id, message["text"], message["metadata"], escalated=held is not None,
                              taken=functools.partial(pending.done, message["id"]))
            except AssistantUnavailable as error:
                logger.info("still unavailable for %s: %s", session_id, error)
                await asyncio.to_thread(pending.release, message["id"])
                return False
            logger.info("answered a waiting message of %s", session_id)


async def authenticated(request: web.Request, data: Dict[str, Any]) -> Session:
    session = await asyncio.to_thread(request.app[STORE].authenticate, data.get("session_id"), data.get("token"))
    if session is None:
        raise ApiError(401, "unauthorized", "Unknown session or wrong token.")
    return session


async def create_session(request: web.Request) -> web.Response:
    if not request.app[SESSION_LIMITER].allow(request.remote or "unknown"):
        raise ApiError(429, "rate_limited", "Too many new conversations from here; wait a minute.")
    return web.json_response(await asyncio.to_thread(request.app[STORE].create_session), status=201)


async def post_message(request: web.Request) -> web.Response:
    data = await read_json(request)
    session = await authenticated(request, data)
    try:
        events = await handle_customer_message(request.app, session, data)
    except ChatError as error:
        return json_error(error.status, error.code, error.message)
    return web.json_response({"messages": events})


async def get_history(request: web.Request) -> web.Response:
    data = await read_json(request)
    session = await authenticated(request, data)
    messages = await asyncio.to_thread(request.app[STORE].history, session.id)
    return web.json_response({"messages": messages, "language": session.language, "script": session.script})


async def post_rating(request: web.Request) -> web.Response:
    data = await read_json(request)
    session = await authenticated(request, data)
    rating = data.get("rating")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        return json_error(400, "bad_rating", "The rating is a whole number from 1 to 5.")
    await asyncio.to_thread(request.app[STORE].rate, session.id, rating)
    return web.json_response({"rating": rating})


async def websocket(request: web.Request) -> web.StreamResponse:
    """The customer's live connection: history first, then events both ways."""
    session = await authenticated(request, dict(request.query))
    socket = web.WebSocketResponse(heartbeat=30, max_msg_size=64 * 1024)
    await socket.prepare(request)
    hub: Hub = request.app[HUB]
    hub.join(session.id, socket)
    try:
        history = await asyncio.to_thread(request.app[STORE].history, session.id)
        await socket.send_json({"type": "history", "messages": history, "language": session.language, "script": session.script})
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                if frame.type == WSMsgType.ERROR:
                    break
                await socket.send_json(ChatError("bad_request", "Send JSON text frames.").as_event())
                continue
            try:
                data = parse_json(frame.data)
                if data.get("type") != "message":
                    raise ChatError("bad_request", 'Send {"type": "message", "text": "..."}.')
                await handle_customer_message(request.app, session, data, origin=socket)
            except ApiError:
                await socket.send_json(ChatError("bad_request", "Send JSON text frames.").as_event())
            except ChatError as error:
                await socket.send_json(error.as_event())
            except SQLAlchemyError as error:
                logger.error("database unavailable for %s: %s", session.id, error)
                await socket.send_json(ChatError("storage_unavailable", "Chat history is unavailable right now; please try again in a moment.").as_event())
    finally:
        hub.leave(session.id, socket)
    return socket


# --- pages -----------------------------------------------------------------


ARTICLE_POLICY = "default-src 'none'; style-src 'self'; img-src 'self' https:"
DEMO_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; img-src 'self' data:"


async def demo_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "demo.html", headers={"Content-Security-Policy": DEMO_POLICY})


CONSOLE_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; frame-ancestors 'none'"


async def console_page(request: web.Request) -> web.StreamResponse:
    """The agent console; it holds no data itself: everything comes through the
    agents' API, which needs a signed-in agent."""
    return web.FileResponse(STATIC / "agent.html", headers={"Content-Security-Policy": CONSOLE_POLICY, "Cache-Control": "no-cache"})


async def report_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "report.html", headers={"Content-Security-Policy": CONSOLE_POLICY, "Cache-Control": "no-cache"})


async def widget_script(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "widget.js", headers={"Cache-Control": "no-cache"})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


UNSAFE_LINK = re.compile(r'<a href="(?!https?:|mailto:|/|#)[^"]*"', re.IGNORECASE)


def render_article(language: str, article_id: str) -> Optional[str]:
    import markdown

    article = load_articles().get(article_id, language)
    if article is None:
        return None
    source = get_settings().contact.fill("\n\n".join([article.answer, article.body]), language)
    # Escape first: articles are text, never markup of their own; and only
    # web, mail and local links survive (no javascript: URLs).
    body = UNSAFE_LINK.sub("<a", markdown.markdown(html.escape(source, quote=False)))
    return (
        f'<!doctype html><html lang="{html.escape(article.language)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(article.title)}</title>"
        '<link rel="stylesheet" href="/static/article.css"></head>'
        f"<body><main><h1>{html.escape(article.title)}</h1>{body}</main></body></html>"
    )


async def article_page(request: web.Request) -> web.Response:
    language = request.match_info["lang"]
    page = await asyncio.to_thread(render_article, language, request.match_info["id"]) if language in LANGUAGES else None
    if page is None:
        raise web.HTTPNotFound(text="No such article.")
    return web.Response(text=page, content_type="text/html", headers={"Content-Security-Policy": ARTICLE_POLICY})


@web.middleware
async def headers(request: web.Request, handler):
    """CORS for the API (the widget may sit on another site; auth is a token,
    not a cookie), safe defaults for every response, and a clear answer when
    the database is down instead of a bare 500."""
    if request.method == "OPTIONS" and request.path.startswith("/api/"):
        response = web.Response()
    else:
        try:
            response = await handler(request)
        except ApiError as error:
            response = json_error(error.status, error.code, error.message)
        except SQLAlchemyError as error:
            logger.error("database unavailable on %s: %s", request.path, error)
            response = json_error(503, "storage_unavailable", "Chat history is unavailable right now; please try again in a moment.")
    if request.path.startswith("/api/") and not isinstance(response, web.WebSocketResponse):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    if not isinstance(response, web.WebSocketResponse):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
    return response


def create_app(
    rasa_url: str, database_url: Optional[str] = None, agents: Optional[Mapping[str, str]] = None,
    messages_per_window: int = MAX_MESSAGES, sessions_per_minute: int = NEW_SESSIONS_PER_MINUTE,
    actions_url: Optional[str] = None, redis_url: Optional[str] = None,
) -> web.Application:
    database_url = database_url or default_database_url()
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[headers])
    app[STORE] = ChatStore(database_url)
    app[ESCALATIONS] = EscalationStore(database_url)
    app[AGENTS] = AgentSessions(get_settings().agents if agents is None else agents, database_url)
    app[LOGIN_LIMITER] = RateLimiter(limit=10, window=60)
    app[PRESENCE] = Presence(database_url)
    app[CONSOLE_AGENTS] = {}
    app[HUB] = RedisHub(redis_url) if redis_url else Hub()
    app[RASA] = RasaClient(rasa_url, actions_url)
    app[PENDING] = PendingMessages(database_url)
    app[LIMITER] = RateLimiter(limit=messages_per_window)
    app[SESSION_LIMITER] = RateLimiter(limit=sessions_per_minute, window=60)
    # One lock per session keeps its messages in order; unused locks go away.
    app[LOCKS] = weakref.WeakValueDictionary()
    app.router.add_get("/", demo_page)
    app.router.add_get("/widget.js", widget_script)
    app.router.add_get("/health", health)
    app.router.add_post("/api/sessions", create_session)
    app.router.add_post("/api/messages", post_message)
    app.router.add_post("/api/history", get_history)
    app.router.add_post("/api/rating", post_rating)
    app.router.add_get("/api/ws", websocket)
    app.router.add_get("/kb/{lang}/{id}", article_page)
    app.router.add_get("/agent", console_page)
    app.router.add_get("/agent/report", report_page)
    agent_api.add_routes(app)
    app.router.add_static("/static", STATIC)

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
    parser = argparse.ArgumentParser(prog="python -m bot.web.server")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    app = create_app(
        os.environ.get("RASA_URL", "http://localhost:5005"),
        actions_url=os.environ.get("ACTION_SERVER_URL"),
        redis_url=os.environ.get("REDIS_URL"),
        messages_per_window=int(os.environ.get("CHAT_MESSAGES_PER_10S", MAX_MESSAGES)),
        sessions_per_minute=int(os.environ.get("CHAT_SESSIONS_PER_MINUTE", NEW_SESSIONS_PER_MINUTE)),
    )
    web.run_app(
        app,
        host=args.host, port=args.port, access_log_class=PathOnlyAccessLogger,
    )


if __name__ == "__main__":
    main()
