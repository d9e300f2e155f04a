"""The help desk's report: how many conversations the bot resolved alone, by
a strict definition; how often resolved ones came back; how customers rated
the bot and the agents; how soon agents answered against the targets; why,
for whom and in which queue the bot called a person. As JSON and as CSV.

The definitions (README.md, "The report", has them for readers too):

- A conversation is a chat-widget session in which the customer wrote
  something; it belongs to the period in which the customer first wrote.
- Person: an escalation was made for it, the customer asked for a person
  ("/request_human") or an agent wrote in it. Never resolved by the bot.
- Otherwise the signals about the bot's answers decide, the latest one
  winning. Good: the customer said an answer helped (bot.helpdesk.feedback),
  or rated the conversation 4 or 5 stars. Bad: said an answer did not help,
  turned the suggested articles down, got "no article" (bot.helpdesk.gaps),
  rated it 1 or 2 stars, or came back: wrote again RETURN_AFTER or more after
  the conversation's previous message, but within SILENCE_SECONDS (the answer
  before did not hold).
- Resolved by the bot: the latest signal is not bad, and after the last bad
  one the customer said an answer helped (a good signal) or the conversation
  went quiet for SILENCE_SECONDS after an answer of the bot's; it was
  resolved then (at that signal, or at that answer), the first of those.
  Not resolved: the latest signal is bad, or a day of quiet came with no
  answer of the bot's since the last bad signal. Too early to tell: neither
  yet (quiet for less than SILENCE_SECONDS); it counts neither way.
  Deflection = resolved by the bot / (conversations - too early).
- Reopen rate: of the resolutions (the bot's, as above, of the period's
  conversations; an agent's: an escalation resolved in the period), those
  after which the customer wrote again more than RETURN_AFTER and at most
  REOPEN_SECONDS later, or the conversation was escalated again within
  REOPEN_SECONDS.
- CSAT: the share of 4- and 5-star ratings among the ratings, for the
  conversations the bot handled alone and for those an agent resolved.
- First response: from the escalation to an agent's first message
  (escalations.first_response_at); median and 90th percentile (nearest
  rank), and against the queue's target for its priority
  (helpdesk.yml escalation.service_levels): met, breached (answered late, or
  not answered and past due), waiting (not answered, not yet due).
"""

from __future__ import annotations

import csv
import io
import math
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa

from bot.database import default_database_url, engine_with_tables
from bot.helpdesk.conversations import chat_messages, chat_sessions, ratings
from bot.helpdesk.conversations import metadata as chat_tables
from bot.helpdesk.escalations import RESOLVED, escalations
from bot.helpdesk.escalations import metadata as escalation_tables
from bot.helpdesk.feedback import answer_feedback
from bot.helpdesk.feedback import metadata as feedback_tables
from bot.helpdesk.gaps import gaps
from bot.helpdesk.gaps import metadata as gap_tables
from bot.helpdesk.service_levels import ServiceLevels

SILENCE_SECONDS = 24 * 3600  # quiet this long after the bot's answer: it held
RETURN_AFTER = 30 * 60  # a message after a pause this long is the customer coming back
REOPEN_SECONDS = 7 * 86400  # coming back within this after a resolution reopens it
GOOD_RATING, BAD_RATING = 4, 2  # ratings at or above / at or below

BOT_RESOLVED, BOT_FAILED, PERSON, TOO_EARLY = "bot_resolved", "bot_failed", "person", "too_early"
OUTCOMES = (BOT_RESOLVED, BOT_FAILED, PERSON, TOO_EARLY)
HELPED, QUIET = "helped", "quiet"  # how the bot resolved one


class PeriodError(ValueError):
    """A period that cannot be understood (the API answers 400)."""


@dataclass(frozen=True)
class Period:
    """[since, until) in Unix time; None: open on that side."""

    since: Optional[float] = None
    until: Optional[float] = None
    days: Optional[float] = None

    @classmethod
    def last(cls, days: Optional[float], now: Optional[float] = None) -> Period:
        if days is None:
            return cls()
        if not math.isfinite(days) or days <= 0:
            raise PeriodError("days must be a number above 0.")
        return cls(since=(time.time() if now is None else now) - days * 86400, days=days)

    @classmethod
    def parse(cls, days: Optional[str], start: Optional[str], end: Optional[str]) -> Period:
        """From the query: days=N, or from=YYYY-MM-DD and/or to=YYYY-MM-DD (UTC days, `to` included)."""
        if start or end:
            since = _day(start, "from") if start else None
            until = _day(end, "to") + 86400 if end else None
            if since is not None and until is not None and until <= since:
                raise PeriodError("from must be on or before to.")
            return cls(since=since, until=until)
        if not days:
            return cls()
        try:
            return cls.last(float(days))
        except ValueError as error:
            raise PeriodError(str(error) if isinstance(error, PeriodError) else "days must be a number.") from None

    def holds(self, at: Optional[float]) -> bool:
        return at is not None and (self.since is None or at >= self.since) and (self.until is None or at < self.until)

    def as_dict(self) -> Dict[str, Any]:
        return {"since": self.since, "until": self.until, "days": self.days}


