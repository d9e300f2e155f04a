"""The agent desk end to end, with the real processes (tests/servers.py) and a
local SMTP server (tests/smtp.py):

a Vietnamese customer asks for a person while nobody is online and leaves an
e-mail address; an agent whose console speaks Portuguese (`agents add NAME
--language pt`) claims the ticket and gets suggested answers to the
customer's question, in Portuguese beside the Vietnamese text to send; the
customer closes the widget, the agent sends the suggestion, the reply arrives
by e-mail at the customer's address, and the link in it reopens the same
conversation with the reply in its history.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
from urllib.parse import unquote, urlsplit

import aiohttp
import pytest

from tests.servers import Assistant, service_env, start_assistant
from tests.smtp import MailServer

pytestmark = pytest.mark.slow

CUSTOMER_EMAIL = "lan.nguyen@congty.vn"
LINK = re.compile(r"https?://\S+/chat/reopen\?link=(\S+)")


@pytest.fixture(scope="module")
def smtp():
    running = MailServer().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def desk(tmp_path_factory, smtp) -> Assistant:
    """The assistant, its web server e-mailing through the test's SMTP server."""
    workdir = tmp_path_factory.mktemp("agent-desk")
    saved = {name: os.environ.get(name) for name in ("SMTP_URL", "SMTP_FROM")}
    os.environ.update(SMTP_URL=smtp.url, SMTP_FROM="atendimento@loja.example")
    try:
        running = start_assistant(workdir)  # the services take this environment
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    running.workdir = workdir
    yield running
    running.stop()


def add_agent(desk: Assistant, language: str) -> tuple:
    """`python -m bot.helpdesk.agents add NAME --language pt`, as an admin would."""
    name, password = f"agente-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    done = subprocess.run(
        [sys.executable, "-m", "bot.helpdesk.agents", "add", name, "--language", language],
        input=password + "\n",
        env={**os.environ, **service_env(desk.workdir, desk.database_url)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return name, password


async def test_a_portuguese_agent_answers_a_vietnamese_customer_who_left_by_email(desk, smtp):
    name, password = add_agent(desk, "pt")
    base = desk.web_url
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:

        async def say(session, text):
            async with http.post(f"{base}/api/messages", json={**session, "text": text}) as reply:
                assert reply.status == 200, await reply.text()
                return [m["text"] for m in (await reply.json())["messages"] if m["sender"] == "bot"]

        # The customer: a widget session with its live connection open.
        async with http.post(f"{base}/api/sessions") as reply:
            customer = await reply.json()
        query = f"session_id={customer['session_id']}&token={customer['token']}"
        widget = await http.ws_connect(f"{base}/api/ws?{query}")
        assert (await widget.receive_json(timeout=10))["type"] == "history"
        await say(customer, "cho minh gap nhan vien tu van voi")  # nobody online: the bot asks for an e-mail
        ticket = await say(customer, f"email cua minh la {CUSTOMER_EMAIL}")
        assert any(CUSTOMER_EMAIL in text for text in ticket), ticket

        # The agent signs in; the console speaks Portuguese.
        async with http.post(f"{base}/api/agent/login", json={"name": name, "password": password}) as reply:
            assert reply.status == 200
            signed_in = await reply.json()
        assert signed_in["language"] == "pt"
        agent = {"Authorization": f"Bearer {signed_in['token']}"}
        async with http.get(f"{base}/api/escalations", headers=agent) as reply:
            [escalation] = [e for e in await reply.json() if e["conversation_id"] == customer["session_id"]]
        assert (escalation["language"], escalation["email"]) == ("vi", CUSTOMER_EMAIL)
        async with http.post(f"{base}/api/escalations/{escalation['id']}/claim", headers=agent) as reply:
            assert reply.status == 200

        question = "Tôi quên mật khẩu, làm sao đăng nhập lại?"
        assert await say(customer, question) == []  # the agent holds the conversation: the bot is silent
        async with http.get(f"{base}/api/escalations/{escalation['id']}/suggestions", headers=agent) as reply:
            assert reply.status == 200, await reply.text()
            suggestions = (await reply.json())["suggestions"]
        best = suggestions[0]
        assert best["article_id"] == "reset-password"
        assert (best["agent_language"], best["customer_language"]) == ("pt", "vi")
        assert "Esqueci minha senha" in best["agent_text"]  # data/kb/pt/reset-password.md
        assert "Quên mật khẩu" in best["customer_text"]  # data/kb/vi/reset-password.md

        # The customer closes the widget; the agent sends the suggested answer.
        await widget.close()
        await asyncio.sleep(0.3)  # the server drops the closed connection
        async with http.post(
            f"{base}/api/escalations/{escalation['id']}/message", headers=agent, json={"text": best["customer_text"]}
        ) as reply:
            sent = await reply.json()
        assert (sent["customer_online"], sent["emailed"]) == (False, True)

        [received] = await smtp.inbox.wait_for(1, timeout=30)
        assert received.recipients == [CUSTOMER_EMAIL]
        assert received.message["Subject"] == "Phản hồi mới từ bộ phận hỗ trợ"
        assert best["customer_text"].strip() in received.text
        found = LINK.search(received.text)
        assert found, received.text
        link = urlsplit(found.group(0))

        # The link reopens the same conversation, with the reply in its history.
        async with http.get(f"{base}{link.path}?{link.query}") as page:
            assert page.status == 200 and "data-reopen" in await page.text()
        async with http.post(f"{base}/api/reopen", json={"link": unquote(found.group(1))}) as reply:
            assert reply.status == 200
            reopened = await reply.json()
        assert reopened["session_id"] == customer["session_id"]
        query = f"session_id={reopened['session_id']}&token={reopened['token']}"
        again = await http.ws_connect(f"{base}/api/ws?{query}")
        history = await again.receive_json(timeout=10)
        await again.close()
        assert history["type"] == "history" and history["language"] == "vi"
        texts = [(m["sender"], m["text"]) for m in history["messages"]]
        assert ("customer", question) in texts
        assert texts[-1] == ("agent", best["customer_text"])
