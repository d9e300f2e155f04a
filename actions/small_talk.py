"""Greetings, thanks, goodbyes, "are you a bot?", out-of-scope and "I did not
understand": fixed responses, but each turn first passes the escalation
rules (an angry customer is handed over whatever they say)."""

from __future__ import annotations

from typing import List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.handoff import automatic_reason, counted_reason, escalate, since_last_handback
from actions.kb import ActionAnswerQuestion
from actions.replies import is_only_a_reply
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

    def name(self) -> str:
        return "action_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        reason = automatic_reason(tracker)
        if reason is None and intent == rules.FALLBACK_INTENT:
            fallbacks = rules.consecutive_fallbacks(rules.turns_from_events(since_last_handback(tracker.events)))
            reason = counted_reason(tracker, "repeated_fallback", fallbacks)
        if reason:
            return await escalate(dispatcher, tracker, reason)
        if intent == "thank":
            # Thanks that carry a question are answered as a question; bare
            # thanks for nothing the bot said may still name an article.
            if not is_only_a_reply(tracker):
                return await ActionAnswerQuestion().answer(dispatcher, tracker)
            if not bot_has_spoken(tracker):
                events = await ActionAnswerQuestion().answer_if_confident(dispatcher, tracker)
                if events is not None:
                    return events
        dispatcher.utter_message(response=RESPONSES.get(intent or "", "utter_default"))
        return []


def bot_has_spoken(tracker: Tracker) -> bool:
    return any(event.get("event") == "bot" for event in tracker.events)
