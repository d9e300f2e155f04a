"""The stack under test: this project's servers as `make run` starts them and a
stock `rasa init` assistant, on free ports; their memory and the machine's load."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml

from bot.launcher import Ports, Server, commands, free_ports, health_urls, rasa_command
from bot.settings import PROJECT_ROOT

STOCK = PROJECT_ROOT / "var" / "bench" / "stock"


# --- processes ---------------------------------------------------------------


def base_env() -> Dict[str, str]:
    """On top of this process's environment (bot.launcher.Server adds that)."""
    return {
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
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
    """The processes this benchmark started (bot.launcher.Server, as `make
    run` starts them), each in its own process group, so that a Ctrl-C
    reaches only the benchmark, which then stops them all."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.running: Dict[str, Server] = {}

    def log(self, name: str) -> Path:
        return self.folder / (re.sub(r"\W+", "-", name) + ".log")

    def start(
        self,
        name: str,
        command: List[str],
        env: Dict[str, str],
        cwd: Path = PROJECT_ROOT,
        stop_signal: int = signal.SIGTERM,
        health_url: str = "",
    ) -> subprocess.Popen:
        self.log(name).unlink(missing_ok=True)
        server = Server(
            name,
            command,
            health_url,
            env={**base_env(), **env},
            log=self.log(name),
            new_session=True,
            stop_signal=stop_signal,
            cwd=cwd,
        )
        self.running[name] = server
        return server.start()

    def wait_for(self, name: str, timeout: float = 300) -> None:
        self.running[name].wait(timeout)

    def tail(self, name: str, chars: int = 3000) -> str:
        return self.log(name).read_text(errors="replace")[-chars:]

    def pid(self, name: str) -> int:
        process = self.running[name].process
        assert process is not None
        return process.pid

    def stop(self, names: Optional[Sequence[str]] = None) -> None:
        chosen = [n for n in reversed(list(self.running)) if names is None or n in names]
        for name in chosen:
            self.running[name].signal_stop()
        for name in chosen:
            self.running.pop(name).reap(timeout=30)


def start_our_stack(processes: Processes, folder: Path) -> Dict[str, str]:
    """Action server, Rasa and web server of this project; their URLs."""
    action_port, rasa_port, web_port = free_ports(3)
    ports = Ports(rasa=rasa_port, action=action_port, web=web_port)
    endpoints = endpoints_file(folder / "endpoints.yml", action_port, folder / "conversations.db")
    command, health = commands(ports, endpoints), health_urls(ports)
    common = {
        "HELPDESK_CONFIG": str(always_open_settings(folder / "helpdesk.yml")),
        "DATABASE_URL": f"sqlite:///{folder / 'helpdesk.db'}",
        "ESCALATION_WEBHOOK_URL": "",
        "ACTION_INTERFACE": "127.0.0.1",
    }
    processes.start("action server", command["actions"], common, health_url=health["actions"])
    processes.start("rasa", command["rasa"], common, health_url=health["rasa"])
    processes.start(
        "web server",
        command["web"],
        {
            **common,
            "RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}",
            "CHAT_MESSAGES_PER_10S": "1000000",
            "CHAT_SESSIONS_PER_MINUTE": "1000000",
        },
        health_url=health["web"],
    )
    for name in ("action server", "web server", "rasa"):
        processes.wait_for(name)
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
            env={**os.environ, **base_env()},
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
        health_url=f"http://127.0.0.1:{port}/status",
    )
    processes.wait_for("stock rasa")
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
