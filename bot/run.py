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
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import yaml

from bot.settings import PROJECT_ROOT, Environment, SettingsError, check_production, environment

MODEL = PROJECT_ROOT / "models" / "helpdesk.tar.gz"


def rasa_command() -> List[str]:
    """`rasa` with our warning filters (bot/rasa_plugins/cli.py)."""
    return [sys.executable, "-m", "bot.rasa_plugins.cli"]


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


def port_holder(port: int) -> Optional[str]:
    """Who listens on `port` on this machine ("pid 123 (python -m bot.web.server)"),
    "another process" if it cannot be told, None if the port is free."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # old connections do not count
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            pass
        else:
            with socket.socket() as other:  # something on another address (0.0.0.0, ::)?
                other.settimeout(0.5)
                if other.connect_ex(("localhost", port)) != 0:
                    return None
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # 0A: listening
                inodes.add(fields[9])
    for fd in Path("/proc").glob("[0-9]*/fd/*"):
        try:
            if os.readlink(fd).strip("socket:[]") in inodes:
                pid = fd.parent.parent.name
                command = (
                    (Path("/proc") / pid / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                )
                return f"pid {pid} ({command[:120]})"
        except OSError:
            continue
    return "another process"


@dataclass
class Service:
    """One server this launcher started, and how to start it again."""

    name: str
    command: List[str]
    env: Dict[str, str]
    process: subprocess.Popen
    started_at: float
    restarts: int = 0  # in a row: the wait before the next one doubles
    restart_at: Optional[float] = None  # when a dead one is started again


class Services:
    """The processes of one running assistant: supervised, stopped together."""

    STEADY_SECONDS = 60.0  # up this long, a service's restart count starts again
    MAX_BACKOFF_SECONDS = 30.0

    def __init__(self) -> None:
        self.services: List[Service] = []

    @property
    def processes(self) -> List[subprocess.Popen]:
        return [service.process for service in self.services]

    def _spawn(self, command: List[str], env: Dict[str, str]) -> subprocess.Popen:
        return subprocess.Popen(command, cwd=PROJECT_ROOT, env={**os.environ, **env})

    def start(self, name: str, command: List[str], env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        service = Service(name, command, env or {}, self._spawn(command, env or {}), time.monotonic())
        self.services.append(service)
        return service.process

    def supervise(self, now: float) -> None:
        """Start again, with a growing wait, any service that died; the others
        keep serving (the web server keeps what customers write meanwhile)."""
        for service in self.services:
            code = service.process.poll()
            if code is None:
                if service.restarts and now - service.started_at > self.STEADY_SECONDS:
                    service.restarts = 0
                continue
            if service.restart_at is None:
                wait = min(self.MAX_BACKOFF_SECONDS, 2.0**service.restarts)
                service.restart_at = now + wait
                print(
                    f"{service.name} stopped (exit code {code}); starting it again in {wait:.0f} s.",
                    file=sys.stderr,
                    flush=True,
                )
            elif now >= service.restart_at:
                service.process = self._spawn(service.command, service.env)
                service.started_at, service.restart_at = now, None
                service.restarts += 1
                print(f"{service.name} started again (pid {service.process.pid}).", file=sys.stderr, flush=True)

    def stop(self) -> None:
        # SIGTERM, not SIGINT: a Ctrl-C in the terminal has already sent the
        # children SIGINT, and a second one breaks their clean shutdown.
        for process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(self.processes):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


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
    rasa_port, action_port, web_port = str(env.rasa_port), str(env.action_port), str(env.web_port)
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
    endpoints = str(write_endpoints(env))
    services = Services()
    started = time.monotonic()
    try:
        actions = services.start(
            "The action server",
            [sys.executable, "-m", "bot.action_server", "--port", action_port],
        )
        if args.shell:
            wait_until_up(f"http://localhost:{action_port}/health", 120, actions, "The action server")
            shell = services.start(
                "The shell", rasa_command() + ["shell", "--model", str(MODEL), "--endpoints", endpoints]
            )
            shell.wait()
            return 0
        # All three start at once: Rasa needs the action server only when a
        # message comes, and loading the model is most of the wait.
        rasa = services.start(
            "The Rasa server",
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
                # Its HTTP API asks for the secret; keep it on this machine all the same.
                "--interface",
                env.rasa_interface,
                *(["--auth-token", env.rasa_token] if env.rasa_token else []),
            ],
        )
        web = services.start(
            "The web server",
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
            f"  Parse a message:       http://localhost:{rasa_port}/model/parse?token=...  (the token: RASA_TOKEN or var/secret)\n"
            "Press Ctrl-C to stop.\n",
            flush=True,
        )
        purge = Purge(endpoints)
        try:
            while True:
                services.supervise(time.monotonic())
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
        services.stop()


if __name__ == "__main__":
    sys.exit(main())
