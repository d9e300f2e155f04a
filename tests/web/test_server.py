"""The web server: sessions it issues, limits, escaping, the live connection.

Rasa is replaced here by a small stand-in that echoes, so these tests are
about the web server alone; tests/web/test_widget_browser.py runs the real
stack.
"""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import ClientTimeout, web
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from bot.kb.service import ArticleShelf
from bot.web import pages
from bot.web.http import HUB, STORE
from bot.web.limits import MAX_MESSAGE_CHARS, MAX_MESSAGES
from tests.kb.conftest import write_article
from tests.web.conftest import new_session


@pytest.fixture
async def client(rasa, database_url):
    app = server.create_app(str(rasa.make_url("")), database_url)
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    yield test_client
    await test_client.close()


async def say(client, session, text, **extra):
    return await client.post("/api/messages", json={**session, "text": text, **extra})


async def test_session_ids_are_issued_unguessable_and_distinct(client):
    first, second = await new_session(client), await new_session(client)
    assert first["session_id"] != second["session_id"]
    assert len(first["session_id"]) >= 20 and len(first["token"]) >= 40


async def test_message_reaches_rasa_under_the_session_and_the_reply_is_stored(client, rasa):
    session = await new_session(client)
    reply = await say(client, session, "oi", language="pt-BR")
    events = (await reply.json())["messages"]
    assert events[0]["text"] == "echo: oi" and events[0]["language"] == "zh" and events[0]["script"] == "Hant"
    assert rasa.received[0] == {
        "sender": session["session_id"],
        "message": "oi",
        "metadata": {"language": "pt-BR", "reply_language": True},
    }
    history = await (await client.post("/api/history", json=session)).json()
    assert [(m["sender"], m["text"]) for m in history["messages"]] == [("customer", "oi"), ("bot", "echo: oi")]


async def test_a_second_session_cannot_read_or_write_the_first_one(client, rasa):
    first, second = await new_session(client), await new_session(client)
    await say(client, first, "meu pedido 123")
    stolen = {"session_id": first["session_id"], "token": second["token"]}
    assert (await client.post("/api/history", json=stolen)).status == 401
    assert (await say(client, stolen, "oi")).status == 401
    assert (await client.post("/api/history", json={"session_id": first["session_id"]})).status == 401
    refused = await client.get(f"/api/ws?session_id={first['session_id']}&token={second['token']}")
    assert refused.status == 401
    assert [m["message"] for m in rasa.received] == ["meu pedido 123"]


async def test_quick_reply_shows_its_title_and_sends_its_payload(client, rasa):
    session = await new_session(client)
    await say(client, session, "/affirm", display="Sim, ajudou")
    assert rasa.received[0]["message"] == "/affirm"
    history = await (await client.post("/api/history", json=session)).json()
    assert history["messages"][0]["text"] == "Sim, ajudou"


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"text": ""}, 400, "empty"),
        ({"text": "   "}, 400, "empty"),
        ({"text": "x" * (MAX_MESSAGE_CHARS + 1)}, 413, "too_long"),
        ({"message": "wrong key"}, 400, "empty"),
        ({"text": 42}, 400, "empty"),
    ],
)
async def test_bad_messages_get_a_clear_error_and_nothing_reaches_rasa(client, rasa, body, status, code):
    session = await new_session(client)
    reply = await client.post("/api/messages", json={**session, **body})
    assert reply.status == status
    assert (await reply.json())["error"] == code
    assert rasa.received == []


async def test_junk_body_is_a_clear_error(client):
    reply = await client.post(
        "/api/messages", data=b"\xff\xfe\x00 not json", headers={"Content-Type": "application/json"}
    )
    assert reply.status == 400 and (await reply.json())["error"] == "bad_request"


async def test_flood_is_refused_with_a_message_while_other_sessions_keep_working(client):
    flooder, other = await new_session(client), await new_session(client)
    statuses = [(await say(client, flooder, f"spam {n}")).status for n in range(MAX_MESSAGES + 3)]
    assert statuses[:MAX_MESSAGES] == [200] * MAX_MESSAGES
    assert set(statuses[MAX_MESSAGES:]) == {429}
    refused = await say(client, flooder, "again")
    assert "wait" in (await refused.json())["message"]
    assert (await say(client, other, "oi")).status == 200


