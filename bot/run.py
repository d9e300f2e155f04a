"""Start the whole assistant: action server, Rasa server and web server.

    python -m bot.run            (what `make run` does)
    python -m bot.run --shell    chat in the terminal instead of over HTTP

Ports come from RASA_PORT (5005), ACTION_PORT (5055) and WEB_PORT (8000);
Rasa and the web server listen on 127.0.0.1 unless RASA_INTERFACE and
WEB_HOST say otherwise (bot/settings.py reads them all). Rasa takes the
action server's address only from its endpoints file, so it gets a copy of
endpoints.yml with ACTION_PORT in it (var/endpoints.yml).
Conversations are kept in SQLite (var/conversations.db, see endpoints.yml).
Ctrl-C or `kill` (SIGTERM) stops every process it started; a start that finds
its ports taken says which process holds them and starts nothing.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

import yaml

from bot.launcher import MODEL, Ports, Server, Servers, commands, health_urls, port_holder, rasa_command
from bot.settings import PROJECT_ROOT, Environment, SettingsError, check_production, environment


def write_endpoints(env: Environment) -> Path:
    """endpoints.yml as it is, but with the action server on env.action_port,
    called with the internal secret."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"] = {
        **(endpoints.get("action_endpoint") or {}),
        "url": f"http://localhost:{env.action_port}/webhook",
        **({"headers": {"Authorization": f"Bearer {env.rasa_token}"}} if env.rasa_token else {}),
    }
    path = PROJECT_ROOT / "var" / "endpoints.yml"
    path.write_text(
        "# Written by bot/run.py from endpoints.yml; edit that file.\n" + yaml.safe_dump(endpoints), encoding="utf-8"
    )
    path.chmod(0o600)  # it holds the secret
    return path


def internal_secret() -> str:
    """The secret Rasa's HTTP API and the action server ask for: RASA_TOKEN
    when given (production), else one made on the first start and kept in
    var/secret, readable by this user only."""
    path = PROJECT_ROOT / "var" / "secret"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as file:
            file.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


class Purge:
    """The retention period's purge (`python -m bot.privacy purge`): once
    the servers are up, then every EVERY_SECONDS, in a process of its own
    so that a failure stops nothing else."""

    EVERY_SECONDS = 6 * 3600.0

    def __init__(self, endpoints: str) -> None:
        self.command = [sys.executable, "-m", "bot.privacy", "--endpoints", endpoints, "purge", "--quiet"]
        self.process: Optional[subprocess.Popen] = None
        self.next_at = 0.0

    def tick(self, now: float) -> None:
        if (self.process is None or self.process.poll() is not None) and now >= self.next_at:
            self.process = subprocess.Popen(self.command, cwd=PROJECT_ROOT)
            self.next_at = now + self.EVERY_SECONDS

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)


def stop_like_ctrl_c(signum: int, frame: object) -> None:
    """`kill` (SIGTERM) stops everything this started, as Ctrl-C does."""
    raise KeyboardInterrupt


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
    taken = [
        (name, port, port_holder(port))
        for name, port in (("RASA_PORT", env.rasa_port), ("ACTION_PORT", env.action_port), ("WEB_PORT", env.web_port))
    ]
    taken = [(name, port, holder) for name, port, holder in taken if holder]
    if taken:
        for name, port, holder in taken:
            print(f"error: port {port} ({name}) is taken by {holder}.", file=sys.stderr)
        print("Stop it, or choose other ports: RASA_PORT=... ACTION_PORT=... WEB_PORT=... make run", file=sys.stderr)
        return 1
    if not MODEL.exists():
        print(f"No trained model at {MODEL}: run `make train` first.", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, stop_like_ctrl_c)
    # Databases, spool and logs hold customers' messages and e-mail addresses:
    # readable by this user only (the servers inherit it; systemd: UMask=0077).
    os.umask(0o077)
    if not env.rasa_token:
        os.environ["RASA_TOKEN"] = internal_secret()  # the servers read it too
        env = environment()
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    endpoints = write_endpoints(env)
    os.environ["RASA_ENDPOINTS"] = str(endpoints)  # the web server's privacy actions find Rasa's tracker store
    ports = Ports(rasa=env.rasa_port, action=env.action_port, web=env.web_port)
    command, health = (
        commands(ports, endpoints, env.rasa_interface, env.web_host, env.rasa_token),
        health_urls(ports, env.rasa_token),
    )
    actions = Server("The action server", command["actions"], health["actions"])
    rasa = Server("The Rasa server", command["rasa"], health["rasa"])
    web = Server(
        "The web server",
        command["web"],
        health["web"],
        env={
            "RASA_URL": f"http://localhost:{env.rasa_port}",
            "ACTION_SERVER_URL": f"http://localhost:{env.action_port}",
        },
    )
    servers = Servers([actions])
    started = time.monotonic()
    try:
        if args.shell:
            servers.start_and_wait(120)
            shell = subprocess.Popen(rasa_command() + ["shell", "--model", str(MODEL), "--endpoints", str(endpoints)])
            shell.wait()
            return 0
        # All three start at once: Rasa needs the action server only when a
        # message comes, and loading the model is most of the wait.
        servers.add(rasa)
        servers.add(web)
        servers.start_and_wait(300)
        print(
            f"\nThe assistant is ready ({time.monotonic() - started:.0f} s).\n"
            f"  Chat in the browser:   http://localhost:{env.web_port}/\n"
            f"  Agent console:         http://localhost:{env.web_port}/agent"
            "   (add an agent: python -m bot.helpdesk.agents add NAME)\n"
            f"  Rasa REST channel:     http://localhost:{env.rasa_port}/webhooks/rest/webhook\n"
            f"  Parse a message:       http://localhost:{env.rasa_port}/model/parse?token=...  (the token: RASA_TOKEN or var/secret)\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        purge = Purge(str(endpoints))
        try:
            while True:
                servers.supervise(time.monotonic())
                purge.tick(time.monotonic())
                time.sleep(1)
        finally:
            purge.stop()
    except KeyboardInterrupt:
        print("\nStopping...", file=sys.stderr)
        return 0
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        servers.stop()


if __name__ == "__main__":
    sys.exit(main())
