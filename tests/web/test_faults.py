"""Nothing the customer writes is lost when Rasa or the action server is down:
the customer is told, the message waits, and it is answered, in order and
once, when they are back. With stand-ins for Rasa and the action server; the
same with the real processes is in tests/test_faults.py."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from tests.servers import free_port
from tests.web.conftest import new_session


def stand_in_rasa(received, added, state=None):
    """Echoes messages; answers nothing while state["actions_down"] (what Rasa
    does when its action server fails)."""
    state = state if state is not None else {"actions_down": False}

    async def webhook(request):
        body = await request.json()
        received.append(body["message"])
        return web.json_response([] if state["actions_down"] else [{"text": f"echo: {body['message']}"}])

    async def tracker(request):
        return web.json_response({"slots": {"language": "pt"}})

    async def add_events(request):
        added.append(await request.json())
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/conversations/{id}/tracker", tracker)
    app.router.add_post("/conversations/{id}/tracker/events", add_events)
    return app


async def healthy(request):
    return web.json_response({"status": "ok"})


async def replies(socket, count):
    texts = []
    while len(texts) < count:
        event = await socket.receive_json(timeout=15)
        if event["type"] == "message" and event["sender"] == "bot":
            texts.append(event["text"])
    return texts


async def test_messages_sent_while_rasa_is_down_are_answered_in_order_when_it_is_back(tmp_path):
    port = free_port()
    app = server.create_app(f"http://127.0.0.1:{port}", f"sqlite:///{tmp_path / 'web.db'}")
    async with TestClient(TestServer(app)) as client:
        session = await new_session(client)
        socket = await client.ws_connect(f"/api/ws?session_id={session['session_id']}&token={session['token']}")
        await socket.receive_json(timeout=5)  # history
        for text in ("oi", "meu pedido nao chegou"):
            reply = await client.post("/api/messages", json={**session, "text": text})
            assert reply.status == 503
            assert "kept" in (await reply.json())["message"]  # the customer is told, not left in silence

        received, added = [], []
        async with TestServer(stand_in_rasa(received, added), port=port):  # Rasa is back
            assert await replies(socket, 2) == ["echo: oi", "echo: meu pedido nao chegou"]
            assert received == ["oi", "meu pedido nao chegou"]  # in order, once each
            reply = await client.post("/api/messages", json={**session, "text": "obrigado"})
            assert reply.status == 200 and received[-1] == "obrigado"
        history = await (await client.post("/api/history", json=session)).json()
        assert [m["text"] for m in history["messages"]] == [
            "oi",
            "meu pedido nao chegou",
            "echo: oi",
            "echo: meu pedido nao chegou",
            "obrigado",
            "echo: obrigado",
        ]
        await socket.close()


async def test_a_message_sent_while_the_action_server_is_down_waits_and_is_answered_once_when_it_is_back(tmp_path):
    actions_port = free_port()
    received, added, state = [], [], {"actions_down": True}
    async with TestServer(stand_in_rasa(received, added, state)) as rasa:
        app = server.create_app(
            str(rasa.make_url("")), f"sqlite:///{tmp_path / 'web.db'}", actions_url=f"http://127.0.0.1:{actions_port}"
        )
        async with TestClient(TestServer(app)) as client:
            session = await new_session(client)
            socket = await client.ws_connect(f"/api/ws?session_id={session['session_id']}&token={session['token']}")
            await socket.receive_json(timeout=5)  # history
            reply = await client.post("/api/messages", json={**session, "text": "como exporto meus dados?"})
            assert reply.status == 503 and (await reply.json())["error"] == "assistant_unavailable"
            assert received == []  # not given to Rasa, which could not have answered it

            health = web.Application()
            health.router.add_get("/health", healthy)
            async with TestServer(health, port=actions_port):  # the action server is back
                state["actions_down"] = False
                assert await replies(socket, 1) == ["echo: como exporto meus dados?"]
            assert received == ["como exporto meus dados?"]  # once
            await socket.close()


async def test_a_bot_with_nothing_to_say_is_not_taken_for_a_failure(tmp_path):
    received, added, state = [], [], {"actions_down": True}
    async with TestServer(stand_in_rasa(received, added, state)) as rasa:
        health = web.Application()
        health.router.add_get("/health", healthy)
        async with TestServer(health) as actions:
            app = server.create_app(
                str(rasa.make_url("")), f"sqlite:///{tmp_path / 'web.db'}", actions_url=str(actions.make_url(""))
            )
            async with TestClient(TestServer(app)) as client:
                session = await new_session(client)
                reply = await client.post("/api/messages", json={**session, "text": "/restart"})
                assert reply.status == 200 and (await reply.json())["messages"] == [] and added == []
