"""Replies for customers who left: e-mailed, with a link back to the conversation.

When an agent answers a customer whose widget is closed (no live connection
on any web server, bot/web/hub.py), the reply goes to the e-mail address the
customer gave, in their language, through the outbox (bot/helpdesk/mail.py).
The e-mail carries a link to /chat/reopen?link=..., signed with the server's
secret (HMAC-SHA256) and valid for `email.link_days` (7): the page opens the
widget on that same conversation, history included. A link that was changed
or has expired gets a page saying so, and no session.

    GET  /chat/reopen?link=L   the page (the link is checked here first)
    POST /api/reopen {"link"}  the widget's call: a new token for the session
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import html
import json
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any, Dict, Optional
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.exc import SQLAlchemyError

from bot.helpdesk import mail
from bot.helpdesk.escalations import Escalation
from bot.settings import EmailSettings
from bot.web.http import HUB, STORE, ApiError, read_json
from bot.web.pages import DEMO_POLICY

logger = logging.getLogger(__name__)

PAGE_PATH = "/chat/reopen"
MAX_LINK_CHARS = 1000


@dataclass(frozen=True)
class Link:
    """What a signed link says: which conversation, in which language, until when."""

    conversation_id: str
    language: Optional[str]
    script: Optional[str]
    expires_at: float


class LinkError(Exception):
    def __init__(self, status: int, code: str, message: str, language: Optional[str] = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.language = language  # the page's language, when the link could be read (expired)


def link_key(secret: Optional[str]) -> bytes:
    """The links' HMAC key, derived from the server's secret (RASA_TOKEN, which
    every web server of a deployment shares). Without one (development), a
    key of this process: links work until it restarts."""
    if not secret:
        logger.warning("no RASA_TOKEN: e-mailed links back to a conversation stop working when this server restarts")
        secret = secrets.token_urlsafe(32)
    return hmac.new(secret.encode("utf-8"), b"atendo: links back to a conversation, v1", hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, link: Link) -> str:
    payload = json.dumps(
        {"c": link.conversation_id, "l": link.language, "s": link.script, "e": int(link.expires_at)},
        separators=(",", ":"),
    ).encode("utf-8")
    return _b64(payload) + "." + _b64(hmac.new(key, payload, hashlib.sha256).digest())


def verify(key: bytes, token: Any, now: Optional[float] = None) -> Link:
    """The link's content if the signature holds and it has not expired; else LinkError."""
    bad = LinkError(400, "bad_link", "This link is not valid (incomplete or changed).")
    if not isinstance(token, str) or len(token) > MAX_LINK_CHARS or token.count(".") != 1:
        raise bad
    encoded, signature = token.split(".")
    try:
        payload, given = _unb64(encoded), _unb64(signature)
    except ValueError:  # binascii.Error
        raise bad from None
    if not hmac.compare_digest(given, hmac.new(key, payload, hashlib.sha256).digest()):
        raise bad
    content = json.loads(payload)  # ours: it is signed
    link = Link(content["c"], content.get("l"), content.get("s"), float(content["e"]))
    if (time.time() if now is None else now) > link.expires_at:
        raise LinkError(410, "link_expired", "This link has expired.", link.language)
    return link


class AwayDesk:
    """The app's e-mail for customers who left: settings, outbox, link key."""

    def __init__(
        self, settings: EmailSettings, outbox: mail.Outbox, key: bytes, public_url: str, default_language: str
    ) -> None:
        self.settings, self.outbox, self.key = settings, outbox, key
        self.public_url, self.default_language = public_url.rstrip("/"), default_language
        self.wake = asyncio.Event()  # a new e-mail: send now, not at the next look

    def link_for(self, record: Escalation, expires_at: float) -> str:
        token = sign(self.key, Link(record.conversation_id, record.language, record.script, expires_at))
        return f"{self.public_url}{PAGE_PATH}?link={quote(token)}"


AWAY = web.AppKey("away", AwayDesk)


async def reply_to_away_customer(app: web.Application, record: Escalation, agent: str, text: str) -> Dict[str, Any]:
    """After an agent's reply is stored and published: e-mail it if the customer
    has no widget open. What the console shows: customer_online, emailed,
    email_problem (no_address, not_configured, unavailable)."""
    if await app[HUB].connected(record.conversation_id):
        return {"customer_online": True, "emailed": False, "email_problem": None}
    desk = app[AWAY]
    problem = None
    if desk.settings.smtp is None:
        problem = "not_configured"
    elif not record.email:
        problem = "no_address"
    else:
        code = mail.text_language(record.language, record.script, desk.default_language)
        expires_at = time.time() + desk.settings.link_days * 86400
        subject, body = mail.compose_reply(code, agent, text, desk.link_for(record, expires_at), expires_at)
        try:
            await asyncio.to_thread(desk.outbox.add, record.conversation_id, record.email, subject, body)
            desk.wake.set()
        except SQLAlchemyError as error:
            logger.error(
                "e-mail for conversation %s not queued, database unavailable: %s", record.conversation_id, error
            )
            problem = "unavailable"
    return {"customer_online": False, "emailed": problem is None, "email_problem": problem}