def _day(text: str, name: str) -> float:
    import datetime

    try:
        day = datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise PeriodError(f"{name} must be a date like 2026-12-01.") from None
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp()


@dataclass
class Conversation:
    """One widget conversation with everything the definitions look at."""

    id: str
    language: Optional[str]
    messages: List[Tuple[float, str, str]] = field(default_factory=list)  # (at, sender, text), oldest first
    signals: List[Tuple[float, bool]] = field(default_factory=list)  # (at, good?)
    rating: Optional[int] = None
    rating_at: Optional[float] = None
    escalated: List[Any] = field(default_factory=list)  # escalation rows

    @property
    def person(self) -> bool:
        return bool(self.escalated) or any(
            sender == "agent" or (sender == "customer" and text.strip().startswith("/request_human"))
            for _, sender, text in self.messages
        )

    def returns(self) -> List[Tuple[float, float]]:
        """(previous message, customer message) for each time the customer came back after a pause."""
        found = []
        for (before, _, _), (at, sender, _) in zip(self.messages, self.messages[1:]):
            if sender == "customer" and at - before >= RETURN_AFTER:
                found.append((before, at))
        return found

    def outcome(self, now: float) -> Tuple[str, Optional[str], Optional[float]]:
        """(outcome, how the bot resolved it, when) by the definitions above."""
        if self.person:
            return PERSON, None, None
        signals = list(self.signals)
        signals += [(at, False) for before, at in self.returns() if at - before < SILENCE_SECONDS]
        if self.rating is not None and self.rating_at is not None:
            if self.rating >= GOOD_RATING:
                signals.append((self.rating_at, True))
            elif self.rating <= BAD_RATING:
                signals.append((self.rating_at, False))
        signals.sort()
        if signals and not signals[-1][1]:
            return BOT_FAILED, None, None
        # Resolved when it first held after the last bad signal: a good signal,
        # or an answer followed by a day of quiet.
        after = max((at for at, good in signals if not good), default=-math.inf)
        helped = [at for at, good in signals if good and at > after]
        # Each time the conversation went quiet for a day, the bot's last answer before it held.
        later = [at for at, _, _ in self.messages[1:]] + [now]
        quiet = [at for (at, _, _), following in zip(self.messages, later) if following - at >= SILENCE_SECONDS]
        answers = [at for at, sender, _ in self.messages if sender == "bot" and at > after]
        held = [max(a for a in answers if a <= point) for point in quiet if any(a <= point for a in answers)]
        if helped or held:
            return BOT_RESOLVED, HELPED if helped else QUIET, min(helped + held)
        if self.messages and now - self.messages[-1][0] >= SILENCE_SECONDS:
            return BOT_FAILED, None, None  # quiet for a day with no answer of the bot's since the last bad signal
        return TOO_EARLY, None, None

    def came_back(self, after: float) -> bool:
        """The customer wrote again more than RETURN_AFTER and at most REOPEN_SECONDS after `after`."""
        return any(
            sender == "customer" and RETURN_AFTER < at - after <= REOPEN_SECONDS for at, sender, _ in self.messages
        )


def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 3) if whole else None


def _percentile(values: List[float], share: float) -> Optional[float]:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)], 1)


def _language(row: Any) -> str:
    if not row.language:
        return "unknown"
    return f"zh-{row.script}" if row.language == "zh" and row.script in ("Hans", "Hant") else row.language


def _load(db: sa.engine.Connection, period: Period) -> Dict[str, Conversation]:
    """The widget conversations whose customer first wrote in the period, with their signals."""
    first = (
        sa.select(chat_messages.c.session_id, sa.func.min(chat_messages.c.created_at).label("first_at"))
        .where(chat_messages.c.sender == "customer")
        .group_by(chat_messages.c.session_id)
        .subquery()
    )
    query = sa.select(chat_sessions.c.id, chat_sessions.c.language, chat_sessions.c.script).join(
        first, first.c.session_id == chat_sessions.c.id
    )
    if period.since is not None:
        query = query.where(first.c.first_at >= period.since)
    if period.until is not None:
        query = query.where(first.c.first_at < period.until)
    found = {row.id: Conversation(row.id, _language(row)) for row in db.execute(query)}
    _fill(db, found)
    return found


