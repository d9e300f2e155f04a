"""Suggested answers for an agent: the knowledge base's best articles for a
customer's message, each article's answer in the agent's language beside the
same article's answer in the customer's language and script.

The search is the bot's own (`KnowledgeBase.search` in the customer's
language, the same ranking the answering action uses), so the agent sees what
the bot would have answered, and the answer text is what the bot would have
sent: the article's first paragraph with the contact details filled in.

The action server runs `suggest` (it has the search engine loaded; the web
server must not import it): bot/action_server.py answers POST
/kb/suggestions, and the web server asks through bot/web/kb_client.py. This
module imports no numpy, Rasa or OpenCC at import time: `Suggestion` is the
one definition both sides share.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple

from bot.languages import LANGUAGES

if TYPE_CHECKING:
    from bot.kb.articles import Article
    from bot.kb.service import KnowledgeBase

MAX_SUGGESTIONS = 3
MAX_QUESTION_CHARS = 1000  # as the answering action: the search needs the gist

# A console language (bot/helpdesk/agents.py CONSOLE_LANGUAGES) as the
# knowledge base's language and Chinese script. English has no articles: an
# English-speaking agent sees the customer's own version (see `suggest`).
CONSOLE_TO_KB: Dict[str, Optional[Tuple[str, Optional[str]]]] = {
    "en": None,
    "pt": ("pt", None),
    "es": ("es", None),
    "vi": ("vi", None),
    "zh-Hans": ("zh", "Hans"),
    "zh-Hant": ("zh", "Hant"),
}

# Where to look when an article lacks the wanted language, before the
# customer's version and the rest: a Portuguese reader follows Spanish far
# better than Vietnamese or Chinese, and the other way round.
CLOSEST: Dict[str, Tuple[str, ...]] = {"pt": ("es",), "es": ("pt",), "vi": (), "zh": ()}


class BadRequest(ValueError):
    """A suggestions request that cannot be answered as asked."""


@dataclass(frozen=True)
class Suggestion:
    """One article, as the agent reads it and as the customer would."""

    article_id: str
    title: str  # in the agent's language (agent_language)
    agent_text: str
    agent_language: str  # the version shown: "pt", "vi", "zh-Hant"... differs from the agent's when missing
    customer_title: str
    customer_text: str  # ready to send: the customer's language and script
    customer_language: str
    score: float

    def as_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Suggestion:
        """From the JSON the action server sends (ValueError when it is not that)."""
        try:
            return cls(
                article_id=str(data["article_id"]),
                title=str(data["title"]),
                agent_text=str(data["agent_text"]),
                agent_language=str(data["agent_language"]),
                customer_title=str(data["customer_title"]),
                customer_text=str(data["customer_text"]),
                customer_language=str(data["customer_language"]),
                score=float(data["score"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a suggestion: {error}") from None


def reader_language(language: str, script: Optional[str]) -> str:
    """How a reader's language is labelled: "vi", "zh-Hant" (Chinese is
    Simplified unless the reader writes Traditional)."""
    if language == "zh":
        return "zh-Hant" if script == "Hant" else "zh-Hans"
    return language


def in_script(text: str, language: str, script: Optional[str]) -> str:
    """Chinese text in the reader's script (OpenCC, as the bot's own replies)."""
    if language != "zh" or not text:
        return text
    from bot.nlu import chinese_script

    written = chinese_script.detect_script(text)
    if script == chinese_script.TRADITIONAL and written != chinese_script.TRADITIONAL:
        return chinese_script.to_traditional(text)
    if script != chinese_script.TRADITIONAL and written == chinese_script.TRADITIONAL:
        return chinese_script.to_simplified(text)
    return text


MARKDOWN_LINK = re.compile(r"\[([^\]\n]+)\]\(([^)\s]+)\)")
MARKDOWN_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
MARKDOWN_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
MARKDOWN_CODE = re.compile(r"`([^`\n]+)`")
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_\[\]()#+\-.!])")


def plain_text(markdown: str) -> str:
    """An answer as a person types it: the widget shows an agent's message as
    typed (only the bot's is Markdown, widget.js), so "**Forgot password**"
    becomes "Forgot password" and a link "[text](url)" becomes "text (url)".
    Lists and line breaks stay."""
    # Escaped marks ("\\*") are set aside first: they are text, not marks.
    escaped: List[str] = []

    def set_aside(match: re.Match) -> str:
        escaped.append(match.group(1))
        return f"\ue000{len(escaped) - 1}\ue001"

    text = MARKDOWN_ESCAPE.sub(set_aside, markdown)
    text = MARKDOWN_LINK.sub(lambda m: m.group(1) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", text)
    text = MARKDOWN_CODE.sub(r"\1", text)
    text = MARKDOWN_STRONG.sub(r"\2", text)
    text = MARKDOWN_EMPHASIS.sub(r"\2", text)
    return re.sub("\ue000(\\d+)\ue001", lambda m: escaped[int(m.group(1))], text)


def answer_text(article: Article) -> str:
    """What the bot sends of an article (actions/kb.py `chat_text`): its answer
    paragraph with the contact details filled in, as plain text."""
    from bot.settings import get_settings

    return plain_text(get_settings().contact.fill(article.answer.strip(), article.language))


def closest_version(kb: KnowledgeBase, article_id: str, language: str, then: str) -> Optional[Article]:
    """The article in `language`, else the closest language that has it, else
    `then` (the customer's), else any (the knowledge base's fallback order)."""
    articles = kb.collection.articles
    for candidate in (language, *CLOSEST.get(language, ()), then, *kb.fallback_order):
        article = articles.get(candidate, {}).get(article_id)
        if article is not None:
            return article
    return None


def suggest(
    kb: KnowledgeBase,
    text: str,
    customer_language: str,
    customer_script: Optional[str],
    agent_language: str,
    limit: int = MAX_SUGGESTIONS,
    threshold: Optional[float] = None,
) -> List[Suggestion]:
    """The best articles for `text` (at most `limit`, best first, none below
    `threshold`: by default the score at which the bot itself offers an
    article). BadRequest for a language nobody speaks here."""
    if customer_language not in LANGUAGES:
        raise BadRequest(f"unknown customer language {customer_language!r}: use one of {', '.join(LANGUAGES)}")
    if agent_language not in CONSOLE_TO_KB:
        raise BadRequest(f"unknown agent language {agent_language!r}: use one of {', '.join(CONSOLE_TO_KB)}")
    if customer_script not in (None, "Hans", "Hant"):
        raise BadRequest(f"unknown script {customer_script!r}: use Hans or Hant")
    text = text[:MAX_QUESTION_CHARS]
    if not text.strip() or text.startswith("/"):  # "/request_human": a button click, not a question
        return []
    if threshold is None:
        from bot.settings import get_settings

        threshold = get_settings().knowledge_base.suggest_threshold
    # An English-speaking agent: there are no English articles, and a third
    # language would help no more than the customer's own, so the agent sees
    # the text that would be sent (a browser can translate it on the spot).
    agent_language, agent_script = CONSOLE_TO_KB[agent_language] or (customer_language, customer_script)
    suggestions = []
    for match in kb.search(text, customer_language, max(1, min(limit, MAX_SUGGESTIONS))):
        if match.score < threshold:
            break
        customer = closest_version(kb, match.article_id, customer_language, customer_language) or match.article
        agent = closest_version(kb, match.article_id, agent_language, customer.language) or customer
        agent_script_here = agent_script if agent.language == agent_language else customer_script
        suggestions.append(
            Suggestion(
                article_id=match.article_id,
                title=in_script(agent.title, agent.language, agent_script_here),
                agent_text=in_script(answer_text(agent), agent.language, agent_script_here),
                agent_language=reader_language(agent.language, agent_script_here),
                customer_title=in_script(customer.title, customer.language, customer_script),
                customer_text=in_script(answer_text(customer), customer.language, customer_script),
                customer_language=reader_language(customer.language, customer_script),
                score=match.score,
            )
        )
    return suggestions
