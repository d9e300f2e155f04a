"""Fuzz tests: whatever a customer or a script sends, the NLU pipeline does
not crash and the web server answers with a clear refusal, never a 500.

Hypothesis makes the input: text in every script, control and invisible
characters, emoji, whitespace, messages far over the size limits, random
bytes (invalid UTF-8 mostly), odd JSON, random WebSocket frames. It is
derandomised, so every run (and CI) tries the same examples.

The inputs that found bugs (lone surrogates, unknown charsets, corrupt
compressed bodies, oversize bodies) have their own tests at the end of the
file; the random strategies leave lone surrogates out, since such text is
refused (400) rather than echoed.
"""

from __future__ import annotations

import itertools
import json
import math

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.web.server as server
from bot.languages import LANGUAGES
from bot.nlu import chinese_script
from bot.nlu.language_detector import parse_hint
from bot.nlu.language_scorer import CHAT_WORDS, LangdetectVoter, LanguageScorer, Lexicon
from bot.nlu.mood_classifier import MOODS, style_features
from bot.nlu.multilingual_tokenizer import tokenize_text
from bot.web.http import LOGIN_LIMITER
from bot.web.limits import MAX_MESSAGE_CHARS, RateLimiter
from tests.servers import MODEL
from tests.web import conftest as web_fixtures

rasa = web_fixtures.rasa  # the web server tests' stand-in Rasa, which echoes

SCRIPTS = {"Hans", "Hant"}
BODY_LIMIT = 64 * 1024  # create_app's client_max_size


def fuzz(examples: int) -> settings:
    """The same examples on every run, no example database left in the working
    tree, and fixtures made once per test, not per example (on purpose)."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# --- what customers type ------------------------------------------------------

# Characters that trip up text handling: controls, invisible and format
# characters (zero-width, right-to-left), odd spaces and line breaks,
# combining marks, symbols and emoji, private use and unassigned code points.
ODD_CHARACTERS = st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "So", "Co", "Cn"])
PIECES = st.sampled_from(
    [
        "",
        " ",
        "\t",
        "\r\n",
        "\x00",
        "\u200b",
        "\u200d",
        "\ufeff",
        "\u202e",
        "\u0301",
        "\U000e0001",
        "🙂",
        "👍🏽",
        "👨‍👩‍👧",
        "🇧🇷",
        "ｏｋ",
        "ǅ",
        "ß",
        "İ",
        "ﬁ",
        "Ⅻ",
        "١٢٣",
        "ﷺ",
        "𝔸",
        "\U0010fffd",
        "ã",
        "ç",
        "ñ",
        "¿",
        "¡",
        "ă",
        "đ",
        "ơ",
        "ư",
        "ế",
        "我",
        "們",
        "请问",
        "請問",
        "帳號",
        "账号",
        "!!!",
        "???",
        "？？",
        "！",
        "<b>",
        "</script>",
        "http://x.y/z",
        "www.a.b",
        "a@b.co",
        "_",
        "...",
        "/",
        "/greet",
        '/greet{"language": "xx"}',
        "{",
        "}",
        "\\",
        '"',
    ]
)  # and letters only one of our languages has, markup, links, "/intent" payloads
WORDS = st.sampled_from(
    [
        "oi",
        "ola",
        "nao",
        "consigo",
        "entrar",
        "senha",
        "obrigado",
        "hola",
        "quiero",
        "cancelar",
        "gracias",
        "xin",
        "chào",
        "không",
        "được",
        "tài",
        "khoản",
        "我的",
        "登入",
        "不了",
        "ok",
        "haha",
        "QUERO",
        "CANCELAR",
        "qwzx",
        "vbnm",
        "app",
        "login",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=200),  # any Unicode but lone surrogates (tested at the end)
    st.text(ODD_CHARACTERS, max_size=50),
    st.lists(st.one_of(WORDS, PIECES, st.text(max_size=6)), max_size=25).map(" ".join),
    st.lists(st.one_of(WORDS, PIECES), max_size=25).map("".join),
)


def long_text(min_chars: int, max_chars: int) -> st.SearchStrategy[str]:
    """Text of min..max characters: a fuzzed piece, repeated.

    Pieces are joined with a space: one run of thousands of punctuation
    marks or emoji without a space takes spaCy's tokenizer quadratic time
    (see the final note of this file), which is not what this tests.
    """

    def repeat(piece: str, length: int) -> str:
        piece = piece + " "
        return (piece * (length // len(piece) + 1))[:length]

    return st.builds(repeat, TEXTS, st.integers(min_chars, max_chars))


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


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


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


# --- the web server ----------------------------------------------------------------

API = ("/api/messages", "/api/history", "/api/rating", "/api/sessions", "/api/agent/login")
FIELDS = ("session_id", "token", "text", "display", "language", "rating", "name", "password", "type")
CONTENT_TYPES = st.sampled_from(
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/octet-stream",
    ]
)
INVALID_UTF8 = st.sampled_from(
    [b"\xff", b"\xfe", b"\x80", b"\xc3", b"\xc0\xaf", b"\xe2\x82", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]
)


@pytest.fixture
async def web(rasa, tmp_path):
    app = server.create_app(
        str(rasa.make_url("")),
        f"sqlite:///{tmp_path / 'fuzz.db'}",
        agents={},
        messages_per_window=10**6,
        sessions_per_minute=10**6,  # fuzzing is no flood
    )
    app[LOGIN_LIMITER] = RateLimiter(limit=10**6, window=60)
    async with TestClient(TestServer(app)) as client:
        yield client


@pytest.fixture
async def customer(web) -> dict:
    return await web_fixtures.new_session(web)


async def answered_clearly(reply) -> None:
    """A 2xx, or a 4xx whose JSON body says what was wrong."""
    body = await reply.text()
    assert reply.status < 500, f"{reply.status}: {body[:300]}"
    if reply.status >= 400:
        error = json.loads(body)
        assert isinstance(error["error"], str) and isinstance(error["message"], str) and error["message"]


PINGS = itertools.count()


async def still_serving(web, customer) -> None:
    """The server is up and a customer's ordinary message still gets its reply."""
    assert (await web.get("/health")).status == 200
    text = f"still there? {next(PINGS)}"
    reply = await web.post("/api/messages", json={**customer, "text": text})
    assert reply.status == 200, await reply.text()
    assert [m["text"] for m in (await reply.json())["messages"]] == [f"echo: {text}"]


