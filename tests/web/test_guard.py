"""The web server process closes connections that send their request too
slowly and refuses connections beyond its cap, while it keeps answering
everyone else (bot/web/guard.py); it stops cleanly on SIGTERM; behind a
trusted proxy it locks a name, not every agent."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from bot.launcher import wait_until_up
from tests.servers import ROOT, free_port

HEADER_SECONDS = 2


@pytest.fixture
def web_server(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'helpdesk.db'}",
        "WEB_HEADER_SECONDS": str(HEADER_SECONDS),
        "WEB_BODY_SECONDS": str(HEADER_SECONDS),
        "WEB_MAX_CONNECTIONS": "20",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",  # nobody: these tests need no answer from Rasa
    }
    log = (tmp_path / "web.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.web.server", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    wait_until_up(f"http://127.0.0.1:{port}/health", 60, process, "the web server")
    yield port, process, tmp_path / "web.log"
    if process.poll() is None:
        process.kill()
    log.close()


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(4096) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except TimeoutError:
        return False


def healthy(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as reply:
        return reply.status == 200


@pytest.mark.slow
def test_half_a_request_head_is_closed_and_everyone_else_is_served(web_server):
    port, _, _ = web_server
    slow = connect(port)
    slow.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")  # and never the end of the head
    assert healthy(port)  # the others are served meanwhile
    assert closed_by_server(slow, within=HEADER_SECONDS + 3)


@pytest.mark.slow
def test_a_body_that_comes_too_slowly_gets_408(web_server):
    port, _, _ = web_server
    sock = connect(port)
    head = b"POST /api/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    sock.sendall(head + b'{"session_id": ')  # 15 of the 100 bytes promised
    sock.settimeout(HEADER_SECONDS + 5)
    reply = b""
    while b"too_slow" not in reply:
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    assert reply.startswith(b"HTTP/1.1 408") and b"too_slow" in reply, reply[:300]


@pytest.mark.slow
def test_connections_beyond_the_cap_are_closed_and_sigterm_stops_it_cleanly(web_server):
    port, process, log = web_server
    held = [connect(port) for _ in range(20)]  # idle: each holds a place until its head timeout
    time.sleep(0.3)
    extra = connect(port)
    extra.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert closed_by_server(extra, within=1.5)
    for sock in held:
        sock.close()
    time.sleep(0.3)
    assert healthy(port)  # room again
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert "Traceback" not in log.read_text()


@pytest.mark.slow
def test_behind_the_trusted_proxy_wrong_passwords_lock_the_name_not_every_agent(tmp_path):
    """The reproduced finding: behind nginx every caller had the proxy's address,
    so one attacker locked every agent out. With TRUSTED_PROXIES, the process
    counts each caller, and the lockout is per name."""
    import json

    from bot.helpdesk.agents import FREE_FAILURES, AgentSessions

    database_url = f"sqlite:///{tmp_path / 'helpdesk.db'}"
    for name in ("ana", "bao"):
        AgentSessions({}, database_url).add_account(name, f"{name} has a long password")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "TRUSTED_PROXIES": "127.0.0.1",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
    }
    process = subprocess.Popen([sys.executable, "-m", "bot.web.server", "--port", str(port)], cwd=ROOT, env=env)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", 60, process, "the web server")

        def login(name: str, password: str, caller: str) -> int:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/api/agent/login",
                data=json.dumps({"name": name, "password": password}).encode(),
                headers={"Content-Type": "application/json", "X-Forwarded-For": f"{caller}, 127.0.0.1"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as reply:
                    return reply.status
            except urllib.error.HTTPError as error:
                return error.code

        for attempt in range(FREE_FAILURES):
            assert login("ana", "guess", f"203.0.113.{attempt}") == 401
        assert login("ana", "ana has a long password", "198.51.100.1") == 429  # her name is locked
        assert login("bao", "bao has a long password", "198.51.100.1") == 200  # nobody else is
    finally:
        process.terminate()
        process.wait(timeout=20)
