"""The pages: the demo page with the widget, the widget script, the agent
console and report, the knowledge-base articles, and the health check."""

from __future__ import annotations

import asyncio
import html
from pathlib import Path
from typing import Optional

from aiohttp import web

from bot.kb.markdown import to_html
from bot.kb.service import load_articles
from bot.nlu import chinese_script  # OpenCC only, loaded on first use; no Rasa
from bot.settings import LANGUAGES, get_settings

STATIC = Path(__file__).parent / "static"

ARTICLE_POLICY = "default-src 'none'; style-src 'self'; img-src 'self' https:"
# As strict as a careful site's: the widget needs no inline styles (its own
# stylesheet, in its Shadow DOM) and no outside origin.
DEMO_POLICY = "default-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:"


async def demo_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "demo.html", headers={"Content-Security-Policy": DEMO_POLICY})


# blob: the customers' images, fetched with the agent's token (bot/web/attachments_api.py)
CONSOLE_POLICY = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data: blob:; frame-ancestors 'none'"


async def console_page(request: web.Request) -> web.StreamResponse:
    """The agent console; it holds no data itself: everything comes through the
    agents' API, which needs a signed-in agent."""
    return web.FileResponse(
        STATIC / "agent.html",
        headers={"Content-Security-Policy": CONSOLE_POLICY, "Cache-Control": "no-cache", "X-Frame-Options": "DENY"},
    )


async def report_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(
        STATIC / "report.html",
        headers={"Content-Security-Policy": CONSOLE_POLICY, "Cache-Control": "no-cache", "X-Frame-Options": "DENY"},
    )


async def widget_script(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "widget.js", headers={"Cache-Control": "no-cache"})


async def widget_stylesheet(request: web.Request) -> web.StreamResponse:
    """Loaded by widget.js into its Shadow DOM (from any site: a stylesheet needs no CORS)."""
    return web.FileResponse(STATIC / "widget.css", headers={"Cache-Control": "no-cache"})


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


TRADITIONAL_QUERY = "hant"  # /kb/zh/<id>?script=hant: the page in Traditional Chinese


def render_article(language: str, article_id: str, script: Optional[str] = None) -> Optional[str]:
    """The article's page, its Markdown as sanitised HTML (bot/kb/markdown.py);
    a Chinese one in Traditional script when `script` is "hant" (the chat's
    "read more" link says so for a customer who writes Traditional)."""
    article = load_articles().get(article_id, language)
    if article is None:
        return None
    title = article.title
    source = get_settings().contact.fill("\n\n".join(p for p in (article.answer, article.body) if p), language)
    page_language = article.language
    if article.language == "zh" and (script or "").lower() == TRADITIONAL_QUERY:
        title, source = chinese_script.to_traditional(title), chinese_script.to_traditional(source)
        page_language = "zh-Hant"
    return (
        f'<!doctype html><html lang="{html.escape(page_language)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        '<link rel="stylesheet" href="/static/article.css"></head>'
        f"<body><main><h1>{html.escape(title)}</h1>{to_html(source)}</main></body></html>"
    )


async def article_page(request: web.Request) -> web.Response:
    language = request.match_info["lang"]
    script = request.query.get("script")
    page = (
        await asyncio.to_thread(render_article, language, request.match_info["id"], script)
        if language in LANGUAGES
        else None
    )
    if page is None:
        raise web.HTTPNotFound(text="No such article.")
    return web.Response(text=page, content_type="text/html", headers={"Content-Security-Policy": ARTICLE_POLICY})


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", demo_page)
    app.router.add_get("/widget.js", widget_script)
    app.router.add_get("/widget.css", widget_stylesheet)
    app.router.add_get("/health", health)
    app.router.add_get("/kb/{lang}/{id}", article_page)
    app.router.add_get("/agent", console_page)
    app.router.add_get("/agent/report", report_page)
    app.router.add_static("/static", STATIC)
