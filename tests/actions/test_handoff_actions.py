"""Escalation actions: every named rule, the e-mail form, a database that is
down; on SQLite and on PostgreSQL."""

from __future__ import annotations

import time

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionEscalate, ActionTicketCreated, ValidateEmailForm, write_back_spooled_escalations
from actions.kb import ActionAnswerFeedback, ActionAnswerQuestion
from actions.small_talk import ActionReply
from bot.settings import get_settings


def user(text, intent="ask_question", mood="neutral", confidence=0.9, language="pt"):
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "intent": {"name": intent, "confidence": 0.9},
            "mood": {"name": mood, "confidence": confidence},
            "language": {"name": language},
        },
    }


def tracker(*turns, **slots) -> Tracker:
    latest = turns[-1]
    return Tracker.from_dict(
        {
            "sender_id": "customer-1",
            "slots": {
                "language": latest["parse_data"]["language"]["name"],
                "script": "Latn",
                "mood": latest["parse_data"]["mood"]["name"],
                **slots,
            },
            "latest_message": {**latest["parse_data"], "text": latest["text"]},
            "events": list(turns),
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


async def run(action, t):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return [m.get("response") for m in dispatcher.messages], events


def stored(database_url):
    import sqlalchemy as sa

    from bot.database import engine_for

    with engine_for(database_url).connect() as db:
        if not sa.inspect(db).has_table("escalations"):
            return []
        rows = db.execute(
            sa.text("select reason, priority, queue, status, language, email from escalations order by id")
        )
        return [tuple(row)[:5] for row in rows]


def emails(database_url):
    import sqlalchemy as sa

    from bot.database import engine_for

    with engine_for(database_url).connect() as db:
        return [row[0] for row in db.execute(sa.text("select email from escalations order by id"))]


def escalated(events):
    return any(e.get("event") == "followup" and e.get("name") == "email_form" for e in events)


async def test_asking_for_a_person(own_database):
    responses, events = await run(ActionEscalate(), tracker(user("quero um atendente", "request_human")))
    assert responses == ["utter_escalation_offline"] and escalated(events)
    assert stored(own_database) == [("request_human", 2, "support", "queued", "pt")]


async def test_two_answers_that_did_not_help(own_database):
    t = tracker(user("/deny", "deny"), kb_articles=["import-data"], kb_unhelpful_count=1)
    responses, events = await run(ActionAnswerFeedback(), t)
    assert responses == ["utter_sorry_not_helped", "utter_escalation_offline"] and escalated(events)
    assert stored(own_database)[0][:2] == ("unhelpful_answers", 2)


async def test_two_questions_without_an_article(own_database):
    t = tracker(user("qual a capital da australia?"), kb_no_article_count=1)
    responses, events = await run(ActionAnswerQuestion(), t)
    assert responses == ["utter_question_no_article", "utter_escalation_offline"] and escalated(events)
    assert stored(own_database)[0][:2] == ("no_article", 1)


async def test_anger_twice(own_database):
    t = tracker(
        user("isso nao funciona!!!", "report_problem", "angry"),
        user("DE NOVO?? que porcaria", "report_problem", "angry"),
    )
    responses, events = await run(ActionAnswerQuestion(), t)
    assert responses == ["utter_escalation_offline"] and escalated(events)
    assert stored(own_database)[0][:2] == ("repeated_anger", 4)  # 3, plus 1 for an angry customer


@pytest.mark.parametrize(
    "language, text", [("es", "voy a cancelar todo y llamar a mi abogado"), ("zh", "再不退款我就投诉")]
)
async def test_one_angry_message_with_a_threat_whatever_the_intent(own_database, language, text):
    responses, events = await run(ActionReply(), tracker(user(text, "goodbye", "angry", language=language)))
    assert responses == ["utter_escalation_offline"] and escalated(events)
    assert stored(own_database)[0] == ("anger_with_threat", 5, "support", "queued", language)


async def test_two_misunderstandings_in_a_row(own_database):
    first = user("qwzx", "nlu_fallback")
    responses, _ = await run(ActionReply(), tracker(first))
    assert responses == ["utter_default"]
    responses, events = await run(ActionReply(), tracker(first, user("vbnm", "nlu_fallback")))
    assert responses == ["utter_escalation_offline"] and stored(own_database)[0][0] == "repeated_fallback"


async def test_a_conversation_is_escalated_once(own_database):
    t = tracker(user("!!!", "greet", "angry"), user("!!!", "greet", "angry"), escalation_id=1)
    responses, _ = await run(ActionReply(), t)
    assert responses == ["utter_greet"] and stored(own_database) == []


async def test_a_curious_prospect_asking_for_sales_goes_to_the_sales_queue(own_database):
    t = tracker(user("adorei! quanto custa o plano pro? quero falar com vendas", "request_human", "curious"))
    await run(ActionEscalate(), t)
    assert stored(own_database)[0][2] == "sales"


@pytest.mark.parametrize(
    "text, email",
    [
        ("ana@empresa.com.br", "ana@empresa.com.br"),
        ("meu email é ana.souza+chat@x.io ok?", "ana.souza+chat@x.io"),
        ("我的邮箱是 wang@company.cn", "wang@company.cn"),
        ("sei la", None),
        ("ana@", None),
        ("@x.com", None),
    ],
)
async def test_email_is_checked_and_asked_again(text, email):
    dispatcher = CollectingDispatcher()
    result = await ValidateEmailForm().validate_email(text, dispatcher, tracker(user(text)), {})
    assert result == {"email": email}
    assert [m["response"] for m in dispatcher.messages] == ([] if email else ["utter_invalid_email"])


async def test_ticket_keeps_the_email(own_database):
    _, events = await run(ActionEscalate(), tracker(user("atendente", "request_human")))
    escalation_id = next(e["value"] for e in events if e.get("name") == "escalation_id")
    responses, _ = await run(
        ActionTicketCreated(), tracker(user("ana@x.com"), escalation_id=escalation_id, email="ana@x.com")
    )
    assert responses == ["utter_ticket_created"]
    assert emails(own_database) == ["ana@x.com"]
    # Asking for a person again: the same ticket, its place in the queue, no second form.
    responses, events = await run(
        ActionEscalate(), tracker(user("atendente!", "request_human"), escalation_id=escalation_id)
    )
    assert responses == ["utter_escalation_offline"] and not escalated(events)
    assert len(stored(own_database)) == 1


@pytest.mark.parametrize("failure", ["down", "full"])
async def test_an_escalation_made_while_the_database_fails_is_kept_and_written_when_it_is_back(
    own_database, monkeypatch, tmp_path, failure
):
    import sqlalchemy as sa

    from bot.helpdesk import spool
    from bot.helpdesk.escalations import EscalationStore

    announced = []
    monkeypatch.setattr(spool, "retry_in_background", lambda *args: None)  # flushed by hand below
    if failure == "down":
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing-folder' / 'x.db'}")
    else:

        def full(self, new):
            raise sa.exc.OperationalError("INSERT INTO escalations", {}, Exception("database or disk is full"))

        monkeypatch.setattr(EscalationStore, "create", full)

    t = tracker(user("quiero hablar con una persona YA", "request_human", "angry", language="es"))
    responses, events = await run(ActionEscalate(), t)
    # The customer is told it is kept, with the direct contacts, not left with silence.
    assert responses == ["utter_escalation_saved"] and events == [
        {"event": "slot", "timestamp": None, "name": "escalation_id", "value": "spooled"}
    ]
    assert stored(own_database) == [] and spool.waiting() == 1
    await run(ActionEscalate(), t)  # asking again while it fails: still one
    assert spool.waiting() == 1

    monkeypatch.undo()  # the database is back
    monkeypatch.setenv("DATABASE_URL", own_database)
    monkeypatch.setenv("ESCALATION_SPOOL", str(tmp_path / "spool"))
    assert spool.flush(EscalationStore(own_database), announced.append) == 1
    assert stored(own_database) == [("request_human", 3, "support", "queued", "es")]
    assert [a.conversation_id for a in announced] == ["customer-1"] and spool.waiting() == 0


async def test_with_an_agent_online_the_customer_waits_in_the_queue_without_a_form(own_database):
    from bot.helpdesk.presence import Presence

    Presence(own_database).seen("ana")
    responses, events = await run(ActionEscalate(), tracker(user("quero falar com uma pessoa", "request_human")))
    assert responses == ["utter_escalation_online"] and not escalated(events)
    assert stored(own_database) == [("request_human", 2, "support", "queued", "pt")]


async def test_an_agent_who_left_long_ago_is_not_online(own_database, monkeypatch):
    import time

    from bot.helpdesk import presence

    presence.Presence(own_database).seen("ana")
    monkeypatch.setattr(time, "time", lambda real=time.time: real() + presence.ONLINE_SECONDS + 5)
    responses, events = await run(ActionEscalate(), tracker(user("quero falar com uma pessoa", "request_human")))
    assert responses == ["utter_escalation_offline"] and escalated(events)


async def test_outside_opening_hours_the_customer_is_told_when_we_open(own_database, tmp_path, monkeypatch):
    import yaml

    from bot.helpdesk.presence import Presence
    from bot.settings import get_settings

    settings = yaml.safe_load(get_settings().source.read_text(encoding="utf-8"))
    # Open one minute a week, a week-day other than today's: closed now.
    import datetime

    other_day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[(datetime.datetime.utcnow().weekday() + 3) % 7]
    settings["escalation"]["queues"]["support"] = {
        "hours": {"timezone": "UTC", "days": [other_day], "open": "03:00", "close": "03:01"}
    }
    path = tmp_path / "closed.yml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("HELPDESK_CONFIG", str(path))
    get_settings.cache_clear()
    Presence(own_database).seen("ana")  # someone is online, but the queue is closed

    dispatcher = CollectingDispatcher()
    events = await ActionEscalate().run(
        dispatcher, tracker(user("quiero hablar con una persona", "request_human", language="es")), {}
    )
    assert [m["response"] for m in dispatcher.messages] == ["utter_escalation_closed"] and escalated(events)
    assert (
        dispatcher.messages[0]["hours"]
        == f"{ {'mon': 'lun', 'tue': 'mar', 'wed': 'mié', 'thu': 'jue', 'fri': 'vie', 'sat': 'sáb', 'sun': 'dom'}[other_day]}., de 3:00 a 3:01, UTC"
    )


async def test_after_an_agent_hands_back_earlier_anger_no_longer_counts(own_database):
    angry = user("isso nao funciona!!!", "report_problem", "angry")
    t = tracker(angry, {"event": "pause"}, {"event": "resume"}, user("PORCARIA de novo", "report_problem", "angry"))
    responses, events = await run(ActionReply(), t)
    assert "utter_escalation_offline" not in responses and stored(own_database) == []


async def test_the_escalation_keeps_the_articles_the_bot_tried(own_database):
    from bot.helpdesk.escalations import EscalationStore

    tried = [
        {"event": "slot", "name": "kb_articles", "value": ["import-data", "export-data"]},
        {"event": "slot", "name": "kb_articles", "value": ["import-data", "reset-password"]},
    ]
    t = tracker(user("nao consigo importar"), *tried, user("quero um atendente", "request_human"))
    await run(ActionEscalate(), t)
    record = EscalationStore(own_database).list()[0]
    assert record.articles == ["import-data", "export-data", "reset-password"]


def test_escalations_spooled_by_an_earlier_run_are_written_when_the_action_server_starts(own_database, monkeypatch):
    """No new escalation has to fail first: the start itself writes them back."""
    from bot.helpdesk import spool
    from bot.helpdesk.escalations import NewEscalation

    spool.keep(NewEscalation("left-from-yesterday", "request_human", 2, "support", "vi"))
    monkeypatch.setattr(spool, "RETRY_SECONDS", 0.05)
    monkeypatch.setattr(spool, "_thread", None)  # a fresh start of the action server
    announced = []
    monkeypatch.setattr("actions.handoff.announce_new", announced.append)
    write_back_spooled_escalations()
    for _ in range(200):
        if spool.waiting() == 0 and announced:
            break
        time.sleep(0.05)
    assert stored(own_database) == [("request_human", 2, "support", "queued", "vi")]
    assert [a.conversation_id for a in announced] == ["left-from-yesterday"]


def from_address(conversation: str, client):
    t = tracker(user("quero falar com uma pessoa", "request_human"))
    latest = {**t.latest_message, "metadata": {"client": client} if client else {}}
    return Tracker(conversation, t.slots, latest, t.events, False, None, {}, "action_listen")


async def test_one_address_gets_a_few_tickets_an_hour_then_the_direct_contacts(own_database):
    limit = get_settings().escalation.per_address_per_hour
    for n in range(limit):
        responses, _ = await run(ActionEscalate(), from_address(f"script-{n}", "hash-of-one-address"))
        assert responses == ["utter_escalation_offline"]
    responses, events = await run(ActionEscalate(), from_address("script-more", "hash-of-one-address"))
    assert responses == ["utter_contact_human"] and events == []  # the contacts, and no ticket
    assert len(stored(own_database)) == limit
    # Someone else, and channels that send no address (REST, shell), are not limited by it.
    assert (await run(ActionEscalate(), from_address("neighbour", "hash-of-another")))[0] == [
        "utter_escalation_offline"
    ]
    assert (await run(ActionEscalate(), from_address("rest-channel", None)))[0] == ["utter_escalation_offline"]
    assert len(stored(own_database)) == limit + 2
