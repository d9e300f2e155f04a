"""The README cannot drift from the code: every make target, module, file,
environment variable and helpdesk.yml key it names still exists."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from bot.settings import LEAF, NAMES, SCHEMA, environment

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
GENERATED = ("reports/", "var/", "models/", "tests/screenshots/")  # made by the commands, git-ignored
SOURCES = [
    p
    for folder in ("bot", "actions", "tests", "scripts", ".ci")
    for p in (ROOT / folder).rglob("*")
    if p.is_file() and p.suffix in {".py", ".sh", ""} and "__pycache__" not in p.parts
] + [ROOT / "Makefile"]


def names(pattern: str):
    return sorted(set(re.findall(pattern, README)))


def make_targets():
    return set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE))


@pytest.mark.parametrize("target", names(r"\bmake ([a-z][a-z-]*)"))
def test_every_make_target_it_names_exists(target):
    assert target in make_targets()


@pytest.mark.parametrize("module", names(r"python -m ([a-z_][a-z0-9_.]*[a-z0-9_])"))
def test_every_module_it_runs_exists(module):
    assert importlib.util.find_spec(module) is not None


@pytest.mark.parametrize("path", names(r"`((?:[\w.-]+/)+[\w.-]+\.\w+)`"))
def test_every_path_it_names_exists(path):
    # From the top, or inside a package its table row is about ("static/widget.js" in bot/web/).
    assert path.startswith(GENERATED) or (ROOT / path).exists() or next((ROOT / "bot").rglob(path), None)


@pytest.mark.parametrize("name", names(r"`([a-z_]+\.(?:py|js|css|html))`"))
def test_every_file_it_names_by_itself_exists_somewhere(name):
    assert next((ROOT / "bot").rglob(name), None) or next((ROOT / "actions").rglob(name), None)


@pytest.mark.parametrize("variable", names(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`"))
def test_every_environment_variable_it_names_is_read(variable):
    used = any(
        variable in path.read_text(encoding="utf-8", errors="ignore")
        for path in SOURCES
        if path.name != "test_readme.py"
    )
    assert used, f"{variable} is documented but nothing reads it"


def test_every_environment_variable_the_settings_read_is_documented():
    source = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:env|environ)\.get\("([A-Z_]+)"', source)) | set(
        re.findall(r'_(?:port|count)\(env, "([A-Z_0-9]+)"', source)
    )
    assert read and read <= set(names(r"`([A-Z][A-Z0-9_]+)`")), read - set(names(r"`([A-Z][A-Z0-9_]+)`"))
    assert environment({})  # and the defaults are valid


FILE_NAME = re.compile(r"\.(?:py|js|css|html|yml|md)$")  # `widget.js` is a file, not the setting widget.js


@pytest.mark.parametrize(
    "key",
    [k for k in names(r"`((?:[a-z_]+\.)+[a-z_]+)`") if k.split(".")[0] in SCHEMA and not FILE_NAME.search(k)],
)
def test_every_helpdesk_setting_it_names_exists(key):
    schema = SCHEMA
    for part in key.split("."):
        assert schema is not LEAF and (part in schema or NAMES in schema), key
        schema = schema.get(part, schema.get(NAMES))