# The page, in the customer's language (the link says which; a changed link, in all of them).
PAGE_TEXTS: Dict[str, Dict[str, str]] = {
    "pt": {
        "title": "Continue sua conversa",
        "hint": "A conversa com o atendimento abre no chat, com as mensagens anteriores.",
        "link_expired": "Este link expirou. Abra o chat para falar com o atendimento de novo.",
        "bad_link": "Este link não é válido (está incompleto ou foi alterado).",
        "not_found": "Esta conversa não existe mais.",
    },
    "es": {
        "title": "Continúa tu conversación",
        "hint": "La conversación con atención al cliente se abre en el chat, con los mensajes anteriores.",
        "link_expired": "Este enlace caducó. Abre el chat para hablar de nuevo con atención al cliente.",
        "bad_link": "Este enlace no es válido (está incompleto o fue modificado).",
        "not_found": "Esta conversación ya no existe.",
    },
    "vi": {
        "title": "Tiếp tục cuộc trò chuyện",
        "hint": "Cuộc trò chuyện với bộ phận hỗ trợ sẽ mở trong khung chat, cùng các tin nhắn trước đó.",
        "link_expired": "Liên kết này đã hết hạn. Hãy mở khung chat để liên hệ lại với bộ phận hỗ trợ.",
        "bad_link": "Liên kết này không hợp lệ (bị thiếu hoặc đã bị thay đổi).",
        "not_found": "Cuộc trò chuyện này không còn tồn tại.",
    },
    "zh-Hans": {
        "title": "继续您的对话",
        "hint": "与客服的对话将在聊天窗口中打开,包括之前的消息。",
        "link_expired": "此链接已过期。请打开聊天窗口重新联系客服。",
        "bad_link": "此链接无效(不完整或已被修改)。",
        "not_found": "此对话已不存在。",
    },
    "zh-Hant": {
        "title": "繼續您的對話",
        "hint": "與客服的對話將在聊天視窗中開啟,包括先前的訊息。",
        "link_expired": "此連結已過期。請開啟聊天視窗重新聯絡客服。",
        "bad_link": "此連結無效(不完整或已被修改)。",
        "not_found": "此對話已不存在。",
    },
}
PAGE_HEADERS = {
    "Content-Security-Policy": DEMO_POLICY,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",  # the link is in the address: it goes nowhere else
}


def _page(code: str, heading: str, paragraphs: list, extra: str = "") -> str:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html><html lang="{html.escape(code)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(heading)}</title><link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/static/demo.css"></head>'
        f"<body><main><h1>{html.escape(heading)}</h1>{body}</main>{extra}</body></html>"
    )


def error_page(error: LinkError) -> web.Response:
    if error.language:
        code = mail.text_language(error.language, None)
        page = _page(code, PAGE_TEXTS[code][error.code], [])
    else:  # nothing in the link can be trusted, its language neither
        texts = [PAGE_TEXTS[code][error.code] for code in ("pt", "es", "vi", "zh-Hans")]
        page = _page("pt", texts[0], texts[1:])
    return web.Response(text=page, status=error.status, content_type="text/html", headers=PAGE_HEADERS)


async def reopen_page(request: web.Request) -> web.Response:
    token = request.query.get("link", "")
    try:
        link = verify(request.app[AWAY].key, token)
    except LinkError as error:
        return error_page(error)
    code = mail.text_language(link.language, link.script, request.app[AWAY].default_language)
    texts = PAGE_TEXTS[code]
    widget = f'<script src="/widget.js" data-reopen="{html.escape(token)}" data-language="{html.escape(code)}" defer></script>'
    page = _page(code, texts["title"], [texts["hint"]], widget)
    return web.Response(text=page, content_type="text/html", headers=PAGE_HEADERS)


async def reopen_session(request: web.Request) -> web.Response:
    """POST /api/reopen {"link": L}: the conversation's id and a new token (the
    old one stops working), for the widget to continue it."""
    data = await read_json(request)
    try:
        link = verify(request.app[AWAY].key, data.get("link"))
    except LinkError as error:
        raise ApiError(error.status, error.code, error.message) from None
    session = await asyncio.to_thread(request.app[STORE].new_token, link.conversation_id)
    if session is None:
        raise ApiError(404, "not_found", "This conversation no longer exists.")
    logger.info("conversation %s reopened from an e-mailed link", link.conversation_id)
    return web.json_response(session)


def setup(
    app: web.Application,
    database_url: str,
    settings: EmailSettings,
    secret: Optional[str],
    public_url: str,
    default_language: str,
) -> None:
    """The routes, and (with SMTP_URL) the outbox's sender in the background."""
    desk = AwayDesk(settings, mail.Outbox(database_url), link_key(secret), public_url, default_language)
    app[AWAY] = desk
    app.router.add_get(PAGE_PATH, reopen_page)
    app.router.add_post("/api/reopen", reopen_session)
    if settings.smtp is None:
        logger.info("no SMTP_URL: replies to customers who left are not e-mailed")
        return

    async def sender(app: web.Application):
        task = asyncio.create_task(mail.deliver_forever(desk.outbox, settings, desk.wake))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    app.cleanup_ctx.append(sender)
