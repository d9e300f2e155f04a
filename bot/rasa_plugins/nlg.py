"""Rasa NLG: answer in the customer's language, script and tone.

Configured in endpoints.yml (`nlg: type: bot.rasa_plugins.nlg.MultilingualNLG`). It reads
the domain's responses like Rasa's own generator, with three differences:
- among the variations whose conditions hold, the most specific one wins
  (pt + angry over plain pt), so tone variants need not repeat every case;
- before the customer has said anything, the default language is used;
- Chinese is written once, in Simplified script, and converted to
  Traditional (Taiwan wording) for a customer who writes Traditional.
Contact details from helpdesk.yml fill {support_phone}, {support_email} and
{opening_hours} in any response. A client that sends `reply_language: true`
in a message's metadata gets the answer's language and script with it.
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Dict, List, Optional

from rasa.core.nlg.response import ResponseVariationFilter, TemplatedNaturalLanguageGenerator
from rasa.shared.core.trackers import DialogueStateTracker

from bot.languages import REPLY_LANGUAGE
from bot.nlu import chinese_script
from bot.rasa_plugins import speedups
from bot.settings import get_settings

logger = logging.getLogger(__name__)


def most_specific(variations: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
    """The variation with the most conditions (the first one on a tie)."""
    if not variations:
        return None
    return max(variations, key=lambda v: len(v.get("condition") or []))


def to_script(response: Dict[str, Any], script: Optional[str]) -> Dict[str, Any]:
    """Convert a Chinese response's text and button titles to Traditional."""
    if script != chinese_script.TRADITIONAL:
        return response
    if response.get("text"):
        response["text"] = chinese_script.to_traditional(response["text"])
    for button in response.get("buttons") or []:
        if button.get("title"):
            button["title"] = chinese_script.to_traditional(button["title"])
        # A text payload is what the customer "says": say it in their script.
        payload = button.get("payload") or ""
        if payload and not payload.startswith("/"):
            button["payload"] = chinese_script.to_traditional(payload)
    return response


class MultilingualNLG(TemplatedNaturalLanguageGenerator):
    """Picks a response variation by language, script and mood slots."""

    def __init__(self, endpoint_config: Any = None, domain: Any = None) -> None:
        super().__init__(domain.responses if domain is not None else {})
        speedups.install()  # made once, in the Rasa server, when it loads this NLG

    def _random_response_for(
        self, utter_action: str, output_channel: str, filled_slots: Dict[str, Any]
    ) -> Optional[Dict[str, Any]]:
        if utter_action not in self.responses:
            return None
        suitable = ResponseVariationFilter(self.responses).responses_for_utter_action(
            utter_action, output_channel, filled_slots
        )
        return most_specific(suitable)

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        slots = tracker.current_slot_values()
        response = self.render(utter_action, slots, output_channel, **kwargs)
        if response is not None and (tracker.latest_message.metadata or {}).get(REPLY_LANGUAGE):
            # The web server asked which language this answer is in, so it
            # need not read the whole conversation back from Rasa for it.
            language = slots.get("language") or get_settings().default_language
            script = slots.get("script") if language == "zh" else None
            response = {**response, "custom": {REPLY_LANGUAGE: {"language": language, "script": script}}}
        return response

    def render(
        self,
        utter_action: str,
        filled_slots: Dict[str, Any],
        output_channel: str = "",
        **kwargs: Any,
    ) -> Optional[Dict[str, Any]]:
        """The response for these slot values (usable without a tracker)."""
        settings = get_settings()
        slots = dict(filled_slots)
        if not slots.get("language"):
            slots["language"] = settings.default_language
        values = {**settings.contact.placeholders(slots["language"]), **kwargs}
        response = self.generate_from_slots(utter_action, slots, output_channel, **values)
        if response is None:
            logger.warning(f"No '{utter_action}' response for language {slots['language']}.")
            return None
        if slots["language"] == "zh":
            response = to_script(copy.deepcopy(response), slots.get("script"))
        return response
