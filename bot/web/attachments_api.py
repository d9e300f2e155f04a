"""Customers' files: uploaded from the widget, served to that conversation and to agents.

    POST /api/attachments       multipart/form-data: session_id, token, file (and the widget's
                                language); 201 with the transcript line that carries the file
    GET  /api/attachments/<id>  ?session_id=...&token=... (the conversation's customer) or
                                Authorization: Bearer <agent token>

The file becomes a customer's line of the transcript (its `attachment`), so
the widget's tabs and, while the conversation is escalated, the agents'
consoles see it at once. The bot is not sent the file: while it is in
charge it tells the customer the file is kept for the team; while an agent
holds the conversation the bot stays silent, as for any message.

A file is served with its stored type, `nosniff`, a sandboxing CSP, inline
for images and as a download for PDFs: never rendered as a page.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Dict, Optional, Tuple
from urllib.parse import quote, unquote

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from bot.helpdesk import attachments as files
from bot.helpdesk.attachments import Attachment, AttachmentStore, Refused
from bot.helpdesk.conversations import Session, chat_line
from bot.helpdesk.escalations import ASSIGNED, QUEUED
from bot.settings import get_settings
from bot.web import agent_api, events
from bot.web.chat import unless_the_database_is_down
from bot.web.http import AGENTS, ESCALATIONS, HUB, LIMITER, STORE, ApiError, session_lock

ATTACHMENTS = web.AppKey("attachments", AttachmentStore)
UPLOAD_SECONDS = 120.0  # the whole form, a 5 MB file over a slow phone line
MAX_FIELD_BYTES = 256
MAX_PARTS = 8
# The widget's language codes: the conversation's language and script, for the bot's notice.
WIDGET_LANGUAGES: Dict[str, Tuple[str, Optional[str]]] = {
    "pt": ("pt", None),
    "es": ("es", None),
    "vi": ("vi", None),
    "zh-Hans": ("zh", "Hans"),
    "zh-Hant": ("zh", "Hant"),
}
SERVED_POLICY = "sandbox; default-src 'none'"


def _refusal(error: Refused) -> ApiError:
    return ApiError(error.status, error.code, error.message)


async def _read_upload(request: web.Request, max_bytes: int) -> Tuple[Dict[str, str], Any, str, bytes]:
    """The form's small fields, its session, the file's name and its bytes (at most max_bytes, else refused).

    The session is checked before the file is read: a stranger's upload is
    refused without taking in megabytes (the widget sends the file last)."""
    if request.content_type != "multipart/form-data":
        raise ApiError(400, "bad_request", "Send multipart/form-data with session_id, token and file.")
    if request.content_length is not None and request.content_length > max_bytes + 64 * 1024:
        raise _refusal(files.refuse_size(get_settings().attachments))
    fields: Dict[str, str] = {}
    name, data, session = "", None, None
    try:
        reader = await request.multipart()
        for _ in range(MAX_PARTS):
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, BodyPartReader):
                raise ApiError(400, "bad_request", "Send one flat form.")
            if part.name == "file" and data is None:
                session = await asyncio.to_thread(
                    request.app[STORE].authenticate, fields.get("session_id"), fields.get("token")
                )
                if session is None:
                    raise ApiError(401, "unauthorized", "Send the session_id and its token before the file.")
                # Browsers send %22 for a quote in the name, some clients percent-encode it all.
                name, chunks = unquote(part.filename or ""), bytearray()
                while chunk := await part.read_chunk(64 * 1024):
                    chunks += chunk
                    if len(chunks) > max_bytes:
                        raise _refusal(files.refuse_size(get_settings().attachments))
                data = bytes(chunks)
            elif part.name in ("session_id", "token", "language"):
                value = bytearray()
                while chunk := await part.read_chunk(MAX_FIELD_BYTES):
                    value += chunk
                    if len(value) > MAX_FIELD_BYTES:
                        raise ApiError(400, "bad_request", f"The field {part.name} is too long.")
                fields[part.name] = value.decode("utf-8", errors="replace")
            else:
                await part.release()
    except (ValueError, AssertionError, HttpProcessingError, web.RequestPayloadError):  # a malformed body
        raise ApiError(400, "bad_request", "Send multipart/form-data with session_id, token and file.") from None
    if data is None:
        raise ApiError(400, "bad_request", "Send the file in the form's 'file' field.")
    return fields, session, name, data


async def upload(request: web.Request) -> web.Response:
    settings = get_settings().attachments
    try:
        fields, session, name, data = await asyncio.wait_for(_read_upload(request, settings.max_bytes), UPLOAD_SECONDS)
    except asyncio.TimeoutError:
        raise ApiError(408, "too_slow", "The file came too slowly.") from None
    if not request.app[LIMITER].allow(session.id):
        raise ApiError(429, "rate_limited", "Too many messages; wait a few seconds.")
    async with session_lock(request.app, session.id):
        try:
            attachment = await asyncio.to_thread(request.app[ATTACHMENTS].add, session.id, name, data, settings)
        except Refused as error:
            raise _refusal(error) from None
        line = await _into_the_conversation(request.app, session, attachment, fields.get("language"))
    return web.json_response({"message": line}, status=201)


async def _into_the_conversation(
    app: web.Application, session: Session, attachment: Attachment, widget_language: Optional[str]
) -> Dict:
    """The file as the customer's line of the transcript, to their tabs and the agents; and the bot's word."""
    store, hub = app[STORE], app[HUB]
    text = f"[attachment: {attachment.name}]"  # what a reader of the bare text (an export, a search) sees
    line = await asyncio.to_thread(
        store.add_message, session.id, "customer", text, {"attachment": attachment.as_file()}
    )
    await hub.publish(session.id, events.message(line))
    held = await unless_the_database_is_down("the escalation lookup", None, app[ESCALATIONS].open_for, session.id)
    if held is not None:
        await hub.publish(agent_api.CONSOLES, events.console_message(session.id, held.id, line))
    if held is not None and held.status == ASSIGNED:
        return dict(line)  # the agent has it; the bot stays silent
    language, script = WIDGET_LANGUAGES.get(widget_language or "", (session.language, session.script))
    language = language or get_settings().default_language
    said = files.kept_notice(attachment.name, language, script, queued=held is not None and held.status == QUEUED)
    extra: Dict[str, Any] = {"buttons": [], "language": language, "script": script}
    unrecorded = [chat_line("bot", said, extra, time.time())]
    stored = await unless_the_database_is_down(
        "the bot's answer", unrecorded, store.add_bot_messages, session.id, [(said, extra)], None, None
    )
    for answer in stored:
        await hub.publish(session.id, events.message(answer))
        if held is not None:
            await hub.publish(agent_api.CONSOLES, events.console_message(session.id, held.id, answer))
    return dict(line)


async def serve(request: web.Request) -> web.StreamResponse:
    attachment = await asyncio.to_thread(request.app[ATTACHMENTS].get, request.match_info["id"])
    query = request.query
    if "session_id" in query or "token" in query:
        session = await asyncio.to_thread(request.app[STORE].authenticate, query.get("session_id"), query.get("token"))
        if session is None:
            raise ApiError(401, "unauthorized", "Unknown session or wrong token.")
        allowed = attachment is not None and attachment.session_id == session.id
    else:
        header = request.headers.get("Authorization", "")
        token = header[7:] if header.startswith("Bearer ") else None
        if await asyncio.to_thread(request.app[AGENTS].agent_for, token) is None:
            raise ApiError(401, "unauthorized", "Send the conversation's session_id and token, or an agent's token.")
        allowed = attachment is not None
    if attachment is None or not allowed:  # another conversation's file is as unknown as a missing one
        raise ApiError(404, "not_found", "No such attachment.")
    data = await asyncio.to_thread(request.app[ATTACHMENTS].read, attachment)
    if data is None:
        raise ApiError(404, "not_found", "No such attachment.")
    disposition = "inline" if attachment.is_image else "attachment"
    ascii_name = attachment.name.encode("ascii", "replace").decode("ascii").replace('"', "_").replace("?", "_")
    return web.Response(
        body=data,
        headers={
            "Content-Type": attachment.type,
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(attachment.name)}",
            "Content-Security-Policy": SERVED_POLICY,
            "Cache-Control": "private, no-store",
            "Cross-Origin-Resource-Policy": "cross-origin",  # the widget shows images on the customer's site
        },
    )


def setup(app: web.Application, database_url: str, folder: Path) -> None:
    app[ATTACHMENTS] = AttachmentStore(database_url, folder)
    app.router.add_post("/api/attachments", upload)
    app.router.add_get("/api/attachments/{id}", serve)
