"""`python -m bot.run` (what `make run` does): a start on taken ports says who
holds them and starts nothing; SIGTERM stops every server it started, cleanly;
a server that dies is started again; what the servers write is the owner's only."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional

import pytest

from tests.servers import MODEL, free_port

ROOT = Path(__file__).resolve().parent.parent


def children(pid: int) -> set:
    """The servers a launcher started (not its retention purge, which comes and goes, nor a finished one)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid) and not fields.get("State", "").startswith("Z"):
            try:
                if b"bot.privacy" in (status.parent / "cmdline").read_bytes():
                    continue
            except OSError:
                continue
            found.add(int(status.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/status").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


def test_a_taken_port_is_named_with_its_holder_and_nothing_starts(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = {**os.environ, "WEB_PORT": str(port), "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port())}
        result = subprocess.run(
            [sys.executable, "-m", "bot.run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 1 and "ready" not in result.stdout
    assert f"port {port} (WEB_PORT) is taken by pid {os.getpid()}" in result.stderr


def start_launcher(tmp_path):
    """bot.run on free ports with its own help-desk database; (process, log path, ports)."""
    assert MODEL.exists(), "needs the trained model (make train)"
    ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "WEB_PORT": free_port()}
    env = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'helpdesk.db'}",
        "ESCALATION_SPOOL": str(tmp_path / "spool"),
    }
    log = tmp_path / "run.log"
    launcher = subprocess.Popen(
        [sys.executable, "-m", "bot.run"], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    wait_for(lambda: "The assistant is ready" in log.read_text(), 300, launcher, log)
    return launcher, log, ports


def wait_for(condition, timeout, launcher, log):
    deadline = time.monotonic() + timeout
    while not condition():
        assert launcher.poll() is None, log.read_text()[-3000:]
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.5)


def status(url: str, body: Optional[bytes] = None) -> int:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except OSError:
        return False


@pytest.mark.slow
def test_sigterm_stops_every_server_it_started_without_a_traceback(tmp_path):
    launcher, log, ports = start_launcher(tmp_path)
    try:
        servers = children(launcher.pid)
        assert len(servers) == 3
        web = f"http://localhost:{ports['WEB_PORT']}"
        with urllib.request.urlopen(urllib.request.Request(f"{web}/api/sessions", method="POST"), timeout=10) as reply:
            session = json.loads(reply.read())  # a conversation: the database is written
        ask = json.dumps({**session, "text": "quanto custa o plano basico?"}).encode()
        request = urllib.request.Request(f"{web}/api/messages", data=ask, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as reply:
            answered = json.loads(reply.read())["messages"]
        assert answered and answered[0]["sender"] == "bot"  # Rasa reached the action server with the secret
        databases = list(tmp_path.glob("helpdesk.db*"))
        assert databases and all(path.stat().st_mode & 0o077 == 0 for path in databases)  # the owner's only
        # Internals refuse strangers: the action server and Rasa's HTTP API want the secret.
        assert status(f"http://localhost:{ports['ACTION_PORT']}/webhook", b'{"next_action": "action_reply"}') == 401
        assert status(f"http://localhost:{ports['RASA_PORT']}/conversations/anyone/tracker") == 401
        token = f"?token={os.environ.get('RASA_TOKEN') or (ROOT / 'var' / 'secret').read_text().strip()}"
        assert status(f"http://localhost:{ports['RASA_PORT']}/conversations/anyone/tracker{token}") == 200
        assert status(f"http://localhost:{ports['ACTION_PORT']}/health") == 200
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=60) == 0
        assert not [pid for pid in servers if alive(pid)], "servers left running after SIGTERM"
        output = log.read_text()
        assert "Traceback" not in output and "KeyboardInterrupt" not in output
        # What `make run` shows: progress and the ready line, no dependency's warnings.
        warnings = re.findall(r"^\S+:\d+: \w*Warning: .*$", output, re.MULTILINE)
        assert not warnings, "\n".join(warnings)
        assert "No chat connector configured" not in output
    finally:
        if launcher.poll() is None:
            launcher.kill()


@pytest.mark.slow
def test_a_server_that_dies_is_started_again_while_the_others_keep_serving(tmp_path):
    launcher, log, ports = start_launcher(tmp_path)
    try:
        before = children(launcher.pid)
        actions = next(pid for pid in before if b"bot.action_server" in Path(f"/proc/{pid}/cmdline").read_bytes())
        os.kill(actions, signal.SIGKILL)  # the real process, as a crash would
        wait_for(lambda: "The action server started again" in log.read_text(), 60, launcher, log)
        wait_for(lambda: answers(f"http://localhost:{ports['ACTION_PORT']}/health"), 120, launcher, log)
        after = children(launcher.pid)
        assert before - {actions} <= after and actions not in after  # Rasa and the web server never stopped
        assert "The action server stopped (exit code -9); starting it again in 1 s." in log.read_text()
    finally:
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=60)