@fuzz(60)
@given(
    path=st.sampled_from(API),
    body=st.one_of(
        st.binary(max_size=500),
        st.tuples(st.binary(max_size=50), INVALID_UTF8, st.binary(max_size=50)).map(b"".join),
        st.binary(min_size=1, max_size=64).map(lambda b: b * 900),  # up to the size limit
    ),
    content_type=CONTENT_TYPES,
)
async def test_random_bytes_are_refused_clearly(web, customer, path, body, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    await answered_clearly(await web.post(path, data=body, headers=headers))
    await still_serving(web, customer)


@fuzz(60)
@given(
    path=st.sampled_from(API),
    body=st.one_of(JSON, st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=6)),
    signed=st.booleans(),
    broken=st.one_of(st.none(), st.tuples(st.floats(0, 1), INVALID_UTF8)),
)
async def test_odd_json_is_refused_clearly(web, customer, path, body, signed, broken):
    if signed and isinstance(body, dict):
        body = {**body, **customer}  # a real session with odd fields
    raw = json.dumps(body).encode()
    if broken:  # invalid UTF-8 somewhere in otherwise good JSON
        at, bad = int(broken[0] * len(raw)), broken[1]
        raw = raw[:at] + bad + raw[at:]
    await answered_clearly(await web.post(path, data=raw, headers={"Content-Type": "application/json"}))
    await still_serving(web, customer)


@fuzz(60)
@given(
    text=st.one_of(TEXTS, long_text(MAX_MESSAGE_CHARS - 5, MAX_MESSAGE_CHARS + 5), long_text(1, 5_000)),
    extra=st.dictionaries(st.sampled_from(["display", "language"]), JSON | TEXTS, max_size=2),
)
async def test_any_text_from_a_customer_is_answered_or_refused(web, customer, rasa, text, extra):
    reply = await web.post("/api/messages", json={**extra, **customer, "text": text})
    await answered_clearly(reply)
    sent = text.replace("\x00", "")  # what reaches Rasa
    if not sent.strip():
        assert (reply.status, (await reply.json())["error"]) == (400, "empty")
    elif len(sent) > MAX_MESSAGE_CHARS:
        assert (reply.status, (await reply.json())["error"]) == (413, "too_long")
    else:
        assert reply.status == 200
        assert [m["text"] for m in (await reply.json())["messages"]] == [f"echo: {sent}"]
        assert rasa.received[-1]["message"] == sent
    await still_serving(web, customer)


@fuzz(30)
@given(
    query=st.dictionaries(st.sampled_from(["session_id", "token", "x"]), st.text(max_size=80), max_size=3),
    own_id=st.booleans(),
)
async def test_websocket_with_odd_credentials_is_refused(web, customer, query, own_id):
    if own_id:
        query = {**query, "session_id": customer["session_id"]}
    if query.get("token") == customer["token"]:
        return
    reply = await web.get("/api/ws", params=query)
    assert reply.status == 401 and (await reply.json())["error"] == "unauthorized"
    await still_serving(web, customer)


