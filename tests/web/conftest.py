"""Shared by the web server tests: a stand-in Rasa and a new chat session."""

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer


@pytest.fixture
async def rasa():
    """A stand-in Rasa: echoes messages, remembers what it received and the
    events added to conversations (pause, resume...)."""
    received, added = [], []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append(body)
        return web.json_response(
            [
                {
                    "recipient_id": body["sender"],
                    "text": f"echo: {body['message']}",
                    "buttons": [{"title": "Sim", "payload": "/affirm"}],
                }
            ]
        )

    async def tracker(request: web.Request) -> web.Response:
        # A customer on another channel (REST) wrote twice, the second time an hour later.
        events = [
            {"event": "user", "text": "ola?", "timestamp": 1000.0},
            {"event": "user", "text": "alguem ai?", "timestamp": 4600.0},
        ]
        return web.json_response({"slots": {"language": "zh", "script": "Hant"}, "events": events})

    async def add_events(request: web.Request) -> web.Response:
        body = await request.json()
        added.append((request.match_info["id"], body if isinstance(body, list) else [body]))
        return web.json_response({"sender_id": request.match_info["id"]})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/conversations/{id}/tracker", tracker)
    app.router.add_post("/conversations/{id}/tracker/events", add_events)
    stand_in = TestServer(app)
    await stand_in.start_server()
    stand_in.received = received
    stand_in.added = added
    yield stand_in
    await stand_in.close()


async def new_session(client) -> dict:
    reply = await client.post("/api/sessions")
    assert reply.status == 201
    return await reply.json()
