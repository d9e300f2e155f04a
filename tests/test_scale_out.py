"""Several machines' worth on loopback: two web servers and two Rasa servers
sharing one PostgreSQL (trackers and help-desk records) and one Redis (Rasa's
lock store, and the pub/sub between web servers). Debian's packages, started
by `.ci/run` (scripts/test-postgres.sh, scripts/test-redis.sh).
"""

from __future__ import annotations

import asyncio
import os

import aiohttp
import pytest

from bot.helpdesk.agents import AgentSessions
from tests.responses import prefix, texts
from tests.servers import Cluster, empty_help_desk_database, start_cluster

POSTGRES, REDIS = os.environ.get("TEST_POSTGRES_URL"), os.environ.get("TEST_REDIS_URL")
pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.skipif(
        not (POSTGRES and REDIS),
        reason="needs TEST_POSTGRES_URL and TEST_REDIS_URL: export them from scripts/test-postgres.sh and scripts/test-redis.sh",
    ),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Cluster:
    import sqlalchemy as sa

    from bot.database import engine_for

    empty_help_desk_database(POSTGRES)
    with engine_for(POSTGRES).begin() as db:
        db.execute(sa.text("DROP TABLE IF EXISTS events"))  # Rasa's trackers
    running = start_cluster(tmp_path_factory.mktemp("cluster"), POSTGRES, REDIS)
    yield running
    running.stop()


def test_a_conversation_alternating_between_two_rasa_servers_keeps_its_state(cluster):
    sender = "alternating-customer"
    asked = cluster.say(0, sender, "quero falar com um atendente")
    assert asked[-1]["text"] in texts("utter_ask_email", "pt")
    refused = cluster.say(1, sender, "sei la")  # the other server knows the form is waiting for an address
    assert refused[0]["text"] in texts("utter_invalid_email", "pt")
    done = cluster.say(0, sender, "ana@example.com")
    assert (
        done[0]["text"].startswith(prefix(next(iter(texts("utter_ticket_created", "pt")))))
        and "ana@example.com" in done[0]["text"]
    )


async def receive_all(socket, seconds=1.5):
    """Every event that arrives within `seconds` of the last one."""
    events = []
    while True:
        try:
            events.append(await socket.receive_json(timeout=seconds))
        except asyncio.TimeoutError:
            return events


async def test_customer_and_agent_on_different_web_servers_exchange_every_message_once(cluster):
    web_a, web_b = cluster.web_urls
    AgentSessions({}, POSTGRES).add_account("scale-agent", "a long password here")
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90)) as http:
        async with http.post(
            f"{web_b}/api/agent/login", json={"name": "scale-agent", "password": "a long password here"}
        ) as reply:
            token = (await reply.json())["token"]
        headers = {"Authorization": f"Bearer {token}"}
        console = await http.ws_connect(f"{web_b}/api/agent/ws")  # the agent is on server B
        await console.send_json({"type": "auth", "token": token})
        assert (await console.receive_json(timeout=10))["type"] == "ready"

        async with http.post(f"{web_a}/api/sessions") as reply:  # the customer on server A
            session = await reply.json()
        customer = await http.ws_connect(f"{web_a}/api/ws?session_id={session['session_id']}&token={session['token']}")
        await customer.receive_json(timeout=10)
        async with http.post(f"{web_a}/api/messages", json={**session, "text": "quero falar com uma pessoa"}) as reply:
            told = (await reply.json())["messages"]
        assert any(told[0]["text"].startswith(prefix(t)) for t in texts("utter_escalation_online", "pt")), told[0][
            "text"
        ]

        async with http.get(f"{web_b}/api/escalations", headers=headers) as reply:
            escalation = next(e for e in await reply.json() if e["conversation_id"] == session["session_id"])
        async with http.post(f"{web_b}/api/escalations/{escalation['id']}/claim", headers=headers) as reply:
            assert reply.status == 200 and (await reply.json())["bot_paused"] is True
        await receive_all(customer)  # its own message, the bot's replies, agent_joined
        await receive_all(console)

        sent_by_agent = [f"agente {n}" for n in range(5)]
        for text in sent_by_agent:
            async with http.post(
                f"{web_b}/api/escalations/{escalation['id']}/message", headers=headers, json={"text": text}
            ) as reply:
                assert reply.status == 200
        got = [e["text"] for e in await receive_all(customer) if e.get("type") == "message"]
        assert got == sent_by_agent  # every one, once, in order, across servers

        sent_by_customer = [f"cliente {n}" for n in range(5)]
        for text in sent_by_customer:
            async with http.post(f"{web_a}/api/messages", json={**session, "text": text}) as reply:
                assert reply.status == 200 and (await reply.json())["messages"] == []  # the bot is silent
        heard = [
            e["message"]["text"]
            for e in await receive_all(console)
            if e.get("type") == "message" and e["message"]["sender"] == "customer"
        ]
        assert heard == sent_by_customer

        async with http.post(f"{web_b}/api/escalations/{escalation['id']}/resolve", headers=headers) as reply:
            assert reply.status == 200 and (await reply.json())["bot_resumed"] is True
        async with http.post(f"{web_b}/api/messages", json={**session, "text": "obrigado, resolvido!"}) as reply:
            back = (await reply.json())["messages"]  # the customer on server B now: the bot answers again
        assert back and back[0]["sender"] == "bot" and back[0]["language"] == "pt"
        await customer.close()
        await console.close()
