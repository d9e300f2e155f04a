"""The web server: a chat page, the knowledge-base article pages, and a
relay from the page to Rasa's REST channel.

    python -m bot.web.server [--port 8000]      (RASA_URL: where Rasa runs)

A visitor's conversation id is a random token the server issues in an
HttpOnly cookie; the page never chooses it, so nobody can read another
visitor's conversation by guessing an id.
"""
from __future__ import annotations

import argparse
import html
import logging
import os
import secrets
from pathlib import Path
from typing import Any, Dict, List

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from bot.kb.service import load_knowledge_base
from bot.settings import LANGUAGES, get_settings

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "helpdesk_session"
MAX_MESSAGE_CHARS = 2000
RASA_TIMEOUT = ClientTimeout(total=30)


def session_id(request: web.Request) -> str:
    token = request.cookies.get(SESSION_COOKIE, "")
    return token if len(token) == 43 else ""


async def index(request: web.Request) -> web.StreamResponse:
    response = web.FileResponse(STATIC / "index.html")
    if not session_id(request):
        response.set_cookie(SESSION_COOKIE, secrets.token_urlsafe(32), httponly=True, samesite="Strict")
    return response


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def post_message(request: web.Request) -> web.Response:
    sender = session_id(request)
    if not sender:
        return error(401, "No chat session: reload the page.")
    try:
        payload = await request.json()
    except ValueError:
        return error(400, "Send JSON: {\"text\": \"...\"}.")
    text = payload.get("text") if isinstance(payload, dict) else None
    if not isinstance(text, str) or not text.strip():
        return error(400, "The message is empty.")
    if len(text) > MAX_MESSAGE_CHARS:
        return error(413, f"The message is too long (at most {MAX_MESSAGE_CHARS} characters).")
    metadata: Dict[str, Any] = {}
    if isinstance(payload.get("language"), str):
        metadata["language"] = payload["language"][:20]
    try:
        async with ClientSession(timeout=RASA_TIMEOUT) as client:
            async with client.post(
                f"{request.app['rasa_url']}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
            ) as reply:
                if reply.status != 200:
                    logger.error("Rasa answered %s", reply.status)
                    return error(502, "The assistant could not answer; please try again.")
                messages: List[Dict[str, Any]] = await reply.json()
    except (ClientError, TimeoutError) as failure:
        logger.error("Rasa unreachable: %s", failure)
        return error(503, "The assistant is not reachable right now; please try again in a moment.")
    return web.json_response({"messages": messages})


def render_article(language: str, article_id: str) -> str:
    import markdown

    article = load_knowledge_base().get(article_id, language)
    if article is None:
        raise web.HTTPNotFound(text="No such article.")
    source = get_settings().contact.fill("\n\n".join([article.answer, article.body]), language)
    # Escape first: articles are text, never markup of their own.
    body = markdown.markdown(html.escape(source, quote=False))
    return (
        f'<!doctype html><html lang="{html.escape(article.language)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(article.title)}</title>"
        '<link rel="stylesheet" href="/static/article.css"></head>'
        f"<body><main><h1>{html.escape(article.title)}</h1>{body}</main></body></html>"
    )


async def article_page(request: web.Request) -> web.Response:
    language = request.match_info["lang"]
    if language not in LANGUAGES:
        raise web.HTTPNotFound(text="No such language.")
    return web.Response(text=render_article(language, request.match_info["id"]), content_type="text/html")


def create_app(rasa_url: str) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app["rasa_url"] = rasa_url.rstrip("/")
    app.router.add_get("/", index)
    app.router.add_get("/health", health)
    app.router.add_post("/api/messages", post_message)
    app.router.add_get("/kb/{lang}/{id}", article_page)
    app.router.add_static("/static", STATIC)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.web.server")
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8000")))
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    web.run_app(create_app(os.environ.get("RASA_URL", "http://localhost:5005")), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
