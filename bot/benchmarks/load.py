"""Load benchmark: this assistant against a stock Rasa 3.6 one (not a test).

Simulated customers chat with the whole assistant, and the same load goes
to a stock Rasa assistant on the same machine.

    python -m bot.benchmarks.load [--concurrency 1,10,50] [--messages 20]
        [--min-messages 200] [--think 0] [--targets web-ws,rasa-rest,stock-rest]
        [--skip-startup | --startup-only] [--json reports/bench.json]

What runs. Everything listens on free ports of 127.0.0.1 and is stopped at
the end, also on Ctrl-C or an error; logs and databases go to a temporary
folder (kept and named when something fails to start).
  - This project's stack as `make run` runs it: `rasa run actions`, `rasa run
    --enable-api` with models/helpdesk.tar.gz and a copy of endpoints.yml
    (its own action port and SQLite tracker database), and `python -m
    bot.web.server` (RASA_URL, ACTION_SERVER_URL) on a SQLite help-desk
    database. Two settings differ, so that the benchmark measures speed and
    not policy: the web server's per-session and per-address limits are
    lifted (CHAT_MESSAGES_PER_10S, CHAT_SESSIONS_PER_MINUTE), and every queue
    is open around the clock (`hours` removed from a copy of helpdesk.yml),
    so an escalation goes the same way at any hour.
  - A stock assistant: `rasa init --no-prompt` in var/bench/stock (made and
    trained once, about 1.5 min; reused while var/bench/stock/models/ has a
    model), served by `rasa run --enable-api` with its own default endpoints:
    in-memory tracker store, no action server (its sample answers with
    responses only).

The load. Each simulated customer is a new conversation in one language
(round robin pt, es, vi, zh) that sends its messages one after another,
each after the whole answer to the one before: knowledge-base questions
(`kb`), greetings and thanks (`small_talk`), angry messages (`angry`), a
request for a person (`escalation`) and then, as no agent is online, the
e-mail address the bot asks for (`email`). --concurrency N runs N such
customers at once; each starts a new conversation when one ends, until at
least --min-messages were sent, so that a single conversation at a time
still gives enough samples for a p99. Without pauses (--think 0, the
default) this is a closed loop: N customers keep the servers saturated
as soon as N times the service time exceeds the time between answers, and
latency is then about N / throughput. --think S makes each customer pause
S seconds on average (0.5 S to 1.5 S) before the next message, as people
do; messages per second is then the load offered, and latency shows the
service time under that load.

The targets get the same messages:
  web-ws      this stack through the customer connection the widget uses:
              POST /api/sessions, then the WebSocket /api/ws;
  web-http    (optional) the same web server through POST /api/messages;
  rasa-rest   this stack's Rasa directly, its REST channel;
  stock-rest  the stock assistant's REST channel. It answers in English,
              mostly nonsense to these messages: only its speed counts.

When a message is answered. POST /api/messages and the REST channel return
every reply at once. The WebSocket has no end-of-answer event (the bot may
send several messages, or none), so after each message the customer sends
a second frame that is not a message, {"type": "ping"}. The web server
reads a connection's frames one at a time and handles the message, with
every reply published, before it reads the next frame, which it answers
with an error event `bad_request`. Latency runs from sending the message to
that event: exact rather than a guess from a quiet period, at the cost of
one JSON parse on the server. (If bot/web/server.py ever handles a
connection's frames concurrently, this rule breaks: the timings would come
out far too low and the answers empty.)

Figures, per target and concurrency: messages per second (answered
messages / wall time of the run, which includes opening each conversation:
a session and a WebSocket handshake for web-ws), latency p50/p95/p99 per
message type and overall (ms), errors by kind (HTTP status and error code,
error event, timeout, exception), messages answered with no reply at all,
the share of `kb` answers that link an article (this stack only: checks
that the messages take the intended path), and for each process, with its
children, the peak resident memory (VmRSS) sampled every 0.5 s. Each
target is warmed up first with one short conversation per language (not
counted). The simulated customers run in this process, on the same CPUs as
the servers. Other work on the machine slows every target: each run
reports the highest 1-minute load average and how many CPUs processes
other than the benchmark and its servers kept busy on average (from
/proc/stat and /proc/<pid>/stat).

Start-up: seconds from launching `python -m bot.run` (what `make run` runs
once installed and trained, without make's own checks) until a customer
who opened the chat at once gets a first bot answer: a session as soon as
the web server answers, then "oi" over the WebSocket, sent again a second
after each refusal, until a bot message arrives. bot.run takes
endpoints.yml as it is, whose action server is on port 5055: the start-up
is measured only while that port is free (skipped, saying so, otherwise),
and the one conversation it makes is written to var/conversations.db, the
tracker store `make run` uses; the help-desk records go to a temporary
database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import yaml

from bot.benchmarks import percentile, save_json
from bot.languages import LANGUAGES
from bot.run import MODEL, rasa_command, wait_until_up
from bot.settings import PROJECT_ROOT

STOCK = PROJECT_ROOT / "var" / "bench" / "stock"
MAKE_RUN_ACTION_PORT = 5055  # endpoints.yml's action server, which `make run` uses
TARGETS = {  # key: what the table calls it
    "web-ws": "this stack, web WebSocket",
    "web-http": "this stack, web /api/messages",
    "rasa-rest": "this stack, Rasa REST",
    "stock-rest": "stock Rasa, REST",
}
KINDS = ("kb", "small_talk", "angry", "escalation", "email")
REFERENCE = {  # from the issue: a stock assistant on this machine class, one conversation at a time
    "stock_messages_per_second_at_1": 25,
    "stock_p50_ms_at_1": 40,
}
GOALS = {
    "throughput_ratio_vs_stock": 0.8,
    "kb_p95_ms_at_10": 150,
    "startup_seconds": 30,
}

# What customers type, as they type it. Each `kb` question is answered by
# an article (import-data, free-trial, book-a-demo; in Chinese
# multilingual-support, as the intent classifier misses asking for a demo).
# Angry messages are about importing, so that the bot answers or offers
# articles rather than "no article", and name no threat (cancel, lawyer,
# payment), so that they do not escalate by themselves.
MESSAGES: Dict[str, Dict[str, Tuple[str, ...]]] = {
    "pt": {
        "kb": (
            "como importo meus contatos de uma planilha csv?",
            "tem teste gratis? o que ele inclui?",
            "como agendo uma demonstracao?",
        ),
        "small_talk": ("oi, tudo bem?", "valeu, obrigado!"),
        "angry": (
            "A IMPORTACAO DO CSV NAO FUNCIONA!!! que absurdo",
            "ja tentei 3 vezes importar a planilha e NADA!!! que raiva",
        ),
        "escalation": ("quero falar com um atendente",),
        "email": ("meu email é {name}@example.com",),
    },
    "es": {
        "kb": (
            "como importo mis contactos desde un archivo csv?",
            "que incluye la prueba gratis?",
            "como reservo una demostracion del producto?",
        ),
        "small_talk": ("hola, buenas", "gracias!!"),
        "angry": (
            "LA IMPORTACION DEL CSV NO FUNCIONA!!! que desastre",
            "otra vez falla la importacion de la planilla, ESTOY HARTO!!!",
        ),
        "escalation": ("quiero hablar con una persona",),
        "email": ("mi correo es {name}@example.com",),
    },
    "vi": {
        "kb": (
            "lam sao nhap danh ba tu file csv?",
            "dung thu co gioi han tinh nang ko?",
            "muốn đặt lịch demo với bên sales",
        ),
        "small_talk": ("chào bạn", "cảm ơn nhiều nha"),
        "angry": ("NHẬP FILE CSV KHÔNG ĐƯỢC!!! bực quá", "import file csv lỗi hoài, bực mình quá!!!"),
        "escalation": ("cho tôi nói chuyện với nhân viên",),
        "email": ("email của mình là {name}@example.com",),
    },
    "zh": {
        "kb": ("怎么把CSV里的联系人导进来?", "免费试用包括哪些功能?", "支持多语言客服吗?"),
        "small_talk": ("你好", "谢谢啦"),
        "angry": ("CSV导入一直报错,气死我了!!!", "导入的文件乱码了!!!搞什么啊"),
        "escalation": ("我要找人工客服",),
        "email": ("我的邮箱是 {name}@example.com",),
    },
}
# A conversation opens with a greeting, questions, one angry message and a
# request for a person (then the e-mail address), and goes on with questions,
# thanks, anger and asking again; a second angry message before the first
# escalation would hand over by itself (repeated_anger).
OPENING = ("small_talk", "kb", "angry", "kb", "escalation", "email")
AFTER = ("kb", "small_talk", "kb", "angry", "kb", "escalation")


def conversation_script(language: str, count: int, number: int) -> List[Tuple[str, str]]:
    """The (kind, text) messages of simulated customer `number`."""
    texts = MESSAGES[language]
    used: Counter = Counter()
    script = []
    for position in range(count):
        kind = OPENING[position] if position < len(OPENING) else AFTER[(position - len(OPENING)) % len(AFTER)]
        options = texts[kind]
        start = 0 if kind == "small_talk" else number  # small talk: hello first, then thanks
        script.append((kind, options[(start + used[kind]) % len(options)].format(name=f"cliente{number}")))
        used[kind] += 1
    return script


# --- processes ---------------------------------------------------------------


def free_ports(count: int) -> List[int]:
    """Ports free on 127.0.0.1, all different (held open until all are chosen)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do: old connections do not count
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    with socket.socket() as s:  # something listening on another address (0.0.0.0, ::)?
        s.settimeout(0.5)
        return s.connect_ex(("localhost", port)) != 0


