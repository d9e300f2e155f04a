"""Hand-over to a person with the real processes (Rasa server, action server,
web server) on loopback, in every language, on SQLite and on PostgreSQL:

an angry customer is escalated, appears in the agents' queue, an agent
claims it and they talk both ways while the bot is silent on every channel,
then the agent resolves and the bot answers again.
"""

from __future__ import annotations

import os
import secrets

import aiohttp
import pytest

from bot.helpdesk.agents import AgentSessions
from tests.responses import prefix, texts
from tests.servers import Assistant, empty_help_desk_database, next_event, start_assistant
from tests.test_conversations import ANGRY

THANKS_AND_QUESTION = {
    "pt": "valeu! e como eu importo meus contatos de uma planilha?",
    "es": "gracias! y como importo mis contactos desde una planilla?",
    "vi": "cam on nhe! the lam sao nhap danh ba tu file excel?",
    "zh": "谢谢!那怎么从表格导入联系人?",
}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def running(request, tmp_path_factory, assistant) -> Assistant:
    """The session's assistant on SQLite, or one of its own on PostgreSQL."""
    if request.param == "sqlite":
        yield assistant
        return
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL is not set: export TEST_POSTGRES_URL=$(scripts/test-postgres.sh)")
    empty_help_desk_database(url)
    on_postgres = start_assistant(tmp_path_factory.mktemp("assistant-pg"), database_url=url)
    yield on_postgres
    on_postgres.stop()


class Agent:
    """An agent with the console's live connection open (so they are online)."""

    def __init__(self, http: aiohttp.ClientSession, base: str, token: str) -> None:
        self.http, self.base = http, base
        self.headers = {"Authorization": f"Bearer {token}"}
        self.token = token
        self.socket = None

    async def open_console(self) -> None:
        self.socket = await self.http.ws_connect(f"{self.base}/api/agent/ws")
        await self.socket.send_json({"type": "auth", "token": self.token})
        assert (await self.socket.receive_json(timeout=10))["type"] == "ready"

    async def next_event(self, condition, timeout: float = 20):
        return await next_event(self.socket, condition, timeout)

    async def call(self, method: str, path: str, **kwargs):
        async with self.http.request(method, f"{self.base}{path}", headers=self.headers, **kwargs) as reply:
            return reply.status, await reply.json()


class Customer:
    """A widget customer: a session and its live connection."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base

    async def connect(self) -> None:
        async with self.http.post(f"{self.base}/api/sessions") as reply:
            self.session = await reply.json()
        query = f"session_id={self.session['session_id']}&token={self.session['token']}"
        self.socket = await self.http.ws_connect(f"{self.base}/api/ws?{query}")
        assert (await self.socket.receive_json(timeout=10))["type"] == "history"

    async def say(self, text: str):
        """Send as the widget does when its live connection is busy; the bot's replies."""
        async with self.http.post(f"{self.base}/api/messages", json={**self.session, "text": text}) as reply:
            assert reply.status == 200, await reply.text()
            body = await reply.json()
            return [m for m in body["messages"] if m["sender"] == "bot"]

    async def next_event(self, condition, timeout: float = 60):
        return await next_event(self.socket, condition, timeout)


async def signed_in_agent(http, running: Assistant) -> Agent:
    name, password = f"agent-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    AgentSessions({}, running.database_url).add_account(name, password)
    async with http.post(f"{running.web_url}/api/agent/login", json={"name": name, "password": password}) as reply:
        assert reply.status == 200
        return Agent(http, running.web_url, (await reply.json())["token"])


@pytest.mark.parametrize("language", ["pt", "es", "vi", "zh"])
async def test_angry_customer_reaches_an_agent_talks_live_and_comes_back_to_the_bot(running, language):
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90)) as http:
        agent = await signed_in_agent(http, running)
        await agent.open_console()
        customer = Customer(http, running.web_url)
        await customer.connect()
        conversation = customer.session["session_id"]

        first, second = ANGRY[language]
        await customer.say(first)
        told = (await customer.say(second))[0]
        # An agent is online: the customer is told a person will answer here, with their place in the queue.
        assert any(told["text"].startswith(prefix(t)) for t in texts("utter_escalation_online", language)), told["text"]

        await agent.next_event(lambda e: e["type"] == "queue_changed")  # the queue updates without reload
        status, queue = await agent.call("GET", "/api/escalations")
        mine = [e for e in queue if e["conversation_id"] == conversation]
        assert status == 200 and len(mine) == 1
        escalation = mine[0]
        assert escalation["reason"] in ("repeated_anger", "anger_with_threat") and escalation["priority"] >= 3
        assert (escalation["language"], escalation["mood"], escalation["status"]) == (language, "angry", "queued")
        assert f"#{escalation['id']}" in told["text"]

        status, detail = await agent.call("GET", f"/api/escalations/{escalation['id']}")
        assert [line["text"] for line in detail["transcript"] if line["sender"] == "customer"] == [first, second]
        assert detail["transcript"][-1]["mood"] == "angry"

        status, claimed = await agent.call("POST", f"/api/escalations/{escalation['id']}/claim")
        assert status == 200 and claimed["bot_paused"] is True
        await customer.next_event(lambda e: e.get("type") == "agent_joined")

        hello = {
            "pt": "Oi, aqui e a Ana, vou resolver isso agora.",
            "es": "Hola, soy Ana y lo resuelvo ya.",
            "vi": "Chao ban, minh la Ana, minh xu ly ngay.",
            "zh": "您好,我是客服小安,马上为您处理。",
        }[language]
        status, _ = await agent.call("POST", f"/api/escalations/{escalation['id']}/message", json={"text": hello})
        assert status == 200
        reached = await customer.next_event(lambda e: e.get("type") == "message" and e.get("sender") == "agent")
        assert reached["text"] == hello

        answer = {
            "pt": "ok, o pedido e 4521",
            "es": "vale, el pedido es 4521",
            "vi": "ok don hang 4521",
            "zh": "好的,订单号4521",
        }[language]
        assert await customer.say(answer) == []  # no bot reply
        heard = await agent.next_event(lambda e: e["type"] == "message" and e["message"]["sender"] == "customer")
        assert heard["conversation_id"] == conversation and heard["message"]["text"] == answer
        # The bot is silent on every channel while the agent holds the conversation.
        assert running.say(conversation, answer) == []
        assert running.tracker(conversation)["paused"] is True

        status, resolved = await agent.call("POST", f"/api/escalations/{escalation['id']}/resolve")
        assert status == 200 and resolved["status"] == "resolved" and resolved["bot_resumed"] is True
        await customer.next_event(lambda e: e.get("type") == "agent_left")

        again = await customer.say(THANKS_AND_QUESTION[language])
        assert again and again[0]["text"] and again[0]["language"] == language  # the bot answers again
        assert running.tracker(conversation)["paused"] is False

        await customer.socket.close()
        await agent.socket.close()


async def test_the_console_page_needs_no_secrets_and_the_api_refuses_customers(running):
    async with aiohttp.ClientSession() as http:
        customer = Customer(http, running.web_url)
        await customer.connect()
        for headers in ({}, {"Authorization": f"Bearer {customer.session['token']}"}):
            async with http.get(f"{running.web_url}/api/escalations", headers=headers) as reply:
                assert reply.status == 401
            async with http.get(f"{running.web_url}/api/report", headers=headers) as reply:
                assert reply.status == 401
        async with http.get(f"{running.web_url}/agent") as page:
            assert page.status == 200 and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
        await customer.socket.close()