def expected_reply(frame) -> str:
    """What the server answers a frame with: "echo" for a good message,
    otherwise an error event ("bad_request", "empty", "too_long")."""
    kind, data = frame
    try:
        message = json.loads(data) if kind == "text" else None
    except ValueError:
        message = None
    if not isinstance(message, dict) or message.get("type") != "message":
        return "bad_request"
    text = message.get("text")
    text = text.replace("\x00", "") if isinstance(text, str) else ""
    if not text.strip():
        return "empty"
    return "too_long" if len(text) > MAX_MESSAGE_CHARS else "echo"


FRAMES = st.one_of(
    st.tuples(st.just("text"), TEXTS),
    st.tuples(st.just("binary"), st.binary(max_size=300)),
    st.tuples(st.just("text"), JSON.map(json.dumps)),
    st.tuples(
        st.just("text"),
        st.fixed_dictionaries({"type": st.just("message") | JSON, "text": TEXTS | JSON}).map(json.dumps),
    ),
    st.tuples(st.just("text"), long_text(1, 3_000).map(lambda t: json.dumps({"type": "message", "text": t}))),
)


@fuzz(30)
@given(frames=st.lists(FRAMES, min_size=1, max_size=5))
async def test_random_websocket_frames_get_events_and_the_socket_stays_open(web, customer, frames):
    socket = await web.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    assert (await socket.receive_json(timeout=5))["type"] == "history"
    for kind, data in frames:
        await (socket.send_str(data) if kind == "text" else socket.send_bytes(data))
    ping = f"and now? {next(PINGS)}"
    await socket.send_json({"type": "message", "text": ping})
    replies = []
    while True:
        event = await socket.receive_json(timeout=5)  # fails if the server closed the socket
        assert event["type"] in ("typing", "message", "error"), event
        if event["type"] == "error":
            assert isinstance(event["message"], str) and event["message"]
            replies.append(event["code"])
        elif event["type"] == "message":
            if event["text"] == f"echo: {ping}":
                break
            replies.append("echo")
    assert replies == [expected_reply(frame) for frame in frames]
    await socket.close()
    await still_serving(web, customer)


async def test_a_body_over_the_limit_is_refused_and_the_server_keeps_serving(web, customer):
    reply = await web.post(
        "/api/messages", data=b"{" + b" " * BODY_LIMIT + b"}", headers={"Content-Type": "application/json"}
    )
    assert reply.status == 413
    await still_serving(web, customer)


async def test_a_websocket_frame_over_the_limit_closes_that_socket_only(web, customer):
    url = f"/api/ws?session_id={customer['session_id']}&token={customer['token']}"
    socket = await web.ws_connect(url)
    await socket.receive_json(timeout=5)
    await socket.send_str(json.dumps({"type": "message", "text": "x" * BODY_LIMIT}))
    closing = await socket.receive(timeout=5)
    assert closing.type in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.CLOSING)
    other = await web.ws_connect(url)
    assert (await other.receive_json(timeout=5))["type"] == "history"
    await other.close()
    await still_serving(web, customer)


# --- inputs that once broke the server or the NLU, found by fuzzing ---------------------

LONE_SURROGATE = "\ud800"  # valid in JSON ("\\ud800"), not encodable as UTF-8


@pytest.mark.parametrize(
    "path, field",
    [
        ("/api/messages", "text"),
        ("/api/messages", "display"),
        ("/api/history", "session_id"),
        ("/api/history", "token"),
        ("/api/agent/login", "name"),
    ],
)
async def test_lone_surrogates_are_refused_not_a_500(web, customer, path, field):
    body = {**customer, "text": "oi", "password": "x" * 12, "name": "ana", field: f"oi {LONE_SURROGATE}"}
    reply = await web.post(path, data=json.dumps(body), headers={"Content-Type": "application/json"})
    await answered_clearly(reply)
    assert reply.status == 400
    await still_serving(web, customer)


async def test_lone_surrogate_over_the_websocket_is_an_error_event(web, customer):
    socket = await web.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    await socket.receive_json(timeout=5)
    await socket.send_str(json.dumps({"type": "message", "text": f"oi {LONE_SURROGATE}"}))
    assert (await socket.receive_json(timeout=5))["type"] == "error"
    await socket.close()


@pytest.mark.parametrize("charset", ["no-such-charset", "rot13"])
async def test_an_unknown_charset_is_refused_not_a_500(web, customer, charset):
    reply = await web.post(
        "/api/history", data=json.dumps(customer), headers={"Content-Type": f"application/json; charset={charset}"}
    )
    await answered_clearly(reply)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
async def test_a_corrupt_compressed_body_is_refused_not_a_500(web, customer, encoding):
    reply = await web.post(
        "/api/history",
        data=b"not compressed at all",
        headers={"Content-Type": "application/json", "Content-Encoding": encoding},
    )
    await answered_clearly(reply)


async def test_a_body_over_the_limit_gets_a_json_error(web, customer):
    reply = await web.post(
        "/api/messages", data=b"{" + b" " * BODY_LIMIT + b"}", headers={"Content-Type": "application/json"}
    )
    await answered_clearly(reply)


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
