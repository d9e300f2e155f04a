"""Starting, watching and stopping the assistant's three servers: the one
launcher behind `make run` (bot/run.py), the tests (tests/servers.py) and
`make bench` (bot/benchmarks/load/stack.py), so that what is tested and
measured is what runs.

`commands()` gives the servers' command lines as `make run` runs them;
`Server` is one process (start, wait until it answers, kill, stop);
`Servers` starts several together, starts again with a growing wait any that
dies, and stops them all. No Rasa import: the web server's tests use it too.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Dict, Iterable, List, Optional, Tuple

from bot.settings import PROJECT_ROOT

MODEL = PROJECT_ROOT / "models" / "helpdesk.tar.gz"


def rasa_command() -> List[str]:
    """`rasa` with our warning filters (bot/rasa_plugins/cli.py)."""
    return [sys.executable, "-m", "bot.rasa_plugins.cli"]


@dataclass(frozen=True)
class Ports:
    rasa: int
    action: int
    web: int


def commands(
    ports: Ports,
    endpoints: Path,
    rasa_interface: str = "127.0.0.1",
    web_host: str = "127.0.0.1",
    rasa_token: Optional[str] = None,
    model: Path = MODEL,
) -> Dict[str, List[str]]:
    """The action server's, Rasa's and the web server's command lines."""
    return {
        "actions": [sys.executable, "-m", "bot.action_server", "--port", str(ports.action)],
        "rasa": rasa_command()
        + [
            "run",
            "--enable-api",
            "--model",
            str(model),
            "--endpoints",
            str(endpoints),
            "--port",
            str(ports.rasa),
            # Its HTTP API asks for the secret; keep it on this machine all the same.
            "--interface",
            rasa_interface,
            # One argument: a secret starting with "-" (token_urlsafe makes
            # one in 64) would otherwise be read as an option.
            *([f"--auth-token={rasa_token}"] if rasa_token else []),
        ],
        "web": [sys.executable, "-m", "bot.web.server", "--host", web_host, "--port", str(ports.web)],
    }


def health_urls(ports: Ports, rasa_token: Optional[str] = None) -> Dict[str, str]:
    token = f"?token={rasa_token}" if rasa_token else ""
    return {
        "actions": f"http://127.0.0.1:{ports.action}/health",
        "rasa": f"http://127.0.0.1:{ports.rasa}/status{token}",
        "web": f"http://127.0.0.1:{ports.web}/health",
    }


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
class Server:
    """One server process, as started, so that it can be started again."""

    name: str  # as the messages say it: "The action server"
    command: List[str]
    health_url: str
    env: Dict[str, str] = field(default_factory=dict)  # on top of this process's environment
    unset: Tuple[str, ...] = ()  # variables it must not inherit
    log: Optional[Path] = None  # where its output goes (None: this process's output)
    new_session: bool = False  # its own process group: a Ctrl-C in the terminal does not reach it
    stop_signal: int = signal.SIGTERM
    cwd: Path = PROJECT_ROOT
    process: Optional[subprocess.Popen] = None
    started_at: float = 0.0
    restarts: int = 0  # in a row: the wait before the next one doubles
    restart_at: Optional[float] = None  # when a dead one is started again
    _output: Optional[IO[bytes]] = None

    def start(self) -> subprocess.Popen:
        if self._output is not None:
            self._output.close()
        self._output = self.log.open("ab") if self.log is not None else None
        env = {name: value for name, value in os.environ.items() if name not in self.unset}
        self.process = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            env={**env, **self.env},
            stdout=self._output,
            stderr=subprocess.STDOUT if self._output is not None else None,
            start_new_session=self.new_session,
        )
        self.started_at = time.monotonic()
        return self.process

    def wait(self, timeout: float = 240) -> None:
        """Until it answers at its health URL; on failure, the end of its log."""
        assert self.process is not None, f"{self.name} was not started"
        try:
            wait_until_up(self.health_url, timeout, self.process, self.name)
        except RuntimeError as error:
            if self.log is None:
                raise
            raise RuntimeError(f"{error}\n--- end of {self.log} ---\n{self.tail()}") from None

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log is not None and self.log.exists() else ""

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """As a crash would: no clean shutdown."""
        if self.running:
            assert self.process is not None
            self.process.kill()
            self.process.wait(timeout=20)

    def signal_stop(self) -> None:
        if self.running:
            assert self.process is not None
            self.process.send_signal(self.stop_signal)

    def stop(self, timeout: float = 20) -> None:
        self.signal_stop()
        self.reap(timeout)

    def reap(self, timeout: float) -> None:
        """Wait for it to end after signal_stop; killed (with its children) if it does not."""
        if self.process is not None:
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                print(f"{self.name} did not stop within {timeout:.0f} s: killing it", file=sys.stderr)
                if self.new_session:
                    os.killpg(self.process.pid, signal.SIGKILL)
                else:
                    self.process.kill()
                self.process.wait()
        if self._output is not None:
            self._output.close()
            self._output = None


class Servers:
    """Servers started together, supervised, stopped together."""

    STEADY_SECONDS = 60.0  # up this long, a server's restart count starts again
    MAX_BACKOFF_SECONDS = 30.0

    def __init__(self, servers: Iterable[Server] = ()) -> None:
        self.servers: List[Server] = list(servers)

    def add(self, server: Server) -> Server:
        self.servers.append(server)
        return server

    def start(self, server: Optional[Server] = None) -> None:
        """One server, or every one not running yet."""
        for each in [server] if server is not None else self.servers:
            if server is not None and each not in self.servers:
                self.servers.append(each)
            if not each.running:
                each.start()

    def start_and_wait(self, timeout: float = 240) -> None:
        """All at once (loading Rasa's model is most of the wait), then each
        until it answers; on a failure every one is stopped."""
        try:
            self.start()
            for server in self.servers:
                server.wait(timeout)
        except BaseException:
            self.stop()
            raise

    def supervise(self, now: float) -> None:
        """Start again, with a growing wait, any server that died; the others
        keep serving (the web server keeps what customers write meanwhile)."""
        for server in self.servers:
            code = server.process.poll() if server.process is not None else None
            if code is None:
                if server.restarts and now - server.started_at > self.STEADY_SECONDS:
                    server.restarts = 0
                continue
            if server.restart_at is None:
                wait = min(self.MAX_BACKOFF_SECONDS, 2.0**server.restarts)
                server.restart_at = now + wait
                print(
                    f"{server.name} stopped (exit code {code}); starting it again in {wait:.0f} s.",
                    file=sys.stderr,
                    flush=True,
                )
            elif now >= server.restart_at:
                process = server.start()
                server.restart_at = None
                server.restarts += 1
                print(f"{server.name} started again (pid {process.pid}).", file=sys.stderr, flush=True)

    def stop(self, timeout: float = 15) -> None:
        """Every one, the last started first; SIGTERM, not SIGINT: a Ctrl-C in
        the terminal has already sent the children SIGINT, and a second one
        breaks their clean shutdown."""
        for server in reversed(self.servers):
            server.signal_stop()
        for server in reversed(self.servers):
            server.reap(timeout)
