"""The report's definitions, on conversations built in the database: what the
bot resolved alone (strictly), what came back, how each side was rated, how
soon agents answered against the targets, the period, and the CSV."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from bot.database import engine_with_tables
from bot.helpdesk import conversations as chat
from bot.helpdesk import escalations as esc
from bot.helpdesk.feedback import record_feedback
from bot.helpdesk.gaps import NO_ARTICLE, gaps
from bot.helpdesk.gaps import metadata as gap_tables
from bot.helpdesk.report import Period, PeriodError, build_report, report_csv
from bot.helpdesk.service_levels import ServiceLevels

NOW = 1_800_000_000.0
HOUR, DAY = 3600.0, 86400.0
LEVELS = ServiceLevels.parse({"support": {"default": "30m", 3: "5m"}}, ("support", "sales"))


class Desk:
    """Builds conversations in the help-desk database, at given times."""

    def __init__(self, url: str, now: float = NOW) -> None:
        self.url, self.now = url, now
        self.engine = engine_with_tables(url, chat.metadata)
        engine_with_tables(url, esc.metadata)
        engine_with_tables(url, gap_tables)

    def conversation(self, name: str, *lines, language: str = "pt", script=None) -> str:
        """lines: (hours ago, sender, text)."""
        with self.engine.begin() as db:
            db.execute(
                chat.chat_sessions.insert().values(
                    id=name, token_hash="x", created_at=self.now - lines[0][0] * HOUR, language=language, script=script
                )
            )
            for ago, sender, text in lines:
                db.execute(
                    chat.chat_messages.insert().values(
                        session_id=name, sender=sender, text=text, created_at=self.now - ago * HOUR
                    )
                )
        return name

    def rate(self, name: str, stars: int, hours_ago: float) -> None:
        with self.engine.begin() as db:
            db.execute(
                chat.ratings.insert().values(session_id=name, rating=stars, created_at=self.now - hours_ago * HOUR)
            )

    def gap(self, name: str, hours_ago: float) -> None:
        with self.engine.begin() as db:
            db.execute(
                gaps.insert().values(
                    conversation_id=name,
                    language="pt",
                    text="?",
                    kind=NO_ARTICLE,
                    created_at=self.now - hours_ago * HOUR,
                )
            )

    def escalate(self, name: str, hours_ago: float, **values) -> int:
        row = {
            "conversation_id": name,
            "language": "pt",
            "mood": "angry",
            "reason": "request_human",
            "priority": 1,
            "queue": "support",
            "status": esc.QUEUED,
            "created_at": self.now - hours_ago * HOUR,
            "updated_at": self.now - hours_ago * HOUR,
            **values,
        }
        with self.engine.begin() as db:
            return db.execute(esc.escalations.insert().values(**row)).inserted_primary_key[0]


@pytest.fixture
def desk(database_url) -> Desk:
    return Desk(database_url)


def report(desk: Desk, **period) -> dict:
    chosen = Period.last(period["days"], NOW) if "days" in period else period.get("period", Period())
    return build_report(desk.url, period=chosen, service_levels=LEVELS, now=NOW)


def test_the_bot_resolves_only_what_nobody_was_asked_for_and_held(desk):
    # Said "it helped" to the answer: resolved, though only an hour ago.
    desk.conversation("helped", (2, "customer", "Como pago com Pix?"), (2, "bot", "Assim..."))
    record_feedback("helped", True, ["pix"], database_url=desk.url, at=NOW - 1.9 * HOUR)
    # Nothing more for 25 hours after the answer: it held.
    desk.conversation("silent-25h", (25, "customer", "Qual o preço?"), (25, "bot", "R$ 10"))
    # Two hours of quiet: too early to tell.
    desk.conversation("silent-2h", (2, "customer", "Qual o preço?"), (2, "bot", "R$ 10"))
    # The bot got it wrong: the customer came back three hours later, then went quiet.
    desk.conversation(
        "came-back",
        (30, "customer", "Não consigo entrar"),
        (30, "bot", "Redefina a senha"),
        (27, "customer", "Continua sem entrar"),
        (27, "bot", "Redefina a senha"),
    )
    # Said it did not help, then nothing for a day: not resolved either.
    desk.conversation("not-helped", (30, "customer", "Erro 500"), (30, "bot", "Tente de novo"))
    record_feedback("not-helped", False, ["erro"], database_url=desk.url, at=NOW - 29.9 * HOUR)
    # No article for the question, then quiet.
    desk.conversation("no-article", (40, "customer", "Vocês vendem pizza?"), (40, "bot", "Não sei"))
    desk.gap("no-article", 40)
    # A person asked for (the widget's button), or an escalation made: never the bot's.
    desk.conversation("asked", (30, "customer", "/request_human"), (30, "bot", "Vou chamar alguém"))
    desk.conversation("escalated", (30, "customer", "Quero cancelar!"), (30, "bot", "Um momento"))
    desk.escalate("escalated", 30)
    # The customer wrote again five minutes later (still the same visit), then quiet: resolved.
    desk.conversation(
        "follow-up",
        (50, "customer", "Como pago?"),
        (50, "bot", "Com Pix"),
        (49.9, "customer", "E boleto?"),
        (49.9, "bot", "Também"),
    )
    # "Thanks" right after the answer (the bot said nothing more), then quiet: the answer held.
    desk.conversation("thanks", (30, "customer", "Preço?"), (30, "bot", "R$ 10"), (29.95, "customer", "Obrigado"))
    # The bot never answered (it was down), a day ago: not resolved.
    desk.conversation("unanswered", (26, "customer", "Alguém aí?"))
    # Rated 1 star: not resolved; 5 stars: resolved.
    desk.conversation("one-star", (30, "customer", "Oi"), (30, "bot", "Olá"))
    desk.rate("one-star", 1, 29)
    desk.conversation("five-stars", (3, "customer", "Oi"), (3, "bot", "Olá"))
    desk.rate("five-stars", 5, 2.5)

    figures = report(desk)
    assert figures["conversations"] == 13
    assert figures["outcomes"] == {"bot_resolved": 5, "bot_failed": 5, "person": 2, "too_early": 1}
    assert figures["bot_resolved_by"] == {"helped": 2, "quiet": 3}
    assert figures["deflection"] == round(5 / 12, 3)  # the too-early one counts neither way


def test_the_old_definition_is_gone_a_wrong_answer_is_not_a_resolution(desk):
    desk.conversation("wrong", (30, "customer", "Não consigo entrar"), (30, "bot", "Redefina a senha"))
    record_feedback("wrong", False, database_url=desk.url, at=NOW - 29 * HOUR)
    figures = report(desk)
    assert figures["outcomes"]["bot_resolved"] == 0 and figures["deflection"] == 0.0


def test_reopened_resolutions_of_the_bot_and_of_agents(desk):
    # The bot's answer held a day, but the customer came back three days later.
    desk.conversation(
        "bot-reopened",
        (6 * 24, "customer", "Como exporto?"),
        (6 * 24, "bot", "Menu > Exportar"),
        (3 * 24, "customer", "Não achei o menu"),
        (3 * 24, "bot", "Fica no topo"),
    )
    desk.conversation("bot-kept", (6 * 24, "customer", "Preço?"), (6 * 24, "bot", "R$ 10"))
    # An agent resolved it; the customer wrote again two days later.
    desk.conversation("agent-reopened", (5 * 24, "customer", "/request_human"), (4 * 24, "customer", "De novo?"))
    desk.escalate(
        "agent-reopened",
        5 * 24,
        status=esc.RESOLVED,
        agent="ana",
        claimed_at=NOW - 5 * DAY,
        resolved_at=NOW - 4.9 * DAY,
    )
    # Another one resolved, with only a "thank you" right after: not reopened.
    desk.conversation("agent-kept", (5 * 24, "customer", "/request_human"), (5 * 24 - 0.1, "customer", "Obrigado!"))
    desk.escalate(
        "agent-kept", 5 * 24, status=esc.RESOLVED, agent="ana", claimed_at=NOW - 5 * DAY, resolved_at=NOW - 5 * DAY
    )
    # A REST conversation resolved by an agent and escalated again the next day.
    desk.escalate("rest-1", 4 * 24, status=esc.RESOLVED, agent="bia", resolved_at=NOW - 4 * DAY)
    desk.escalate("rest-1", 3 * 24)

    figures = report(desk)
    assert figures["reopen"]["bot"] == {"resolved": 2, "reopened": 1, "rate": 0.5}
    assert figures["reopen"]["agent"] == {"resolved": 3, "reopened": 2, "rate": round(2 / 3, 3)}
    assert figures["reopen"]["all"]["rate"] == round(3 / 5, 3)


def test_csat_of_the_bot_alone_and_of_agents(desk):
    for name, stars in (("b1", 5), ("b2", 4), ("b3", 2)):
        desk.conversation(name, (30, "customer", "Oi"), (30, "bot", "Olá"))
        desk.rate(name, stars, 29)
    for name, stars in (("a1", 5), ("a2", 1)):
        desk.conversation(name, (30, "customer", "/request_human"))
        desk.escalate(name, 30, status=esc.RESOLVED, agent="ana", resolved_at=NOW - 29.5 * HOUR)
        desk.rate(name, stars, 29)
    csat = report(desk)["csat"]
    assert csat["bot"] == {"ratings": 3, "satisfied": 2, "csat": 0.667, "average": 3.67}
    assert csat["agent"] == {"ratings": 2, "satisfied": 1, "csat": 0.5, "average": 3.0}


def test_first_response_against_the_targets(desk):
    minute = 60.0
    # support: 30 min by default, 5 min from priority 3; sales has no target.
    desk.escalate("c1", 5, priority=1, first_response_at=NOW - 5 * HOUR + 10 * minute)  # met
    desk.escalate("c2", 5, priority=3, first_response_at=NOW - 5 * HOUR + 10 * minute)  # breached (late)
    desk.escalate("c3", 5, priority=1)  # breached: never answered, past due
    desk.escalate("c4", 0.1, priority=1)  # waiting: not due yet
    desk.escalate("c5", 5, priority=1, queue="sales", first_response_at=NOW - 5 * HOUR + 50 * minute)
    first = report(desk)["first_response"]
    assert (first["escalations"], first["answered"], first["with_target"]) == (5, 3, 4)
    assert (first["met"], first["breached"], first["waiting"]) == (1, 2, 1)
    assert first["median_seconds"] == 600.0 and first["p90_seconds"] == 3000.0
    assert first["by_queue"]["sales"]["with_target"] == 0 and first["by_queue"]["support"]["breached"] == 2
    assert first["targets"]["support"] == {"default": 1800.0, "3": 300.0}


def test_escalations_by_reason_language_mood_and_queue(desk):
    desk.escalate("e1", 1, reason="no_article", language="vi", mood="confused")
    desk.escalate("e2", 1, reason="no_article", language="zh", script="Hant", queue="sales")
    desk.escalate("e3", 1, reason="anger_with_threat", mood=None)
    figures = report(desk)
    assert figures["escalations"] == 3
    assert figures["escalations_by_reason"] == {"no_article": 2, "anger_with_threat": 1}
    assert figures["escalations_by_language"] == {"vi": 1, "zh-Hant": 1, "pt": 1}
    assert figures["escalations_by_mood"] == {"confused": 1, "angry": 1, "unknown": 1}
    assert figures["escalations_by_queue"] == {"support": 2, "sales": 1}


def test_the_period_chooses_the_conversations_and_escalations(desk):
    desk.conversation("today", (2, "customer", "Oi"), (2, "bot", "Olá"))
    desk.conversation("last-week", (5 * 24, "customer", "Oi"), (5 * 24, "bot", "Olá"))
    desk.conversation("last-month", (20 * 24, "customer", "Oi"), (20 * 24, "bot", "Olá"))
    desk.escalate("x", 20 * 24)
    assert report(desk, days=1)["conversations"] == 1
    assert report(desk, days=7)["conversations"] == 2
    assert report(desk, days=30)["conversations"] == 3 and report(desk, days=30)["escalations"] == 1
    assert report(desk, days=7)["escalations"] == 0
    assert report(desk)["conversations"] == 3
    # From/to: whole UTC days, both included.
    import datetime

    day = datetime.datetime.fromtimestamp(NOW - 5 * DAY, datetime.timezone.utc).date().isoformat()
    only = Period.parse(None, day, day)
    assert report(desk, period=only)["conversations"] == 1


@pytest.mark.parametrize(
    ("days", "start", "end"),
    [
        ("abc", None, None),
        ("-3", None, None),
        ("nan", None, None),
        (None, "yesterday", None),
        (None, "2026-12-05", "2026-12-01"),
    ],
)
def test_a_period_that_makes_no_sense_is_refused(days, start, end):
    with pytest.raises(PeriodError):
        Period.parse(days, start, end)


def test_the_csv_has_the_same_figures(desk):
    desk.conversation("s1", (25, "customer", "Preço?"), (25, "bot", "R$ 10"))
    desk.escalate("e1", 1, reason="no_article", language="vi")
    figures = report(desk)
    rows = list(csv.reader(io.StringIO(report_csv(figures))))
    assert rows[0] == ["figure", "key", "value"]
    found = {(figure, key): value for figure, key, value in rows[1:]}
    assert found[("deflection", "")] == "1.0"
    assert found[("outcomes", "bot_resolved")] == "1"
    assert found[("escalations_by_reason", "no_article")] == "1"
    assert found[("escalations_by_language", "vi")] == "1"
    assert found[("reopen.bot", "rate")] == "0.0"
    assert found[("first_response", "breached")] == "1"  # an hour unanswered, the target 30 min
    assert ("csat.agent", "csat") in found  # no ratings yet: an empty cell, not a missing row


def test_an_empty_database_gives_a_report_without_rates(desk):
    figures = report(desk)
    assert figures["conversations"] == 0 and figures["deflection"] is None
    assert figures["reopen"]["all"]["rate"] is None and figures["csat"]["bot"]["csat"] is None
    assert figures["first_response"]["median_seconds"] is None
    with engine_with_tables(desk.url, chat.metadata).connect() as db:
        assert db.execute(sa.select(sa.func.count()).select_from(chat.chat_sessions)).scalar_one() == 0
