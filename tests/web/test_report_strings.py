"""Every string of the report page (report.js, report.html) exists in the six
console languages, and no two languages share a translation by mistake where
the words differ."""

from __future__ import annotations

import json
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "bot" / "web" / "static"
LANGUAGES = ("en", "pt", "es", "vi", "zh-Hans", "zh-Hant")


def registered() -> dict:
    source = (STATIC / "report.js").read_text(encoding="utf-8")
    start = source.index("Desk.strings(") + len("Desk.strings(")
    end = source.rindex("});") + 1
    return json.loads(source[start:end])


def used() -> set:
    script = (STATIC / "report.js").read_text(encoding="utf-8")
    page = (STATIC / "report.html").read_text(encoding="utf-8")
    keys = set(re.findall(r't\("(report\.[\w.]*\w)"', script))
    keys |= set(re.findall(r'data-i18n="(report\.[\w.]+)"', page))
    # Keys made from codes: the outcomes and the definitions.
    keys |= {f"report.outcome.{name}" for name in ("bot_resolved", "bot_failed", "person", "too_early")}
    for name in ("deflection", "reopen", "csat", "first_response", "period"):
        keys |= {f"report.def.{name}", f"report.def.{name}.name"}
    return keys - {"report.title"}  # the page title is the console's (agent-strings.js)


def test_every_report_string_is_there_in_the_six_languages():
    tables = registered()
    assert set(tables) == set(LANGUAGES)
    wanted = used()
    for language in LANGUAGES:
        assert wanted <= set(tables[language]), (language, sorted(wanted - set(tables[language])))
        assert set(tables[language]) == set(tables["en"]), language
        placeholders = {key: set(re.findall(r"\{\w+\}", text)) for key, text in tables[language].items()}
        assert placeholders == {key: set(re.findall(r"\{\w+\}", text)) for key, text in tables["en"].items()}


def test_the_translations_are_translated():
    tables = registered()
    for language in LANGUAGES[1:]:
        same = [
            key
            for key, text in tables[language].items()
            if text == tables["en"][key] and re.search("[a-z]{4}", re.sub(r"\{\w+\}", "", text))
        ]
        assert same == [], (language, same)  # (a name like "CSAT" may stay as it is)
    simplified, traditional = tables["zh-Hans"], tables["zh-Hant"]
    assert simplified["report.by_reason"] != traditional["report.by_reason"]
