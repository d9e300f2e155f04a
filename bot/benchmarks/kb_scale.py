"""Benchmark: knowledge-base index build time and query latency as it grows.

    python -m bot.benchmarks.kb_scale [--sizes 100 1000 10000] [--json OUT]

Generates N articles spread over the four languages by recombining the
sentences of the real articles (so words and lengths are realistic), builds
the per-language indexes, and times the held-out questions against them.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Dict, List

import yaml

from bot.benchmarks import percentile, save_json
from bot.kb.articles import Article, load_folder
from bot.kb.index import LanguageIndex
from bot.nlu.words import split_words
from bot.settings import LANGUAGES, PROJECT_ROOT, get_settings


def sentences_by_language() -> Dict[str, List[str]]:
    collection = load_folder(get_settings().knowledge_base.folder, LANGUAGES)
    found: Dict[str, List[str]] = {}
    for language, by_id in collection.articles.items():
        text = " ".join(f"{a.title}. {a.answer} {a.body}" for a in by_id.values())
        found[language] = [s.strip() for s in re.split(r"(?<=[.!?。！？])\s*", text) if len(s.strip()) > 10]
    return found


def generate(count: int, pool: Dict[str, List[str]], seed: int = 7) -> Dict[str, List[Article]]:
    rng = random.Random(seed)
    articles: Dict[str, List[Article]] = {language: [] for language in LANGUAGES}
    for number in range(count):
        language = LANGUAGES[number % len(LANGUAGES)]
        picked = rng.sample(pool[language], k=min(8, len(pool[language])))
        articles[language].append(
            Article(
                id=f"generated-{number}",
                language=language,
                title=picked[0][:80],
                tags=tuple(picked[1].split()[:5]),
                answer=picked[2],
                body=" ".join(picked[3:]),
            )
        )
    return articles


def measure(count: int, pool, questions) -> Dict[str, float]:
    articles = generate(count, pool)
    started = time.monotonic()
    indexes = {language: LanguageIndex(language, items) for language, items in articles.items()}
    build = time.monotonic() - started
    timings = []
    for question in questions:
        started = time.perf_counter()
        indexes[question["lang"]].search(question["text"], limit=3)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "articles": count,
        "build_seconds": round(build, 2),
        "query_ms_p50": round(statistics.median(timings), 2),
        "query_ms_p95": round(percentile(timings, 0.95), 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.benchmarks.kb_scale")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    pool = sentences_by_language()
    for language in LANGUAGES:  # load spaCy, jieba and pyvi once: not part of a build
        split_words(pool[language][0], language)
    questions = yaml.safe_load((PROJECT_ROOT / "tests/eval/kb_questions.yml").read_text(encoding="utf-8"))
    results = []
    for size in args.sizes:
        row = measure(size, pool, questions)
        results.append(row)
        print(
            f"{row['articles']:>6} articles: build {row['build_seconds']:>6} s, "
            f"query p50 {row['query_ms_p50']} ms, p95 {row['query_ms_p95']} ms",
            flush=True,
        )
    save_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
