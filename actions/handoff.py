"""Hand a conversation to a person: record the escalation, tell the customer
where they stand, and take an e-mail address while nobody can answer.

Escalations happen when the customer asks for a person, and by the named
rules of bot/helpdesk/rules.py, checked by every action that answers a
customer. When the queue is open and an agent of that queue has the console
open (bot/helpdesk/queues.py), the customer is told their place in the queue
and waits; otherwise (outside the queue's opening hours, or nobody of the
queue online) the escalation waits as a ticket
with the customer's e-mail address. Every escalation is announced to the
configured webhook.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import time
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.helpdesk import queues, routing, rules, spool, webhook
from bot.helpdesk.escalations import Escalation, EscalationStore, NewEscalation, TranscriptLine
from bot.languages import CLIENT, CONTACT
from bot.settings import get_settings

logger = logging.getLogger(__name__)

EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MAX_TRANSCRIPT = 200  # messages kept with an escalation
SPOOLED = "spooled"  # escalation_id while the escalation waits in the spool (database down)


def transcript(tracker: Tracker) -> List[TranscriptLine]:
    """The conversation so far: who said what, with the customer's moods."""
    lines: List[TranscriptLine] = []
    for event in tracker.events:
        if event.get("event") == "user":
            mood = ((event.get("parse_data") or {}).get("mood") or {}).get("name")
            lines.append({"sender": "customer", "text": event.get("text") or "", "mood": mood})
        elif event.get("event") == "bot" and event.get("text"):
            lines.append({"sender": "bot", "text": event["text"]})
    return lines[-MAX_TRANSCRIPT:]


def answered_articles(tracker: Tracker) -> List[str]:
    """Articles the bot answered with or offered in this conversation."""
    found: List[str] = []
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") == "kb_articles" and event.get("value"):
            found.extend(a for a in event["value"] if a not in found)
    return found


