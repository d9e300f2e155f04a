"""Greetings, thanks, goodbyes, "are you a bot?", out-of-scope and "I did not
understand": fixed responses, but each turn first passes the escalation
rules (an angry customer is handed over whatever they say)."""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import automatic_reason, counted_reason, escalate, since_last_handback
from bot.helpdesk import rules

RESPONSES = {
    "greet": "utter_greet",
    "goodbye": "utter_goodbye",
    "thank": "utter_you_are_welcome",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
    rules.FALLBACK_INTENT: "utter_default",
}


class ActionReply(Action):
    """Answers small talk and misunderstandings in the customer's language and tone."""

    def name(self) -> Text:
        return "action_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        reason = automatic_reason(tracker)
        if reason is None and intent == rules.FALLBACK_INTENT:
            fallbacks = rules.consecutive_fallbacks(rules.turns_from_events(since_last_handback(tracker.events)))
            reason = counted_reason(tracker, "repeated_fallback", fallbacks)
        if reason:
            return await escalate(dispatcher, tracker, reason)
        dispatcher.utter_message(response=RESPONSES.get(intent, "utter_default"))
        return []