async def test_rasa_down_is_a_polite_error_and_the_server_keeps_serving(tmp_path):
    app = server.create_app("http://127.0.0.1:9", f"sqlite:///{tmp_path / 'web.db'}")  # nothing listens on port 9
    async with TestClient(TestServer(app)) as client:
        session = await new_session(client)
        reply = await say(client, session, "oi")
        assert reply.status == 503
        assert (await reply.json())["error"] == "assistant_unavailable"
        history = await (await client.post("/api/history", json=session)).json()
        assert history["messages"][0]["text"] == "oi"  # the customer's message is kept
        assert (await client.get("/health")).status == 200


async def test_websocket_gets_history_replies_and_published_events_live(client):
    session = await new_session(client)
    await say(client, session, "primeira")
    socket = await client.ws_connect(f"/api/ws?session_id={session['session_id']}&token={session['token']}")
    history = await socket.receive_json(timeout=5)
    assert history["type"] == "history" and [m["text"] for m in history["messages"]] == ["primeira", "echo: primeira"]
    assert history["language"] == "zh" and history["script"] == "Hant"
    await socket.send_json({"type": "message", "text": "segunda"})
    events = [await socket.receive_json(timeout=5) for _ in range(2)]
    assert events[0]["type"] == "typing"
    assert events[1]["type"] == "message" and events[1]["text"] == "echo: segunda"
    # What an agent will send arrives on the open socket at once.
    await client.app[HUB].publish(session["session_id"], {"type": "agent_joined", "name": "Ana"})
    assert (await socket.receive_json(timeout=5)) == {"type": "agent_joined", "name": "Ana"}
    await socket.send_str("not json")
    assert (await socket.receive_json(timeout=5))["code"] == "bad_request"
    await socket.send_json({"type": "message", "text": "y" * (MAX_MESSAGE_CHARS + 1)})
    assert (await socket.receive_json(timeout=5))["code"] == "too_long"
    await socket.close()


async def test_a_second_tab_sees_the_customer_message_too(client):
    session = await new_session(client)
    url = f"/api/ws?session_id={session['session_id']}&token={session['token']}"
    first, second = await client.ws_connect(url), await client.ws_connect(url)
    await first.receive_json(timeout=5), await second.receive_json(timeout=5)
    await first.send_json({"type": "message", "text": "oi"})
    seen = [await second.receive_json(timeout=5) for _ in range(3)]
    assert [e["type"] for e in seen] == ["message", "typing", "message"]
    assert seen[0]["sender"] == "customer" and seen[0]["text"] == "oi"
    await first.close(), await second.close()


@pytest.mark.parametrize("rating, status", [(5, 200), (1, 200), (0, 400), (6, 400), ("5", 400), (True, 400)])
async def test_rating_is_stored_when_valid(client, rating, status):
    session = await new_session(client)
    reply = await client.post("/api/rating", json={**session, "rating": rating})
    assert reply.status == status
    stored = client.app[STORE].rating(session["session_id"])
    assert stored == (rating if status == 200 else None)


async def test_pages_and_widget_are_served(client):
    page = await (await client.get("/")).text()
    assert '<script src="/widget.js"' in page
    widget = await client.get("/widget.js")
    assert widget.status == 200 and "AtendoWidget" in await widget.text()


async def test_article_pages_escape_markup_and_unsafe_links(tmp_path, monkeypatch, client):
    write_article(
        tmp_path,
        "pt",
        "xss",
        "<script>alert(1)</script> título",
        "Resposta <img src=x onerror=alert(2)>.",
        body="[clique](javascript:alert(3)) e [site](https://example.com/ok)",
    )
    shelf = ArticleShelf(tmp_path, languages=("pt",))
    monkeypatch.setattr(pages, "load_articles", lambda: shelf)
    reply = await client.get("/kb/pt/xss")
    page = await reply.text()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<img" not in page
    assert "javascript:" not in page and 'href="https://example.com/ok"' in page
    assert "default-src 'none'" in reply.headers["Content-Security-Policy"]
    assert (await client.get("/kb/pt/nothing-here")).status == 404
    assert (await client.get("/kb/xx/xss")).status == 404


