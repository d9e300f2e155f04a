"""Answer questions and problems from the knowledge base, and take feedback.

The tone follows the customer's mood (domain.yml has the wording): an angry
customer hears an apology first and is offered a person, a confused one gets
the simple version and a check that it was clear, a curious one gets
something more to explore (trial, demo).
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import automatic_reason, counted_reason, escalate
from actions.replies import is_only_a_reply
from bot.helpdesk import feedback, gaps
from bot.kb.articles import Article
from bot.kb.service import Match, load_knowledge_base
from bot.nlu import chinese_script
from bot.settings import environment, get_settings

logger = logging.getLogger(__name__)

SLOT_ARTICLES = "kb_articles"
SLOT_UNHELPFUL = "kb_unhelpful_count"
SLOT_NO_ARTICLE = "kb_no_article_count"
# Articles that already are the "something more" a curious customer gets.
EXPLORE_ARTICLES = {"free-trial", "book-a-demo"}
MAX_QUESTION_CHARS = 1000  # the search needs the gist, not a whole essay
# The last of the "did you mean" buttons (Chinese is converted for a Traditional-script customer).
NONE_OF_THESE = {"pt": "Nenhum destes", "es": "Ninguno de estos", "vi": "Không phải những mục này", "zh": "都不是"}


def conversation_language(tracker: Tracker) -> str:
    return tracker.get_slot("language") or get_settings().default_language


def article_url(article: Article) -> str:
    if article.url:
        return article.url
    return get_settings().knowledge_base.article_url.format(
        public_url=environment().public_url, lang=article.language, id=article.id
    )


def for_script(text: str, tracker: Tracker) -> str:
    """Text the action writes itself (button titles) in the customer's script."""
    if tracker.get_slot("language") == "zh" and tracker.get_slot("script") == chinese_script.TRADITIONAL:
        return chinese_script.to_traditional(text)
    return text


def chat_text(markdown: str, language: str) -> str:
    """An answer for the chat: the first paragraph at most, contact details
    filled in, its Markdown (bold, italics, lists, links) kept for the
    widget to render."""
    first = re.split(r"\n\s*\n", markdown.strip(), maxsplit=1)[0]
    return get_settings().contact.fill(first, language)


MARKDOWN_MARKS = re.compile(r"([\\`*_\[\]])")


def markdown_literal(text: str) -> str:
    """Text shown as it is inside a Markdown message (an article's title)."""
    return MARKDOWN_MARKS.sub(r"\\\1", text)


def read_more_url(article: Article, tracker: Tracker) -> str:
    """The article's address for a Markdown link; our own Chinese page in
    Traditional script for a customer who writes it."""
    url = article_url(article)
    if (
        not article.url
        and article.language == "zh"
        and tracker.get_slot("language") == "zh"
        and tracker.get_slot("script") == chinese_script.TRADITIONAL
    ):
        url += ("&" if "?" in url else "?") + "script=hant"
    # Inside "[Read more](...)", a space or a parenthesis would end the address.
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


async def search(tracker: Tracker) -> List[Match]:
    """The three best articles for the latest message, in the conversation's language."""
    text = (tracker.latest_message.get("text") or "")[:MAX_QUESTION_CHARS]
    if not text.strip():
        return []
    # In a thread: a first search or a reload builds indexes, which must not
    # stop the action server's other conversations.
    return await asyncio.to_thread(load_knowledge_base().search, text, conversation_language(tracker), 3)


def _count(tracker: Tracker, slot: str) -> int:
    return int(tracker.get_slot(slot) or 0)


def asked_question(tracker: Tracker) -> str:
    """The customer's message before the latest one (the question a "no" answers)."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return texts[-2] if len(texts) >= 2 else ""


def suggestions_pending(tracker: Tracker) -> bool:
    """Whether the bot's turn before the latest message offered "did you mean" buttons."""
    passed_latest = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if passed_latest:
                return False
            passed_latest = True
        elif passed_latest and event.get("event") == "bot":
            if (event.get("metadata") or {}).get("utter_action") == "utter_did_you_mean":
                return True
    return False


async def record_gap(tracker: Tracker, text: str, kind: str, articles_tried: List[str]) -> None:
    """Keep a question the bot could not answer for "articles to write"
    (bot/helpdesk/gaps.py). Never fails the chat: problems are logged."""
    text = text[:MAX_QUESTION_CHARS]
    if not text.strip() or text.startswith("/"):
        return

    def keep() -> None:
        try:
            from bot.kb.embeddings import embed_queries

            vector = embed_queries([text])[0]
        except Exception as error:  # the question is still kept, grouped by its text
            logger.warning("knowledge-base gap kept without its vector: %s", error)
            vector = None
        gaps.record_gap(tracker.sender_id, conversation_language(tracker), text, kind, articles_tried, vector)

    await asyncio.to_thread(keep)


