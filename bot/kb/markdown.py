"""Article Markdown as safe HTML, for the article pages (bot/web/pages.py).

python-markdown (the Markdown package Rasa already depends on) with the
source's own HTML switched off: raw HTML in an article is shown as text,
never passed through, and a link or image whose address is not a web, mail
or local one loses it (no javascript: links). So an article is text, never
markup of its own, whoever wrote or imported it.

Two habits of the articles are read as CommonMark reads them, where
python-markdown would not: a list right after a line of text (no blank line
between), and sub-items indented by two or three spaces. A single line
break is a line break, as in the chat.
"""

from __future__ import annotations

import html
import re
from typing import List
from xml.etree import ElementTree

import markdown
from markdown import util
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

SAFE_SCHEMES = ("http", "https", "mailto")
SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
# Ignored by browsers inside a URL's scheme ("java\tscript:"), so ignored here too.
INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
LIST_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}\.)[ \t]+\S")


def is_safe_url(url: str) -> bool:
    """A web, mail or local (scheme-less) address, entities and all."""
    url = INVISIBLE.sub("", html.unescape(url.replace(util.AMP_SUBSTITUTE, "&")))
    scheme = SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


class _ListsAsCommonMark(Preprocessor):
    """A blank line before a list that follows text, and nested items
    indented by python-markdown's four spaces a level."""

    def run(self, lines: List[str]) -> List[str]:
        out: List[str] = []
        indents: List[int] = []  # the indentation of each open list level
        for line in lines:
            item = LIST_ITEM.match(line)
            if item is None:
                if line.strip() and not line.startswith(" "):
                    indents = []  # text at the margin ends the list
                out.append(line)
                continue
            indent, marker = len(item.group(1)), item.group(2)
            if not indents:
                # Like CommonMark, only a bullet or "1." may interrupt a
                # paragraph: "2024. was a good year" stays text.
                if out and out[-1].strip():
                    if marker[0].isdigit() and marker != "1.":
                        out.append(line)
                        continue
                    out.append("")
                indents = [indent]
            else:
                while len(indents) > 1 and indent < indents[-1]:
                    indents.pop()
                if indent > indents[-1]:
                    indents.append(indent)
            out.append("    " * (len(indents) - 1) + line.lstrip(" "))
        return out


class _SafeAddresses(Treeprocessor):
    """A link to an unsafe address becomes its text; an image, its alt text."""

    def run(self, root: ElementTree.Element) -> None:
        for element in root.iter():
            if element.tag == "a" and not is_safe_url(element.get("href", "")):
                element.tag = "span"
                element.attrib.clear()
            elif element.tag == "img" and not is_safe_url(element.get("src", "")):
                alt = element.get("alt", "")
                element.tag = "span"
                element.attrib.clear()
                element.text = alt


def to_html(source: str) -> str:
    """The article's Markdown as HTML, with nothing of the source's own markup."""
    md = markdown.Markdown(extensions=["sane_lists", "nl2br"], output_format="html")
    md.preprocessors.deregister("html_block")  # raw HTML blocks: text
    md.inlinePatterns.deregister("html")  # inline tags: text
    md.preprocessors.register(_ListsAsCommonMark(md), "lists_as_commonmark", 25)
    # After "unescape" (0), when every address is in its final form.
    md.treeprocessors.register(_SafeAddresses(md), "safe_addresses", -10)
    return md.convert(source)
