"""Article Markdown as the article pages show it: lists, headings and links
rendered; the source's own HTML shown as text; no unsafe addresses."""

from __future__ import annotations

import re

import pytest

from bot.kb.markdown import is_safe_url, to_html
from bot.kb.service import load_articles


def test_a_list_right_after_a_line_of_text_is_a_list():
    page = to_html("**Import from a file**\n1. Prepare it.\n2. Send it.\n\nText after.\n- one\n- two")
    assert "<p><strong>Import from a file</strong></p>\n<ol>\n<li>Prepare it.</li>\n<li>Send it.</li>\n</ol>" in page
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in page
    assert " - " not in page and "1." not in page


def test_sub_items_indented_by_three_spaces_are_nested():
    page = to_html("1. Check the status page.\n2. Tell us:\n   - the time;\n   - what you did.\n3. Wait.")
    assert re.sub(r"\s", "", page) == (
        "<ol><li>Checkthestatuspage.</li><li>Tellus:<ul><li>thetime;</li><li>whatyoudid.</li></ul></li>"
        "<li>Wait.</li></ol>"
    )


def test_a_number_in_the_middle_of_a_paragraph_starts_no_list():
    assert "<ol>" not in to_html("Since\n2024. was a good year")


def test_headings_emphasis_code_and_line_breaks():
    page = to_html("# Title\n## Part\nA *word*, a __strong__ one and `code <b>`.\nNext line.")
    assert "<h1>Title</h1>" in page and "<h2>Part</h2>" in page
    assert "<em>word</em>" in page and "<strong>strong</strong>" in page
    assert "<code>code &lt;b&gt;</code>" in page
    assert "<br>\nNext line." in page


def test_links_to_web_mail_and_local_addresses_are_kept():
    page = to_html("[site](https://example.com/a?b=1&c=2) [mail](mailto:help@example.com) [here](/kb/pt/x)")
    assert '<a href="https://example.com/a?b=1&amp;c=2">site</a>' in page
    assert '<a href="mailto:help@example.com">mail</a>' in page
    assert '<a href="/kb/pt/x">here</a>' in page


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "text <img src=x onerror=alert(1)> text",
        '<div onclick="alert(1)">block</div>',
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
    ],
)
def test_raw_html_in_the_source_is_shown_as_text(source):
    page = to_html(source)
    assert "<" not in re.sub(r"</?p>", "", page)
    assert "&lt;" in page


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](jav&#x61;script:alert(1))",
        "[click](java&#9;script:alert(1))",
        "[click](data:text/html,<script>alert(1)</script>)",
        "[click][r]\n\n[r]: javascript:alert(1)",
        "[click](vbscript:msgbox(1))",
    ],
)
def test_unsafe_links_lose_their_address_and_keep_their_text(source):
    page = to_html(source)
    assert "<a" not in page and "href" not in page and "click" in page


def test_an_image_at_an_unsafe_address_becomes_its_alt_text():
    page = to_html("![a chart](javascript:alert(1)) ![logo](https://example.com/logo.png)")
    assert "<span>a chart</span>" in page and "javascript" not in page
    assert '<img alt="logo" src="https://example.com/logo.png">' in page


@pytest.mark.parametrize(
    "url, safe",
    [
        ("https://example.com", True),
        ("HTTP://example.com", True),
        ("mailto:a@example.com", True),
        ("/kb/pt/x", True),
        ("#part", True),
        ("guide/part:two", True),  # no scheme: a relative path
        ("javascript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("&#106;avascript:alert(1)", False),
        ("data:text/html,x", False),
        ("file:///etc/passwd", False),
    ],
)
def test_which_addresses_are_safe(url, safe):
    assert is_safe_url(url) is safe


def test_a_project_article_renders_its_numbered_steps_and_bold_labels():
    article = load_articles().get("import-data", "pt")
    page = to_html("\n\n".join([article.answer, article.body]))
    assert page.count("<ol>") == 2 and page.count("<li>") >= 9
    assert "<strong>Configurações &gt; Importar dados</strong>" in page
