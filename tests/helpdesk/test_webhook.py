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


def test_the_spools_thread_announces_too():
    """Escalations written back from the spool are announced from a thread with no event loop."""
    import http.server
    import json
    import threading

    from bot.helpdesk.webhook import announce

    received = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    errors = []

    def spool_thread():
        try:
            announce(f"http://127.0.0.1:{server.server_address[1]}/hook", {"id": 9}, attempts=2)
        except Exception as error:  # the failure this test is about
            errors.append(error)

    worker = threading.Thread(target=spool_thread)
    worker.start()
    worker.join(timeout=30)
    server.shutdown()
    assert errors == [] and received == [{"id": 9}]
