"""Markdown from an export made safe and shaped for an article file.

- `sanitize_markdown`: Markdown written by people or help desks (Chatwoot,
  CSV answers, .md files) may hold raw HTML: script, style, iframe, object,
  embed and form elements go with their contents, other tags go and their
  text stays, HTML comments go.
- `finish`: links and images whose address is not http(s), mailto, tel or
  relative (javascript:, data:, vbscript:...) lose the address and keep their
  text; text that reads like a tag (`<div>` written as `&lt;div&gt;`) becomes
  inline code, so no raw HTML is left; `<https://...>` autolinks become
  [https://...](https://...); blank lines tidied.
- `answer_first`: the first paragraph is the answer the assistant gives, so a
  heading repeating the title is dropped and, when the article starts with a
  heading or a list, its first plain paragraph is moved to the top.

Fenced code blocks and inline code are left as written.
"""

from __future__ import annotations

import html
import re
from typing import Callable, List, Optional, Tuple

SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
DROPPED_ELEMENTS = (
    "script|style|iframe|object|embed|form|noscript|template|svg|math|applet|frameset|frame|noembed|noframes"
    "|textarea|select|button|canvas|audio|video"
)

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
DANGEROUS_BLOCK = re.compile(
    rf"<({DROPPED_ELEMENTS})\b[^>]*>(?:.*?</\1\s*>|.*?(?=\n[ \t]*\n)|.*\Z)", re.DOTALL | re.IGNORECASE
)
DANGEROUS_END = re.compile(rf"</({DROPPED_ELEMENTS})\s*>", re.IGNORECASE)
TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<![A-Za-z][^<>]*>|<\?[^<>]*\?>")
BREAK_TAG = re.compile(r"<br\s*/?>", re.IGNORECASE)
BLOCK_END_TAG = re.compile(r"</(?:p|div|h[1-6]|li|ul|ol|table|tr|blockquote|pre|section|article)\s*>", re.IGNORECASE)
# [text](address "title") and ![alt](address); one level of parentheses in the address.
LINK = re.compile(
    r"(?P<image>!?)\[(?P<text>(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*)\]"
    r"\(\s*(?P<address><[^<>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
)
REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*(?P<address><[^<>\n]*>|\S+).*$", re.MULTILINE)
AUTOLINK = re.compile(r"<(?P<address>[A-Za-z][A-Za-z0-9+.-]*:[^<>\s]*)>")
SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f]+")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
IMAGE_ONLY = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")
SETEXT = re.compile(r"^(?P<text>[^\n]+)\n {0,3}(?:=+|-+)[ \t]*$")


def safe_address(address: str) -> bool:
    """http(s), mailto, tel or a relative address; after the tricks browsers
    forgive (entities, spaces and control characters inside `javascript:`)."""
    plain = CONTROL.sub("", html.unescape(address.strip().strip("<>"))).lower()
    scheme = SCHEME.match(plain)
    return scheme is None or scheme.group(1) in SAFE_SCHEMES


def sanitize_markdown(text: str) -> str:
    """Markdown with raw HTML in it made plain Markdown (see the module's doc)."""

    def outside_inline_code(chunk: str) -> str:
        chunk = COMMENT.sub("", chunk)
        chunk = DANGEROUS_BLOCK.sub("", chunk)
        chunk = DANGEROUS_END.sub("", chunk)
        return _outside(INLINE_CODE, chunk, _strip_tags)

    return finish(_outside_fences(_newlines(text), outside_inline_code))


