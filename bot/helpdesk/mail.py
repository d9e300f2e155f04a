"""Agents' replies e-mailed to customers who left the chat.

A reply for a customer with no open widget is written, in the customer's
language, to the outbox (a table of the help-desk database) and sent from
there in the background: the agent never waits on the mail server, a
failed attempt is retried with growing pauses, and one that keeps failing
is logged and kept as "failed", never dropped silently. Several web servers
may share the database: an e-mail is leased before it is sent, so only one
of them sends it.

The mail server is SMTP_URL (bot/settings.py SmtpServer): smtp:// uses
STARTTLS when the server offers it (`?starttls=always`: refuse one that does
not), smtps:// TLS from the start; user:password@ logs in, never over an
unencrypted connection to another machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import smtplib
import ssl
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from bot.database import engine_with_tables
from bot.settings import EmailSettings, SmtpServer

logger = logging.getLogger(__name__)

SMTP_TIMEOUT = 20.0  # seconds for each step of a conversation with the mail server
FIRST_PAUSE = 10.0  # seconds before the second attempt; doubled after each failure
MAX_PAUSE = 3600.0
POLL_SECONDS = 2.0  # how often the outbox is read (at once when a reply was just added)
LEASE_SECONDS = 120.0  # a web server that died while sending: another one sends after this
WAITING, FAILED = "waiting", "failed"

metadata = sa.MetaData()

mail_outbox = sa.Table(
    "mail_outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(128), index=True, nullable=False),
    sa.Column("recipient", sa.String(254), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # waiting, failed (sent ones are deleted)
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_at", sa.Float, nullable=False),
    sa.Column("lease_owner", sa.String(32)),
    sa.Column("lease_until", sa.Float),
    sa.Column("last_error", sa.Text),
)


class MailError(Exception):
    """The mail server refused, or the settings forbid sending."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent  # trying again cannot help (the address was refused)


# The e-mail's framing, in the customer's language and script.
TEXTS: Dict[str, Dict[str, str]] = {
    "pt": {
        "subject": "Nova resposta do atendimento",
        "hello": "Olá!",
        "intro": "{agent} respondeu à sua conversa com o atendimento:",
        "outro": "Para continuar a conversa, abra este link (válido até {date}):",
        "footer": "Você recebeu este e-mail porque deixou seu endereço no chat de atendimento.",
    },
    "es": {
        "subject": "Nueva respuesta de atención al cliente",
        "hello": "¡Hola!",
        "intro": "{agent} respondió a tu conversación con atención al cliente:",
        "outro": "Para continuar la conversación, abre este enlace (válido hasta el {date}):",
        "footer": "Recibes este correo porque dejaste tu dirección en el chat de atención al cliente.",
    },
    "vi": {
        "subject": "Phản hồi mới từ bộ phận hỗ trợ",
        "hello": "Xin chào!",
        "intro": "{agent} đã trả lời cuộc trò chuyện của bạn với bộ phận hỗ trợ:",
        "outro": "Để tiếp tục cuộc trò chuyện, hãy mở liên kết này (có hiệu lực đến {date}):",
        "footer": "Bạn nhận được email này vì đã để lại địa chỉ email trong khung chat hỗ trợ.",
    },
    "zh-Hans": {
        "subject": "客服的新回复",
        "hello": "您好!",
        "intro": "{agent} 回复了您与客服的对话:",
        "outro": "如需继续对话,请打开此链接(有效期至 {date}):",
        "footer": "您收到此邮件,是因为您在客服聊天中留下了邮箱地址。",
    },
    "zh-Hant": {
        "subject": "客服的新回覆",
        "hello": "您好!",
        "intro": "{agent} 回覆了您與客服的對話:",
        "outro": "如需繼續對話,請開啟此連結(有效期限至 {date}):",
        "footer": "您收到此郵件,是因為您在客服聊天中留下了電子郵件地址。",
    },
}


