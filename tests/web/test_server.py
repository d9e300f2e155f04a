"""The web server: sessions it issues, limits, escaping, and the relay to Rasa."""
from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from bot.kb.service import KnowledgeBase
from tests.kb.conftest import write_article


async def fake_rasa(received: list) -> TestServer:
    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        received.append(body)
        return web.json_response([{"recipient_id": body["sender"], "text": f"echo: {body['message']}"}])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    rasa = TestServer(app)
    await rasa.start_server()
    return rasa


async def client_for(rasa_url: str) -> TestClient:
    client = TestClient(TestServer(server.create_app(rasa_url)))
    await client.start_server()
    return client


async def test_the_page_issues_a_session_and_messages_reach_rasa_under_it():
    received = []
    rasa = await fake_rasa(received)
    client = await client_for(str(rasa.make_url("")))
    try:
        page = await client.get("/")
        assert page.status == 200
        token = page.cookies[server.SESSION_COOKIE].value
        reply = await client.post("/api/messages", json={"text": "oi", "language": "pt-BR"})
        assert (await reply.json())["messages"][0]["text"] == "echo: oi"
        assert received[0]["sender"] == token
        assert received[0]["metadata"] == {"language": "pt-BR"}
    finally:
        await client.close()
        await rasa.close()


async def test_a_client_cannot_choose_its_conversation_id():
    received = []
    rasa = await fake_rasa(received)
    client = await client_for(str(rasa.make_url("")))
    try:
        client.session.cookie_jar.update_cookies({server.SESSION_COOKIE: "guessed"})
        reply = await client.post("/api/messages", json={"text": "oi", "sender": "someone-else"})
        assert reply.status == 401
        assert received == []
    finally:
        await client.close()
        await rasa.close()


@pytest.mark.parametrize(
    "body, status, words",
    [
        ({"text": ""}, 400, "empty"),
        ({"text": "   "}, 400, "empty"),
        ({"text": "x" * (server.MAX_MESSAGE_CHARS + 1)}, 413, "too long"),
        ({"message": "wrong key"}, 400, "empty"),
        (b"\xff\xfe not json", 400, "JSON"),
    ],
)
async def test_bad_messages_get_a_clear_error(body, status, words):
    client = await client_for("http://127.0.0.1:9")
    try:
        await client.get("/")
        if isinstance(body, bytes):
            reply = await client.post("/api/messages", data=body, headers={"Content-Type": "application/json"})
        else:
            reply = await client.post("/api/messages", json=body)
        assert reply.status == status
        assert words in (await reply.json())["error"]
    finally:
        await client.close()


async def test_rasa_down_is_a_polite_error_and_the_server_keeps_serving():
    client = await client_for("http://127.0.0.1:9")  # nothing listens there
    try:
        await client.get("/")
        reply = await client.post("/api/messages", json={"text": "oi"})
        assert reply.status == 503
        assert "try again" in (await reply.json())["error"]
        assert (await client.get("/health")).status == 200
    finally:
        await client.close()


async def test_article_pages_escape_markup(tmp_path, monkeypatch):
    write_article(tmp_path, "pt", "xss", "<script>alert(1)</script> título", "Resposta <img src=x onerror=alert(2)>.")
    knowledge_base = KnowledgeBase(tmp_path, languages=("pt",))
    monkeypatch.setattr(server, "load_knowledge_base", lambda: knowledge_base)
    client = await client_for("http://127.0.0.1:9")
    try:
        page = await (await client.get("/kb/pt/xss")).text()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
        assert "<img" not in page
        assert (await client.get("/kb/pt/nothing-here")).status == 404
        assert (await client.get("/kb/xx/xss")).status == 404
    finally:
        await client.close()


async def test_project_article_page_fills_contact_details():
    client = await client_for("http://127.0.0.1:9")
    try:
        page = await (await client.get("/kb/es/contact-support")).text()
        from bot.settings import get_settings

        assert get_settings().contact.email in page and "{support_email}" not in page
    finally:
        await client.close()
