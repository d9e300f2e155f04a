"""The agents' side of the web server: sign in, the queue of escalations,
claim, talk, resolve, the report, the questions the bot could not answer,
and the console's live connection.

Every call but sign-in needs `Authorization: Bearer <token>` from
POST /api/agent/login (the live connection sends the token in its first
frame). A customer's session token is no agent token, so a customer cannot
reach any of this.

While an agent holds a conversation, Rasa's tracker for it is paused (the
bot is silent on every channel); resolving resumes it and the bot answers
again.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import math
import time
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import WSMsgType, web
from sqlalchemy.exc import SQLAlchemyError

from bot import privacy
from bot.helpdesk.agents import LockedOut
from bot.helpdesk.conversations import chat_line
from bot.helpdesk.escalations import ASSIGNED, QUEUED, RESOLVED, Escalation
from bot.helpdesk.gaps import gap_groups
from bot.helpdesk.presence import Presence
from bot.helpdesk.report import Period, PeriodError, build_report, report_csv
from bot.helpdesk.search import MAX_QUERY_CHARS, matching
from bot.settings import get_settings
from bot.web import events, reopen
from bot.web.http import (
    AGENTS,
    CONSOLE_AGENTS,
    ESCALATIONS,
    HUB,
    LOGIN_LIMITER,
    PRESENCE,
    RASA,
    STORE,
    ApiError,
    client_address,
    parse_json,
    read_json,
)
from bot.web.hub import Hub
from bot.web.rasa_client import AssistantUnavailable

logger = logging.getLogger(__name__)

# The Hub topic of every open agent console (a session id never has a colon).
CONSOLES = "agents:console"
QUEUE_CHECK_SECONDS = 1.0
LIST_FIELDS = (
    "id",
    "conversation_id",
    "language",
    "script",
    "mood",
    "reason",
    "priority",
    "queue",
    "status",
    "created_at",
    "claimed_at",
    "resolved_at",
    "agent",
    "email",
    "customer_name",  # from the widget's pre-chat form
)


PREVIEW_CHARS = 120  # how much of the customer's last message a queue entry shows


def customer_said(record: Escalation) -> Optional[str]:
    """The customer's last message before the hand-over: how an agent tells
    queue entries apart when the customer gave no e-mail."""
    for line in reversed(record.transcript):
        text = " ".join(str(line.get("text") or "").split())
        # Button payloads ("/request_human") are clicks, not what the customer wrote.
        if line.get("sender") == "customer" and text and not text.startswith("/"):
            return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
    return None


def service_level(record: Escalation) -> Dict[str, Any]:
    """The first-response target (helpdesk.yml escalation.service_levels): target_seconds,
    due_at, breached, seconds_left (negative: overdue; None once answered or without a target)."""
    deadline = get_settings().escalation.service_levels.deadline(
        record.queue, record.priority, record.created_at, record.first_response_at
    )
    return {"first_response_at": record.first_response_at, **dataclasses.asdict(deadline)}


def summary(record: Escalation) -> Dict[str, Any]:
    end = record.claimed_at or time.time()
    return {
        **{k: getattr(record, k) for k in LIST_FIELDS},
        "customer_said": customer_said(record),
        "waiting_seconds": round(end - record.created_at, 1),
        **service_level(record),
    }


async def agent_for(request: web.Request, token: Optional[str]) -> str:
    agent = await asyncio.to_thread(request.app[AGENTS].agent_for, token)
    if agent is None:
        raise ApiError(401, "unauthorized", "Sign in as an agent first (POST /api/agent/login).")
    return agent


async def require_agent(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return await agent_for(request, header[7:] if header.startswith("Bearer ") else None)


async def login(request: web.Request) -> web.Response:
    if not request.app[LOGIN_LIMITER].allow(client_address(request)):
        raise ApiError(429, "rate_limited", "Too many sign-in attempts; wait a minute.")
    data = await read_json(request)
    name, password = data.get("name"), data.get("password")
    if not isinstance(name, str) or not isinstance(password, str):
        raise ApiError(400, "bad_request", 'Send {"name": "...", "password": "..."}.')
    try:
        session = await asyncio.to_thread(request.app[AGENTS].sign_in, name, password)
    except LockedOut as locked:
        wait = max(1, math.ceil(locked.seconds))
        error = ApiError(429, "locked", f"Too many wrong passwords for this name; try again in {wait} s.")
        raise error.with_headers({"Retry-After": str(wait)}) from None
    if session is None:
        raise ApiError(401, "unauthorized", "Wrong name or password.")
    return web.json_response(session)


async def logout(request: web.Request) -> web.Response:
    """The agent's session ends now, on the server too (the token stops working)."""
    await require_agent(request)
    await asyncio.to_thread(request.app[AGENTS].sign_out, request.headers["Authorization"][7:])
    return web.json_response({"signed_out": True})


