"""The widget's pre-chat form reaches the escalation: the e-mail address (and
name) the customer gave ride on each message's metadata (bot/web/chat.py), so
the escalation has them and the bot does not ask for the e-mail again."""

from __future__ import annotations

import sqlalchemy as sa
from rasa_sdk import Tracker

from actions.handoff import ActionEscalate
from bot.database import engine_for
from bot.languages import CONTACT
from tests.actions.test_handoff_actions import escalated, run, user


def tracker_with(metadata, **slots) -> Tracker:
    turn = user("quero falar com uma pessoa", "request_human")
    return Tracker.from_dict(
        {
            "sender_id": "customer-prechat",
            "slots": {"language": "pt", "script": "Latn", "mood": "neutral", **slots},
            "latest_message": {**turn["parse_data"], "text": turn["text"], "metadata": metadata},
            "events": [turn],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def contacts(database_url):
    with engine_for(database_url).connect() as db:
        return [tuple(r) for r in db.execute(sa.text("select email, customer_name from escalations order by id"))]


def slot(events, name):
    return next((e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name), None)


async def test_the_pre_chat_e_mail_fills_the_escalation_and_the_bot_does_not_ask(own_database):
    metadata = {CONTACT: {"name": "Ana Souza", "email": "ana@empresa.com.br"}}
    responses, events = await run(ActionEscalate(), tracker_with(metadata))
    assert responses == ["utter_escalation_offline"]  # nobody online: a ticket, ...
    assert not escalated(events)  # ... but no e-mail form: the address is known
    assert slot(events, "email") == "ana@empresa.com.br"
    assert contacts(own_database) == [("ana@empresa.com.br", "Ana Souza")]


async def test_without_the_form_the_bot_still_asks_for_the_e_mail(own_database):
    responses, events = await run(ActionEscalate(), tracker_with({}))
    assert responses == ["utter_escalation_offline"] and escalated(events)
    assert contacts(own_database) == [(None, None)]


async def test_a_malformed_contact_in_the_metadata_is_ignored(own_database):
    metadata = {CONTACT: {"name": ["x"], "email": "not an address"}}
    _, events = await run(ActionEscalate(), tracker_with(metadata))
    assert escalated(events) and contacts(own_database) == [(None, None)]


async def test_an_escalation_made_before_the_form_gets_the_e_mail_later(own_database):
    await run(ActionEscalate(), tracker_with({}))
    metadata = {CONTACT: {"name": None, "email": "li@example.cn"}}
    _, events = await run(ActionEscalate(), tracker_with(metadata))
    assert not escalated(events) and contacts(own_database) == [("li@example.cn", None)]