async def test_article_page_renders_lists_and_bold_as_html(client):
    reply = await client.get("/kb/pt/import-data")
    page = await reply.text()
    assert reply.status == 200 and page.count("<ol>") == 2 and "<li>" in page
    assert "<strong>Configurações &gt; Importar dados</strong>" in page
    assert "**" not in page and '<html lang="pt">' in page


async def test_a_chinese_article_page_is_in_traditional_script_when_the_link_asks(client):
    from bot.kb.service import load_articles
    from bot.nlu import chinese_script

    article = load_articles().get("import-data", "zh")
    traditional = await (await client.get("/kb/zh/import-data?script=hant")).text()
    assert '<html lang="zh-Hant">' in traditional
    assert f"<h1>{chinese_script.to_traditional(article.title)}</h1>" in traditional
    assert chinese_script.detect_script(traditional) == "Hant" and "<ol>" in traditional
    simplified = await (await client.get("/kb/zh/import-data")).text()
    assert f"<h1>{article.title}</h1>" in simplified and '<html lang="zh">' in simplified
    # Any other script, or an article in another language, is left as it is.
    assert await (await client.get("/kb/zh/import-data?script=latn")).text() == simplified
    assert (
        await (await client.get("/kb/pt/import-data?script=hant")).text()
        == await (await client.get("/kb/pt/import-data")).text()
    )


async def test_project_article_page_fills_contact_details(client):
    page = await (await client.get("/kb/es/contact-support")).text()
    from bot.settings import get_settings

    assert get_settings().contact.email in page and "{support_email}" not in page


async def test_database_down_is_a_clear_error_and_the_server_keeps_serving(rasa, tmp_path):
    app = server.create_app(str(rasa.make_url("")), f"sqlite:///{tmp_path / 'no-such-folder' / 'web.db'}")
    async with TestClient(TestServer(app)) as client:
        reply = await client.post("/api/sessions")
        assert reply.status == 503
        assert (await reply.json())["error"] == "storage_unavailable"
        assert (await client.get("/health")).status == 200
        assert (await client.get("/widget.js")).status == 200


async def test_refusals_carry_cors_headers_so_a_widget_on_another_site_can_read_them(client):
    reply = await client.post("/api/history", json={"session_id": "nope", "token": "nope"})
    assert reply.status == 401
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert (await reply.json())["error"] == "unauthorized"


@pytest.mark.parametrize("raw", ["[" * 30000, '"just a string"', "[1, 2]", "\x00"])
async def test_odd_json_is_a_clear_error(client, raw):
    reply = await client.post("/api/messages", data=raw, headers={"Content-Type": "application/json"})
    assert reply.status == 400 and (await reply.json())["error"] == "bad_request"


async def test_a_message_of_only_nul_characters_is_empty(client, rasa):
    session = await new_session(client)
    reply = await say(client, session, "\x00\x00")
    assert (await reply.json())["error"] == "empty" and rasa.received == []


async def test_new_sessions_per_address_are_limited(client):
    statuses = [(await client.post("/api/sessions")).status for _ in range(server.NEW_SESSIONS_PER_MINUTE + 2)]
    assert statuses[: server.NEW_SESSIONS_PER_MINUTE] == [201] * server.NEW_SESSIONS_PER_MINUTE
    assert statuses[-1] == 429


