"""The set-up finds Python 3.10 or says what to install."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "find-python.sh"


def run(env):
    return subprocess.run(["sh", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


def test_finds_a_python_3_10():
    import os

    result = run(dict(os.environ))
    assert result.returncode == 0
    found = result.stdout.strip()
    version = subprocess.run([found, "--version"], capture_output=True, text=True).stdout
    assert version.startswith("Python 3.10")


def test_finds_pyenvs_3_10_without_the_pyenv_command(tmp_path):
    import sys

    real = Path(sys.base_prefix) / "bin" / "python3.10"
    if not real.exists():
        pytest.skip("this Python 3.10 is not laid out like pyenv's")
    fake_root = tmp_path / "pyenv"
    (fake_root / "versions" / "3.10.99" / "bin").mkdir(parents=True)
    (fake_root / "versions" / "3.10.99" / "bin" / "python3.10").symlink_to(real)
    result = run({"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(fake_root)})
    assert result.stdout.strip() == str(fake_root / "versions" / "3.10.99" / "bin" / "python3.10")


def test_says_what_to_install_when_there_is_none(tmp_path):
    if shutil.which("python3.10", path="/usr/bin:/bin"):
        pytest.skip("this machine has a system python3.10")
    result = run({"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "Python 3.10 not found" in result.stderr and "install" in result.stderr
