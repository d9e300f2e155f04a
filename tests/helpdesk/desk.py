"""The web app with three agents (ana in helpdesk.yml, bao and cai in the
database), for the teamwork tests: canned replies, notes, transfer, queues."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from bot.helpdesk.agents import AgentSessions, hash_password
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from tests.web.conftest import rasa as web_rasa  # noqa: F401  (the stand-in Rasa, as the fixture "web_rasa")

PASSWORDS = {"ana": "correct horse battery", "bao": "another long secret", "cai": "third long secret!"}


@pytest.fixture(name="desk")
async def make_desk(web_rasa, database_url):  # noqa: F811  (the fixture imported above)
    """A test client of the web server; ana is in helpdesk.yml, bao and cai in the
    database; `.rasa` is the stand-in Rasa (what it received and was told)."""
    AgentSessions({}, database_url).add_account("bao", PASSWORDS["bao"])
    AgentSessions({}, database_url).add_account("cai", PASSWORDS["cai"])
    app = server.create_app(str(web_rasa.make_url("")), database_url, agents={"ana": hash_password(PASSWORDS["ana"])})
    client = TestClient(TestServer(app))
    await client.start_server()
    client.escalations = EscalationStore(database_url)
    client.database_url = database_url
    client.rasa = web_rasa
    yield client
    await client.close()


async def sign_in(client, name="ana") -> dict:
    reply = await client.post("/api/agent/login", json={"name": name, "password": PASSWORDS[name]})
    assert reply.status == 200, await reply.text()
    return {"Authorization": f"Bearer {(await reply.json())['token']}"}


def escalate(client, conversation_id, queue="support", language="pt", script=None, priority=2):
    transcript = [{"sender": "customer", "text": "preciso de ajuda com meu pedido", "mood": "neutral"}]
    return client.escalations.create(
        NewEscalation(
            conversation_id, "request_human", priority, queue, language, script, "neutral", ["neutral"], transcript
        )
    )
