"""E-mailed replies (bot/helpdesk/mail.py): the text in the customer's
language, the outbox, and SMTP against a local server (tests/smtp.py):
plain, with a password, with STARTTLS, and down (retried, then given up,
logged, kept)."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from bot.helpdesk import mail
from bot.settings import EmailSettings, SettingsError, SmtpServer, parse_email
from tests.servers import free_port
from tests.smtp import MailServer, self_signed_certificate

EXPIRES = time.mktime((2026, 12, 14, 12, 0, 0, 0, 0, 0))


@pytest.mark.parametrize(
    ("language", "script", "code", "subject", "words"),
    [
        ("pt", None, "pt", "Nova resposta do atendimento", ("Ana respondeu", "válido até 14/12/2026")),
        ("es", None, "es", "Nueva respuesta de atención al cliente", ("Ana respondió", "válido hasta el 14/12/2026")),
        ("vi", None, "vi", "Phản hồi mới từ bộ phận hỗ trợ", ("Ana đã trả lời", "có hiệu lực đến 14/12/2026")),
        ("zh", "Hans", "zh-Hans", "客服的新回复", ("Ana 回复了", "链接", "2026年12月14日")),
        ("zh", "Hant", "zh-Hant", "客服的新回覆", ("Ana 回覆了", "連結", "2026年12月14日")),
        (None, None, "pt", "Nova resposta do atendimento", ("Ana respondeu",)),
    ],
)
def test_the_email_speaks_the_customers_language_and_script(language, script, code, subject, words):
    assert mail.text_language(language, script) == code
    title, body = mail.compose_reply(
        code, "Ana", "  Seu pedido chega amanhã.\n", "https://x.test/chat/reopen?link=L", EXPIRES
    )
    assert title == subject
    assert "Seu pedido chega amanhã." in body and "https://x.test/chat/reopen?link=L" in body
    for word in words:
        assert word in body


def test_settings_read_smtp_url_and_the_environment_wins(monkeypatch):
    monkeypatch.delenv("SMTP_URL", raising=False)
    monkeypatch.delenv("SMTP_FROM", raising=False)
    assert parse_email({}, "help@shop.example").smtp is None  # no SMTP_URL: no e-mail
    configured = parse_email({"smtp_url": "smtp://mail.shop.example", "link_days": 3}, "help@shop.example")
    assert configured.smtp == SmtpServer("mail.shop.example", 587, False, "auto")
    assert (configured.sender, configured.link_days) == ("help@shop.example", 3.0)
    monkeypatch.setenv("SMTP_URL", "smtps://me%40shop.example:p%40ss@smtp.shop.example")
    monkeypatch.setenv("SMTP_FROM", "atendimento@shop.example")
    from_env = parse_email({"smtp_url": "smtp://ignored.example", "from": "ignored@shop.example"}, "x@shop.example")
    assert from_env.smtp is not None
    assert (from_env.smtp.host, from_env.smtp.port, from_env.smtp.implicit_tls) == ("smtp.shop.example", 465, True)
    assert (from_env.smtp.username, from_env.smtp.password) == ("me@shop.example", "p@ss")
    assert from_env.sender == "atendimento@shop.example"
    assert "p@ss" not in repr(from_env)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://mail.example", "must look like smtp://"),
        ("smtp://user:secret@mail.example:99999", "port"),
        ("smtp://user:se/cret@mail.example:587", "port"),  # "/" in a password: still hidden
        ("smtp://mail.example?starttls=maybe", "starttls must be one of"),
    ],
)
def test_a_wrong_smtp_url_is_a_clear_error_without_the_password(monkeypatch, url, message):
    monkeypatch.setenv("SMTP_URL", url)
    with pytest.raises(SettingsError, match=message) as error:
        parse_email({}, "help@shop.example")
    assert "secret" not in str(error.value)


def test_a_sender_that_is_no_address_is_refused(monkeypatch):
    monkeypatch.setenv("SMTP_URL", "smtp://mail.example")
    monkeypatch.setenv("SMTP_FROM", "support team")
    with pytest.raises(SettingsError, match="SMTP_FROM"):
        parse_email({}, "help@shop.example")


@pytest.fixture
def outbox(database_url):
    return mail.Outbox(database_url)


def settings_for(server: MailServer, attempts: int = 3, url: str = "") -> EmailSettings:
    return EmailSettings(SmtpServer.parse(url or server.url), "atendimento@shop.example", 7.0, attempts)


@pytest.fixture
def smtp():
    server = MailServer().start()
    yield server
    server.stop()


async def test_an_email_of_the_outbox_reaches_the_mail_server_once(outbox, smtp):
    outbox.add("conv-1", "cliente@example.com", "Nova resposta do atendimento", "Olá!\n\nSeu pedido chega amanhã.\n")
    [leased] = outbox.lease_due()
    assert outbox.lease_due() == []  # leased: a second server does not send it too
    assert await mail.deliver(outbox, settings_for(smtp), leased)
    [received] = await smtp.inbox.wait_for(1)
    assert received.recipients == ["cliente@example.com"] and received.sender == "atendimento@shop.example"
    assert received.message["Subject"] == "Nova resposta do atendimento"
    assert "Seu pedido chega amanhã." in received.text
    assert outbox.of("conv-1") == [] and outbox.lease_due() == []  # sent: nothing kept


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")  # loopback: on purpose
async def test_it_logs_in_when_credentials_are_given(outbox, tmp_path):
    server = MailServer(password=("atendo", "s3cret")).start()
    try:
        outbox.add("conv-2", "cliente@example.com", "Assunto", "Texto")
        [leased] = outbox.lease_due()
        wrong = settings_for(server, url=f"smtp://atendo:wrong@127.0.0.1:{server.port}")
        assert not await mail.deliver(outbox, wrong, leased)
        assert server.inbox.received == []
        outbox.retry_later(leased.id, "test", 0)
        [again] = outbox.lease_due()
        right = settings_for(server, url=f"smtp://atendo:s3cret@127.0.0.1:{server.port}")
        assert await mail.deliver(outbox, right, again)
        [received] = await server.inbox.wait_for(1)
        assert received.logged_in_as == "atendo"
    finally:
        server.stop()


async def test_it_uses_starttls_when_the_server_offers_it(outbox, tmp_path, monkeypatch):
    certificate, key = self_signed_certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate))  # trust the test's certificate
    server = MailServer(password=("atendo", "s3cret"), tls=(certificate, key)).start()
    try:
        outbox.add("conv-3", "cliente@example.com", "Assunto", "Texto")
        [leased] = outbox.lease_due()
        url = f"smtp://atendo:s3cret@127.0.0.1:{server.port}?starttls=always"
        assert await mail.deliver(outbox, settings_for(server, url=url), leased)
        [received] = await server.inbox.wait_for(1)
        assert received.encrypted and received.logged_in_as == "atendo"
    finally:
        server.stop()


async def test_starttls_always_refuses_a_server_without_it(outbox, smtp, caplog):
    outbox.add("conv-4", "cliente@example.com", "Assunto", "Texto")
    [leased] = outbox.lease_due()
    with caplog.at_level(logging.WARNING, logger="bot.helpdesk.mail"):
        assert not await mail.deliver(outbox, settings_for(smtp, url=smtp.url + "?starttls=always"), leased)
    assert smtp.inbox.received == [] and "does not offer STARTTLS" in caplog.text


async def test_mail_server_down_is_retried_then_logged_and_kept(outbox, monkeypatch, caplog):
    monkeypatch.setattr(mail, "FIRST_PAUSE", 0.05)
    monkeypatch.setattr(mail, "POLL_SECONDS", 0.05)
    port = free_port()  # nothing listens there yet
    down = EmailSettings(SmtpServer.parse(f"smtp://127.0.0.1:{port}"), "atendimento@shop.example", 7.0, 3)
    outbox.add("conv-5", "cliente@example.com", "Assunto", "Texto")
    wake = asyncio.Event()
    with caplog.at_level(logging.WARNING, logger="bot.helpdesk.mail"):
        sender = asyncio.create_task(mail.deliver_forever(outbox, down, wake))
        try:
            for _ in range(100):
                kept = outbox.of("conv-5")
                if kept and kept[0]["status"] == mail.FAILED:
                    break
                await asyncio.sleep(0.05)
        finally:
            sender.cancel()
    [kept] = outbox.of("conv-5")
    assert (kept["status"], kept["attempts"]) == (mail.FAILED, 3)
    assert "attempt 1 failed" in caplog.text and "gave up after 3 attempt(s)" in caplog.text
    assert "cliente@example.com" not in caplog.text  # the address is masked in the logs


async def test_the_mail_server_coming_back_gets_the_email(outbox, monkeypatch):
    monkeypatch.setattr(mail, "FIRST_PAUSE", 0.1)
    monkeypatch.setattr(mail, "POLL_SECONDS", 0.05)
    port = free_port()
    settings = EmailSettings(SmtpServer.parse(f"smtp://127.0.0.1:{port}"), "atendimento@shop.example", 7.0, 50)
    outbox.add("conv-6", "cliente@example.com", "Assunto", "Texto")
    sender = asyncio.create_task(mail.deliver_forever(outbox, settings, asyncio.Event()))
    try:
        for _ in range(100):  # a first attempt failed
            kept = outbox.of("conv-6")
            if kept and kept[0]["last_error"]:
                break
            await asyncio.sleep(0.05)
        assert outbox.of("conv-6")[0]["last_error"]
        server = MailServer(port=port).start()
        try:
            [received] = await server.inbox.wait_for(1)
            assert received.recipients == ["cliente@example.com"]
        finally:
            server.stop()
    finally:
        sender.cancel()