def base_env() -> Dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "PYTHONWARNINGS": "ignore",
    }


def always_open_settings(path: Path) -> Path:
    """A copy of helpdesk.yml with no `hours` on any queue (always open)."""
    settings = yaml.safe_load((PROJECT_ROOT / "helpdesk.yml").read_text(encoding="utf-8"))
    for queue in settings["escalation"]["queues"].values():
        (queue or {}).pop("hours", None)
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    return path


def endpoints_file(path: Path, action_port: int, tracker_db: Path) -> Path:
    """endpoints.yml as `make run` uses it (NLG, tracker store type), with
    this action port and the SQLite tracker database at `tracker_db`."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"] = {
        **(endpoints.get("action_endpoint") or {}),
        "url": f"http://127.0.0.1:{action_port}/webhook",
    }
    store = endpoints.get("tracker_store") or {}
    if "db" not in store or store.get("dialect", "sqlite") != "sqlite":
        raise RuntimeError("endpoints.yml: expected a SQLite tracker store (tracker_store.db), as `make run` uses")
    store["db"] = str(tracker_db)
    path.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    return path


class Processes:
    """The processes this benchmark started, each in its own process group,
    so that a Ctrl-C reaches only the benchmark, which then stops them all."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: Dict[str, Tuple[subprocess.Popen, int]] = {}
        self._logs: List[Any] = []

    def log(self, name: str) -> Path:
        return self.folder / (re.sub(r"\W+", "-", name) + ".log")

    def start(
        self,
        name: str,
        command: List[str],
        env: Dict[str, str],
        cwd: Path = PROJECT_ROOT,
        stop_signal: int = signal.SIGTERM,
    ) -> subprocess.Popen:
        handle = self.log(name).open("w")
        self._logs.append(handle)
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**base_env(), **env},
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = (process, stop_signal)
        return process

    def wait_for(self, name: str, url: str, timeout: float = 300) -> None:
        try:
            wait_until_up(url, timeout, self.running[name][0], name)
        except RuntimeError as error:
            raise RuntimeError(f"{error}\n--- end of {self.log(name)} ---\n{self.tail(name)}") from None

    def tail(self, name: str, chars: int = 3000) -> str:
        return self.log(name).read_text(errors="replace")[-chars:]

    def pid(self, name: str) -> int:
        return self.running[name][0].pid

    def stop(self, names: Optional[Sequence[str]] = None) -> None:
        chosen = [n for n in reversed(list(self.running)) if names is None or n in names]
        for name in chosen:
            process, stop_signal = self.running[name]
            if process.poll() is None:
                process.send_signal(stop_signal)
        for name in chosen:
            process, _ = self.running.pop(name)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop within 30 s: killing it", file=sys.stderr)
                os.killpg(process.pid, signal.SIGKILL)  # its own group: it and its children
                process.wait()
        if not self.running:
            for handle in self._logs:
                handle.close()


