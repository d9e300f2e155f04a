"""Benchmark: training from scratch and parsing a message (not a test).

    python -m bot.benchmarks.nlu [--skip-training] [--json reports/bench-nlu.json]

Trains the full model into a temporary folder with `rasa train --force`
(no cache) and times it, as `make train` runs it (the sentence encoder on
every core), then parses every text of the test set (tests/eval/test.yml:
real traffic's mix of short chat, sentences and pasted e-mails) 5 times
through Rasa's Agent, as the server does, and reports latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bot.benchmarks import percentile, save_json
from bot.launcher import rasa_command
from bot.settings import PROJECT_ROOT


def train_from_scratch(out: Path) -> float:
    started = time.monotonic()
    environment = {**os.environ, "OMP_NUM_THREADS": str(os.cpu_count() or 1)}
    subprocess.run(
        [
            *rasa_command(),
            "train",
            "--force",
            "--skip-validation",
            "--config",
            "config.yml",
            "--domain",
            "domain.yml",
            "--data",
            "data/nlu",
            "data/rules.yml",
            "--out",
            str(out),
            "--fixed-model-name",
            "bench",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    return time.monotonic() - started


def parse_latencies(model: Path, texts, repeats: int = 5):
    from rasa.core.agent import Agent

    from bot.evaluate import quiet_rasa_logs

    quiet_rasa_logs()
    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()
    loop.run_until_complete(agent.parse_message("warm up"))
    timings = []
    for _ in range(repeats):
        for text in texts:
            started = time.perf_counter()
            loop.run_until_complete(agent.parse_message(text))
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.benchmarks.nlu")
    parser.add_argument("--skip-training", action="store_true", help="time parsing with models/helpdesk.tar.gz only")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    texts = [c["text"] for c in yaml.safe_load((PROJECT_ROOT / "tests/eval/test.yml").read_text(encoding="utf-8"))]
    result = {}
    with tempfile.TemporaryDirectory() as folder:
        model = PROJECT_ROOT / "models" / "helpdesk.tar.gz"
        if not args.skip_training:
            result["training_seconds"] = round(train_from_scratch(Path(folder)), 1)
            model = Path(folder) / "bench.tar.gz"
            print(f"training from scratch: {result['training_seconds']} s")
        timings = parse_latencies(model, texts)
    result.update(
        parses=len(timings),
        parse_ms_p50=round(statistics.median(timings), 2),
        parse_ms_p95=round(percentile(timings, 0.95), 2),
        parse_ms_p99=round(percentile(timings, 0.99), 2),
    )
    print(
        f"parsing {result['parses']} messages: p50 {result['parse_ms_p50']} ms, "
        f"p95 {result['parse_ms_p95']} ms, p99 {result['parse_ms_p99']} ms"
    )
    save_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
