"""Benchmark: the knowledge base as it grows, the way the bot uses it.

    python -m bot.benchmarks.kb_scale [--sizes 100 1000 10000] [--json OUT]

For each size, writes N articles (spread over the four languages, made by
recombining the sentences of the real articles, so words and lengths are
realistic) as Markdown files into a temporary folder, then times what a
business would notice:

- first index: loading the folder with an empty embedding cache: when it is
  searchable (lexical indexes, and e5 vectors of titles with answers and of
  questions) and when it is complete (body sections and other typings,
  embedded in the background on up to two cores);
- restart: the same folder again with the cache warm, until complete;
- an edit: one article's file rewritten, until a search returns its new text
  (the folder is watched; nothing is retrained);
- queries: the held-out questions (tests/eval/kb_questions.yml), hybrid
  search with the question's embedding, on the complete index, p50 and p95;
- memory: the process's resident size grown by the knowledge base.
"""

from __future__ import annotations

import argparse
import gc
import logging
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

import yaml

from bot.benchmarks import percentile, save_json
from bot.kb.articles import load_folder
from bot.kb.service import KnowledgeBase
from bot.nlu.words import split_words
from bot.settings import LANGUAGES, PROJECT_ROOT, get_settings

EDIT_MARK = "zebracornio"  # a word no generated article has


def sentences_by_language() -> Dict[str, List[str]]:
    collection = load_folder(get_settings().knowledge_base.folder, LANGUAGES)
    found: Dict[str, List[str]] = {}
    for language, by_id in collection.articles.items():
        text = " ".join(f"{a.title}. {a.answer} {a.body}" for a in by_id.values())
        found[language] = [s.strip() for s in re.split(r"(?<=[.!?。！？])\s*", text) if len(s.strip()) > 10]
    return found


def article_file(article_id: str, title: str, tags: List[str], answer: str, body: str) -> str:
    front = yaml.safe_dump({"id": article_id, "title": title, "tags": tags}, allow_unicode=True, sort_keys=False)
    return f"---\n{front}---\n{answer}\n\n{body}\n"


def write_articles(folder: Path, count: int, pool: Dict[str, List[str]], seed: int = 7) -> List[Path]:
    rng = random.Random(seed)
    paths = []
    for number in range(count):
        language = LANGUAGES[number % len(LANGUAGES)]
        picked = rng.sample(pool[language], k=min(8, len(pool[language])))
        path = folder / language / f"generated-{number}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            article_file(f"generated-{number}", picked[0][:80], picked[1].split()[:5], picked[2], " ".join(picked[3:])),
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def resident_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 2**20


def edit_visible_seconds(kb: KnowledgeBase, path: Path, language: str) -> float:
    """Rewrite one article; seconds until a search finds its new text."""
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    path.write_text(f"---\n{front}---\n{EDIT_MARK} {body}", encoding="utf-8")
    started = time.monotonic()
    while time.monotonic() - started < 60:
        matches = kb.search(EDIT_MARK, language, limit=1)
        if matches and EDIT_MARK in matches[0].article.answer:
            return time.monotonic() - started
        time.sleep(0.05)
    raise RuntimeError("the edit never became visible")


def measure(count: int, pool, questions) -> Dict[str, float]:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "kb"
        paths = write_articles(folder, count, pool)
        cache = Path(temporary) / "embeddings.sqlite"
        gc.collect()
        before = resident_mb()
        started = time.monotonic()
        kb = KnowledgeBase(folder, embedding_cache=cache)
        searchable = time.monotonic() - started
        kb.wait_until_complete()
        first_index = time.monotonic() - started
        memory = resident_mb() - before
        embedded = kb._passage_cache.computed
        del kb
        gc.collect()
        started = time.monotonic()
        kb = KnowledgeBase(folder, embedding_cache=cache)
        kb.wait_until_complete()
        restart = time.monotonic() - started
        timings = []
        for question in questions:
            started = time.perf_counter()
            kb.search(question["text"], question["lang"], limit=3)
            timings.append((time.perf_counter() - started) * 1000)
        computed = kb._passage_cache.computed
        edit = edit_visible_seconds(kb, paths[0], LANGUAGES[0])
        return {
            "articles": count,
            "passages_embedded": embedded,
            "searchable_seconds": round(searchable, 2),
            "first_index_seconds": round(first_index, 2),
            "restart_seconds": round(restart, 2),
            "edit_visible_seconds": round(edit, 2),
            "embeddings_for_the_edit": kb._passage_cache.computed - computed,
            "query_ms_p50": round(statistics.median(timings), 2),
            "query_ms_p95": round(percentile(timings, 0.95), 2),
            "memory_mb": round(memory, 1),
        }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.benchmarks.kb_scale")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    # Each generated article is in one language: "missing in" warnings by the thousand.
    logging.getLogger("bot.kb.service").setLevel(logging.ERROR)
    pool = sentences_by_language()
    for language in LANGUAGES:  # load spaCy, jieba, pyvi and e5 once: not part of a build
        split_words(pool[language][0], language)
    from bot.kb.embeddings import embed_queries

    embed_queries(["warm-up"])
    questions = yaml.safe_load((PROJECT_ROOT / "tests/eval/kb_questions.yml").read_text(encoding="utf-8"))
    results = []
    for size in args.sizes:
        row = measure(size, pool, questions)
        results.append(row)
        print(
            f"{row['articles']:>6} articles: searchable in {row['searchable_seconds']} s, "
            f"first index complete in {row['first_index_seconds']} s "
            f"({row['passages_embedded']} passages embedded), restart {row['restart_seconds']} s, "
            f"edit visible in {row['edit_visible_seconds']} s ({row['embeddings_for_the_edit']} embedding), "
            f"query p50 {row['query_ms_p50']} ms, p95 {row['query_ms_p95']} ms, memory +{row['memory_mb']} MB",
            flush=True,
        )
    save_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
