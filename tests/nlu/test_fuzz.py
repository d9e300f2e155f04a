"""Fuzz tests of the NLU: whatever a customer sends, the pipeline (through the
trained model) and its building blocks do not crash and answer within their
ranges. The inputs that once broke them have their own tests at the end."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.languages import LANGUAGES
from bot.nlu import chinese_script
from bot.nlu.language_detector import parse_hint
from bot.nlu.language_scorer import CHAT_WORDS, LangdetectVoter, LanguageScorer, Lexicon
from bot.nlu.mood_classifier import MOODS, style_features
from bot.nlu.multilingual_tokenizer import tokenize_text
from tests.fuzzing import JSON, LONE_SURROGATE, SCRIPTS, TEXTS, fuzz, long_text
from tests.servers import MODEL

# --- the NLU pipeline, through the trained model ---------------------------------


@pytest.fixture(scope="module")
def agent():
    from rasa.core.agent import Agent

    if not MODEL.exists():
        raise RuntimeError(f"no trained model at {MODEL}: run `make train`")
    return Agent.load(str(MODEL))


@pytest.fixture(scope="module")
def intents(agent) -> set:
    return set(agent.domain.intents)  # with Rasa's own, nlu_fallback among them


def check_parse(result: dict, text: str, intents: set) -> None:
    intent = result["intent"]
    assert intent["name"] is None or intent["name"] in intents
    assert 0.0 <= intent["confidence"] <= 1.0
    if "language" not in result:
        # "/intent" payloads (the widget's quick replies) skip the NLU pipeline.
        assert text.strip().startswith("/") and intent["name"] in intents
        return
    language, mood = result["language"], result["mood"]
    assert language["name"] in LANGUAGES and 0.0 <= language["confidence"] <= 1.0
    assert language.get("script") in (SCRIPTS if language["name"] == "zh" else {None})
    assert mood["name"] in MOODS and 0.0 <= mood["confidence"] <= 1.0
    entities = {e["entity"]: e["value"] for e in result["entities"]}
    assert entities["language"] == language["name"] and entities["mood"] == mood["name"]


# Text starting with "/" that names no intent: Rasa says it reads it as text, which is what is checked here.
@pytest.mark.filterwarnings("ignore:Failed to parse arguments in line:UserWarning")
@fuzz(80)
@given(text=TEXTS)
async def test_any_message_gets_an_intent_a_language_and_a_mood(agent, intents, text):
    check_parse(await agent.parse_message(text), text, intents)


@fuzz(4)
@given(text=long_text(5_000, 20_000))
async def test_huge_messages_parse_too(agent, intents, text):
    check_parse(await agent.parse_message(text), text, intents)


# --- the NLU building blocks, directly (cheap, so more examples) -----------------


@pytest.fixture(scope="module")
def scorer() -> LanguageScorer:
    # Word lists of the chat words alone: quick to build, and every path of
    # the scorer (known, unaccented and unknown words) still runs.
    lexicons = {lang: Lexicon.from_frequencies({w: 1e-3 for w in words}) for lang, words in CHAT_WORDS.items()}
    return LanguageScorer(lexicons, LangdetectVoter())


@fuzz(200)
@given(text=TEXTS, prior=st.dictionaries(st.sampled_from(LANGUAGES), st.floats(0, 100)))
def test_language_scores_are_probabilities_over_our_languages(scorer, text, prior):
    guess = scorer.guess(text, prior)
    assert guess.language in LANGUAGES and set(guess.scores) == set(LANGUAGES)
    assert all(0.0 <= p <= 1.0 for p in guess.scores.values())
    assert math.isclose(sum(guess.scores.values()), 1.0)
    assert guess.script in (SCRIPTS | {None} if guess.language == "zh" else {None})
    assert 0.0 <= scorer.known_share(text) <= 1.0


@fuzz(200)
@given(hint=st.one_of(JSON, st.text(max_size=20).map(lambda s: "zh-" + s), st.sampled_from(["pt-BR", "zh_TW", " ES "])))
def test_any_language_hint_is_one_of_ours_or_none(hint):
    language, script = parse_hint(hint)
    assert language in LANGUAGES + (None,)
    assert script in (SCRIPTS | {None} if language == "zh" else {None})


@fuzz(150)
@given(text=TEXTS)
def test_chinese_script_functions_take_any_text(text):
    assert chinese_script.detect_script(text) in SCRIPTS | {None}
    assert 0 <= chinese_script.han_count(text) <= len(text)
    assert isinstance(chinese_script.to_simplified(text), str)
    assert isinstance(chinese_script.to_traditional(text), str)


@fuzz(150)
@given(text=TEXTS, language=st.sampled_from(LANGUAGES + ("xx",)))
def test_tokens_point_at_their_own_text(text, language):
    end = 0
    for token in tokenize_text(text, language):
        assert text[token.start : token.end] == token.text and token.text
        assert token.start >= end  # in order, not overlapping
        assert isinstance(token.lemma, str)
        end = token.end


@fuzz(150)
@given(text=TEXTS)
def test_style_features_are_bounded(text):
    features = style_features(text)
    assert len(features) == 5 and all(0.0 <= f <= 1.0 for f in features)


# --- inputs that once broke the NLU, found by fuzzing ---------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tokenizer_takes_lone_surrogates(language):
    tokenize_text(f"oi {LONE_SURROGATE} 我", language)


async def test_a_lone_surrogate_does_not_crash_the_nlu_pipeline(agent, intents):
    text = f"oi {LONE_SURROGATE}"
    check_parse(await agent.parse_message(text), text, intents)


# Note, not a test: spaCy's tokenizer takes quadratic time on one run of
# punctuation or emoji without a space; the whole parse of "<" * 2,000 takes
# ~0.5 s, of "<" * 6,000 ~5 s, of "<" * 20,000 ~45 s. The web server refuses
# messages over 2,000 characters and Rasa listens on 127.0.0.1 only, so it is
# slow, not open to the internet.
