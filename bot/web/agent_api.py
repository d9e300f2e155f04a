"""The agents' HTTP API: sign in, the queue of escalations, claim, talk, resolve.

Every call but sign-in needs `Authorization: Bearer <token>` from
POST /api/agent/login. A customer's session token is no agent token, so a
customer cannot reach any of this.
"""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any, Dict

from aiohttp import web

from bot.helpdesk.escalations import ASSIGNED, QUEUED, RESOLVED
from bot.web.http import AGENTS, ESCALATIONS, HUB, LOGIN_LIMITER, STORE, ApiError, read_json
from bot.web.hub import Hub

LIST_FIELDS = ("id", "conversation_id", "language", "script", "mood", "reason", "priority", "queue", "status", "created_at", "agent", "email")


def summary(record: Dict[str, Any]) -> Dict[str, Any]:
    return {**{k: record.get(k) for k in LIST_FIELDS}, "waiting_seconds": round(time.time() - record["created_at"], 1)}


async def require_agent(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.startswith("Bearer ") else None
    agent = await asyncio.to_thread(request.app[AGENTS].agent_for, token)
    if agent is None:
        raise ApiError(401, "unauthorized", "Sign in as an agent first (POST /api/agent/login).")
    return agent


async def login(request: web.Request) -> web.Response:
    if not request.app[LOGIN_LIMITER].allow(request.remote or "unknown"):
        raise ApiError(429, "rate_limited", "Too many sign-in attempts; wait a minute.")
    data = await read_json(request)
    name, password = data.get("name"), data.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        raise ApiError(400, "bad_request", 'Send {"name": "...", "password": "..."}.')
    session = await asyncio.to_thread(request.app[AGENTS].sign_in, name, password)
    if session is None:
        raise ApiError(401, "unauthorized", "Wrong name or password.")
    return web.json_response(session)


async def list_escalations(request: web.Request) -> web.Response:
    await require_agent(request)
    statuses = request.query.get("status", f"{QUEUED},{ASSIGNED}").split(",")
    records = await asyncio.to_thread(
        request.app[ESCALATIONS].list, statuses, request.query.get("queue"), request.query.get("language")
    )
    return web.json_response([summary(r) for r in records])


def _escalation_id(request: web.Request) -> int:
    try:
        return int(request.match_info["id"])
    except ValueError:
        raise ApiError(404, "not_found", "No such escalation.")


async def get_escalation(request: web.Request) -> web.Response:
    await require_agent(request)
    record = await asyncio.to_thread(request.app[ESCALATIONS].get, _escalation_id(request))
    if record is None:
        raise ApiError(404, "not_found", "No such escalation.")
    live = await asyncio.to_thread(request.app[STORE].history, record["conversation_id"])
    transcript = json.loads(record["transcript"]) if record["transcript"] else []
    return web.json_response({**summary(record), "transcript": transcript, "messages": live})


async def claim(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    record = await asyncio.to_thread(request.app[ESCALATIONS].claim, _escalation_id(request), agent)
    if record is None:
        raise ApiError(409, "not_available", "Someone else holds this escalation, or it is closed.")
    hub: Hub = request.app[HUB]
    await hub.publish(record["conversation_id"], {"type": "agent_joined", "name": agent})
    return web.json_response(summary(record))


async def _held(request: web.Request, agent: str) -> Dict[str, Any]:
    record = await asyncio.to_thread(request.app[ESCALATIONS].get, _escalation_id(request))
    if record is None or record["status"] != ASSIGNED or record["agent"] != agent:
        raise ApiError(409, "not_yours", "Claim the escalation first.")
    return record


async def message(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    record = await _held(request, agent)
    text = (await read_json(request)).get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > 4000:
        raise ApiError(400, "bad_message", "Send some text (at most 4000 characters).")
    stored = await asyncio.to_thread(request.app[STORE].add_message, record["conversation_id"], "agent", text, {"name": agent})
    await request.app[HUB].publish(record["conversation_id"], {"type": "message", **stored})
    return web.json_response(stored)


async def resolve(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    record = await asyncio.to_thread(request.app[ESCALATIONS].resolve, _escalation_id(request), agent)
    if record is None or record["status"] != RESOLVED:
        raise ApiError(409, "not_yours", "Claim the escalation first.")
    await request.app[HUB].publish(record["conversation_id"], {"type": "agent_left", "name": agent})
    return web.json_response(summary(record))


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/agent/login", login)
    app.router.add_get("/api/escalations", list_escalations)
    app.router.add_get("/api/escalations/{id}", get_escalation)
    app.router.add_post("/api/escalations/{id}/claim", claim)
    app.router.add_post("/api/escalations/{id}/message", message)
    app.router.add_post("/api/escalations/{id}/resolve", resolve)
