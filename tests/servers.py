"""Real assistant processes on loopback for the conversation and browser tests.

The action server, the Rasa server and the web server run as the project
runs them (`rasa run actions`, `rasa run --enable-api`, `python -m
bot.web.server`), on free ports, with their own endpoints file and
temporary SQLite databases.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.run import wait_until_up

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "helpdesk.tar.gz"
RASA = str(Path(sys.executable).parent / "rasa")


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
            def do_POST(self):  # noqa: N802 (http.server's name)
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
    processes: List[subprocess.Popen]
    logs: List[Any] = field(default_factory=list)
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
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self.logs:
            log.close()
        if self.webhook is not None:
            self.webhook.stop()


def start_assistant(workdir: Path, database_url: Optional[str] = None) -> Assistant:
    """Action server, Rasa and web server; help-desk records in `database_url`
    (default: a new SQLite file in workdir)."""
    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make train`")
    action_port, rasa_port, web_port = free_port(), free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "nlg:\n  type: bot.nlg.MultilingualNLG\n"
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {workdir / 'conversations.db'}\n"
    )
    env = {
        **os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", "SANIC_HOST": "127.0.0.1",
        "HELPDESK_CONFIG": str(always_open_settings(workdir / "helpdesk.yml")),
    }
    logs = []

    def log_file(name: str):
        handle = (workdir / name).open("w")
        logs.append(handle)
        return handle

    processes = []
    action_log = workdir / "actions.log"
    database = workdir / "helpdesk.db"
    database_url = database_url or f"sqlite:///{database}"
    webhook = WebhookTarget()
    actions = subprocess.Popen(
        [RASA, "run", "actions", "--actions", "actions", "--port", str(action_port)],
        cwd=ROOT, env={**env, "DATABASE_URL": database_url, "ESCALATION_WEBHOOK_URL": webhook.url}, stdout=log_file("actions.log"), stderr=subprocess.STDOUT,
    )
    processes.append(actions)
    rasa_log = workdir / "rasa.log"
    rasa = subprocess.Popen(
        [RASA, "run", "--enable-api", "--model", str(MODEL), "--endpoints", str(endpoints),
         "--port", str(rasa_port), "--interface", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log_file("rasa.log"), stderr=subprocess.STDOUT,
    )
    processes.append(rasa)
    web_log = workdir / "web.log"
    web = subprocess.Popen(
        [sys.executable, "-m", "bot.web.server", "--port", str(web_port)],
        cwd=ROOT, env={**env, "RASA_URL": f"http://127.0.0.1:{rasa_port}", "DATABASE_URL": database_url},
        stdout=log_file("web.log"), stderr=subprocess.STDOUT,
    )
    processes.append(web)
    assistant = Assistant(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}", database, processes, logs, webhook, database_url)
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        wait_for(f"{assistant.web_url}/health", web, web_log)
        wait_for(f"{assistant.rasa_url}/status", rasa, rasa_log)
    except Exception:
        assistant.stop()
        raise
    return assistant