def text_language(language: Optional[str], script: Optional[str], default: str = "pt") -> str:
    """The key of TEXTS for a conversation's language ("zh" + "Hant" -> "zh-Hant")."""
    language = language if language in ("pt", "es", "vi", "zh") else default
    if language == "zh":
        return "zh-Hant" if script == "Hant" else "zh-Hans"
    return language if language in TEXTS else "pt"


def local_date(at: float, code: str) -> str:
    day = datetime.fromtimestamp(at, tz=timezone.utc)
    if code.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return day.strftime("%d/%m/%Y")


def compose_reply(code: str, agent: str, reply: str, link: str, link_expires_at: float) -> Tuple[str, str]:
    """The subject and plain-text body of an e-mailed reply, in TEXTS[code]."""
    texts = TEXTS[code]
    body = "\n\n".join(
        (
            texts["hello"],
            texts["intro"].format(agent=agent),
            reply.strip(),
            texts["outro"].format(date=local_date(link_expires_at, code)) + "\n" + link,
            "-- \n" + texts["footer"],
        )
    )
    return texts["subject"], body + "\n"


@dataclass(frozen=True)
class OutgoingMail:
    """An e-mail of the outbox, leased for sending."""

    id: int
    conversation_id: str
    recipient: str
    subject: str
    body: str
    attempts: int  # this one included


class Outbox:
    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        self.owner = uuid.uuid4().hex  # this web server

    @property
    def engine(self) -> sa.engine.Engine:
        return engine_with_tables(self.database_url, metadata)

    def add(self, conversation_id: str, recipient: str, subject: str, body: str) -> int:
        now = time.time()
        with self.engine.begin() as db:
            result = db.execute(
                mail_outbox.insert().values(
                    conversation_id=conversation_id,
                    recipient=recipient,
                    subject=subject,
                    body=body,
                    created_at=now,
                    status=WAITING,
                    attempts=0,
                    next_at=now,
                )
            )
        return int(result.inserted_primary_key[0])

    def lease_due(self, limit: int = 20) -> List[OutgoingMail]:
        """The e-mails due now, leased to this server (another server's lease is skipped)."""
        now = time.time()
        leased = []
        with self.engine.begin() as db:
            rows = db.execute(
                sa.select(mail_outbox)
                .where(mail_outbox.c.status == WAITING, mail_outbox.c.next_at <= now)
                .where(sa.or_(mail_outbox.c.lease_until.is_(None), mail_outbox.c.lease_until < now))
                .order_by(mail_outbox.c.id)
                .limit(limit)
            ).all()
            for row in rows:
                taken = db.execute(
                    mail_outbox.update()
                    .where(mail_outbox.c.id == row.id, mail_outbox.c.attempts == row.attempts)
                    .values(lease_owner=self.owner, lease_until=now + LEASE_SECONDS, attempts=row.attempts + 1)
                ).rowcount
                if taken:
                    leased.append(
                        OutgoingMail(
                            row.id, row.conversation_id, row.recipient, row.subject, row.body, row.attempts + 1
                        )
                    )
        return leased

    def sent(self, mail_id: int) -> None:
        """Delivered to the mail server: nothing of it is kept."""
        with self.engine.begin() as db:
            db.execute(mail_outbox.delete().where(mail_outbox.c.id == mail_id))

    def retry_later(self, mail_id: int, error: str, at: float) -> None:
        with self.engine.begin() as db:
            db.execute(
                mail_outbox.update()
                .where(mail_outbox.c.id == mail_id)
                .values(next_at=at, lease_owner=None, lease_until=None, last_error=error[:2000])
            )

    def give_up(self, mail_id: int, error: str) -> None:
        with self.engine.begin() as db:
            db.execute(
                mail_outbox.update()
                .where(mail_outbox.c.id == mail_id)
                .values(status=FAILED, lease_owner=None, lease_until=None, last_error=error[:2000])
            )

    def of(self, conversation_id: str) -> List[Dict[str, object]]:
        """The e-mails still kept for a conversation (waiting or failed): what a privacy export shows."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(mail_outbox)
                .where(mail_outbox.c.conversation_id == conversation_id)
                .order_by(mail_outbox.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def forget(self, conversation_id: str) -> int:
        with self.engine.begin() as db:
            return db.execute(mail_outbox.delete().where(mail_outbox.c.conversation_id == conversation_id)).rowcount


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def send(server: SmtpServer, sender: str, mail: OutgoingMail, timeout: float = SMTP_TIMEOUT) -> None:
    """One e-mail to the mail server (blocking; run it in a thread). Raises MailError."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(mail.body)
    context = ssl.create_default_context()
    try:
        client: smtplib.SMTP = (
            smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
            if server.implicit_tls
            else smtplib.SMTP(server.host, server.port, timeout=timeout)
        )
        with client:
            client.ehlo()
            encrypted = server.implicit_tls
            if not encrypted and server.starttls != "never":
                if client.has_extn("starttls"):
                    client.starttls(context=context)
                    client.ehlo()
                    encrypted = True
                elif server.starttls == "always":
                    raise MailError(f"{server.host}:{server.port} does not offer STARTTLS, and SMTP_URL asks for it")
            if server.username:
                if not encrypted and not _is_loopback(server.host):
                    raise MailError(
                        f"{server.host}:{server.port} offers no encryption: the SMTP password is not sent in the clear "
                        "(use smtps://, or a server with STARTTLS)"
                    )
                client.login(server.username, server.password or "")
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _ in refused.recipients.values()]
        permanent = all(code >= 500 for code in codes)
        raise MailError(f"the mail server refused the address: {refused.recipients}", permanent) from refused
    except (smtplib.SMTPException, OSError) as error:  # ssl.SSLError and timeouts are OSErrors
        raise MailError(f"{type(error).__name__}: {error}") from error