def finish(markdown: str) -> str:
    """Unsafe links out, tag-like text as inline code, blank lines tidied."""

    def outside_code(chunk: str) -> str:
        chunk = _neutralise_links(chunk)
        return _outside(INLINE_CODE, chunk, _literal_tags_as_code)

    text = _outside_fences(_newlines(markdown), outside_code)
    lines = [line if line.strip() else "" for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n").rstrip()


def answer_first(markdown: str, title: str) -> str:
    """The first paragraph is the chat answer: see the module's doc."""
    blocks = blocks_of(markdown)
    heading = (HEADING.match(blocks[0]) if "\n" not in blocks[0] else SETEXT.match(blocks[0])) if blocks else None
    if heading and _same_words(heading.group("text"), title):
        blocks = blocks[1:]
    if blocks and not is_prose(blocks[0]):
        first = next((i for i, block in enumerate(blocks) if is_prose(block)), None)
        if first is not None:
            blocks.insert(0, blocks.pop(first))
    return "\n\n".join(blocks)


def blocks_of(markdown: str) -> List[str]:
    """Paragraphs split on blank lines, a fenced code block kept whole."""
    blocks: List[str] = []
    current: List[str] = []
    fence: Optional[str] = None
    for line in markdown.split("\n"):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0] * 3
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        if fence is None and not line.strip():
            if current:
                blocks.append("\n".join(current).strip("\n"))
            current = []
        else:
            current.append(line)
    if current:
        blocks.append("\n".join(current).strip("\n"))
    return [b for b in blocks if b.strip()]


def is_prose(block: str) -> bool:
    first = block.split("\n", 1)[0]
    if first.startswith(("    ", "\t")):
        return False
    line = first.strip()
    return not (
        line.startswith(("#", ">", "|", "```", "~~~"))
        or LIST_ITEM.match(line)
        or RULE.match(line)
        or IMAGE_ONLY.match(line)
        or SETEXT.match(block)
        or not any(c.isalnum() for c in line)
    )


def _same_words(heading: str, title: str) -> bool:
    def words(text: str) -> str:
        return " ".join(re.sub(r"[*_`\\]", "", text).casefold().split())

    return words(heading) == words(title)


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u200b", "")


def _outside_fences(text: str, transform: Callable[[str], str]) -> str:
    """`transform` applied to the text between fenced code blocks (a fence
    never closed is text: nothing hides behind a stray one)."""
    segments: List[Tuple[bool, List[str]]] = [(False, [])]
    fence: Optional[str] = None
    for line in text.split("\n"):
        opening = FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0] * 3
            segments.append((True, [line]))
        elif fence is not None:
            segments[-1][1].append(line)
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
                segments.append((False, []))
        else:
            segments[-1][1].append(line)
    if fence is not None:
        segments[-1] = (False, segments[-1][1])
    return "\n".join("\n".join(lines) if code else transform("\n".join(lines)) for code, lines in segments if lines)


def _outside(pattern: re.Pattern, text: str, transform: Callable[[str], str]) -> str:
    """`transform` applied to the text between the matches of `pattern`."""
    out: List[str] = []
    position = 0
    for match in pattern.finditer(text):
        out.append(transform(text[position : match.start()]))
        out.append(match.group(0))
        position = match.end()
    out.append(transform(text[position:]))
    return "".join(out)


def _strip_tags(text: str) -> str:
    text = BREAK_TAG.sub("\n", text)
    text = BLOCK_END_TAG.sub("\n\n", text)
    text = TAG.sub("", text)
    # Entities written as such (&nbsp;, &amp;) as their characters; a tag
    # written with entities becomes inline code in `finish`.
    return html.unescape(text)


def _neutralise_links(text: str) -> str:
    def link(match: re.Match) -> str:
        if safe_address(match.group("address")):
            return match.group(0)
        return match.group("text")

    text = LINK.sub(link, text)
    text = REFERENCE.sub(lambda m: m.group(0) if safe_address(m.group("address")) else "", text)
    # <https://...> as [https://...](https://...): the article pages escape "<".
    return AUTOLINK.sub(
        lambda m: f"[{m.group('address')}]({m.group('address')})" if safe_address(m.group("address")) else "", text
    )


def _literal_tags_as_code(text: str) -> str:
    return TAG.sub(lambda m: f"`{m.group(0)}`" if "`" not in m.group(0) else "", text)
