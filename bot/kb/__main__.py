"""Knowledge-base tools.

python -m bot.kb check [FOLDER]     validate the articles; exit 1 on problems
python -m bot.kb search LANG TEXT   show the best articles for a question
python -m bot.kb import SOURCE FILE --into FOLDER
                                    another help desk's export (zendesk, intercom,
                                    freshdesk, chatwoot, csv, markdown, html) made
                                    article files; exit 1, nothing written, if broken
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from bot.kb.articles import load_folder
from bot.kb.importers import SOURCES as IMPORT_SOURCES
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


def import_command(source: str, export: Path, folder: Path, language: Optional[str]) -> int:
    from bot.kb.importers import ExportError
    from bot.kb.importers.writer import import_export

    try:
        summary = import_export(source, export, folder, default_language=language)
    except ExportError as error:
        print(f"error: {error}", file=sys.stderr)
        print(f"Nothing was written to {folder}.", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"error: cannot write into {folder}: {error}", file=sys.stderr)
        return 1
    print(summary)
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.kb")
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="validate the articles")
    check_parser.add_argument("folder", nargs="?", type=Path)
    search_parser = commands.add_parser("search", help="search the articles")
    search_parser.add_argument("language", choices=LANGUAGES)
    search_parser.add_argument("text")
    import_parser = commands.add_parser("import", help="make another help desk's export article files")
    import_parser.add_argument("source", choices=IMPORT_SOURCES)
    import_parser.add_argument("export", type=Path, help="the exported file, folder or .zip")
    import_parser.add_argument("--into", type=Path, required=True, metavar="FOLDER", help="the knowledge-base folder")
    import_parser.add_argument(
        "--language", choices=LANGUAGES, help="for articles whose export does not say their language"
    )
    args = parser.parse_args(argv)
    if args.command == "check":
        return check(args.folder or get_settings().knowledge_base.folder)
    if args.command == "import":
        return import_command(args.source, args.export, args.into, args.language)
    return search(args.language, args.text)


if __name__ == "__main__":
    sys.exit(main())
