"""The web server answers customers and agents without Rasa: importing it
must not load Rasa or TensorFlow (hundreds of MB and seconds at start-up)."""

import subprocess
import sys

from tests.servers import ROOT


def test_importing_the_web_server_loads_neither_rasa_nor_tensorflow():
    probe = "import sys, bot.web.server; print(sorted(m for m in ('rasa', 'tensorflow') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


def test_an_article_page_in_traditional_script_loads_neither_rasa_nor_tensorflow():
    probe = (
        "import sys, bot.web.pages as pages; assert '<ol>' in pages.render_article('zh', 'import-data', 'hant');"
        " print(sorted(m for m in ('rasa', 'tensorflow') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
