"""`python -m bot.run` (what `make run` does): a start on taken ports says who
holds them and starts nothing; SIGTERM stops every server it started, cleanly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import MODEL, free_port

ROOT = Path(__file__).resolve().parent.parent


def children(pid: int) -> set:
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
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


@pytest.mark.slow
def test_sigterm_stops_every_server_it_started_without_a_traceback(tmp_path):
    assert MODEL.exists(), "needs the trained model (make train)"
    env = {
        **os.environ,
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "WEB_PORT": str(free_port()),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'helpdesk.db'}",
        "ESCALATION_SPOOL": str(tmp_path / "spool"),
    }
    log = (tmp_path / "run.log").open("w+")
    launcher = subprocess.Popen(
        [sys.executable, "-m", "bot.run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 300
        while "The assistant is ready" not in (tmp_path / "run.log").read_text() and time.monotonic() < deadline:
            assert launcher.poll() is None, (tmp_path / "run.log").read_text()[-3000:]
            time.sleep(0.5)
        servers = children(launcher.pid)
        assert len(servers) == 3
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=60) == 0
        assert not [pid for pid in servers if alive(pid)], "servers left running after SIGTERM"
        output = (tmp_path / "run.log").read_text()
        assert "Traceback" not in output and "KeyboardInterrupt" not in output
    finally:
        if launcher.poll() is None:
            launcher.kill()
