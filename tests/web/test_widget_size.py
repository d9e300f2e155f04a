"""What a host page loads first for the chat widget stays under 30 KB gzipped
(`python -m bot.web.widget_size`)."""

from __future__ import annotations

import gzip
import random
import subprocess
import sys
from pathlib import Path

from bot.web.widget_size import BUDGET, FIRST_LOAD, STATIC, main, measure
from tests.servers import ROOT


def test_what_the_host_page_loads_first_is_under_30_kb_gzipped():
    sizes = measure()
    assert [s.name for s in sizes] == ["widget.js", "widget.css"]
    total = sum(s.gzipped for s in sizes)
    assert total <= BUDGET == 30_000, (
        f"widget.js + widget.css are {total:,} bytes gzipped, over {BUDGET:,}: "
        "load the rarely needed parts when the chat opens"
    )


def test_the_sizes_are_the_files_as_stored_and_as_sent_gzipped():
    for size in measure():
        data = (STATIC / size.name).read_bytes()
        assert size.raw == len(data)
        assert len(gzip.decompress(gzip.compress(data, 9))) == size.raw
        assert 0 < size.gzipped < size.raw  # text compresses
    assert FIRST_LOAD == ("widget.js", "widget.css")


def test_the_command_prints_each_file_and_fails_over_the_budget(tmp_path: Path, capsys):
    assert main([]) == 0
    shown = capsys.readouterr().out
    assert "widget.js" in shown and "widget.css" in shown and "within the budget of 30,000 bytes" in shown

    assert main(["--budget", "1000"]) == 1
    assert "OVER the budget of 1,000 bytes" in capsys.readouterr().out

    big = tmp_path / "widget.js"
    big.write_bytes(random.Random(15).randbytes(40_000))  # bytes that do not compress
    (tmp_path / "widget.css").write_text("")
    assert sum(s.gzipped for s in measure(folder=tmp_path)) > BUDGET


def test_it_runs_as_a_command_without_rasa():
    result = subprocess.run(
        [sys.executable, "-m", "bot.web.widget_size"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2].startswith("total")