def _fill(db: sa.engine.Connection, found: Dict[str, Conversation]) -> None:
    """Their messages, signals, rating and escalations."""
    ids = list(found)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):  # a bounded IN list
        rows = db.execute(
            sa.select(
                chat_messages.c.session_id, chat_messages.c.created_at, chat_messages.c.sender, chat_messages.c.text
            )
            .where(chat_messages.c.session_id.in_(chunk))
            .order_by(chat_messages.c.created_at, chat_messages.c.id)
        )
        for row in rows:
            found[row.session_id].messages.append((row.created_at, row.sender, row.text))
        for row in db.execute(sa.select(answer_feedback).where(answer_feedback.c.conversation_id.in_(chunk))):
            found[row.conversation_id].signals.append((row.created_at, bool(row.helped)))
        for row in db.execute(
            sa.select(gaps.c.conversation_id, gaps.c.created_at).where(gaps.c.conversation_id.in_(chunk))
        ):
            found[row.conversation_id].signals.append((row.created_at, False))
        for row in db.execute(sa.select(ratings).where(ratings.c.session_id.in_(chunk))):
            found[row.session_id].rating, found[row.session_id].rating_at = row.rating, row.created_at
        for row in db.execute(sa.select(escalations).where(escalations.c.conversation_id.in_(chunk))):
            found[row.conversation_id].escalated.append(row)


def _reopened(conversation: Conversation, resolved_at: float, escalation_id: Optional[int]) -> bool:
    again = any(
        row.id != escalation_id and 0 < row.created_at - resolved_at <= REOPEN_SECONDS for row in conversation.escalated
    )
    return again or conversation.came_back(resolved_at)


def _csat(stars: List[int]) -> Dict[str, Any]:
    satisfied = sum(1 for n in stars if n >= GOOD_RATING)
    return {
        "ratings": len(stars),
        "satisfied": satisfied,
        "csat": _rate(satisfied, len(stars)),
        "average": round(statistics.mean(stars), 2) if stars else None,
    }


def _first_response(handed: List[Any], levels: ServiceLevels, now: float) -> Dict[str, Any]:
    def figures(rows: List[Any]) -> Dict[str, Any]:
        times = [
            row.first_response_at - row.created_at for row in rows if row._mapping.get("first_response_at") is not None
        ]
        met = breached = waiting = targeted = 0
        for row in rows:
            deadline = levels.deadline(
                row.queue, row.priority, row.created_at, row._mapping.get("first_response_at"), now
            )
            if deadline.target_seconds is None:
                continue
            targeted += 1
            if deadline.breached:
                breached += 1
            elif deadline.seconds_left is not None:
                waiting += 1
            else:
                met += 1
        return {
            "escalations": len(rows),
            "answered": len(times),
            "median_seconds": round(statistics.median(times), 1) if times else None,
            "p90_seconds": _percentile(times, 0.9),
            "with_target": targeted,
            "met": met,
            "breached": breached,
            "waiting": waiting,
            "breach_rate": _rate(breached, met + breached),
        }

    by_queue: Dict[str, List[Any]] = defaultdict(list)
    for row in handed:
        by_queue[row.queue].append(row)
    targets = {
        queue: {
            "default": targets.default,
            **{str(priority): seconds for priority, seconds in targets.by_priority},
        }
        for queue, targets in levels.queues.items()
    }
    return {
        **figures(handed),
        "by_queue": {queue: figures(rows) for queue, rows in sorted(by_queue.items())},
        "targets": targets,
    }


