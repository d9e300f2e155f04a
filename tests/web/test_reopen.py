"""Replies to customers who left (bot/web/reopen.py): e-mailed through a local
SMTP server (tests/smtp.py) in the customer's language, with a signed,
expiring link that reopens the conversation in the widget; a changed or
expired link gets a clear page and no session."""

from __future__ import annotations

import asyncio
import os
import re
import time
import uuid
from urllib.parse import unquote, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from bot.helpdesk import mail
from bot.helpdesk.agents import hash_password
from bot.helpdesk.conversations import ChatStore
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.settings import EmailSettings, SmtpServer
from bot.web import reopen
from bot.web.hub import RedisHub
from tests.servers import free_port
from tests.smtp import MailServer
from tests.web.conftest import new_session

PASSWORD = "correct horse battery"
LINK = re.compile(r"https?://\S+/chat/reopen\?link=\S+")


@pytest.fixture
def smtp():
    running = MailServer().start()
    yield running
    running.stop()


def email_settings(url: str = "") -> EmailSettings:
    return EmailSettings(SmtpServer.parse(url) if url else None, "atendimento@shop.example", 7.0, 20)


async def start_client(rasa, database_url, email: EmailSettings) -> TestClient:
    app = server.create_app(str(rasa.make_url("")), database_url, agents={"ana": hash_password(PASSWORD)}, email=email)
    client = TestClient(TestServer(app))
    await client.start_server()
    reply = await client.post("/api/agent/login", json={"name": "ana", "password": PASSWORD})
    client.agent = {"Authorization": f"Bearer {(await reply.json())['token']}"}
    client.escalations = EscalationStore(database_url)
    client.chats = ChatStore(database_url)
    return client


@pytest.fixture
async def client(rasa, database_url, smtp):
    started = await start_client(rasa, database_url, email_settings(smtp.url))
    yield started
    await started.close()


async def claimed_escalation(client, email="khach@example.com", language="vi", script=None):
    """A customer who wrote, asked for a person, left an e-mail and closed the widget."""
    customer = await new_session(client)
    conversation = customer["session_id"]
    client.chats.add_message(conversation, "customer", "Đơn hàng của tôi chưa đến")
    transcript = [{"sender": "customer", "text": "Đơn hàng của tôi chưa đến", "mood": "neutral"}]
    record = client.escalations.create(
        NewEscalation(conversation, "request_human", 2, "support", language, script, "neutral", [], transcript)
    )
    if email:
        client.escalations.set_email(record.id, email)
    assert (await client.post(f"/api/escalations/{record.id}/claim", headers=client.agent)).status == 200
    return customer, record


async def reply(client, record, text):
    sent = await client.post(f"/api/escalations/{record.id}/message", headers=client.agent, json={"text": text})
    assert sent.status == 200
    return await sent.json()


def link_of(text: str) -> str:
    """The link's path and query: the test server is not at PUBLIC_URL."""
    found = LINK.search(text)
    assert found, text
    parts = urlsplit(found.group(0))
    return f"{parts.path}?{parts.query}"


async def test_a_reply_to_a_customer_who_left_is_emailed_in_their_language_with_a_link_back(client, smtp):
    customer, record = await claimed_escalation(client)
    sent = await reply(client, record, "Chào bạn, đơn hàng sẽ đến vào ngày mai.")
    assert (sent["sender"], sent["customer_online"], sent["emailed"]) == ("agent", False, True)

    [received] = await smtp.inbox.wait_for(1)
    assert received.recipients == ["khach@example.com"] and received.sender == "atendimento@shop.example"
    assert received.message["Subject"] == "Phản hồi mới từ bộ phận hỗ trợ"
    assert "ana đã trả lời cuộc trò chuyện" in received.text
    assert "Chào bạn, đơn hàng sẽ đến vào ngày mai." in received.text

    page = await client.get(link_of(received.text))
    html = await page.text()
    assert page.status == 200 and '<html lang="vi">' in html and "Tiếp tục cuộc trò chuyện" in html
    assert 'src="/widget.js" data-reopen="' in html and page.headers["Referrer-Policy"] == "no-referrer"

    token = unquote(link_of(received.text).split("link=", 1)[1])
    reopened = await client.post("/api/reopen", json={"link": token})
    session = await reopened.json()
    assert reopened.status == 200 and session["session_id"] == customer["session_id"]
    socket = await client.ws_connect(f"/api/ws?session_id={session['session_id']}&token={session['token']}")
    history = await socket.receive_json(timeout=5)
    await socket.close()
    assert [(m["sender"], m["text"]) for m in history["messages"]] == [
        ("customer", "Đơn hàng của tôi chưa đến"),
        ("agent", "Chào bạn, đơn hàng sẽ đến vào ngày mai."),
    ]
    # The link gave a new token; the old one (in the browser the customer left) no longer works.
    old = await client.post("/api/history", json={"session_id": customer["session_id"], "token": customer["token"]})
    assert old.status == 401