async def settings(request: web.Request) -> web.Response:
    """POST /api/agent/settings {"language": "vi"}: the agent's console language, kept for the next sign-in."""
    agent = await require_agent(request)
    language = (await read_json(request)).get("language")
    if not isinstance(language, str):
        raise ApiError(400, "bad_request", 'Send {"language": "pt"}.')
    try:
        chosen = await asyncio.to_thread(request.app[AGENTS].set_language, agent, language)
    except ValueError as error:
        raise ApiError(400, "bad_language", str(error)) from None
    return web.json_response({"agent": agent, "language": chosen})


async def require_admin(request: web.Request) -> str:
    agent = await require_agent(request)
    if not await asyncio.to_thread(request.app[AGENTS].is_admin, agent):
        raise ApiError(403, "forbidden", "Only an admin agent may export or delete a customer's data.")
    return agent


def _privacy_request(request: web.Request, values: Dict[str, Any]) -> Tuple[privacy.Stores, List[str]]:
    """The stores and the conversations an admin asked about (by e-mail or conversation id)."""
    email, conversation = values.get("email"), values.get("conversation")
    email = email.strip() if isinstance(email, str) else ""
    conversation = conversation.strip() if isinstance(conversation, str) else ""
    if not email and not conversation:
        raise ApiError(400, "bad_request", 'Send "email" or "conversation".')
    try:
        stores = privacy.Stores.open(database_url=request.app[STORE].database_url)
    except privacy.PrivacyError as error:
        raise ApiError(503, "unavailable", str(error)) from None
    try:
        return stores, privacy.conversations_of(stores, email) if email else [conversation]
    except privacy.PrivacyError as error:
        raise ApiError(400, "bad_request", str(error)) from None


async def privacy_export(request: web.Request) -> web.Response:
    """GET /api/privacy/export?email=E (or conversation=ID): everything kept, as one JSON document."""
    agent = await require_admin(request)

    def run() -> Dict[str, Any]:
        stores, ids = _privacy_request(request, dict(request.query))
        return privacy.export(stores, ids)

    document = await asyncio.to_thread(run)
    logger.info("agent %s exported %d conversation(s)", agent, len(document["conversations"]))
    return web.json_response(document, dumps=lambda data: json.dumps(data, ensure_ascii=False, default=str))


async def privacy_delete(request: web.Request) -> web.Response:
    """POST /api/privacy/delete {"email": E} (or "conversation"): removed from every store."""
    agent = await require_admin(request)
    data = await read_json(request)

    def run() -> Dict[str, Any]:
        stores, ids = _privacy_request(request, data)
        done = privacy.delete(stores, ids)
        return {
            "conversations": len(ids),
            "rows": done.rows,
            "spool_files": done.spool_files,
            "attachment_files": done.attachment_files,
        }

    result = await asyncio.to_thread(run)
    logger.info("agent %s deleted %d conversation(s)", agent, result["conversations"])
    return web.json_response(result)