def start_our_stack(processes: Processes, folder: Path) -> Dict[str, str]:
    """Action server, Rasa and web server of this project; their URLs."""
    action_port, rasa_port, web_port = free_ports(3)
    endpoints = endpoints_file(folder / "endpoints.yml", action_port, folder / "conversations.db")
    common = {
        "HELPDESK_CONFIG": str(always_open_settings(folder / "helpdesk.yml")),
        "DATABASE_URL": f"sqlite:///{folder / 'helpdesk.db'}",
        "ESCALATION_WEBHOOK_URL": "",
    }
    processes.start(
        "action server",
        rasa_command() + ["run", "actions", "--actions", "actions", "--port", str(action_port)],
        {**common, "SANIC_HOST": "127.0.0.1"},
    )
    processes.start(
        "rasa",
        rasa_command()
        + [
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
        common,
    )
    processes.start(
        "web server",
        [sys.executable, "-m", "bot.web.server", "--host", "127.0.0.1", "--port", str(web_port)],
        {
            **common,
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}",
            "CHAT_MESSAGES_PER_10S": "1000000",
            "CHAT_SESSIONS_PER_MINUTE": "1000000",
        },
    )
    processes.wait_for("action server", f"http://127.0.0.1:{action_port}/health")
    processes.wait_for("web server", f"http://127.0.0.1:{web_port}/health")
    processes.wait_for("rasa", f"http://127.0.0.1:{rasa_port}/status")
    return {"rasa": f"http://127.0.0.1:{rasa_port}", "web": f"http://127.0.0.1:{web_port}"}