def since_last_handback(events: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Events after an agent last handed the conversation back (Rasa's
    `resume`): what came before was dealt with by a person."""
    for index in range(len(events) - 1, -1, -1):
        if events[index].get("event") == "resume":
            return events[index + 1 :]
    return events


def automatic_reason(tracker: Tracker) -> Optional[str]:
    """The anger rule that fires on the latest message, unless already escalated."""
    if tracker.get_slot("escalation_id"):
        return None
    return rules.anger_reason(get_settings().escalation, rules.turns_from_events(since_last_handback(tracker.events)))


def counted_reason(tracker: Tracker, rule: str, count: int) -> Optional[str]:
    """`rule` once its count is reached (unhelpful_answers, repeated_fallback,
    no_article), unless already escalated."""
    if tracker.get_slot("escalation_id") or not rules.reached(get_settings().escalation, rule, count):
        return None
    return rule


def client_of(tracker: Tracker) -> Optional[str]:
    """The keyed hash of the customer's address the web server sends along (None from other channels)."""
    client = (tracker.latest_message.get("metadata") or {}).get(CLIENT)
    return client if isinstance(client, str) and client else None


def contact_of(tracker: Tracker) -> Dict[str, Optional[str]]:
    """The name and e-mail address the customer gave in the widget's pre-chat
    form, which the web server sends along with each message (empty from other channels)."""
    given = (tracker.latest_message.get("metadata") or {}).get(CONTACT)
    given = given if isinstance(given, dict) else {}
    name, email = given.get("name"), given.get("email")
    found = EMAIL.fullmatch(email) if isinstance(email, str) and len(email) <= 254 else None
    return {
        "name": name[:80] if isinstance(name, str) and name.strip() else None,
        "email": found.group(0) if found else None,
    }


async def too_many_from(store: EscalationStore, client: Optional[str], per_hour: int) -> bool:
    if client is None:
        return False
    return await asyncio.to_thread(store.made_from, client, time.time() - 3600) >= per_hour


async def escalate(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> List[EventType]:
    """Record the escalation (once per conversation), tell the customer where
    they stand, and ask for an e-mail address when nobody can answer now."""
    settings = get_settings()
    language = tracker.get_slot("language") or settings.default_language
    mood = tracker.get_slot("mood")
    lines = transcript(tracker)
    contact = contact_of(tracker)
    new = NewEscalation(
        conversation_id=tracker.sender_id,
        reason=reason,
        priority=routing.priority(settings.escalation, reason, mood),
        queue=routing.choose_queue(
            settings.escalation,
            language,
            mood,
            [line["text"] for line in lines if line["sender"] == "customer"],
            answered_articles(tracker),
        ),
        language=language,
        script=tracker.get_slot("script") if language == "zh" else None,
        mood=mood,
        moods=[mood for line in lines if (mood := line.get("mood"))],
        transcript=lines,
        articles=answered_articles(tracker),
        client=client_of(tracker),
        email=contact["email"],
        customer_name=contact["name"],
    )
    store = EscalationStore()
    try:
        record = await asyncio.to_thread(store.open_for, tracker.sender_id)
        if record is None and await too_many_from(store, new.client, settings.escalation.per_address_per_hour):
            # One address making ticket after ticket (a script): the direct contacts, no new ticket.
            logger.warning("escalation of %s refused: too many from its address this hour", tracker.sender_id)
            dispatcher.utter_message(response="utter_contact_human")
            return []
        if record is None:
            record = await asyncio.to_thread(store.create, new)
            announce_new(record)
        elif not record.email and contact["email"]:  # given in the pre-chat form since
            await asyncio.to_thread(store.set_email, record.id, contact["email"])
            record = dataclasses.replace(record, email=contact["email"])
        position = await asyncio.to_thread(store.position, record.id)
        queue = settings.escalation.queue(record.queue)
        open_now = queue.is_open()
        # Someone online for this queue: a sales agent does not make a support customer wait for nobody.
        online = open_now and bool(await asyncio.to_thread(queues.online_in, record.queue))
    except SQLAlchemyError as error:
        # Database down or full: keep the escalation on disk, write it when
        # the database is back, and give the customer the direct contacts.
        logger.error("escalation of %s kept in the spool, database unavailable: %s", tracker.sender_id, error)
        spool.keep(new)
        spool.retry_in_background(EscalationStore, announce_new)
        dispatcher.utter_message(response="utter_escalation_saved")
        return [SlotSet("escalation_id", SPOOLED)]
    events: List[EventType] = [SlotSet("escalation_id", record.id)]
    if record.email and not tracker.get_slot("email"):
        events.append(SlotSet("email", record.email))
    where = {"ticket": record.id, "position": max(position, 1)}
    if online:
        dispatcher.utter_message(response="utter_escalation_online", **where)
        return events
    if not open_now and queue.hours is not None:  # (a queue without hours is always open)
        hours = queue.hours.describe(language, tracker.get_slot("script") if language == "zh" else None)
        dispatcher.utter_message(response="utter_escalation_closed", hours=hours, **where)
    else:
        dispatcher.utter_message(response="utter_escalation_offline", **where)
    if not record.email:  # asking again for a person does not ask for the address again
        events.append(FollowupAction("email_form"))
    return events


class ActionEscalate(Action):
    """The customer asked for a person."""

    def name(self) -> str:
        return "action_escalate"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return await escalate(dispatcher, tracker, "request_human")


def announce_new(record: Escalation) -> None:
    """Tell the configured webhook about a new escalation (in the background)."""
    settings = get_settings().escalation
    webhook.announce(settings.webhook_url, announcement(record), settings.webhook_attempts)


def announcement(record: Escalation) -> Dict[str, Any]:
    """What the webhook receives about a new escalation."""
    keys = (
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
    )
    return {"event": "escalation.created", **{k: getattr(record, k) for k in keys}}


class ValidateEmailForm(FormValidationAction):
    """Accepts an e-mail address, also inside a sentence ("it's ana@x.com")."""

    def name(self) -> str:
        return "validate_email_form"

    async def validate_email(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        found: Optional[re.Match] = EMAIL.search(value) if isinstance(value, str) else None
        if found is None or len(found.group(0)) > 254:
            dispatcher.utter_message(response="utter_invalid_email")
            return {"email": None}
        return {"email": found.group(0)}


class ActionTicketCreated(Action):
    """Stores the e-mail address with the escalation and confirms the ticket."""

    def name(self) -> str:
        return "action_ticket_created"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        escalation_id, email = tracker.get_slot("escalation_id"), tracker.get_slot("email")
        try:
            await asyncio.to_thread(EscalationStore().set_email, int(escalation_id), email)
        except (SQLAlchemyError, TypeError, ValueError) as error:
            logger.error("e-mail for escalation %s not stored: %s", escalation_id, error)
            dispatcher.utter_message(response="utter_contact_human")
            return []
        dispatcher.utter_message(response="utter_ticket_created", ticket=escalation_id, email=email)
        return []


def write_back_spooled_escalations() -> None:
    """Escalations kept in the spool by an earlier run (the database was down)
    are written back as soon as the database answers, not only when the next
    escalation fails: rasa-sdk has no start-up hook, so the action server's
    import of this package is its start."""
    if spool.waiting():
        spool.retry_in_background(EscalationStore, announce_new)
