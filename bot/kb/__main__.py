"""Knowledge-base tools.

python -m bot.kb check [FOLDER]     validate the articles; exit 1 on problems
python -m bot.kb search LANG TEXT   show the best articles for a question
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from bot.kb.articles import load_folder
from bot.settings import LANGUAGES, get_settings


def check(folder: Path) -> int:
    collection = load_folder(folder, LANGUAGES)
    count = sum(len(a) for a in collection.articles.values())
    for problem in collection.problems:
        print(problem)
    if collection.problems:
        print(f"{len(collection.problems)} problem(s); {count} good article(s) in {folder}.")
        return 1
    print(f"OK: {count} articles, {len(collection.ids())} ids in {', '.join(LANGUAGES)}.")
    return 0


def search(language: str, text: str) -> int:
    from bot.kb.service import load_knowledge_base

    for match in load_knowledge_base().search(text, language, limit=3):
        print(f"{match.score:.3f}  {match.article_id}  ({match.article.language}) {match.article.title}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.kb")
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="validate the articles")
    check_parser.add_argument("folder", nargs="?", type=Path)
    search_parser = commands.add_parser("search", help="search the articles")
    search_parser.add_argument("language", choices=LANGUAGES)
    search_parser.add_argument("text")
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.folder or get_settings().knowledge_base.folder)
    return search(args.language, args.text)


if __name__ == "__main__":
    sys.exit(main())
