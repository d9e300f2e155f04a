"""The live events, defined once: what the server sends over the customer's
connection (the widget) and over an agent console's connection.

Handlers build events only with the functions below, and `SCHEMAS` says what
each one holds, so the widget (static/widget.js) and the console
(static/agent.js) can rely on one shape per type; tests/web/test_events.py
checks every event a conversation produces against it.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bot.helpdesk.conversations import ChatLine

Event = Dict[str, Any]

# A line of the transcript: bot/helpdesk/conversations.py's ChatLine.
_CHAT_MESSAGE: Dict[str, Any] = {
    "type": "object",
    "required": ["sender", "text", "at"],
    "properties": {
        "sender": {"enum": ["customer", "bot", "agent"]},
        "text": {"type": "string"},
        "at": {"type": "number"},
        "buttons": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["title", "payload"],
                "properties": {"title": {"type": "string"}, "payload": {"type": "string"}},
            },
        },
        "language": {"type": ["string", "null"]},
        "script": {"type": ["string", "null"]},
        "name": {"type": "string"},  # an agent's display name
        # A file the customer attached (GET /api/attachments/<id> serves it).
        "attachment": {
            "type": "object",
            "required": ["id", "name", "type", "size"],
            "properties": {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "type": {"enum": ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"]},
                "size": {"type": "integer"},
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}


def _event(kind: str, required: Dict[str, Any]) -> Dict[str, Any]:
    return {
        "type": "object",
        "required": ["type", *required],
        "properties": {"type": {"const": kind}, **required},
        "additionalProperties": False,
    }


# To the customer's tabs.
CUSTOMER_SCHEMAS: Dict[str, Dict[str, Any]] = {
    "history": _event(
        "history",
        {
            "messages": {"type": "array", "items": _CHAT_MESSAGE},
            "language": {"type": ["string", "null"]},
            "script": {"type": ["string", "null"]},
            # The agent chatting with the customer now, if any (after a reload
            # too): the widget hides "talk to a person" meanwhile.
            "agent": {"type": ["string", "null"]},
        },
    ),
    # A message's fields sit in the event itself, so the widget shows an
    # event and a history line alike.
    "message": {
        **_CHAT_MESSAGE,
        "required": ["type", *_CHAT_MESSAGE["required"]],
        "properties": {"type": {"const": "message"}, **_CHAT_MESSAGE["properties"]},
    },
    "typing": _event("typing", {}),
    "agent_joined": _event("agent_joined", {"name": {"type": "string"}}),
    "agent_left": _event("agent_left", {"name": {"type": "string"}}),
    "error": _event("error", {"code": {"type": "string"}, "message": {"type": "string"}}),
}

# To the agents' consoles.
CONSOLE_SCHEMAS: Dict[str, Dict[str, Any]] = {
    "ready": _event("ready", {"agent": {"type": "string"}}),
    "queue_changed": _event("queue_changed", {}),
    # A new line in an escalated conversation; the console reads it again.
    "message": _event(
        "message",
        {
            "conversation_id": {"type": "string"},
            "escalation_id": {"type": "integer"},
            "message": _CHAT_MESSAGE,
        },
    ),
    "error": CUSTOMER_SCHEMAS["error"],
}


def history(
    messages: List[ChatLine], language: Optional[str], script: Optional[str], agent: Optional[str] = None
) -> Event:
    return {"type": "history", "messages": messages, "language": language, "script": script, "agent": agent}


def message(line: ChatLine) -> Event:
    return {"type": "message", **line}


def typing() -> Event:
    return {"type": "typing"}


def agent_joined(name: str) -> Event:
    return {"type": "agent_joined", "name": name}


def agent_left(name: str) -> Event:
    return {"type": "agent_left", "name": name}


def error(code: str, text: str) -> Event:
    return {"type": "error", "code": code, "message": text}


def ready(agent: str) -> Event:
    return {"type": "ready", "agent": agent}


def queue_changed() -> Event:
    return {"type": "queue_changed"}


def console_message(conversation_id: str, escalation_id: int, line: ChatLine) -> Event:
    return {"type": "message", "conversation_id": conversation_id, "escalation_id": escalation_id, "message": line}
