"""python -m bot.benchmarks.load: see the package's docstring."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.benchmarks import save_json
from bot.benchmarks.load.customers import TARGETS, RestCustomer, Target, WebHttpCustomer, WebSocketCustomer, run_load
from bot.benchmarks.load.report import GOALS, REFERENCE, comparison, print_report, verdicts
from bot.benchmarks.load.stack import Processes, Sampler, load_average, start_our_stack, start_stock, stock_model
from bot.benchmarks.load.startup import code_version, measure_startup
from bot.languages import LANGUAGES
from bot.launcher import MODEL


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
