"""Real assistant processes on loopback for the conversation and browser tests.

The action server, the Rasa server and the web server run as `make run`
runs them (the same command lines and launcher, bot/launcher.py), on free
ports, with their own endpoints file and temporary SQLite databases. Each
is a `Service` (bot.launcher.Server) a test can kill and start again.
"""

from __future__ import annotations

import json
import socket
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.launcher import MODEL, Ports, Servers, commands, free_ports, health_urls
from bot.launcher import Server as Service

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


UNSET = ("RASA_TOKEN",)  # their endpoints send none


def service_env(workdir: Path, database_url: str) -> Dict[str, str]:
    """What every test service runs with, on top of this environment (less UNSET)."""
    return {
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "ACTION_INTERFACE": "127.0.0.1",
        "HELPDESK_CONFIG": str(always_open_settings(workdir / "helpdesk.yml")),
        "DATABASE_URL": database_url,
        "ESCALATION_SPOOL": str(workdir / "spool"),
        "ATTACHMENTS_FOLDER": str(workdir / "attachments"),
        "RASA_ENDPOINTS": str(workdir / "endpoints.yml"),
    }


def start_all(services: Dict[str, Service], stop) -> None:
    """Start the services together, then wait for each; on failure stop everything."""
    try:
        Servers(services.values()).start_and_wait()
    except BaseException:
        stop()
        raise


def empty_help_desk_database(url: str) -> None:
    """Drop every help-desk table (a shared PostgreSQL test database); they are
    made again on first use."""
    from bot.database import engine_for, forget_tables
    from bot.helpdesk.agents import metadata as agent_tables
    from bot.helpdesk.conversations import metadata as chat_tables
    from bot.helpdesk.escalations import metadata as escalation_tables
    from bot.helpdesk.feedback import metadata as feedback_tables
    from bot.helpdesk.gaps import metadata as gap_tables
    from bot.helpdesk.mail import metadata as mail_tables
    from bot.helpdesk.pending import metadata as pending_tables
    from bot.helpdesk.presence import metadata as presence_tables

    for tables in (
        escalation_tables,
        chat_tables,
        agent_tables,
        presence_tables,
        pending_tables,
        gap_tables,
        feedback_tables,
    ):
        tables.drop_all(engine_for(url))
    mail_tables.drop_all(engine_for(url))
    from bot.helpdesk import attachments, canned, notes, queues  # teamwork: canned replies, notes, queue membership

    for tables in (canned.metadata, notes.metadata, queues.metadata, attachments.metadata):
        tables.drop_all(engine_for(url))
    forget_tables()


def start_assistant(workdir: Path, database_url: Optional[str] = None) -> Assistant:
    """Action server, Rasa and web server; help-desk records in `database_url`
    (default: a new SQLite file in workdir)."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make train`")
    rasa_port, action_port, web_port = free_ports(3)
    ports = Ports(rasa=rasa_port, action=action_port, web=web_port)
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
    command, health = commands(ports, endpoints), health_urls(ports)
    services = {
        "actions": Service(
            "actions",
            command["actions"],
            health["actions"],
            {**env, "ESCALATION_WEBHOOK_URL": webhook.url},
            UNSET,
            workdir / "actions.log",
        ),
        "web": Service(
            "web",
            command["web"],
            health["web"],
            {
                **env,
                "RASA_URL": f"http://127.0.0.1:{rasa_port}",
                "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}",
            },
            UNSET,
            workdir / "web.log",
        ),
        "rasa": Service("rasa", command["rasa"], health["rasa"], env, UNSET, workdir / "rasa.log"),
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
    action_port, *ports = free_ports(5)
    rasa_ports, web_ports = ports[:2], ports[2:]
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(rasa_endpoints(action_port, database_url, redis_url))
    rasa_urls = [f"http://127.0.0.1:{port}" for port in rasa_ports]
    env = service_env(workdir, database_url)
    machines = [Ports(rasa=rasa, action=action_port, web=web) for rasa, web in zip(rasa_ports, web_ports)]
    command, health = commands(machines[0], endpoints), health_urls(machines[0])
    services = {
        "actions": Service("actions", command["actions"], health["actions"], env, UNSET, workdir / "actions.log")
    }
    for n, machine in enumerate(machines):
        command, health = commands(machine, endpoints), health_urls(machine)
        services[f"rasa{n}"] = Service(
            f"rasa{n}", command["rasa"], health["rasa"], env, UNSET, workdir / f"rasa{n}.log"
        )
        services[f"web{n}"] = Service(
            f"web{n}",
            command["web"],
            health["web"],
            {
                **env,
                "RASA_URL": ",".join(rasa_urls),
                "REDIS_URL": redis_url,
                "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}",
            },
            UNSET,
            workdir / f"web{n}.log",
        )
    cluster = Cluster(rasa_urls, [f"http://127.0.0.1:{port}" for port in web_ports], services)
    start_all(services, cluster.stop)
    return cluster
