"""How a message is typed does not change what the assistant understands.

Over the whole test set (tests/eval/test.yml), through the trained model:
adding or removing the final full stop, lower-casing the first letter,
stripping accents and diacritics, and writing Chinese in the other script
must leave both the intent and the mood as they were for at least 97 % of
the messages each change applies to.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Dict

import pytest
import yaml

from bot.invariance import TRANSFORMATIONS, lower_first_letter, measure, strip_marks, switch_script, toggle_full_stop

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "helpdesk.tar.gz"
TEST_SET = ROOT / "tests" / "eval" / "test.yml"
BAR = 0.97


@pytest.fixture(scope="module")
def figures():
    from rasa.core.agent import Agent

    from bot.evaluate import quiet_rasa_logs

    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make train`")
    quiet_rasa_logs()
    agent = Agent.load(str(MODEL))
    loop = asyncio.new_event_loop()
    seen: Dict[str, tuple] = {}

    def parse(text: str) -> tuple:
        if text not in seen:
            result = loop.run_until_complete(agent.parse_message(text))
            seen[text] = ((result.get("intent") or {}).get("name"), (result.get("mood") or {}).get("name"))
        return seen[text]

    yield measure(parse, yaml.safe_load(TEST_SET.read_text(encoding="utf-8")))
    loop.close()


@pytest.mark.parametrize("name", TRANSFORMATIONS)
def test_typing_changes_neither_intent_nor_mood(figures, name):
    overall = figures[name]["overall"]
    assert overall["n"] >= 100, f"{name}: only {overall['n']} test messages to change"
    assert overall["share"] >= BAR, f"{name}: intent and mood kept for {overall['stable']} of {overall['n']} messages"


def test_the_changes_are_the_ones_described():
    assert toggle_full_stop("Quero saber o horário.") == "Quero saber o horário"
    assert toggle_full_stop("Quero saber o horário") == "Quero saber o horário."
    assert toggle_full_stop("价格") == "价格。"
    assert toggle_full_stop("tem desconto?") == "tem desconto?"
    assert lower_first_letter("Tôi muốn đổi mật khẩu") == "tôi muốn đổi mật khẩu"
    assert strip_marks("Tôi muốn đổi mật khẩu, não") == "Toi muon doi mat khau, nao"
    assert switch_script("请问价格") == "請問價格" and switch_script("請問價格") == "请问价格"
