"""What a host page loads first for the chat widget, and its weight.

`python -m bot.web.widget_size` prints the raw and gzipped bytes of each file
the widget's one <script> tag brings in before the chat is opened (widget.js,
then the stylesheet it links) and their total, and exits 1 when the gzipped
total is over the budget (30 KB). Anything larger belongs in a part loaded when
the chat opens.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

STATIC = Path(__file__).resolve().parent / "static"
# Loaded by the host page before anyone opens the chat, in this order.
FIRST_LOAD = ("widget.js", "widget.css")
BUDGET = 30_000  # bytes, gzipped: what the host page loads first


@dataclass(frozen=True)
class FileSize:
    """One file's size as stored and as a server sends it gzipped."""

    name: str
    raw: int
    gzipped: int


def measure(names: Sequence[str] = FIRST_LOAD, folder: Path = STATIC) -> List[FileSize]:
    """The raw and gzipped (level 9, as a server's static compression) size of each file."""
    sizes = []
    for name in names:
        data = (folder / name).read_bytes()
        sizes.append(FileSize(name, len(data), len(gzip.compress(data, compresslevel=9, mtime=0))))
    return sizes


def report(sizes: Sequence[FileSize], budget: int = BUDGET) -> str:
    lines = [f"{'file':<14}{'raw':>10}{'gzipped':>10}"]
    lines += [f"{s.name:<14}{s.raw:>10,}{s.gzipped:>10,}" for s in sizes]
    raw, gzipped = sum(s.raw for s in sizes), sum(s.gzipped for s in sizes)
    lines.append(f"{'total':<14}{raw:>10,}{gzipped:>10,}")
    verdict = "within" if gzipped <= budget else "OVER"
    lines.append(f"{verdict} the budget of {budget:,} bytes gzipped for what the host page loads first")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.web.widget_size", description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=BUDGET, help="bytes, gzipped (default %(default)s)")
    args = parser.parse_args(argv)
    sizes = measure()
    print(report(sizes, args.budget))
    return 0 if sum(s.gzipped for s in sizes) <= args.budget else 1


if __name__ == "__main__":
    sys.exit(main())
