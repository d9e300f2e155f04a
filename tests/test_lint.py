"""The code as `make lint` wants it: formatted, ruff's rules, mypy's types."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [["ruff", "format", "--check", "bot", "actions", "tests"], ["ruff", "check", "bot", "actions", "tests"], ["mypy"]],
    ids=["ruff-format", "ruff-check", "mypy"],
)
def test_lint_is_clean(command):
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
