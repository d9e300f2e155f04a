"""Shared by the web server tests: a stand-in Rasa and a new chat session."""
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer


@pytest.fixture
async def rasa():
    """A stand-in Rasa: echoes messages, remembers what it received."""
    received = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append(body)
        return web.json_response([{"recipient_id": body["sender"], "text": f"echo: {body['message']}", "buttons": [{"title": "Sim", "payload": "/affirm"}]}])

    async def tracker(request: web.Request) -> web.Response:
        return web.json_response({"slots": {"language": "zh", "script": "Hant"}})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/conversations/{id}/tracker", tracker)
    stand_in = TestServer(app)
    await stand_in.start_server()
    stand_in.received = received
    yield stand_in
    await stand_in.close()


async def new_session(client) -> dict:
    reply = await client.post("/api/sessions")
    assert reply.status == 201
    return await reply.json()


