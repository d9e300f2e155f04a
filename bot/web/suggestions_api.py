"""GET /api/escalations/<id>/suggestions: the knowledge base's best answers
to the customer's latest message, for the agent who reads the conversation.

    {"suggestions": [{"article_id", "title", "agent_text", "agent_language",
                      "customer_title", "customer_text", "customer_language", "score"}]}

Titles and `agent_text` are in the signed-in agent's console language,
`customer_text` in the customer's language and script, ready to send; where
an article lacks a language, `agent_language` / `customer_language` name the
version used instead. At most three, best first; none when the customer has
written nothing yet. The search runs on the action server
(bot/web/kb_client.py), so this server stays free of the search engine.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Iterable, Mapping, Optional

from aiohttp import web

from bot.languages import LANGUAGES
from bot.settings import get_settings
from bot.web.agent_api import _escalation_id, _live_messages, require_agent
from bot.web.http import AGENTS, ESCALATIONS, ApiError
from bot.web.kb_client import KnowledgeBaseClient, KnowledgeBaseUnavailable

logger = logging.getLogger(__name__)

KB = web.AppKey("kb", KnowledgeBaseClient)


def latest_customer_text(lines: Iterable[Mapping[str, Any]]) -> Optional[str]:
    """What the customer wrote last; button clicks ("/request_human") are not questions."""
    for line in reversed(list(lines)):
        text = str(line.get("text") or "").strip()
        if line.get("sender") == "customer" and text and not text.startswith("/"):
            return text
    return None


async def suggestions(request: web.Request) -> web.Response:
    agent = await require_agent(request)
    record = await asyncio.to_thread(request.app[ESCALATIONS].get, _escalation_id(request))
    if record is None:
        raise ApiError(404, "not_found", "No such escalation.")
    # What the customer wrote since the hand-over, else before it. Before it,
    # the transcript is the one to read: the widget's history keeps a button's
    # label ("Talk to a person"), the transcript its payload ("/request_human").
    since = [line for line in await _live_messages(request, record) if line.get("at", 0) >= record.created_at]
    text = latest_customer_text(since) or latest_customer_text(record.transcript)
    if text is None:
        return web.json_response({"suggestions": []})
    agent_language = await asyncio.to_thread(request.app[AGENTS].language_of, agent)
    # An escalation from before languages were recorded: the assistant's default.
    language = record.language if record.language in LANGUAGES else get_settings().default_language
    script = record.script if language == "zh" and record.script in ("Hans", "Hant") else None
    try:
        found = await request.app[KB].suggestions(text, language, script, agent_language)
    except KnowledgeBaseUnavailable as error:
        logger.error("suggestions for escalation %s: %s", record.id, error)
        raise ApiError(
            503, "kb_unavailable", "The knowledge base cannot be reached right now (the action server); try again."
        ) from None
    return web.json_response({"suggestions": [s.as_dict() for s in found]})


def add_routes(app: web.Application, actions_url: Optional[str], token: Optional[str]) -> None:
    app[KB] = KnowledgeBaseClient(actions_url, token)
    app.router.add_get("/api/escalations/{id}/suggestions", suggestions)

    async def close_client(app: web.Application):
        yield
        await app[KB].close()

    app.cleanup_ctx.append(close_client)
