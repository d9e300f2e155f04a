"""Someone online is asked for the escalation's queue: a sales agent online
does not make a support customer wait for nobody."""

from __future__ import annotations

from actions.handoff import ActionEscalate
from bot.helpdesk.presence import Presence
from bot.helpdesk.queues import QueueMembership
from tests.actions.test_handoff_actions import run, tracker, user


async def test_only_an_agent_of_the_customers_queue_counts_as_online(own_database):
    QueueMembership(own_database).set_queues("sam", ["sales"])
    Presence(own_database).seen("sam")
    responses, _ = await run(ActionEscalate(), tracker(user("quero falar com uma pessoa", "request_human")))
    assert responses == ["utter_escalation_offline"]  # support: nobody there, so the e-mail form


async def test_an_agent_of_the_queue_online_lets_the_customer_wait(own_database):
    QueueMembership(own_database).set_queues("sue", ["support"])
    Presence(own_database).seen("sue")
    responses, _ = await run(ActionEscalate(), tracker(user("quero falar com uma pessoa", "request_human")))
    assert responses == ["utter_escalation_online"]