async def test_chinese_in_traditional_script_gets_a_traditional_email_and_page(client, smtp):
    _, record = await claimed_escalation(client, email="kehu@example.com", language="zh", script="Hant")
    await reply(client, record, "您好,訂單明天會送達。")
    [received] = await smtp.inbox.wait_for(1)
    assert received.message["Subject"] == "客服的新回覆" and "您好,訂單明天會送達。" in received.text
    page = await (await client.get(link_of(received.text))).text()
    assert '<html lang="zh-Hant">' in page and "繼續您的對話" in page


async def test_a_customer_with_the_widget_open_gets_the_reply_there_not_by_email(client, smtp):
    customer, record = await claimed_escalation(client)
    socket = await client.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    await socket.receive_json(timeout=5)  # history
    online = await reply(client, record, "Bạn vẫn ở đây chứ?")
    assert (online["customer_online"], online["emailed"]) == (True, False)
    assert (await socket.receive_json(timeout=5))["text"] == "Bạn vẫn ở đây chứ?"
    assert mail.Outbox(client.chats.database_url).of(customer["session_id"]) == []
    await socket.close()
    for _ in range(50):  # the server sees the socket close
        away = await reply(client, record, "Tôi sẽ gửi email cho bạn.")
        if away["customer_online"] is False:
            break
        await asyncio.sleep(0.1)
    [received] = await smtp.inbox.wait_for(1)  # the second reply only
    assert "Tôi sẽ gửi email cho bạn." in received.text and "Bạn vẫn ở đây chứ?" not in received.text


async def test_a_changed_link_gets_a_clear_page_and_no_session(client, smtp):
    customer, record = await claimed_escalation(client)
    await reply(client, record, "Xin chào")
    [received] = await smtp.inbox.wait_for(1)
    token = unquote(link_of(received.text).split("link=", 1)[1])
    payload, signature = token.split(".")
    forged_payload = reopen._b64(reopen._unb64(payload).replace(b'"l":"vi"', b'"l":"pt"'))
    for changed in (
        payload + "." + signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB"),  # signature changed
        forged_payload + "." + signature,  # content changed
        token[:20],  # cut short
        "not a link at all",
    ):
        page = await client.get("/chat/reopen", params={"link": changed})
        text = await page.text()
        assert page.status == 400 and "Este link não é válido" in text and "Liên kết này không hợp lệ" in text
        assert "data-reopen" not in text
        refused = await client.post("/api/reopen", json={"link": changed})
        assert refused.status == 400 and (await refused.json())["error"] == "bad_link"
    still = await client.post("/api/history", json={"session_id": customer["session_id"], "token": customer["token"]})
    assert still.status == 200  # no new session was issued


