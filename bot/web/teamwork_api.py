"""The agents' teamwork API: canned replies, internal notes, transfers, and
who works in which queue.

    GET    /api/canned                      every canned reply
    POST   /api/canned                      {"title": ..., "texts": {"pt": ..., "vi": ...}} adds one
    PUT    /api/canned/<id>                 replaces its title and versions
    DELETE /api/canned/<id>
    GET    /api/canned/<id>?escalation=<e>  the reply with the version for the customer of
                                            escalation e and the one for the agent's language
    GET    /api/escalations/<id>/notes      the internal notes (never shown to the customer)
    POST   /api/escalations/<id>/notes      {"text": ...}
    POST   /api/escalations/<id>/transfer   {"queue": "sales"} or {"agent": "bao"} (or both)
    GET    /api/agent/team                  the queues, the agent's own, and every agent with
                                            their queues and whether they are online

Every call needs an agent's token, as in agent_api.py.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Optional

from aiohttp import web

from bot.helpdesk import canned as canned_module
from bot.helpdesk.canned import CannedReplies, language_key, version_for
from bot.helpdesk.escalations import ASSIGNED, QUEUED
from bot.helpdesk.notes import NoteStore
from bot.helpdesk.queues import QueueMembership
from bot.helpdesk.transfer import TransferRefused, transfer
from bot.web import events
from bot.web.agent_api import CONSOLES, MAX_ID, require_agent, summary
from bot.web.http import AGENTS, ESCALATIONS, HUB, PRESENCE, RASA, STORE, ApiError, read_json
from bot.web.rasa_client import AssistantUnavailable

logger = logging.getLogger(__name__)

CANNED = web.AppKey("canned", CannedReplies)
NOTES = web.AppKey("notes", NoteStore)
MEMBERSHIP = web.AppKey("membership", QueueMembership)


def _number(request: web.Request, key: str, what: str) -> int:
    try:
        number = int(request.match_info[key])
    except ValueError:
        number = 0
    if not 1 <= number <= MAX_ID:
        raise ApiError(404, "not_found", f"No such {what}.")
    return number


async def mine(request: web.Request, agent: str) -> Optional[List[str]]:
    """The queues the agent works in, or None when they work in every queue."""
    return (await asyncio.to_thread(request.app[MEMBERSHIP].stored)).get(agent)


# Canned replies


async def list_canned(request: web.Request) -> web.Response:
    await require_agent(request)
    replies = await asyncio.to_thread(request.app[CANNED].all)
    return web.json_response({"canned": [reply.as_dict() for reply in replies], "languages": canned_module.LANGUAGES})


async def add_canned(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    data = await read_json(request)
    try:
        reply = await asyncio.to_thread(request.app[CANNED].add, agent, data.get("title"), data.get("texts"))
    except ValueError as error:
        raise ApiError(400, "bad_canned", f"Send a title and texts: {error}.") from None
    return web.json_response(reply.as_dict(), status=201)


async def change_canned(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    reply_id = _number(request, "cid", "canned reply")
    data = await read_json(request)
    try:
        reply = await asyncio.to_thread(
            request.app[CANNED].change, reply_id, agent, data.get("title"), data.get("texts")
        )
    except ValueError as error:
        raise ApiError(400, "bad_canned", f"Send a title and texts: {error}.") from None
    if reply is None:
        raise ApiError(404, "not_found", "No such canned reply.")
    return web.json_response(reply.as_dict())


async def delete_canned(request: web.Request) -> web.Response:
    await require_agent(request)
    if not await asyncio.to_thread(request.app[CANNED].delete, _number(request, "cid", "canned reply")):
        raise ApiError(404, "not_found", "No such canned reply.")
    return web.json_response({"deleted": True})


async def get_canned(request: web.Request) -> web.Response:
    """The reply; with ?escalation=ID also the version to send that customer
    ("customer") and the one the agent reads ("agent"), each saying whether
    it is a stand-in for a missing version."""
    agent = await require_agent(request)
    reply = await asyncio.to_thread(request.app[CANNED].get, _number(request, "cid", "canned reply"))
    if reply is None:
        raise ApiError(404, "not_found", "No such canned reply.")
    body: Dict[str, Any] = reply.as_dict()
    agent_language = await asyncio.to_thread(request.app[AGENTS].language_of, agent)
    body["agent"] = version_for(reply.texts, agent_language).as_dict()
    if request.query.get("escalation"):
        try:
            wanted = int(request.query["escalation"])
            record = await asyncio.to_thread(request.app[ESCALATIONS].get, wanted) if 1 <= wanted <= MAX_ID else None
        except ValueError:
            record = None
        if record is None:
            raise ApiError(404, "not_found", "No such escalation.")
        customer = language_key(record.language, record.script)
        body["customer"] = (await asyncio.to_thread(version_for, reply.texts, customer)).as_dict()
    return web.json_response(body)


# Internal notes


async def _escalation(request: web.Request):
    record = await asyncio.to_thread(request.app[ESCALATIONS].get, _number(request, "id", "escalation"))
    if record is None:
        raise ApiError(404, "not_found", "No such escalation.")
    return record


async def list_notes(request: web.Request) -> web.Response:
    await require_agent(request)
    record = await _escalation(request)
    notes = await asyncio.to_thread(request.app[NOTES].of, record.id)
    return web.json_response({"notes": [note.as_dict() for note in notes]})


async def add_note(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    record = await _escalation(request)
    text = (await read_json(request)).get("text")
    if not isinstance(text, str):
        raise ApiError(400, "bad_note", 'Send {"text": "..."}.')
    try:
        note = await asyncio.to_thread(request.app[NOTES].add, record.id, agent, text)
    except ValueError as error:
        raise ApiError(400, "bad_note", f"Send {error}.") from None
    await request.app[HUB].publish(CONSOLES, events.queue_changed())  # other consoles read the detail again
    return web.json_response(note.as_dict(), status=201)


# Transfer


async def _known_agents(request: web.Request) -> Dict[str, bool]:
    """Every account that may sign in -> whether it is an admin."""
    accounts = await asyncio.to_thread(request.app[AGENTS].accounts_list)
    return {account["name"]: account["admin"] for account in accounts if not account["disabled"]}


async def transfer_escalation(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    escalation_id = _number(request, "id", "escalation")
    data = await read_json(request)
    queue, to_agent = data.get("queue"), data.get("agent")
    if queue is None and to_agent is None:
        raise ApiError(400, "bad_transfer", 'Send {"queue": "..."} or {"agent": "..."}.')
    membership: QueueMembership = request.app[MEMBERSHIP]
    if queue is not None and (not isinstance(queue, str) or queue not in membership.queues):
        raise ApiError(400, "unknown_queue", f"No queue {queue!r}; there are: {', '.join(membership.queues)}.")
    known = await _known_agents(request)
    if to_agent is not None and (not isinstance(to_agent, str) or to_agent not in known):
        raise ApiError(400, "unknown_agent", f"No agent {to_agent!r} who may sign in.")
    try:
        done = await asyncio.to_thread(
            transfer,
            request.app[ESCALATIONS],
            request.app[NOTES],
            escalation_id,
            agent,
            queue,
            to_agent,
            known.get(agent, False),
        )
    except TransferRefused as refused:
        raise ApiError(refused.status, refused.code, refused.message) from None
    conversation = done.after.conversation_id
    bot_paused = True
    if done.after.status == ASSIGNED and done.before.status == QUEUED:
        try:  # as when claimed: a person has the conversation now
            await request.app[RASA].pause(conversation)
        except AssistantUnavailable as error:
            logger.error("could not pause the bot for %s: %s", conversation, error)
            bot_paused = False
    if done.after.status == ASSIGNED:
        await request.app[HUB].publish(conversation, events.agent_joined(done.after.agent or ""))
    # Back to a queue: the customer is told nothing (no "the assistant is back"); the bot stays paused
    # and the next agent who claims it carries on.
    await request.app[HUB].publish(CONSOLES, events.queue_changed())
    return web.json_response({**summary(done.after), "note": done.note.as_dict(), "bot_paused": bot_paused})


# The team


async def team(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    membership: QueueMembership = request.app[MEMBERSHIP]
    known = await _known_agents(request)
    stored = await asyncio.to_thread(membership.stored)
    online = set(await asyncio.to_thread(request.app[PRESENCE].online))
    return web.json_response(
        {
            "agent": agent,
            "queues": list(membership.queues),
            "mine": stored.get(agent, list(membership.queues)),
            "every_queue": agent not in stored,
            "agents": [
                {"name": name, "queues": stored.get(name, list(membership.queues)), "online": name in online}
                for name in sorted(known)
            ],
        }
    )


def add_routes(app: web.Application) -> None:
    database_url = app[STORE].database_url
    app[CANNED] = CannedReplies(database_url)
    app[NOTES] = NoteStore(database_url)
    app[MEMBERSHIP] = QueueMembership(database_url)
    app.router.add_get("/api/canned", list_canned)
    app.router.add_post("/api/canned", add_canned)
    app.router.add_get("/api/canned/{cid}", get_canned)
    app.router.add_put("/api/canned/{cid}", change_canned)
    app.router.add_delete("/api/canned/{cid}", delete_canned)
    app.router.add_get("/api/escalations/{id}/notes", list_notes)
    app.router.add_post("/api/escalations/{id}/notes", add_note)
    app.router.add_post("/api/escalations/{id}/transfer", transfer_escalation)
    app.router.add_get("/api/agent/team", team)