class ActionAnswerQuestion(Action):
    """Answers ask_question / report_problem messages from the articles."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        reason = automatic_reason(tracker)
        if reason:
            return await escalate(dispatcher, tracker, reason)
        return await self.answer(dispatcher, tracker)

    async def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """The best article, "did you mean" buttons, or "no article"."""
        matches = await search(tracker)
        language = conversation_language(tracker)
        thresholds = get_settings().knowledge_base
        best = matches[0].score if matches else 0.0
        if best >= thresholds.answer_threshold:
            return self._answer(dispatcher, tracker, matches[0], language)
        if best >= thresholds.suggest_threshold:
            return self._suggest(dispatcher, tracker, matches)
        return await self._no_article(dispatcher, tracker, matches)

    async def answer_if_confident(
        self, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Optional[List[EventType]]:
        """The best article's answer if the search is sure of it, else None."""
        matches = await search(tracker)
        if matches and matches[0].score >= get_settings().knowledge_base.answer_threshold:
            return self._answer(dispatcher, tracker, matches[0], conversation_language(tracker))
        return None

    @staticmethod
    def _answer(dispatcher: CollectingDispatcher, tracker: Tracker, match: Match, language: str) -> List[EventType]:
        article = match.article
        if article.language != language:
            dispatcher.utter_message(response="utter_kb_other_language")
        dispatcher.utter_message(
            response="utter_kb_answer",
            answer=chat_text(article.answer, language),
            title=markdown_literal(article.title),
            url=read_more_url(article, tracker),
            article_id=article.id,
        )
        dispatcher.utter_message(response="utter_did_it_help")
        mood = tracker.get_slot("mood")
        if mood == "angry":
            dispatcher.utter_message(response="utter_offer_human")
        elif mood == "curious" and article.id not in EXPLORE_ARTICLES:
            dispatcher.utter_message(response="utter_curious_more")
        return [SlotSet(SLOT_ARTICLES, [article.id]), SlotSet(SLOT_NO_ARTICLE, 0)]

    @staticmethod
    def _suggest(dispatcher: CollectingDispatcher, tracker: Tracker, matches: List[Match]) -> List[EventType]:
        # A button sends the article's title as the customer's next question,
        # which the search then finds with full confidence. The best match
        # comes first and "none of these" last.
        matches = sorted(matches, key=lambda m: m.score, reverse=True)
        buttons = [
            {"title": for_script(m.article.title, tracker), "payload": for_script(m.article.title, tracker)}
            for m in matches
        ]
        none = NONE_OF_THESE.get(conversation_language(tracker), NONE_OF_THESE["pt"])
        buttons.append({"title": for_script(none, tracker), "payload": "/deny"})
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
        if tracker.get_slot("mood") == "angry":
            dispatcher.utter_message(response="utter_offer_human")
        return [SlotSet(SLOT_ARTICLES, [m.article.id for m in matches])]

    @staticmethod
    async def _no_article(dispatcher: CollectingDispatcher, tracker: Tracker, matches: List[Match]) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        await record_gap(tracker, text, gaps.NO_ARTICLE, [m.article_id for m in matches])
        problem = (tracker.latest_message.get("intent") or {}).get("name") == "report_problem"
        dispatcher.utter_message(response="utter_problem_no_article" if problem else "utter_question_no_article")
        missing = _count(tracker, SLOT_NO_ARTICLE) + 1
        events: List[EventType] = [SlotSet(SLOT_ARTICLES, None), SlotSet(SLOT_NO_ARTICLE, missing)]
        if counted_reason(tracker, "no_article", missing):
            events += await escalate(dispatcher, tracker, "no_article")
        return events


class ActionAnswerFeedback(Action):
    """Handles yes/no after an answer: "it did not help" counts as a failure.

    A message that asks or reports something beyond yes or no is answered
    as a question, never with "OK, anything else?" (actions/replies.py).
    """

    def name(self) -> str:
        return "action_answer_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[EventType]:
        reason = automatic_reason(tracker)
        if reason:
            return await escalate(dispatcher, tracker, reason)
        if not is_only_a_reply(tracker):
            return await ActionAnswerQuestion().answer(dispatcher, tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        answered: Optional[List[str]] = tracker.get_slot(SLOT_ARTICLES)
        if not answered:
            # A yes or no that answers nothing of ours: unless it names
            # something the articles clearly answer ("preço"), ask what else.
            answer = await ActionAnswerQuestion().answer_if_confident(dispatcher, tracker)
            if answer is not None:
                return answer
            dispatcher.utter_message(response="utter_anything_else")
            return []
        # For the report's deflection: "it helped" or "it did not" (bot/helpdesk/feedback.py).
        await asyncio.to_thread(feedback.record_feedback, tracker.sender_id, intent == "affirm", answered)
        if intent == "affirm":
            dispatcher.utter_message(response="utter_glad_it_helped")
            return [SlotSet(SLOT_ARTICLES, None), SlotSet(SLOT_UNHELPFUL, 0)]
        kind = gaps.REFUSED_SUGGESTION if suggestions_pending(tracker) else gaps.NOT_HELPFUL
        await record_gap(tracker, asked_question(tracker), kind, answered)
        dispatcher.utter_message(response="utter_sorry_not_helped")
        unhelpful = _count(tracker, SLOT_UNHELPFUL) + 1
        events: List[EventType] = [SlotSet(SLOT_ARTICLES, None), SlotSet(SLOT_UNHELPFUL, unhelpful)]
        if counted_reason(tracker, "unhelpful_answers", unhelpful):
            events += await escalate(dispatcher, tracker, "unhelpful_answers")
        return events
