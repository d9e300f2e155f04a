"""What the domain says the assistant may answer, for assertions."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional, Set

import yaml

from bot.nlu import chinese_script

DOMAIN = Path(__file__).resolve().parent.parent / "domain.yml"


@functools.lru_cache(maxsize=1)
def responses() -> dict:
    return yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]


def texts(name: str, language: str, script: Optional[str] = None) -> Set[str]:
    """Every text variation of a response in a language (placeholders kept)."""
    found = set()
    for variation in responses()[name]:
        conditions = {c["name"]: c["value"] for c in variation.get("condition", [])}
        if conditions.get("language") == language:
            text = variation["text"]
            if language == "zh" and script == "Hant":
                text = chinese_script.to_traditional(text)
            found.add(text)
    return found


def prefix(template: str) -> str:
    """The fixed start of a template, before its first placeholder."""
    return template.split("{", 1)[0]
