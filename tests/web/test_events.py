"""Every live event a conversation produces has the shape bot/web/events.py
defines, on the customer's connection and on an agent console's."""

from __future__ import annotations

import asyncio

import jsonschema
import pytest

from bot.web.events import CONSOLE_SCHEMAS, CUSTOMER_SCHEMAS
from tests.web.conftest import new_session
from tests.web.test_agent_api import client, console, escalate, sign_in  # noqa: F401 (the client fixture)


async def drain(socket, seen, quiet=0.5):
    """Every event that arrives until the connection has been quiet for `quiet` s."""
    while True:
        try:
            seen.append(await socket.receive_json(timeout=quiet))
        except asyncio.TimeoutError:
            return


def check(event, schemas):
    assert event["type"] in schemas, event
    jsonschema.validate(event, schemas[event["type"]])


async def test_every_event_of_a_handed_over_conversation_matches_its_schema(client):  # noqa: F811
    customer_events, console_events = [], []
    agent = await sign_in(client)
    console_socket = await console(client, agent)
    customer = await new_session(client)
    socket = await client.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")

    await socket.send_json({"type": "message", "text": "oi, meu pedido nao chegou"})  # typing, then the bot's answer
    await socket.send_json({"type": "message", "text": "   "})  # refused: an error event
    await drain(socket, customer_events)
    record = escalate(client, customer["session_id"])
    await socket.send_json(
        {"type": "message", "text": "alguem ai?"}
    )  # queued: the console sees it and the bot's answer
    await drain(socket, customer_events)
    await client.post(f"/api/escalations/{record.id}/claim", headers=agent)
    await client.post(f"/api/escalations/{record.id}/message", headers=agent, json={"text": "Oi, sou a Ana."})
    await client.post(f"/api/escalations/{record.id}/resolve", headers=agent)
    await drain(socket, customer_events)
    await drain(console_socket, console_events, quiet=2.5)  # the queue watcher looks every second

    socket2 = await client.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    customer_events.append(await socket2.receive_json(timeout=5))  # history, with every kind of line in it
    for closing in (socket, socket2, console_socket):
        await closing.close()

    for event in customer_events:
        check(event, CUSTOMER_SCHEMAS)
    for event in console_events:
        check(event, CONSOLE_SCHEMAS)
    # The conversation went through every kind of event (the console's
    # "ready" and "error" are checked where they are received).
    assert {e["type"] for e in customer_events} == set(CUSTOMER_SCHEMAS)
    assert {e["type"] for e in console_events} == {"queue_changed", "message"}
    assert {e["message"]["sender"] for e in console_events if e["type"] == "message"} == {"customer", "bot", "agent"}
    assert {m["sender"] for m in customer_events[-1]["messages"]} == {"customer", "bot", "agent"}


async def test_a_message_of_another_shape_is_caught():
    with pytest.raises(jsonschema.ValidationError):
        check(
            {
                "type": "message",
                "conversation_id": "c1",
                "message": {"type": "message", "sender": "bot", "text": "oi", "at": 1.0},
            },
            CONSOLE_SCHEMAS,
        )


async def test_the_console_is_told_ready_and_refused_with_the_defined_events(client):  # noqa: F811
    agent = await sign_in(client)
    socket = await console(client, agent)
    await socket.close()
    stranger = await client.ws_connect("/api/agent/ws")
    await stranger.send_json({"type": "auth", "token": "made-up"})
    check(await stranger.receive_json(timeout=5), CONSOLE_SCHEMAS)
    await stranger.close()


async def test_an_agents_answer_on_another_channel_has_the_same_shape(client):  # noqa: F811
    """A conversation that came through Rasa's REST channel, not the widget."""
    agent = await sign_in(client)
    console_socket = await console(client, agent)
    record = escalate(client, "rest-customer-7")
    await client.post(f"/api/escalations/{record.id}/claim", headers=agent)
    reply = await client.post(f"/api/escalations/{record.id}/message", headers=agent, json={"text": "Oi, sou a Ana."})
    seen = []
    await drain(console_socket, seen)
    await console_socket.close()
    message = next(e for e in seen if e["type"] == "message")
    check(message, CONSOLE_SCHEMAS)
    assert (await reply.json())["sender"] == "agent" and message["message"]["text"] == "Oi, sou a Ana."
