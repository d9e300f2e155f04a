"""The customers' API: conversations, messages, history, rating, and the
live connection (the widget's WebSocket).

Customers never choose their conversation id: POST /api/sessions issues a
random id and a secret token, and every call (HTTP or WebSocket) must bring
both."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional

from aiohttp import WSMsgType, web
from sqlalchemy.exc import SQLAlchemyError

from bot.helpdesk.conversations import Session
from bot.helpdesk.escalations import ASSIGNED
from bot.web import events
from bot.web.chat import handle_customer_message, unless_the_database_is_down
from bot.web.http import (
    ESCALATIONS,
    HUB,
    SESSION_LIMITER,
    STORAGE_UNAVAILABLE,
    STORE,
    ApiError,
    client_address,
    client_key,
    parse_json,
    read_json,
)
from bot.web.hub import Hub

logger = logging.getLogger(__name__)


async def authenticated(request: web.Request, data: Dict[str, Any]) -> Session:
    session = await asyncio.to_thread(request.app[STORE].authenticate, data.get("session_id"), data.get("token"))
    if session is None:
        raise ApiError(401, "unauthorized", "Unknown session or wrong token.")
    return session


async def create_session(request: web.Request) -> web.Response:
    if not request.app[SESSION_LIMITER].allow(client_address(request)):
        raise ApiError(429, "rate_limited", "Too many new conversations from here; wait a minute.")
    return web.json_response(await asyncio.to_thread(request.app[STORE].create_session), status=201)


async def post_message(request: web.Request) -> web.Response:
    data = await read_json(request)
    session = await authenticated(request, data)
    replies = await handle_customer_message(request.app, session, data, client=client_key(request))
    return web.json_response({"messages": replies})


async def agent_chatting(app: web.Application, session: Session) -> Optional[str]:
    """The agent who holds the conversation now, if any."""
    held = await unless_the_database_is_down("the escalation lookup", None, app[ESCALATIONS].open_for, session.id)
    return held.agent if held is not None and held.status == ASSIGNED else None


async def get_history(request: web.Request) -> web.Response:
    data = await read_json(request)
    session = await authenticated(request, data)
    messages = await asyncio.to_thread(request.app[STORE].history, session.id)
    agent = await agent_chatting(request.app, session)
    return web.json_response(
        {"messages": messages, "language": session.language, "script": session.script, "agent": agent}
    )


async def post_rating(request: web.Request) -> web.Response:
    data = await read_json(request)
    session = await authenticated(request, data)
    rating = data.get("rating")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise ApiError(400, "bad_rating", "The rating is a whole number from 1 to 5.")
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
        agent = await agent_chatting(request.app, session)
        await socket.send_json(events.history(history, session.language, session.script, agent))
        async for frame in socket:
            if frame.type != WSMsgType.TEXT:
                if frame.type == WSMsgType.ERROR:
                    break
                await socket.send_json(ApiError(400, "bad_request", "Send JSON text frames.").as_event())
                continue
            try:
                data = parse_json(frame.data)
                if data.get("type") != "message":
                    raise ApiError(400, "bad_request", 'Send {"type": "message", "text": "..."}.')
                await handle_customer_message(request.app, session, data, origin=socket, client=client_key(request))
            except ApiError as error:
                await socket.send_json(error.as_event())
            except SQLAlchemyError as error:
                logger.error("database unavailable for %s: %s", session.id, error)
                await socket.send_json(STORAGE_UNAVAILABLE.as_event())
    finally:
        hub.leave(session.id, socket)
    return socket


# The calls a widget on another site makes: the only ones with CORS headers
# (the agents' API serves the console, on this server's own pages).
PATHS = ("/api/sessions", "/api/messages", "/api/history", "/api/rating", "/api/ws", "/api/attachments")


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/sessions", create_session)
    app.router.add_post("/api/messages", post_message)
    app.router.add_post("/api/history", get_history)
    app.router.add_post("/api/rating", post_rating)
    app.router.add_get("/api/ws", websocket)
