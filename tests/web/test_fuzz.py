"""Fuzz tests of the web server: random bytes, odd JSON, random WebSocket
frames and text in every script get a clear refusal or an answer, never a
500, and the server keeps serving. The inputs that once broke it have their
own tests at the end."""

from __future__ import annotations

import itertools
import json

import pytest
from aiohttp import WSMsgType
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import given
from hypothesis import strategies as st

import bot.web.server as server
from bot.web.http import LOGIN_LIMITER
from bot.web.limits import MAX_MESSAGE_CHARS, RateLimiter
from tests.fuzzing import BODY_LIMIT, JSON, LONE_SURROGATE, TEXTS, fuzz, long_text
from tests.web import conftest as web_fixtures

rasa = web_fixtures.rasa  # the web server tests' stand-in Rasa, which echoes


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
