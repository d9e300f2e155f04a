"""Real assistant processes on loopback for the conversation and browser tests.

The action server, the Rasa server and the web server run as the project
runs them (`python -m bot.action_server`, `rasa run --enable-api`, `python -m
bot.web.server`), on free ports, with their own endpoints file and
temporary SQLite databases. Each is a `Service` a test can kill and start again.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.run import rasa_command, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "helpdesk.tar.gz"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, timeout: float = 240) -> None:
    """bot.run's wait, with the end of the process's log when it fails."""
    try:
        wait_until_up(url, timeout, process, log.name)
    except RuntimeError as error:
        raise RuntimeError(f"{error}\n{log.read_text()[-3000:]}") from None


def always_open_settings(path: Path) -> Path:
    """helpdesk.yml with every queue open around the clock, written to `path`:
    whether a person can answer must not depend on when the tests run."""
    import yaml

    settings = yaml.safe_load((ROOT / "helpdesk.yml").read_text(encoding="utf-8"))
    for queue in settings["escalation"]["queues"].values():
        (queue or {}).pop("hours", None)
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


async def next_event(socket, condition, timeout: float):
    """The next JSON event on a live connection for which `condition` holds; others are skipped."""
    import asyncio

    async def wait():
        while True:
            event = await socket.receive_json()
            if condition(event):
                return event

    return await asyncio.wait_for(wait(), timeout)


def post_json(url: str, body: Any, timeout: float = 60) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read().decode("utf-8"))


class WebhookTarget:
    """A webhook receiver on loopback that fails each escalation's first
    attempt (a target that is down for a moment) and accepts the next."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.received: List[Dict[str, Any]] = []
        target = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                first = all(r["body"].get("id") != body.get("id") for r in target.received)
                target.received.append({"body": body, "status": 503 if first else 200})
                self.send_response(503 if first else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self, escalation_id: int) -> int:
        return sum(1 for r in self.received if r["body"].get("id") == escalation_id and r["status"] == 200)

    def attempts(self, escalation_id: int) -> int:
        return sum(1 for r in self.received if r["body"].get("id") == escalation_id)

    def stop(self) -> None:
        self.server.shutdown()


@dataclass
class Service:
    """One process of the assistant, as started, so that a test can kill it and start it again."""

    name: str
    command: List[str]
    env: Dict[str, str]
    health_url: str
    log: Path
    process: Optional[subprocess.Popen] = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 240) -> None:
        wait_for(self.health_url, self.process, self.log, timeout)

    def kill(self) -> None:
        """As a crash would: no clean shutdown."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


@dataclass
class Assistant:
    rasa_url: str
    web_url: str
    database: Path
    services: Dict[str, Service]
    webhook: Optional[WebhookTarget] = None
    database_url: str = ""

    def parse(self, text: str, metadata: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        return post_json(f"{self.rasa_url}/model/parse", {"text": text, **({"metadata": metadata} if metadata else {})})

    def say(self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        return post_json(f"{self.rasa_url}/webhooks/rest/webhook", body)

    def tracker(self, sender: str) -> Dict[str, Any]:
        with urllib.request.urlopen(f"{self.rasa_url}/conversations/{sender}/tracker", timeout=30) as r:
            return json.loads(r.read().decode("utf-8"))

    @staticmethod
    def new_sender() -> str:
        return uuid.uuid4().hex

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()
        if self.webhook is not None:
            self.webhook.stop()


def service_env(workdir: Path, database_url: str) -> Dict[str, str]:
    """The environment every test service runs with."""
    return {
        **{name: value for name, value in os.environ.items() if name != "RASA_TOKEN"},  # their endpoints send none
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "ACTION_INTERFACE": "127.0.0.1",
        "HELPDESK_CONFIG": str(always_open_settings(workdir / "helpdesk.yml")),
        "DATABASE_URL": database_url,
        "ESCALATION_SPOOL": str(workdir / "spool"),
    }


def start_all(services: Dict[str, Service], stop) -> None:
    """Start the services together, then wait for each; on failure stop them all."""
    try:
        for service in services.values():
            service.start()
        for service in services.values():
            service.wait()
    except Exception:
        stop()
        raise


def empty_help_desk_database(url: str) -> None:
    """Drop every help-desk table (a shared PostgreSQL test database); they are
    made again on first use."""
    from bot.database import engine_for, forget_tables
    from bot.helpdesk.agents import metadata as agent_tables
    from bot.helpdesk.conversations import metadata as chat_tables
    from bot.helpdesk.escalations import metadata as escalation_tables
    from bot.helpdesk.pending import metadata as pending_tables
    from bot.helpdesk.presence import metadata as presence_tables

    for tables in (escalation_tables, chat_tables, agent_tables, presence_tables, pending_tables):
        tables.drop_all(engine_for(url))
    forget_tables()


def start_assistant(workdir: Path, database_url: Optional[str] = None) -> Assistant:
    """Action server, Rasa and web server; help-desk records in `database_url`
    (default: a new SQLite file in workdir)."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make train`")
    action_port, rasa_port, web_port = free_port(), free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "nlg:\n  type: bot.rasa_plugins.nlg.MultilingualNLG\n"
        f"tracker_store:\n  type: bot.rasa_plugins.tracker_store.SQLiteTrackerStore\n  db: {workdir / 'conversations.db'}\n"
    )
    database = workdir / "helpdesk.db"
    database_url = database_url or f"sqlite:///{database}"
    webhook = WebhookTarget()
    env = service_env(workdir, database_url)
    services = {
        "actions": Service(
            "actions",
            [sys.executable, "-m", "bot.action_server", "--port", str(action_port)],
            {**env, "ESCALATION_WEBHOOK_URL": webhook.url},
            f"http://127.0.0.1:{action_port}/health",
            workdir / "actions.log",
        ),
        "web": Service(
            "web",
            [sys.executable, "-m", "bot.web.server", "--port", str(web_port)],
            {
                **env,
                "RASA_URL": f"http://127.0.0.1:{rasa_port}",
                "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}",
            },
            f"http://127.0.0.1:{web_port}/health",
            workdir / "web.log",
        ),
        "rasa": Service(
            "rasa",
            [
                *rasa_command(),
                "run",
                "--enable-api",
                "--model",
                str(MODEL),
                "--endpoints",
                str(endpoints),
                "--port",
                str(rasa_port),
                "--interface",
                "127.0.0.1",
            ],
            env,
            f"http://127.0.0.1:{rasa_port}/status",
            workdir / "rasa.log",
        ),
    }
    assistant = Assistant(
        f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}", database, services, webhook, database_url
    )
    start_all(services, assistant.stop)
    return assistant


