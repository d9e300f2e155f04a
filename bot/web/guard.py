"""Slow and too many connections, refused by the web server itself (nginx
does the same in front of it in production: deploy/nginx.conf).

aiohttp waits for ever for a request's headers and has no limit on open
connections: 1,000 connections that sent half a request held the server
for as long as they liked. Here a connection that has not sent a whole
request head within WEB_HEADER_SECONDS is closed, and one beyond
WEB_MAX_CONNECTIONS is closed at once (live connections count: each open
chat holds one). The body's own timeout is in bot.web.http.read_json.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Optional

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

logger = logging.getLogger(__name__)


class GuardedRequestHandler(RequestHandler):
    header_seconds = 10.0
    max_connections = 2000

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        manager = self._manager
        if manager is not None and len(manager.connections) > self.max_connections:
            logger.warning("more than %d connections: closing a new one", self.max_connections)
            transport.close()
            return
        self._header_timer: Optional[asyncio.TimerHandle] = self._loop.call_later(
            self.header_seconds, self._close_if_no_request
        )

    def _close_if_no_request(self) -> None:
        # _request_count: aiohttp's count of request heads parsed on this connection.
        if self._request_count == 0 and self.transport is not None:
            logger.info("no request head within %.0f s: closing the connection", self.header_seconds)
            self.transport.close()

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
        super().connection_lost(exc)


class GuardedServer(web.Server):
    def __call__(self) -> RequestHandler:
        return GuardedRequestHandler(self, loop=self._loop, **self._kwargs)


class GuardedAppRunner(web.AppRunner):
    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        # The same server, making guarded connections (aiohttp has no option for it).
        server.__class__ = GuardedServer
        return server


async def serve(
    app: web.Application, host: str, port: int, header_seconds: float, max_connections: int, **kwargs
) -> None:
    """As aiohttp's run_app, with the guard; SIGTERM and SIGINT stop it cleanly."""
    GuardedRequestHandler.header_seconds = header_seconds
    GuardedRequestHandler.max_connections = max_connections
    runner = GuardedAppRunner(app, **kwargs)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        print(f"======== Running on http://{host}:{port} ========", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()