async def list_escalations(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    statuses = request.query.get("status", f"{QUEUED},{ASSIGNED}").split(",")
    queue = request.query.get("queue") or None
    records = await asyncio.to_thread(
        request.app[ESCALATIONS].list,
        statuses,
        None if queue == "*" else queue,  # "*": every queue, also those the agent does not work in
        request.query.get("language") or None,
    )
    if queue is None:  # the queues the agent works in (bot/helpdesk/queues.py)
        from bot.web.teamwork_api import mine  # (it builds on this module)

        own = await mine(request, agent)
        records = records if own is None else [record for record in records if record.queue in own]
    query = request.query.get("q", "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise ApiError(400, "bad_request", f"Search for at most {MAX_QUERY_CHARS} characters.")
    if query:  # the customer's e-mail or words, without case or accents (bot.helpdesk.search)
        records = await asyncio.to_thread(matching, records, query, request.app[STORE].database_url)
    return web.json_response([summary(r) for r in records])


MAX_ID = 2**31 - 1  # larger ids exist in no table (and overflow SQLite's integers)


def _escalation_id(request: web.Request) -> int:
    try:
        number = int(request.match_info["id"])
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_ID:
        raise ApiError(404, "not_found", "No such escalation.")
    return number


async def _live_messages(request: web.Request, record: Escalation):
    """The conversation since the hand-over: the widget's messages, or what the
    customer wrote to Rasa on another channel (REST, shell)."""
    conversation = record.conversation_id
    if await asyncio.to_thread(request.app[STORE].has_session, conversation):
        return await asyncio.to_thread(request.app[STORE].history, conversation)
    return await request.app[RASA].customer_messages(conversation, record.created_at)


async def get_escalation(request: web.Request) -> web.Response:
    await require_agent(request)
    record = await asyncio.to_thread(request.app[ESCALATIONS].get, _escalation_id(request))
    if record is None:
        raise ApiError(404, "not_found", "No such escalation.") from None
    return web.json_response(
        {
            **summary(record),
            "transcript": record.transcript,
            "articles": record.articles,
            "moods": record.moods,
            "messages": await _live_messages(request, record),
        }
    )


async def claim(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    record = await asyncio.to_thread(request.app[ESCALATIONS].claim, _escalation_id(request), agent)
    if record is None:
        raise ApiError(409, "not_available", "Someone else holds this escalation, or it is closed.")
    bot_paused = True
    try:
        await request.app[RASA].pause(record.conversation_id)
    except AssistantUnavailable as error:
        # The widget's messages still skip the bot (the web server checks the
        # escalation); other channels would not, so the console is told.
        logger.error("could not pause the bot for %s: %s", record.conversation_id, error)
        bot_paused = False
    hub: Hub = request.app[HUB]
    await hub.publish(record.conversation_id, events.agent_joined(agent))
    await hub.publish(CONSOLES, events.queue_changed())
    return web.json_response({**summary(record), "bot_paused": bot_paused})


async def _held(request: web.Request, agent: str) -> Escalation:
    record = await asyncio.to_thread(request.app[ESCALATIONS].get, _escalation_id(request))
    if record is None or record.status != ASSIGNED or record.agent != agent:
        raise ApiError(409, "not_yours", "Claim the escalation first.")
    return record


async def message(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    record = await _held(request, agent)
    text = (await read_json(request)).get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > 4000:
        raise ApiError(400, "bad_message", "Send some text (at most 4000 characters).")
    conversation = record.conversation_id
    delivery: Dict[str, Any] = {"customer_online": None, "emailed": False, "email_problem": None}
    if not await asyncio.to_thread(request.app[STORE].has_session, conversation):
        # Another channel (REST, shell): the reply joins the conversation in
        # Rasa; those channels cannot be written to unasked.
        await request.app[RASA].add_events(conversation, [{"event": "bot", "text": text, "metadata": {"agent": agent}}])
        stored = chat_line("agent", text, {"name": agent}, time.time())
    else:
        stored = await asyncio.to_thread(request.app[STORE].add_message, conversation, "agent", text, {"name": agent})
        await request.app[HUB].publish(conversation, events.message(stored))
        # A customer with no widget open gets it by e-mail (bot/web/reopen.py).
        delivery = await reopen.reply_to_away_customer(request.app, record, agent, text)
    await request.app[HUB].publish(CONSOLES, events.console_message(conversation, record.id, stored))
    await asyncio.to_thread(request.app[ESCALATIONS].mark_first_response, record.id)  # the service level's clock
    return web.json_response({**stored, **delivery})


async def resolve(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    record = await asyncio.to_thread(request.app[ESCALATIONS].resolve, _escalation_id(request), agent)
    if record is None or record.status != RESOLVED:
        raise ApiError(409, "not_yours", "Claim the escalation first.")
    bot_back = True
    try:
        await request.app[RASA].hand_back(record.conversation_id)
    except AssistantUnavailable as error:
        logger.error("could not hand %s back to the bot: %s", record.conversation_id, error)
        bot_back = False
    await request.app[HUB].publish(record.conversation_id, events.agent_left(agent))
    await request.app[HUB].publish(CONSOLES, events.queue_changed())
    return web.json_response({**summary(record), "bot_resumed": bot_back})


async def _report_figures(request: web.Request) -> Dict[str, Any]:
    """The report for ?days=N, or ?from=YYYY-MM-DD&to=YYYY-MM-DD (UTC days), or all time."""
    await require_agent(request)
    query = request.query
    try:
        period = Period.parse(query.get("days"), query.get("from"), query.get("to"))
    except PeriodError as error:
        raise ApiError(400, "bad_request", str(error)) from None
    levels = get_settings().escalation.service_levels
    return await asyncio.to_thread(build_report, request.app[STORE].database_url, None, period, levels)


async def report(request: web.Request) -> web.Response:
    return web.json_response(await _report_figures(request))


async def report_as_csv(request: web.Request) -> web.Response:
    """GET /api/report.csv: the same figures, one (figure, key, value) row each."""
    figures = await _report_figures(request)
    return web.Response(
        text=report_csv(figures),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="helpdesk-report.csv"'},
    )


async def knowledge_gaps(request: web.Request) -> web.Response:
    """GET /api/kb/gaps?limit=50: the questions the bot could not answer, grouped
    by meaning (articles to write), the group with the newest question first."""
    await require_agent(request)
    try:
        limit = min(200, max(1, int(request.query.get("limit", "50"))))
    except ValueError:
        raise ApiError(400, "bad_request", "limit must be a whole number.") from None
    groups = await asyncio.to_thread(gap_groups, limit, request.app[STORE].database_url)  # clustering: seconds
    return web.json_response({"groups": [group.as_dict() for group in groups]})


async def console_socket(request: web.Request) -> web.StreamResponse:
    """An agent console's live connection. First frame: {"type": "auth", "token": ...};
    then the server sends queue_changed and message events, and the console
    sends {"type": "ping"} every 20 s, which keeps the agent online."""
    socket = web.WebSocketResponse(heartbeat=30, max_msg_size=16 * 1024)
    await socket.prepare(request)
    try:
        first = await socket.receive(timeout=10)
        token = parse_json(first.data).get("token") if first.type == WSMsgType.TEXT else None
        agent = await agent_for(request, token if isinstance(token, str) else None)
    except (ApiError, asyncio.TimeoutError, SQLAlchemyError):
        await socket.send_json(events.error("unauthorized", "Sign in as an agent first."))
        await socket.close()
        return socket
    presence: Presence = request.app[PRESENCE]
    hub: Hub = request.app[HUB]
    hub.join(CONSOLES, socket)
    consoles = request.app[CONSOLE_AGENTS]
    consoles[agent] = consoles.get(agent, 0) + 1
    try:
        await asyncio.to_thread(presence.seen, agent)
        await socket.send_json(events.ready(agent))
        async for frame in socket:
            if frame.type == WSMsgType.ERROR:
                break
            if await asyncio.to_thread(request.app[AGENTS].agent_for, token) is None:
                await socket.send_json(events.error("unauthorized", "The session expired; sign in again."))
                break
            await asyncio.to_thread(presence.seen, agent)
    except SQLAlchemyError as error:
        logger.error("agent console of %s: database unavailable: %s", agent, error)
    finally:
        hub.leave(CONSOLES, socket)
        consoles[agent] -= 1
        if not consoles[agent]:  # the agent's last console here closed
            del consoles[agent]
            # Not awaited: aiohttp cancels this handler when the client goes away.
            asyncio.get_running_loop().run_in_executor(None, _mark_gone, presence, agent)
    return socket


def _mark_gone(presence: Presence, agent: str) -> None:
    try:
        presence.gone(agent)
    except SQLAlchemyError as error:  # they drop out of `online` after ONLINE_SECONDS anyway
        logger.warning("could not mark %s offline: %s", agent, error)


async def watch_queue(app: web.Application) -> None:
    """Tell open consoles when escalations change, whichever process changed
    them (the action server creates them): the database is the common ground.
    The state at start is read first, so a change right after start is news."""
    last = None
    while True:
        try:
            change = await asyncio.to_thread(app[ESCALATIONS].last_change)
        except SQLAlchemyError as error:
            logger.warning("queue check failed: %s", error)
            await asyncio.sleep(QUEUE_CHECK_SECONDS)
            continue
        if last is not None and change != last and app[HUB].sockets(CONSOLES):
            await app[HUB].publish_here(CONSOLES, events.queue_changed())  # every server watches for its own consoles
        last = change
        await asyncio.sleep(QUEUE_CHECK_SECONDS)


def add_routes(app: web.Application) -> None:
    app.router.add_post("/api/agent/login", login)
    app.router.add_post("/api/agent/logout", logout)
    app.router.add_post("/api/agent/settings", settings)
    app.router.add_get("/api/agent/ws", console_socket)
    app.router.add_get("/api/escalations", list_escalations)
    app.router.add_get("/api/escalations/{id}", get_escalation)
    app.router.add_post("/api/escalations/{id}/claim", claim)
    app.router.add_post("/api/escalations/{id}/message", message)
    app.router.add_post("/api/escalations/{id}/resolve", resolve)
    app.router.add_get("/api/report", report)
    app.router.add_get("/api/report.csv", report_as_csv)
    app.router.add_get("/api/kb/gaps", knowledge_gaps)
    app.router.add_get("/api/privacy/export", privacy_export)
    app.router.add_post("/api/privacy/delete", privacy_delete)

    async def start_watching(app: web.Application):
        task = asyncio.create_task(watch_queue(app))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(start_watching)
