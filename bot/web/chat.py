"""The chat pipeline: a customer's message stored, passed to Rasa, and the
replies stored and published to every open tab of the session (and to the
agents' consoles while the conversation is escalated).

When Rasa or the action server is down, the message waits in the pending
table and is sent again, in order, when they are back. When the help-desk
database is down, the conversation goes on unrecorded here: Rasa keeps it
in its own store, and an escalation is spooled by the action server, which
gives the customer the direct contacts."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from typing import Any, Callable, Dict, List, Optional, TypeVar

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.helpdesk.conversations import ChatLine, ChatStore, Session, chat_line
from bot.helpdesk.escalations import ASSIGNED, QUEUED, Escalation
from bot.helpdesk.pending import PendingMessages
from bot.helpdesk.queues import QueueMembership
from bot.helpdesk.waiting import QueueNotices, place_in_queue
from bot.languages import CLIENT, CONTACT, REPLY_LANGUAGE
from bot.settings import LANGUAGES, get_settings
from bot.web import agent_api, events
from bot.web.http import ESCALATIONS, HUB, LIMITER, PENDING, RASA, STORE, ApiError, session_lock
from bot.web.hub import Hub
from bot.web.limits import MAX_MESSAGE_CHARS
from bot.web.rasa_client import AssistantUnavailable, RasaClient

logger = logging.getLogger(__name__)

MAX_DISPLAY_CHARS = 200
MAX_HINT_CHARS = 35


T = TypeVar("T")


async def unless_the_database_is_down(what: str, fallback: T, call: Callable[..., T], *args: Any) -> T:
    """A help-desk database call the conversation can do without."""
    try:
        return await asyncio.to_thread(call, *args)
    except SQLAlchemyError as error:
        logger.error("database unavailable, %s not recorded: %s", what, error)
        return fallback


def check_text(text: Any) -> str:
    text = text.replace("\x00", "") if isinstance(text, str) else ""
    if not text.strip():
        raise ApiError(400, "empty", "The message is empty.")
    if len(text) > MAX_MESSAGE_CHARS:
        raise ApiError(413, "too_long", f"The message is too long (at most {MAX_MESSAGE_CHARS} characters).")
    return text


UNAVAILABLE = (
    "The assistant is not reachable right now; your message is kept and will be answered as soon as it is back."
)


async def handle_customer_message(
    app: web.Application,
    session: Session,
    data: Dict[str, Any],
    origin: Optional[web.WebSocketResponse] = None,
    client: Optional[str] = None,
) -> List[Dict[str, Any]]:
    """Store a customer message, pass it to Rasa, store and publish the replies.

    If Rasa or the action server is down, the message waits in PENDING and
    is sent again when they are back (see `resend_pending`)."""
    text = check_text(data.get("text"))
    if not app[LIMITER].allow(session.id):
        raise ApiError(429, "rate_limited", "Too many messages; wait a few seconds.")
    given = data.get("display")
    display = given.replace("\x00", "") if isinstance(given, str) else ""
    shown = display if len(display.strip()) > 0 and len(display) <= MAX_DISPLAY_CHARS else text
    hint = data.get("language")
    metadata: Dict[str, Any] = {"language": hint[:MAX_HINT_CHARS]} if isinstance(hint, str) else {}
    metadata[REPLY_LANGUAGE] = True
    if client:
        metadata[CLIENT] = client  # escalations are limited per address (actions/handoff.py)
    store: ChatStore = app[STORE]
    hub: Hub = app[HUB]
    async with session_lock(app, session.id):
        # The pre-chat form's name and e-mail: the escalation's contact (actions/handoff.py).
        contact = await unless_the_database_is_down("the contact", None, store.contact, session.id)
        if contact:
            metadata[CONTACT] = contact
        unrecorded = chat_line("customer", shown, None, time.time())
        customer = await unless_the_database_is_down(
            "the customer's message", unrecorded, store.add_message, session.id, "customer", shown
        )
        await hub.publish_except(session.id, events.message(customer), origin)
        held = await unless_the_database_is_down("the escalation lookup", None, app[ESCALATIONS].open_for, session.id)
        if held is not None:  # agents watching the escalation see it at once
            await hub.publish(agent_api.CONSOLES, events.console_message(session.id, held.id, customer))
        if held is not None and held.status == ASSIGNED:
            return []  # an agent holds the conversation: the bot stays silent
        if held is not None and held.status == QUEUED:
            told = await tell_the_place(app, session, held, text)
            if told is not None:
                return told
        try:
            if await unless_the_database_is_down("the waiting messages", 0, app[PENDING].waiting, session.id):
                raise AssistantUnavailable("earlier messages of this conversation are still waiting")  # keep the order
            await hub.publish(session.id, events.typing())
            return await deliver(app, session.id, text, metadata, escalation_id=held.id if held else None)
        except AssistantUnavailable as error:
            logger.error("Rasa unavailable for %s, message kept: %s", session.id, error)
            await asyncio.to_thread(app[PENDING].add, session.id, text, metadata)
            failure = ApiError(503, "assistant_unavailable", UNAVAILABLE)
            await hub.publish_except(session.id, failure.as_event(), origin)  # other tabs stop "typing"
            raise failure from error


async def tell_the_place(
    app: web.Application, session: Session, held: Escalation, text: str
) -> Optional[List[Dict[str, Any]]]:
    """A customer waiting for a person wrote: tell them their place in the
    queue (not on every message: bot.helpdesk.waiting), and leave the bot out.

    None when the bot should take the message after all: the conversation is
    in a form (the e-mail address the bot asked for when nobody was online),
    or Rasa cannot say whether it is (the message then waits as usual); and
    when the escalation waits as a ticket (its queue closed or nobody of it
    online): a customer who comes back hours later gets the bot's answers
    meanwhile, and the agents still see every message."""
    try:
        if await app[RASA].active_form(session.id) is not None:
            return None
    except AssistantUnavailable as error:
        logger.info("form of %s unknown, the message goes the usual way: %s", session.id, error)
        return None
    queue = get_settings().escalation.queue(held.queue)
    if queue.hours is not None and not queue.is_open():
        return None
    membership = QueueMembership(app[STORE].database_url)
    nobody: List[str] = []
    if not await unless_the_database_is_down("who is online", nobody, membership.online_in, held.queue):
        return None
    escalations = app[ESCALATIONS]
    position = await unless_the_database_is_down("the place in the queue", 0, escalations.position, held.id)
    if position < 1:  # claimed a moment ago (the agent is joining), or the database is down
        return []
    notices = QueueNotices(app[STORE].database_url)
    asked = text.strip().startswith("/request_human")  # "talk to a person" again: always answered
    due = await unless_the_database_is_down("the queue notices", False, notices.due, held, position)
    if not (asked or due):
        return []  # told this place a moment ago; the agents see the message
    language = held.language or session.language or get_settings().default_language
    script = held.script if held.language else session.script
    answer = place_in_queue(position, language, script, has_email=bool(held.email))
    extra: Dict[str, Any] = {"buttons": [], "language": language, "script": script}
    unrecorded = [chat_line("bot", answer, extra, time.time())]
    stored = await unless_the_database_is_down(
        "the place in the queue", unrecorded, app[STORE].add_bot_messages, session.id, [(answer, extra)], None, None
    )
    await unless_the_database_is_down("the queue notices", None, notices.told, held, position)
    sent = []
    for line in stored:
        event = events.message(line)
        await app[HUB].publish(session.id, event)
        await app[HUB].publish(agent_api.CONSOLES, events.console_message(session.id, held.id, line))
        sent.append(event)
    return sent


async def deliver(
    app: web.Application,
    session_id: str,
    text: str,
    metadata: Dict[str, Any],
    escalation_id: Optional[int] = None,
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
    answers = [(r.get("text") or "", {"buttons": r.get("buttons") or [], **extra}) for r in shown]
    now = time.time()
    unrecorded: List[ChatLine] = [chat_line("bot", text, more, now) for text, more in answers]
    stored = await unless_the_database_is_down(
        "the bot's answers", unrecorded, store.add_bot_messages, session_id, answers, language or None, script
    )
    sent = []
    for line in stored:
        event = events.message(line)
        await app[HUB].publish(session_id, event)
        sent.append(event)
    if escalation_id is not None:  # the bot's answers while queued (e.g. the e-mail form), for the agents' view
        for line in stored:
            await app[HUB].publish(agent_api.CONSOLES, events.console_message(session_id, escalation_id, line))
    return sent


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
        except Exception:  # the loop must outlive any surprise; logged with its reason
            logger.exception("waiting messages: retry failed")


async def resend_session(app: web.Application, session_id: str) -> bool:
    pending: PendingMessages = app[PENDING]
    async with session_lock(app, session_id):
        while True:
            message = await asyncio.to_thread(pending.lease_next, session_id)
            if message is None:
                return True
            held = await asyncio.to_thread(app[ESCALATIONS].open_for, session_id)
            if held is not None and held.status == ASSIGNED:
                await asyncio.to_thread(pending.done, message.id)  # a person has it now (it is in the transcript)
                continue
            try:
                await deliver(
                    app,
                    session_id,
                    message.text,
                    message.metadata,
                    escalation_id=held.id if held else None,
                    taken=functools.partial(pending.done, message.id),
                )
            except AssistantUnavailable as error:
                logger.info("still unavailable for %s: %s", session_id, error)
                await asyncio.to_thread(pending.release, message.id)
                return False
            logger.info("answered a waiting message of %s", session_id)