def _masked(address: str) -> str:
    """An address in the logs: enough to tell which, not the whole of it."""
    name, _, domain = address.partition("@")
    return f"{name[:2]}…@{domain}"


async def deliver(outbox: Outbox, settings: EmailSettings, mail: OutgoingMail) -> bool:
    """Try one leased e-mail; True if the mail server took it."""
    assert settings.smtp is not None
    try:
        await asyncio.to_thread(send, settings.smtp, settings.sender, mail)
    except MailError as error:
        if error.permanent or mail.attempts >= settings.attempts:
            logger.error(
                "e-mail %d (conversation %s, to %s): gave up after %d attempt(s): %s",
                mail.id,
                mail.conversation_id,
                _masked(mail.recipient),
                mail.attempts,
                error,
            )
            await asyncio.to_thread(outbox.give_up, mail.id, str(error))
        else:
            pause = min(MAX_PAUSE, FIRST_PAUSE * 2 ** (mail.attempts - 1))
            logger.warning(
                "e-mail %d (conversation %s): attempt %d failed, next in %.0f s: %s",
                mail.id,
                mail.conversation_id,
                mail.attempts,
                pause,
                error,
            )
            await asyncio.to_thread(outbox.retry_later, mail.id, str(error), time.time() + pause)
        return False
    await asyncio.to_thread(outbox.sent, mail.id)
    logger.info(
        "e-mail %d (conversation %s) sent to %s (attempt %d)",
        mail.id,
        mail.conversation_id,
        _masked(mail.recipient),
        mail.attempts,
    )
    return True


async def deliver_forever(outbox: Outbox, settings: EmailSettings, wake: asyncio.Event) -> None:
    """Send what the outbox holds, as it comes (`wake`) and every POLL_SECONDS."""
    while True:
        try:
            for mail in await asyncio.to_thread(outbox.lease_due):
                await deliver(outbox, settings, mail)
        except SQLAlchemyError as error:
            logger.warning("e-mail outbox: database unavailable: %s", error)
        except Exception:  # the loop must outlive any surprise; logged with its reason
            logger.exception("e-mail outbox: sending failed")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(wake.wait(), POLL_SECONDS)
        wake.clear()
