"""Announcing escalations: retried while the target is down, delivered once."""

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.helpdesk.webhook import deliver


async def test_retries_while_the_target_fails_and_delivers_once():
    calls = []

    async def target(request: web.Request) -> web.Response:
        calls.append(await request.json())
        return web.Response(status=503 if len(calls) < 3 else 200)

    app = web.Application()
    app.router.add_post("/hook", target)
    async with TestServer(app) as server:
        assert await deliver(str(server.make_url("/hook")), {"id": 7}, attempts=5, first_pause=0.01)
    assert calls == [{"id": 7}] * 3  # two failures, one delivery, nothing after


async def test_gives_up_quietly_when_the_target_stays_down():
    assert not await deliver("http://127.0.0.1:9/hook", {"id": 8}, attempts=3, first_pause=0.01)