async def test_an_expired_link_says_so_in_the_customers_language(client):
    customer, record = await claimed_escalation(client)
    key = client.server.app[reopen.AWAY].key
    expired = reopen.sign(key, reopen.Link(customer["session_id"], "vi", None, time.time() - 1))
    page = await client.get("/chat/reopen", params={"link": expired})
    text = await page.text()
    assert page.status == 410 and "Liên kết này đã hết hạn" in text and "data-reopen" not in text
    refused = await client.post("/api/reopen", json={"link": expired})
    assert refused.status == 410 and (await refused.json())["error"] == "link_expired"
    other_server = reopen.sign(
        reopen.link_key("another secret"), reopen.Link(customer["session_id"], "vi", None, time.time() + 60)
    )
    assert (await client.post("/api/reopen", json={"link": other_server})).status == 400
    fresh = reopen.sign(key, reopen.Link("no-such-conversation", "vi", None, time.time() + 60))
    assert (await client.post("/api/reopen", json={"link": fresh})).status == 404


async def test_without_smtp_or_an_address_the_agent_is_told_the_customer_was_not_emailed(rasa, database_url, smtp):
    unconfigured = await start_client(rasa, database_url, email_settings())
    try:
        _, record = await claimed_escalation(unconfigured)
        sent = await reply(unconfigured, record, "Olá?")
        assert (sent["customer_online"], sent["emailed"], sent["email_problem"]) == (False, False, "not_configured")
    finally:
        await unconfigured.close()
    configured = await start_client(rasa, database_url, email_settings(smtp.url))
    try:
        _, record = await claimed_escalation(configured, email=None)
        sent = await reply(configured, record, "Olá?")
        assert (sent["emailed"], sent["email_problem"]) == (False, "no_address")
    finally:
        await configured.close()
    assert smtp.inbox.received == []


async def test_mail_server_down_the_reply_is_stored_and_emailed_when_it_is_back(rasa, database_url, monkeypatch):
    monkeypatch.setattr(mail, "FIRST_PAUSE", 0.1)
    monkeypatch.setattr(mail, "POLL_SECONDS", 0.05)
    port = free_port()  # no mail server there yet
    client = await start_client(rasa, database_url, email_settings(f"smtp://127.0.0.1:{port}"))
    try:
        customer, record = await claimed_escalation(client)
        sent = await reply(client, record, "Đơn hàng sẽ đến vào ngày mai.")
        assert sent["emailed"] is True  # queued: the agent does not wait on the mail server
        assert client.chats.history(customer["session_id"])[-1]["text"] == "Đơn hàng sẽ đến vào ngày mai."
        outbox = mail.Outbox(database_url)
        for _ in range(100):
            if (outbox.of(customer["session_id"]) or [{}])[0].get("last_error"):
                break
            await asyncio.sleep(0.05)
        assert outbox.of(customer["session_id"])[0]["last_error"]  # tried, failed, kept
        back = MailServer(port=port).start()
        try:
            [received] = await back.inbox.wait_for(1)
            assert "Đơn hàng sẽ đến vào ngày mai." in received.text
        finally:
            back.stop()
        for _ in range(100):  # the server marks it sent once the mail server has answered
            if not outbox.of(customer["session_id"]):
                break
            await asyncio.sleep(0.05)
        assert outbox.of(customer["session_id"]) == []  # sent: nothing of it kept
    finally:
        await client.close()


@pytest.mark.redis
async def test_a_widget_open_on_another_web_server_counts_as_online():
    """With REDIS_URL, each web server keeps its open widgets in Redis: an agent's
    reply on one server is not e-mailed while the customer is on another."""
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: export TEST_REDIS_URL=$(scripts/test-redis.sh)")
    here, there = RedisHub(url), RedisHub(url)
    await here.start()
    await there.start()
    session, socket = f"customer-{uuid.uuid4().hex}", object()
    try:
        assert not await there.connected(session)
        here.join(session, socket)  # type: ignore[arg-type]  # (the hub only keeps it)
        for _ in range(100):
            if await there.connected(session):
                break
            await asyncio.sleep(0.05)
        assert await there.connected(session) and await here.connected(session)
        here.leave(session, socket)  # type: ignore[arg-type]
        for _ in range(100):
            if not await there.connected(session):
                break
            await asyncio.sleep(0.05)
        assert not await there.connected(session)
    finally:
        await here.close()
        await there.close()
