"""What the fuzz tests throw (tests/nlu/test_fuzz.py, tests/web/test_fuzz.py):
hypothesis strategies for what customers type, and the settings every fuzz
test runs with (derandomised: every run and CI tries the same examples)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

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


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


LONE_SURROGATE = "\ud800"  # valid in JSON ("\\ud800"), not encodable as UTF-8