async def test_slow_rasa_is_a_polite_error_for_every_tab(tmp_path, monkeypatch):
    async def slow(request):
        await asyncio.sleep(5)
        return web.json_response([])

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", slow)
    async with TestServer(app) as slow_rasa:
        monkeypatch.setattr("bot.web.rasa_client.TIMEOUT", ClientTimeout(total=0.5))
        web_app = server.create_app(str(slow_rasa.make_url("")), f"sqlite:///{tmp_path / 'web.db'}")
        async with TestClient(TestServer(web_app)) as client:
            session = await new_session(client)
            other_tab = await client.ws_connect(f"/api/ws?session_id={session['session_id']}&token={session['token']}")
            await other_tab.receive_json(timeout=5)  # history
            reply = await say(client, session, "oi")
            assert reply.status == 503 and (await reply.json())["error"] == "assistant_unavailable"
            seen = [await other_tab.receive_json(timeout=5) for _ in range(3)]
            assert [e["type"] for e in seen] == ["message", "typing", "error"]
            await other_tab.close()


async def test_a_language_slot_rasa_should_not_have_is_ignored(tmp_path):
    async def webhook(request):
        return web.json_response([{"text": "ok"}])

    async def tracker(request):
        return web.json_response({"slots": {"language": "xxxxxxxxxxxx", "script": "Hant"}})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/conversations/{id}/tracker", tracker)
    async with TestServer(app) as odd_rasa:
        async with TestClient(
            TestServer(server.create_app(str(odd_rasa.make_url("")), f"sqlite:///{tmp_path / 'w.db'}"))
        ) as client:
            session = await new_session(client)
            events = (await (await say(client, session, "oi")).json())["messages"]
            assert events[0]["language"] is None and events[0]["script"] is None


async def test_the_language_our_nlg_reports_with_the_answer_is_used_and_not_shown(tmp_path):
    asked = []

    async def webhook(request):
        body = await request.json()
        assert body["metadata"]["reply_language"] is True  # the web server asks for it
        return web.json_response(
            [
                {"text": "您好"},
                {"custom": {"reply_language": {"language": "zh", "script": "Hant"}}},
            ]
        )

    async def tracker(request):
        asked.append(request.path)
        return web.json_response({"slots": {"language": "pt"}})

    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/conversations/{id}/tracker", tracker)
    async with TestServer(app) as rasa:
        async with TestClient(
            TestServer(server.create_app(str(rasa.make_url("")), f"sqlite:///{tmp_path / 'web.db'}"))
        ) as client:
            session = await new_session(client)
            messages = (await (await say(client, session, "你好")).json())["messages"]
            assert [(m["text"], m["language"], m["script"]) for m in messages] == [("您好", "zh", "Hant")]
            history = await (await client.post("/api/history", json=session)).json()
            assert (history["language"], history["script"]) == ("zh", "Hant")
    assert asked == []  # no second trip to Rasa for the language


async def test_every_page_and_answer_has_the_security_headers_and_no_server_version(client):
    answers = [
        await client.get("/"),
        await client.get("/widget.js"),
        await client.get("/widget.css"),
        await client.get("/health"),
        await client.get("/agent"),
        await client.get("/agent/report"),
        await client.get("/kb/pt/no-such-article"),
        await client.post("/api/sessions"),
    ]
    for reply in answers:
        assert reply.headers["X-Content-Type-Options"] == "nosniff", reply.url
        assert reply.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", reply.url
        assert reply.headers["X-Frame-Options"] in ("SAMEORIGIN", "DENY"), reply.url
        assert reply.headers["Server"] == "atendo", reply.url  # no Python or aiohttp version
    assert (await client.get("/agent")).headers["X-Frame-Options"] == "DENY"


async def test_rasa_gets_a_keyed_hash_of_the_callers_address_never_the_address_and_none_for_this_machine(
    rasa, database_url
):
    app = server.create_app(
        str(rasa.make_url("")), database_url, rasa_token="internal-secret", trusted_proxies=("127.0.0.1",)
    )
    async with TestClient(TestServer(app)) as client:
        for address in ("203.0.113.7", "203.0.113.7", "198.51.100.2"):
            session = await new_session(client)
            headers = {"X-Forwarded-For": address}
            assert (await client.post("/api/messages", json={**session, "text": "oi"}, headers=headers)).status == 200
    first, again, other = (body["metadata"]["client"] for body in rasa.received[-3:])
    assert first == again != other and len(first) == 32  # one customer, one key: what escalations are counted by
    assert all("203.0.113" not in body["metadata"]["client"] for body in rasa.received[-3:])