def stock_model(folder: Path) -> Path:
    """The stock assistant's model, made by `rasa init` the first time."""
    found = sorted((STOCK / "models").glob("*.tar.gz"))
    if found:
        return found[-1]
    STOCK.mkdir(parents=True, exist_ok=True)
    log = folder / "stock-init.log"
    print(
        f"Creating the stock assistant in {STOCK.relative_to(PROJECT_ROOT)} (rasa init, trains once, about 1.5 min)...",
        flush=True,
    )
    with log.open("w") as handle:
        subprocess.run(
            rasa_command() + ["init", "--no-prompt", "--init-dir", str(STOCK)],
            cwd=PROJECT_ROOT,
            env=base_env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    found = sorted((STOCK / "models").glob("*.tar.gz"))
    if not found:
        raise RuntimeError(f"`rasa init` made no model in {STOCK}/models\n{log.read_text(errors='replace')[-3000:]}")
    return found[-1]


def start_stock(processes: Processes, model: Path) -> str:
    (port,) = free_ports(1)
    processes.start(
        "stock rasa",
        rasa_command()
        + ["run", "--enable-api", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1"],
        {},
        cwd=STOCK,
    )
    processes.wait_for("stock rasa", f"http://127.0.0.1:{port}/status")
    return f"http://127.0.0.1:{port}"


# --- memory and load -----------------------------------------------------------


def process_tree_usage(root: int, children: Dict[int, List[int]]) -> Tuple[float, float]:
    """Resident memory (MB) and CPU time used so far (s) of a process and its children."""
    rss_kb, ticks, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, ()))
        try:
            with open(f"/proc/{pid}/status") as status:
                rss_kb += next((int(line.split()[1]) for line in status if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):  # gone meanwhile
            pass
    return rss_kb / 1024, ticks / os.sysconf("SC_CLK_TCK")


def children_by_parent() -> Dict[int, List[int]]:
    found: Dict[int, List[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found.setdefault(parent, []).append(int(entry))
    return found


def load_average() -> float:
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def machine_cpu_seconds() -> float:
    """CPU time the whole machine was busy since boot (all CPUs)."""
    with open("/proc/stat") as f:
        user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in f.readline().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """Peak memory (MB, with children) of named processes, sampled every
    `every` seconds, the peak 1-minute load average, and how many CPUs other
    processes than this benchmark and its servers kept busy on average."""

    def __init__(self, pids: Dict[str, int], every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.peaks: Dict[str, float] = {}
        self.overall: Dict[str, float] = {}
        self.load = 0.0
        self.overall_load = 0.0
        self._cpu_start = self._cpu_mark = self.cpu_counters()

    def cpu_counters(self) -> Tuple[float, float, float]:
        """(now, machine CPU seconds, CPU seconds of this benchmark and its servers)."""
        children = children_by_parent()
        servers = sum(process_tree_usage(pid, children)[1] for pid in self.pids.values())
        mine = os.times()
        return time.monotonic(), machine_cpu_seconds(), servers + mine.user + mine.system

    @staticmethod
    def other_cpus(before: Tuple[float, float, float], after: Tuple[float, float, float]) -> float:
        elapsed = after[0] - before[0]
        return round(max(0.0, (after[1] - before[1]) - (after[2] - before[2])) / elapsed, 2) if elapsed > 0 else 0.0

    def sample(self) -> Dict[str, float]:
        children = children_by_parent()
        now = {name: round(process_tree_usage(pid, children)[0], 1) for name, pid in self.pids.items()}
        load = load_average()
        with self._lock:
            for name, mb in now.items():
                self.peaks[name] = max(self.peaks.get(name, 0.0), mb)
                self.overall[name] = max(self.overall.get(name, 0.0), mb)
            self.load, self.overall_load = max(self.load, load), max(self.overall_load, load)
        return now

    def run(self) -> None:
        while not self._stopping.wait(self.every):
            self.sample()

    def take(self) -> Tuple[Dict[str, float], float, float]:
        """Since the last take (one run): peak memory, peak load average, and
        the CPUs other processes kept busy; then start afresh."""
        self.sample()
        mark = self.cpu_counters()
        with self._lock:
            peaks, load = dict(self.peaks), self.load
            self.peaks, self.load = {}, 0.0
        other = self.other_cpus(self._cpu_mark, mark)
        self._cpu_mark = mark
        return peaks, load, other

    def overall_other_cpus(self) -> float:
        return self.other_cpus(self._cpu_start, self.cpu_counters())

    def stop(self) -> None:
        self._stopping.set()


# --- simulated customers -------------------------------------------------------


class Failure(Exception):
    """A message that got no proper answer; `kind` names it in the error counts."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


async def _failure(reply) -> Failure:
    try:
        code = (await reply.json()).get("error", {}).get("code")
    except Exception:  # not our JSON error body
        code = None
    return Failure(f"http {reply.status}" + (f" {code}" if isinstance(code, str) else ""))


class RestCustomer:
    """A customer on a Rasa REST channel (this stack's or the stock one)."""

    def __init__(self, http, url: str) -> None:
        self.http, self.url, self.sender = http, url, uuid.uuid4().hex

    async def open(self) -> None:
        pass

    async def say(self, text: str) -> List[str]:
        async with self.http.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": self.sender, "message": text}
        ) as reply:
            if reply.status != 200:
                raise await _failure(reply)
            return [str(m.get("text") or "") for m in await reply.json()]

    async def close(self) -> None:
        pass


class WebHttpCustomer:
    """A customer of the web server through POST /api/messages."""

    def __init__(self, http, url: str) -> None:
        self.http, self.url = http, url
        self.session: Dict[str, str] = {}

    async def open(self) -> None:
        async with self.http.post(f"{self.url}/api/sessions") as reply:
            if reply.status != 201:
                raise await _failure(reply)
            self.session = await reply.json()

    async def say(self, text: str) -> List[str]:
        async with self.http.post(f"{self.url}/api/messages", json={**self.session, "text": text}) as reply:
            if reply.status != 200:
                raise await _failure(reply)
            return [str(m.get("text") or "") for m in (await reply.json())["messages"]]

    async def close(self) -> None:
        pass


END_OF_ANSWER = {"type": "ping"}  # not a message: answered with `bad_request` once the message before is done


class WebSocketCustomer(WebHttpCustomer):
    """A customer of the web server through its WebSocket, as the widget is."""

    socket: Any = None  # the aiohttp WebSocket, once open

    async def open(self) -> None:
        await super().open()
        self.socket = await self.http.ws_connect(
            self.url.replace("http://", "ws://", 1) + "/api/ws",
            params=self.session,
            autoping=True,
        )
        first = await self.socket.receive_json()
        if first.get("type") != "history":
            raise Failure(f"ws first event {first.get('type')}")

    async def say(self, text: str) -> List[str]:
        await self.socket.send_json({"type": "message", "text": text})
        await self.socket.send_json(END_OF_ANSWER)
        replies: List[str] = []
        failure: Optional[str] = None
        while True:
            frame = await self.socket.receive()
            if frame.type.name != "TEXT":
                raise Failure(f"ws {frame.type.name.lower()}")
            event = json.loads(frame.data)
            if event.get("type") == "error":
                if event.get("code") == "bad_request":
                    break  # the end-of-answer frame: everything before it was published
                failure = failure or f"ws error {event.get('code')}"
            elif event.get("type") == "message" and event.get("sender") == "bot":
                replies.append(str(event.get("text") or ""))
        if failure:
            raise Failure(failure)
        return replies

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()


@dataclass
class Target:
    key: str
    url: str
    customer: Callable[[Any, str], Any]
    processes: Tuple[str, ...]  # whose memory counts for it
    ours: bool = True

    @property
    def label(self) -> str:
        return TARGETS[self.key]


def error_kind(error: BaseException) -> str:
    if isinstance(error, Failure):
        return error.kind
    if isinstance(error, asyncio.TimeoutError):
        return "timeout"
    return type(error).__name__


def latency_summary(values: List[float]) -> Dict[str, Any]:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50": round(percentile(values, 0.50), 1),
        "p95": round(percentile(values, 0.95), 1),
        "p99": round(percentile(values, 0.99), 1),
        "max": round(max(values), 1),
    }


async def run_load(
    target: Target, concurrency: int, messages: int, min_messages: int, timeout: float, think: float = 0.0
) -> Dict[str, Any]:
    """`concurrency` customers at once, each conversation's messages in turn,
    `think` seconds apart on average (0: each message right after the answer)."""
    import aiohttp

    conversations = max(concurrency, math.ceil(min_messages / messages))
    numbers: Iterator[int] = iter(range(conversations))
    samples: List[Tuple[str, float]] = []
    errors: Counter = Counter()
    empty: Counter = Counter()
    kb_linked = 0
    sent = 0

    async def customer_loop(http) -> None:
        nonlocal kb_linked, sent
        for number in numbers:  # shared: each free customer takes the next conversation
            language = LANGUAGES[number % len(LANGUAGES)]
            customer = target.customer(http, target.url)
            try:
                await asyncio.wait_for(customer.open(), timeout)
            except Exception as error:  # counted; the conversation is not held
                errors[f"open: {error_kind(error)}"] += 1
                await customer.close()
                continue
            pause = random.Random(number)
            try:
                for position, (kind, text) in enumerate(conversation_script(language, messages, number)):
                    if think and position:  # reading the answer and typing the next message
                        await asyncio.sleep(think * pause.uniform(0.5, 1.5))
                    sent += 1
                    started = time.perf_counter()
                    try:
                        replies = await asyncio.wait_for(customer.say(text), timeout)
                    except Exception as error:  # counted; the conversation's state is unknown: end it
                        errors[error_kind(error)] += 1
                        break
                    samples.append((kind, (time.perf_counter() - started) * 1000))
                    if not replies:
                        empty[kind] += 1
                    if kind == "kb" and any("/kb/" in r for r in replies):
                        kb_linked += 1
            finally:
                await customer.close()

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as http:
        started = time.perf_counter()
        await asyncio.gather(*(customer_loop(http) for _ in range(concurrency)))
        wall = time.perf_counter() - started
    kb_count = sum(1 for kind, _ in samples if kind == "kb")
    return {
        "target": target.key,
        "concurrency": concurrency,
        "think_seconds": think,
        "conversations": conversations,
        "messages_sent": sent,
        "messages_answered": len(samples),
        "seconds": round(wall, 2),
        "messages_per_second": round(len(samples) / wall, 2) if wall else 0.0,
        "latency_ms": {
            "all": latency_summary([ms for _, ms in samples]),
            **{kind: latency_summary([ms for k, ms in samples if k == kind]) for kind in KINDS},
        },
        "errors": dict(errors),
        "error_count": sum(errors.values()),
        "empty_replies": dict(empty),
        **({"kb_answers_with_article": round(kb_linked / kb_count, 3) if kb_count else None} if target.ours else {}),
    }


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
    if not port_free(MAKE_RUN_ACTION_PORT):
        return {
            "skipped": f"port {MAKE_RUN_ACTION_PORT} (endpoints.yml's action server) is in use, "
            "and bot.run cannot be pointed at another endpoints file"
        }
    rasa_port, web_port = free_ports(2)
    env = {
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(MAKE_RUN_ACTION_PORT),
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


# --- report --------------------------------------------------------------------


def print_table(runs: List[Dict[str, Any]], kinds: Sequence[str]) -> None:
    print(f"\n{'target':<31}{'conc':>5}{'msgs':>7}{'errors':>7}{'msg/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}  (ms)")
    for run in runs:
        latency = run["latency_ms"]["all"]
        print(
            f"{TARGETS[run['target']]:<31}{run['concurrency']:>5}{run['messages_answered']:>7}{run['error_count']:>7}"
            f"{run['messages_per_second']:>8.1f}{latency.get('p50', '-'):>8}{latency.get('p95', '-'):>8}{latency.get('p99', '-'):>8}"
        )
    print(f"\np95 per message type (ms)\n{'target':<31}{'conc':>5}" + "".join(f"{k:>12}" for k in kinds))
    for run in runs:
        print(
            f"{TARGETS[run['target']]:<31}{run['concurrency']:>5}"
            + "".join(f"{run['latency_ms'][k].get('p95', '-'):>12}" for k in kinds)
        )


def comparison(runs: List[Dict[str, Any]], ours: str, think: float) -> List[Dict[str, Any]]:
    found = []
    for concurrency in sorted({r["concurrency"] for r in runs}):
        mine = next((r for r in runs if r["target"] == ours and r["concurrency"] == concurrency), None)
        stock = next((r for r in runs if r["target"] == "stock-rest" and r["concurrency"] == concurrency), None)
        if mine is None or stock is None or not stock["messages_per_second"]:
            continue
        ratio = mine["messages_per_second"] / stock["messages_per_second"]
        found.append(
            {
                "concurrency": concurrency,
                "ours": ours,
                "ours_messages_per_second": mine["messages_per_second"],
                "stock_messages_per_second": stock["messages_per_second"],
                "throughput_ratio": round(ratio, 2),
                "ours_p50_ms": mine["latency_ms"]["all"].get("p50"),
                "stock_p50_ms": stock["latency_ms"]["all"].get("p50"),
                "ours_p95_ms": mine["latency_ms"]["all"].get("p95"),
                "stock_p95_ms": stock["latency_ms"]["all"].get("p95"),
                # with pauses, messages per second is the load offered: it says nothing of capacity
                "meets_target": None if think else ratio >= GOALS["throughput_ratio_vs_stock"],
            }
        )
    return found


def verdicts(result: Dict[str, Any], ours: str, think: float) -> Dict[str, Any]:
    """The issue's goals against the figures (None: not measured)."""
    runs = result["runs"]
    kb_at_10, stock_kb_at_10 = (
        next((r["latency_ms"]["kb"].get("p95") for r in runs if r["target"] == key and r["concurrency"] == 10), None)
        for key in (ours, "stock-rest")
    )
    startup = (result.get("startup") or {}).get("seconds_to_first_answer")
    return {
        "throughput_ratio_vs_stock": {str(c["concurrency"]): c["meets_target"] for c in result["comparison"]},
        "kb_p95_ms_at_10": {
            "ours": ours,
            "value": kb_at_10,
            "stock": stock_kb_at_10,
            "think_seconds": think,
            "meets_target": None if kb_at_10 is None else kb_at_10 <= GOALS["kb_p95_ms_at_10"],
        },
        "startup_seconds": {
            "value": startup,
            "meets_target": None if startup is None else startup <= GOALS["startup_seconds"],
        },
    }


def verdict(met: Optional[bool]) -> str:
    return "not measured" if met is None else ("met" if met else "NOT met")


def print_report(result: Dict[str, Any], ours: str, think: float) -> None:
    runs = result["runs"]
    print_table(runs, KINDS)
    for run in runs:
        if run["target"] != "stock-rest" and run["empty_replies"]:
            print(
                f"warning: {TARGETS[run['target']]}, {run['concurrency']} at once: messages without any reply "
                f"{run['empty_replies']}; this stack always answers, so the timing rule may not hold any more"
            )
    print(
        f"\nThroughput, {TARGETS[ours]} / stock (goal ≥ {GOALS['throughput_ratio_vs_stock']})"
        + (f"; with --think {think} msg/s is the load offered, not what the servers can take:" if think else ":")
    )
    for row in result["comparison"]:
        print(
            f"  {row['concurrency']:>3} at once: {row['ours_messages_per_second']} / {row['stock_messages_per_second']} msg/s"
            f" = {row['throughput_ratio']}  {verdict(row['meets_target'])};"
            f" p50 {row['ours_p50_ms']} vs {row['stock_p50_ms']} ms"
        )
    kb = result["verdicts"]["kb_p95_ms_at_10"]
    print(
        f"Knowledge-base answer p95 at 10 at once: {'-' if kb['value'] is None else kb['value']} ms "
        f"(goal ≤ {GOALS['kb_p95_ms_at_10']} ms) "
        f"{verdict(kb['meets_target'])}"
        + (f"; stock assistant {kb['stock']} ms" if kb["stock"] is not None else "")
        + ("" if think else " (no pauses between messages: see --think)")
    )
    if "startup" in result:
        startup = result["verdicts"]["startup_seconds"]
        print(
            f"Start-up, python -m bot.run until a first answer: {startup['value'] if startup['value'] is not None else '-'} s "
            f"(goal ≤ {GOALS['startup_seconds']} s) {verdict(startup['meets_target'])}"
            + (f" [{result['startup']['skipped']}]" if "skipped" in result["startup"] else "")
        )
    print(
        "Peak memory (MB, with children): " + ", ".join(f"{n} {mb:.0f}" for n, mb in result["memory_mb_peak"].items())
    )
    machine = result["machine"]
    print(
        f"Load average (1 min) during the load runs: up to {machine['load_average_peak']} on {machine['cpus']} CPUs "
        f"(the servers and the customers count too); other processes kept {machine['other_processes_cpus']} CPUs "
        "busy on average" + ("; slower than on a quiet machine" if machine["other_processes_cpus"] > 0.2 else "")
    )


def load_runs(
    args: argparse.Namespace,
    keys: List[str],
    levels: List[int],
    processes: Processes,
    folder: Path,
    result: Dict[str, Any],
) -> str:
    """Start the servers, warm them up, run every target at every
    concurrency; the figures go into `result`. Returns our target's key."""
    stock = stock_model(folder) if "stock-rest" in keys else None
    print("Starting this stack" + (" and the stock assistant" if stock else "") + "...", flush=True)
    urls = start_our_stack(processes, folder) if any(k != "stock-rest" for k in keys) else {}
    if stock:
        urls["stock"] = start_stock(processes, stock)
    ours_processes = ("web server", "rasa", "action server")
    available = {
        "web-ws": lambda: Target("web-ws", urls["web"], WebSocketCustomer, ours_processes),
        "web-http": lambda: Target("web-http", urls["web"], WebHttpCustomer, ours_processes),
        "rasa-rest": lambda: Target("rasa-rest", urls["rasa"], RestCustomer, ("rasa", "action server")),
        "stock-rest": lambda: Target("stock-rest", urls["stock"], RestCustomer, ("stock rasa",), ours=False),
    }
    targets = [available[k]() for k in keys]
    sampler = Sampler({name: processes.pid(name) for name in processes.running})
    result["memory_mb_after_start"] = sampler.sample()
    sampler.start()
    try:
        for target in targets:  # not counted: first answers load lazily built parts
            asyncio.run(run_load(target, 1, 3, 3 * len(LANGUAGES), args.timeout))
        result["memory_mb_after_warm_up"], _, _ = sampler.take()
        runs: List[Dict[str, Any]] = []
        for concurrency in levels:
            for target in targets:
                print(f"{target.label}: {concurrency} at once...", flush=True)
                run = asyncio.run(
                    run_load(target, concurrency, args.messages, args.min_messages, args.timeout, args.think)
                )
                peaks, load, other = sampler.take()
                run["memory_mb_peak"] = {name: peaks.get(name) for name in target.processes}
                run["load_average_peak"] = load
                run["other_processes_cpus"] = other
                runs.append(run)
                latency = run["latency_ms"]["all"]
                print(
                    f"  {run['messages_per_second']} msg/s, p50 {latency.get('p50')} ms, p95 {latency.get('p95')} ms, "
                    f"errors {run['errors'] or 0}; other processes kept {other} CPUs busy",
                    flush=True,
                )
        result["runs"] = runs
        result["memory_mb_peak"] = dict(sampler.overall)
        result["machine"]["load_average_peak"] = sampler.overall_load
        result["machine"]["other_processes_cpus"] = sampler.overall_other_cpus()
    finally:
        sampler.stop()
    return "web-ws" if "web-ws" in keys else "web-http" if "web-http" in keys else "rasa-rest"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", default="1,10,50", help="conversations at once, comma-separated (1,10,50)")
    parser.add_argument("--messages", type=int, default=20, help="messages per conversation (20)")
    parser.add_argument(
        "--min-messages",
        type=int,
        default=200,
        help="at least this many messages per run: more conversations one after another (200)",
    )
    parser.add_argument(
        "--targets", default="web-ws,rasa-rest,stock-rest", help=f"comma-separated, of {', '.join(TARGETS)}"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="average seconds a customer takes before the next message (0: none, the issue's load)",
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait for one answer (60)")
    parser.add_argument("--skip-startup", action="store_true", help="do not time `python -m bot.run`")
    parser.add_argument("--startup-only", action="store_true", help="only time `python -m bot.run`")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    try:
        levels = [int(c) for c in args.concurrency.split(",") if c.strip()]
    except ValueError:
        parser.error("--concurrency takes whole numbers separated by commas, e.g. 1,10,50")
    keys = [k.strip() for k in args.targets.split(",") if k.strip()]
    if not levels or min(levels) < 1 or args.messages < 1:
        parser.error("--concurrency and --messages must be at least 1")
    if not keys or any(k not in TARGETS for k in keys):
        parser.error(f"--targets: choose from {', '.join(TARGETS)}")
    if args.skip_startup and args.startup_only:
        parser.error("--skip-startup and --startup-only exclude each other")
    if not MODEL.exists():
        print(f"No trained model at {MODEL}: run `make train` first.", file=sys.stderr)
        return 1

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    # Servers run in process groups of their own: on a kill or a closed
    # terminal too, stop them before leaving.
    signal.signal(signal.SIGTERM, interrupted)
    signal.signal(signal.SIGHUP, interrupted)
    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    processes = Processes(folder)
    failed = True
    result: Dict[str, Any] = {
        "settings": {
            "concurrency": levels,
            "messages_per_conversation": args.messages,
            "min_messages_per_run": args.min_messages,
            "think_seconds": args.think,
            "targets": keys,
            "languages": list(LANGUAGES),
            "web_timing": "WebSocket, answer complete at the end-of-answer frame's error event"
            if "web-ws" in keys
            else "POST /api/messages",
        },
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": load_average()},
        "code": code_version(),
        "reference": REFERENCE,
        "goals": GOALS,
    }
    try:
        if not args.skip_startup:
            print("Timing start-up: python -m bot.run until a first answer through the web server...", flush=True)
            result["startup"] = measure_startup(processes, folder)
            print(f"  {result['startup']}", flush=True)
        if not args.startup_only:
            ours = load_runs(args, keys, levels, processes, folder, result)
            result["comparison"] = comparison(result["runs"], ours, args.think)
            result["verdicts"] = verdicts(result, ours, args.think)
            print_report(result, ours, args.think)
        save_json(args.json, result)
        failed = False
        return 0
    except KeyboardInterrupt:
        print("\nInterrupted; stopping the servers...", file=sys.stderr)
        failed = False  # nothing to look into
        return 130
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        processes.stop()
        if failed:
            print(f"Logs kept in {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
