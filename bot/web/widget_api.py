"""The widget's welcome: its configuration for one language (the greeting,
starter buttons, proactive greeting and pre-chat form of helpdesk.yml's
`widget:` section), and the pre-chat form's answers.

    GET  /api/widget/config?language=pt   cacheable, no secrets
    POST /api/contact {session_id, token, name?, email?}

The pre-chat form's name and e-mail are kept with the chat session; every
message of the conversation then carries them to Rasa (bot.languages.CONTACT)
so the escalation has them and the bot does not ask for the e-mail again."""

from __future__ import annotations

import asyncio
import re
from typing import Any, Optional, Tuple

from aiohttp import web

from bot.settings import get_settings
from bot.web.customer_api import authenticated
from bot.web.http import ESCALATIONS, STORE, ApiError, read_json
from bot.widget_settings import ui_language

# The same shape actions/handoff.py accepts for an escalation's e-mail.
EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
MAX_NAME_CHARS = 80
MAX_EMAIL_CHARS = 254
CONFIG_SECONDS = 300  # how long browsers and proxies may keep the configuration

PATHS = ("/api/widget/config", "/api/contact")  # called by a widget on another site: CORS (server.py)


async def widget_config(request: web.Request) -> web.Response:
    language = ui_language(request.query.get("language"))
    settings = get_settings()
    files = settings.attachments
    return web.json_response(
        # The paperclip shows only when files are accepted, and offers only their types.
        {
            **settings.widget.for_language(language),
            "attachments": {"types": list(files.types), "max_bytes": files.max_bytes},
        },
        headers={"Cache-Control": f"public, max-age={CONFIG_SECONDS}"},
    )


def check_contact(data: Any, required: Tuple[str, ...]) -> Tuple[Optional[str], Optional[str]]:
    """The form's name and e-mail, cleaned; ApiError 400 naming what is wrong."""
    name, email = data.get("name"), data.get("email")
    for key, value in (("name", name), ("email", email)):
        if value is not None and not isinstance(value, str):
            raise ApiError(400, f"bad_{key}", f"The {key} is a text.")
    name = " ".join((name or "").replace("\x00", "").split()) or None
    email = (email or "").strip() or None
    for key, value in (("name", name), ("email", email)):
        if key in required and value is None:
            raise ApiError(400, f"missing_{key}", f"The {key} is required.")
    if name is not None and len(name) > MAX_NAME_CHARS:
        raise ApiError(400, "bad_name", f"The name is too long (at most {MAX_NAME_CHARS} characters).")
    if email is not None and (len(email) > MAX_EMAIL_CHARS or not EMAIL.fullmatch(email)):
        raise ApiError(400, "bad_email", "That is not an e-mail address.")
    return name, email


async def post_contact(request: web.Request) -> web.Response:
    settings = get_settings().widget
    data = await read_json(request)
    session = await authenticated(request, data)
    if not settings.prechat_enabled:
        raise ApiError(409, "prechat_disabled", "This help desk has no pre-chat form.")
    name, email = check_contact(data, settings.prechat_required)
    await asyncio.to_thread(request.app[STORE].set_contact, session.id, name, email)
    # "Talk to a person" may have been pressed before the form was filled: the
    # open escalation gets the address, so the agent's reply can reach it.
    held = await asyncio.to_thread(request.app[ESCALATIONS].open_for, session.id)
    if held is not None and email and not held.email:
        await asyncio.to_thread(request.app[ESCALATIONS].set_email, held.id, email)
    return web.json_response({"name": name, "email": email})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/api/widget/config", widget_config)
    app.router.add_post("/api/contact", post_contact)
