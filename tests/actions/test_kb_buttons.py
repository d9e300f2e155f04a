"""The "did you mean" buttons: the best match first, "none of these" last."""

from __future__ import annotations

from pathlib import Path

import pytest

import actions.kb as kb_actions
from actions.kb import ActionAnswerQuestion
from bot.kb.service import Match, load_knowledge_base
from tests.actions.test_kb_actions import run, tracker, with_thresholds

ARTICLES = ["import-data", "free-trial", "reset-password"]


def unsorted_matches(language: str):
    """Three articles, the best (0.50) in the middle: as a search might hand them over."""
    kb = load_knowledge_base()
    articles = [kb.get(article_id, language) for article_id in ARTICLES]
    return [Match(articles[0], 0.46), Match(articles[1], 0.50), Match(articles[2], 0.48)]


@pytest.mark.parametrize(
    "language, script, none_of_these",
    [
        ("pt", "Latn", "Nenhum destes"),
        ("es", "Latn", "Ninguno de estos"),
        ("vi", "Latn", "Không phải những mục này"),
        ("zh", "Hans", "都不是"),
        ("zh", "Hant", "都不是"),
    ],
)
async def test_the_best_choice_comes_first_and_none_of_these_last(monkeypatch, language, script, none_of_these):
    matches = unsorted_matches(language)

    async def search(_tracker):
        return matches

    monkeypatch.setattr(kb_actions, "search", search)
    with_thresholds(monkeypatch, answer=0.55, suggest=0.45)
    messages, slots = await run(ActionAnswerQuestion(), tracker("atendimento", language=language, script=script))
    buttons = messages[0]["buttons"]
    assert messages[0]["response"] == "utter_did_you_mean"
    best_first = [m.article for m in sorted(matches, key=lambda m: -m.score)]
    expected_titles = [
        kb_actions.for_script(a.title, tracker("x", language=language, script=script)) for a in best_first
    ]
    assert [b["title"] for b in buttons] == [*expected_titles, none_of_these]
    assert [b["payload"] for b in buttons][-1] == "/deny"
    assert [b["payload"] for b in buttons][:-1] == expected_titles  # a choice asks its title
    assert slots["kb_articles"] == ["free-trial", "reset-password", "import-data"]


def test_the_domain_adds_no_buttons_of_its_own_to_the_choices():
    """Rasa puts a response's own buttons before the action's: "none of these" would come first again."""
    import yaml

    domain = yaml.safe_load(Path("domain.yml").read_text(encoding="utf-8"))
    assert all(not variation.get("buttons") for variation in domain["responses"]["utter_did_you_mean"])