def build_report(
    database_url: Optional[str] = None,
    days: Optional[float] = None,
    period: Optional[Period] = None,
    service_levels: Optional[ServiceLevels] = None,
    now: Optional[float] = None,
) -> Dict[str, Any]:
    """The report's figures for the period (default: `days` back from now, or all time)."""
    now = time.time() if now is None else now
    period = period or Period.last(days, now)
    if service_levels is None:
        from bot.settings import get_settings

        service_levels = get_settings().escalation.service_levels
    url = database_url or default_database_url()
    for tables in (chat_tables, gap_tables, feedback_tables):
        engine_with_tables(url, tables)
    engine = engine_with_tables(url, escalation_tables)
    with engine.connect() as db:
        conversations = _load(db, period)
        query = sa.select(escalations)
        if period.since is not None:
            query = query.where(escalations.c.created_at >= period.since)
        if period.until is not None:
            query = query.where(escalations.c.created_at < period.until)
        handed = db.execute(query).all()
        # Resolutions in the period whose conversation may have begun before it.
        resolved_query = sa.select(escalations).where(escalations.c.status == RESOLVED)
        if period.since is not None:
            resolved_query = resolved_query.where(escalations.c.resolved_at >= period.since)
        if period.until is not None:
            resolved_query = resolved_query.where(escalations.c.resolved_at < period.until)
        resolved_rows = db.execute(resolved_query).all()
        others = {c: conversations.get(c) or Conversation(c, None) for c in {r.conversation_id for r in resolved_rows}}
        _fill(db, {c: conv for c, conv in others.items() if c not in conversations})

    outcomes: Counter = Counter()
    how: Counter = Counter()
    bot_resolutions: List[Tuple[Conversation, float]] = []
    bot_stars, agent_stars = [], []
    for conversation in conversations.values():
        outcome, kind, at = conversation.outcome(now)
        outcomes[outcome] += 1
        if outcome == BOT_RESOLVED and at is not None:
            how[kind] += 1
            bot_resolutions.append((conversation, at))
        if conversation.rating is not None:
            if not conversation.person:
                bot_stars.append(conversation.rating)
            elif any(row.status == RESOLVED and row.agent for row in conversation.escalated):
                agent_stars.append(conversation.rating)

    bot_reopened = sum(1 for conversation, at in bot_resolutions if _reopened(conversation, at, None))
    agent_reopened = sum(1 for row in resolved_rows if _reopened(others[row.conversation_id], row.resolved_at, row.id))
    known = len(conversations) - outcomes[TOO_EARLY]
    waits = [row.claimed_at - row.created_at for row in handed if row.claimed_at]
    stars = [c.rating for c in conversations.values() if c.rating is not None]
    resolutions = len(bot_resolutions) + len(resolved_rows)
    return {
        "period": period.as_dict(),
        "generated_at": now,
        "since": period.since,  # (kept for older clients)
        "conversations": len(conversations),
        "conversations_by_language": dict(Counter(c.language or "unknown" for c in conversations.values())),
        "outcomes": {name: outcomes[name] for name in OUTCOMES},
        "bot_resolved_by": {HELPED: how[HELPED], QUIET: how[QUIET]},
        "deflection": _rate(outcomes[BOT_RESOLVED], known),
        "reopen": {
            "bot": {
                "resolved": len(bot_resolutions),
                "reopened": bot_reopened,
                "rate": _rate(bot_reopened, len(bot_resolutions)),
            },
            "agent": {
                "resolved": len(resolved_rows),
                "reopened": agent_reopened,
                "rate": _rate(agent_reopened, len(resolved_rows)),
            },
            "all": {
                "resolved": resolutions,
                "reopened": bot_reopened + agent_reopened,
                "rate": _rate(bot_reopened + agent_reopened, resolutions),
            },
        },
        "csat": {"bot": _csat(bot_stars), "agent": _csat(agent_stars)},
        "first_response": _first_response(handed, service_levels, now),
        "escalations": len(handed),
        "escalations_by_reason": dict(Counter(row.reason for row in handed).most_common()),
        "escalations_by_language": dict(Counter(_language(row) for row in handed).most_common()),
        "escalations_by_mood": dict(Counter(row.mood or "unknown" for row in handed).most_common()),
        "escalations_by_queue": dict(Counter(row.queue for row in handed).most_common()),
        "escalations_by_status": dict(Counter(row.status for row in handed).most_common()),
        "median_wait_seconds": round(statistics.median(waits), 1) if waits else None,
        "still_waiting": sum(1 for row in handed if row.claimed_at is None and row.status == "queued"),
        "ratings": {
            "count": len(stars),
            "average": round(statistics.mean(stars), 2) if stars else None,
            "distribution": {str(n): stars.count(n) for n in range(1, 6)},
        },
    }


def report_csv(report: Dict[str, Any]) -> str:
    """The same figures as rows of (figure, key, value): one table a spreadsheet opens."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["figure", "key", "value"])

    def rows(prefix: str, value: Any) -> Iterable[Tuple[str, str, Any]]:
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, dict):
                    yield from rows(f"{prefix}.{key}" if prefix else str(key), inner)
                else:
                    yield prefix or str(key), str(key) if prefix else "", "" if inner is None else inner
        else:
            yield prefix, "", "" if value is None else value

    for figure, key, value in rows("", report):
        writer.writerow([figure, key, value])
    return out.getvalue()
