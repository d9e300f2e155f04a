"""Benchmarks: scripts that print and save figures; never part of the tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional, Sequence


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def save_json(path: Optional[Path], data: Any) -> None:
    """Write a report if a path was given (its folder is created)."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
