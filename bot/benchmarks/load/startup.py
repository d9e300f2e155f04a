"""Start-up time: `python -m bot.run` until the first answer through the web server."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict

from bot.benchmarks.load.stack import Processes
from bot.launcher import free_ports
from bot.settings import PROJECT_ROOT

# --- start-up ------------------------------------------------------------------


async def first_answer(web: str, started: float, process: subprocess.Popen, timeout: float) -> Dict[str, Any]:
    """As a customer who opens the chat while the assistant starts: a session
    as soon as the web server answers, then "oi" over the WebSocket until a
    bot message arrives. A message refused because Rasa is not up yet is
    sent again a second later; the first bot message counts, be it the
    answer to a message sent again or to one the server kept and answered
    when Rasa was up (bot/helpdesk/pending.py)."""
    import aiohttp

    def check() -> float:
        elapsed = time.monotonic() - started
        if process.poll() is not None:
            raise RuntimeError(f"python -m bot.run exited with code {process.returncode}")
        if elapsed > timeout:
            raise RuntimeError(f"no answer through the web server within {timeout:.0f} s")
        return elapsed

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        session = None
        while session is None:
            check()
            try:
                async with http.post(f"{web}/api/sessions") as reply:
                    if reply.status == 201:
                        session = await reply.json()
            except aiohttp.ClientError:
                pass
            if session is None:
                await asyncio.sleep(0.2)
        web_up = check()
        socket = await http.ws_connect(web.replace("http://", "ws://", 1) + "/api/ws", params=session)
        await socket.receive_json()  # the history
        sent, refused, last_sent = 0, 0, 0.0
        must_send = True
        while True:
            now = check()
            if must_send and now - last_sent >= 1.0:
                await socket.send_json({"type": "message", "text": "oi"})
                sent, last_sent, must_send = sent + 1, now, False
            try:
                frame = await socket.receive(timeout=0.2)
            except asyncio.TimeoutError:
                continue
            if frame.type.name != "TEXT":
                raise RuntimeError(f"the web server closed the WebSocket ({frame.type.name})")
            event = json.loads(frame.data)
            if event.get("type") == "message" and event.get("sender") == "bot":
                break
            if event.get("type") == "error":  # not answered now: Rasa is not up yet
                refused += 1
                must_send = True
        await socket.close()
    return {
        "seconds_to_first_answer": round(time.monotonic() - started, 1),
        "web_server_up_seconds": round(web_up, 1),
        "messages_sent": sent,
        "messages_refused": refused,
    }


def measure_startup(processes: Processes, folder: Path, timeout: float = 300) -> Dict[str, Any]:
    """Seconds from launching `python -m bot.run` until a customer's first
    message through the web server has a bot answer."""
    rasa_port, action_port, web_port = free_ports(3)
    env = {
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "WEB_PORT": str(web_port),
        "DATABASE_URL": f"sqlite:///{folder / 'startup-helpdesk.db'}",
        "ESCALATION_WEBHOOK_URL": "",
    }
    started = time.monotonic()
    process = processes.start("bot.run", [sys.executable, "-m", "bot.run"], env, stop_signal=signal.SIGINT)
    try:
        try:
            result = asyncio.run(first_answer(f"http://127.0.0.1:{web_port}", started, process, timeout))
        except RuntimeError as error:
            raise RuntimeError(
                f"{error}\n--- end of {processes.log('bot.run')} ---\n{processes.tail('bot.run')}"
            ) from None
        for _ in range(25):  # bot.run's own "ready" line, printed once every server answered
            found = re.search(r"The assistant is ready \((\d+) s\)", processes.tail("bot.run", 20000))
            if found:
                result["bot_run_ready_line_seconds"] = int(found.group(1))
                break
            time.sleep(0.2)
    finally:
        processes.stop(["bot.run"])
    return result


def code_version() -> Dict[str, Any]:
    """Which code was measured: the commit and the files changed since (git, read only)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "--no-optional-locks", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30
        ).stdout

    try:
        return {
            "commit": git("rev-parse", "--short", "HEAD").strip(),
            "uncommitted": [line[3:] for line in git("status", "--porcelain").splitlines()],
        }
    except (OSError, subprocess.SubprocessError):
        return {}
