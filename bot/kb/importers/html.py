"""HTML from a help desk's export made sanitised Markdown (with markdownify).

Dropped with their contents: script, style, iframe, object, embed, form (and
the other active or invisible elements in markdown_text.DROPPED_ELEMENTS),
comments. Links and images keep their text but lose an address that is not
http(s), mailto, tel or relative (javascript:, data:, vbscript:...);
relative ones are made absolute against the article's own address when the
export gives it. Headings, lists, links, emphasis, code, quotes, tables and
paragraphs stay; every other tag leaves only its text: the result is plain
Markdown, no raw HTML.
"""

from __future__ import annotations

from typing import Optional
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction
from markdownify import ATX, MarkdownConverter

from bot.kb.importers.markdown_text import DROPPED_ELEMENTS, finish, safe_address

DROPPED = tuple(DROPPED_ELEMENTS.split("|")) + ("head", "title", "meta", "link", "base", "input", "source", "track")


def parse_html(text: str) -> BeautifulSoup:
    return BeautifulSoup(text, "html.parser")  # Python's own parser: no lxml to install


def html_to_markdown(text: str, base_url: Optional[str] = None) -> str:
    """Sanitised Markdown of an HTML fragment or page (its <body>)."""
    soup = parse_html(text)
    return soup_to_markdown(soup.body or soup, base_url)


def soup_to_markdown(root: Tag, base_url: Optional[str] = None) -> str:
    """Sanitised Markdown of a parsed element (sanitised in place)."""
    sanitize(root, base_url)
    converter = MarkdownConverter(heading_style=ATX, bullets="-", autolinks=False, strip_document=None)
    return finish(converter.convert_soup(root))


def sanitize(root: Tag, base_url: Optional[str] = None) -> None:
    """In place: the dropped elements, comments, event handlers and unsafe addresses out."""
    for node in root.find_all(string=lambda s: isinstance(s, Comment | Declaration | Doctype | ProcessingInstruction)):
        node.extract()
    for tag in root.find_all(DROPPED):
        tag.decompose()
    for tag in root.find_all(True):
        for name in [a for a in tag.attrs if a.lower().startswith("on") or a.lower() in ("style", "srcset")]:
            del tag.attrs[name]
        if tag.name == "a":
            href = tag.get("href")
            if not isinstance(href, str) or not href.strip() or not safe_address(href):
                tag.unwrap()
            else:
                tag["href"] = _absolute(href.strip(), base_url)
        elif tag.name == "img":
            src = tag.get("src")
            if not isinstance(src, str) or not src.strip() or not safe_address(src):
                alt = tag.get("alt")
                tag.replace_with(alt if isinstance(alt, str) else "")
            else:
                tag["src"] = _absolute(src.strip(), base_url)


def _absolute(address: str, base_url: Optional[str]) -> str:
    if not base_url or not base_url.lower().startswith(("http://", "https://")):
        return address
    if address.startswith("#") or ":" in address.split("/", 1)[0]:
        return address
    return urljoin(base_url, address)
