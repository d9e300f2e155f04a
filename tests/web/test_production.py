"""What production settings change in the web server: CORS limited to the
sites that embed the widget, and Rasa's HTTP API called with its token."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from tests.web.conftest import new_session


async def test_only_the_allowed_sites_may_call_the_api(rasa, tmp_path):
    app = server.create_app(
        str(rasa.make_url("")), f"sqlite:///{tmp_path / 'web.db'}", allowed_origins=("https://www.shop.com.br",)
    )
    async with TestClient(TestServer(app)) as client:
        allowed = await client.post("/api/sessions", headers={"Origin": "https://www.shop.com.br"})
        assert allowed.headers["Access-Control-Allow-Origin"] == "https://www.shop.com.br"
        other = await client.post("/api/sessions", headers={"Origin": "https://evil.example.net"})
        assert "Access-Control-Allow-Origin" not in other.headers  # the browser keeps the answer from that page


async def test_any_site_in_development(rasa, tmp_path):
    async with TestClient(
        TestServer(server.create_app(str(rasa.make_url("")), f"sqlite:///{tmp_path / 'web.db'}"))
    ) as client:
        reply = await client.post("/api/sessions", headers={"Origin": "https://anything.example.org"})
        assert reply.headers["Access-Control-Allow-Origin"] == "*"


async def test_rasas_api_is_called_with_the_token(tmp_path):
    tokens = []

    async def tracker(request: web.Request) -> web.Response:
        tokens.append(request.query.get("token"))
        return web.json_response({"slots": {"language": "vi", "script": None}, "events": []})

    async def webhook(request: web.Request) -> web.Response:
        return web.json_response([])  # nothing of our NLG in it: the server asks the tracker for the language

    stand_in = web.Application()
    stand_in.router.add_get("/conversations/{id}/tracker", tracker)
    stand_in.router.add_post("/webhooks/rest/webhook", webhook)
    async with TestServer(stand_in) as rasa:
        app = server.create_app(str(rasa.make_url("")), f"sqlite:///{tmp_path / 'web.db'}", rasa_token="s3cret-token")
        async with TestClient(TestServer(app)) as client:
            session = await new_session(client)
            await client.post("/api/messages", json={**session, "text": "xin chao"})
    assert tokens == ["s3cret-token"]