@dataclass
class Cluster:
    """Two web servers and two Rasa servers sharing PostgreSQL and Redis."""

    rasa_urls: List[str]
    web_urls: List[str]
    services: Dict[str, Service]

    def say(self, rasa: int, sender: str, text: str) -> List[Dict[str, Any]]:
        return post_json(f"{self.rasa_urls[rasa]}/webhooks/rest/webhook", {"sender": sender, "message": text})

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()


def rasa_endpoints(action_port: int, database_url: str, redis_url: str) -> str:
    """endpoints.yml for Rasa servers that share PostgreSQL (trackers) and Redis (locks),
    as in deploy/endpoints.yml."""
    from urllib.parse import urlparse

    db, redis = urlparse(database_url), urlparse(redis_url)
    return (
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "nlg:\n  type: bot.rasa_plugins.nlg.MultilingualNLG\n"
        f"tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: {db.hostname}\n  port: {db.port or 5432}\n"
        f"  db: {db.path.lstrip('/')}\n  username: {db.username}\n  password: {db.password}\n"
        f"lock_store:\n  type: redis\n  url: {redis.hostname}\n  port: {redis.port or 6379}\n  db: {redis.path.lstrip('/') or 0}\n"
    )


def start_cluster(workdir: Path, database_url: str, redis_url: str) -> Cluster:
    action_port = free_port()
    rasa_ports, web_ports = [free_port(), free_port()], [free_port(), free_port()]
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(rasa_endpoints(action_port, database_url, redis_url))
    rasa_urls = [f"http://127.0.0.1:{port}" for port in rasa_ports]
    env = service_env(workdir, database_url)
    services = {
        "actions": Service(
            "actions",
            [sys.executable, "-m", "bot.action_server", "--port", str(action_port)],
            env,
            f"http://127.0.0.1:{action_port}/health",
            workdir / "actions.log",
        )
    }
    for n, port in enumerate(rasa_ports):
        services[f"rasa{n}"] = Service(
            f"rasa{n}",
            [
                *rasa_command(),
                "run",
                "--enable-api",
                "--model",
                str(MODEL),
                "--endpoints",
                str(endpoints),
                "--port",
                str(port),
                "--interface",
                "127.0.0.1",
            ],
            env,
            f"http://127.0.0.1:{port}/status",
            workdir / f"rasa{n}.log",
        )
    for n, port in enumerate(web_ports):
        services[f"web{n}"] = Service(
            f"web{n}",
            [sys.executable, "-m", "bot.web.server", "--port", str(port)],
            {
                **env,
                "RASA_URL": ",".join(rasa_urls),
                "REDIS_URL": redis_url,
                "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}",
            },
            f"http://127.0.0.1:{port}/health",
            workdir / f"web{n}.log",
        )
    cluster = Cluster(rasa_urls, [f"http://127.0.0.1:{port}" for port in web_ports], services)
    start_all(services, cluster.stop)
    return cluster
