"""Start the whole assistant: action server, Rasa server and web server.

    python -m bot.run            (what `make run` does)
    python -m bot.run --shell    chat in the terminal instead of over HTTP

Ports come from RASA_PORT (5005), ACTION_PORT (5055) and WEB_PORT (8000);
Rasa and the web server listen on 127.0.0.1 unless RASA_INTERFACE and
WEB_HOST say otherwise (bot/settings.py reads them all). Rasa takes the
action server's address only from its endpoints file, so it gets a copy of
endpoints.yml with ACTION_PORT in it (var/endpoints.yml).
Conversations are kept in SQLite (var/conversations.db, see endpoints.yml).
Ctrl-C stops every process it started.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import List, Optional

import yaml

from bot.settings import PROJECT_ROOT, Environment, SettingsError, check_production, environment

MODEL = PROJECT_ROOT / "models" / "helpdesk.tar.gz"


def rasa_command() -> List[str]:
    return [str(Path(sys.executable).parent / "rasa")]


def write_endpoints(env: Environment) -> Path:
    """endpoints.yml as it is, but with the action server on env.action_port."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"] = {
        **(endpoints.get("action_endpoint") or {}),
        "url": f"http://localhost:{env.action_port}/webhook",
    }
    path = PROJECT_ROOT / "var" / "endpoints.yml"
    path.write_text(
        "# Written by bot/run.py from endpoints.yml; edit that file.\n" + yaml.safe_dump(endpoints), encoding="utf-8"
    )
    return path


def wait_until_up(url: str, timeout: float, process: subprocess.Popen, name: str) -> None:
    """Wait for an HTTP endpoint to answer; fail early if its process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with code {process.returncode}; see its output above.")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise RuntimeError(f"{name} did not answer at {url} within {timeout:.0f} s.")


class Services:
    """The processes of one running assistant, stopped together."""

    def __init__(self) -> None:
        self.processes: List[subprocess.Popen] = []

    def start(self, command: List[str], env: Optional[dict] = None) -> subprocess.Popen:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, **(env or {})})
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.run", description=__doc__.splitlines()[0])
    parser.add_argument("--shell", action="store_true", help="chat in this terminal")
    args = parser.parse_args(argv)
    try:
        env = environment()
        check_production(env)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not MODEL.exists():
        print(f"No trained model at {MODEL}: run `make train` first.", file=sys.stderr)
        return 1
    rasa_port, action_port, web_port = str(env.rasa_port), str(env.action_port), str(env.web_port)
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    endpoints = str(write_endpoints(env))
    services = Services()
    started = time.monotonic()
    try:
        actions = services.start(
            rasa_command() + ["run", "actions", "--actions", "actions", "--port", action_port],
            env={"SANIC_HOST": env.action_interface},  # rasa_sdk's listen address
        )
        if args.shell:
            wait_until_up(f"http://localhost:{action_port}/health", 120, actions, "The action server")
            shell = services.start(rasa_command() + ["shell", "--model", str(MODEL), "--endpoints", endpoints])
            shell.wait()
            return 0
        # All three start at once: Rasa needs the action server only when a
        # message comes, and loading the model is most of the wait.
        rasa = services.start(
            rasa_command()
            + [
                "run",
                "--enable-api",
                "--model",
                str(MODEL),
                "--endpoints",
                endpoints,
                "--port",
                rasa_port,
                # Without RASA_TOKEN Rasa's HTTP API has no authentication: keep it on this machine.
                "--interface",
                env.rasa_interface,
                *(["--auth-token", env.rasa_token] if env.rasa_token else []),
            ]
        )
        web = services.start(
            [sys.executable, "-m", "bot.web.server", "--port", web_port],
            env={"RASA_URL": f"http://localhost:{rasa_port}", "ACTION_SERVER_URL": f"http://localhost:{action_port}"},
        )
        wait_until_up(f"http://localhost:{web_port}/health", 60, web, "The web server")
        wait_until_up(f"http://localhost:{action_port}/health", 120, actions, "The action server")
        token = f"?token={env.rasa_token}" if env.rasa_token else ""
        wait_until_up(f"http://localhost:{rasa_port}/status{token}", 300, rasa, "The Rasa server")
        print(
            f"\nThe assistant is ready ({time.monotonic() - started:.0f} s).\n"
            f"  Chat in the browser:   http://localhost:{web_port}/\n"
            f"  Agent console:         http://localhost:{web_port}/agent"
            "   (add an agent: python -m bot.helpdesk.agents add NAME)\n"
            f"  Rasa REST channel:     http://localhost:{rasa_port}/webhooks/rest/webhook\n"
            f"  Parse a message:       http://localhost:{rasa_port}/model/parse\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        while all(p.poll() is None for p in services.processes):
            time.sleep(1)
        print("A service stopped; stopping the others.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping...", file=sys.stderr)
        return 0
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        services.stop()


if __name__ == "__main__":
    sys.exit(main())
