"""Kill and restart each process during a conversation, with the real
processes on loopback: the customer is told politely, nothing they wrote is
lost, and the conversation goes on with its history and its escalation.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3

import aiohttp
import pytest

from tests.responses import prefix, texts
from tests.servers import ROOT, Assistant, next_event, start_assistant


@pytest.fixture(scope="module")
def assistant_to_break(tmp_path_factory) -> Assistant:
    """An assistant of its own: these tests kill its processes."""
    running = start_assistant(tmp_path_factory.mktemp("faults"))
    yield running
    running.stop()


class Customer:
    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http, self.base = http, base

    async def start(self) -> None:
        async with self.http.post(f"{self.base}/api/sessions") as reply:
            self.session = await reply.json()
        await self.connect()

    async def connect(self) -> dict:
        query = f"session_id={self.session['session_id']}&token={self.session['token']}"
        self.socket = await self.http.ws_connect(f"{self.base}/api/ws?{query}")
        return await self.socket.receive_json(timeout=10)  # history

    async def say(self, text: str):
        async with self.http.post(f"{self.base}/api/messages", json={**self.session, "text": text}) as reply:
            return reply.status, await reply.json()

    async def drain(self) -> None:
        """Forget the events already delivered (replies to earlier messages)."""
        while True:
            try:
                await self.socket.receive_json(timeout=1)
            except asyncio.TimeoutError:
                return

    async def bot_message(self, timeout: float = 120) -> dict:
        return await next_event(self.socket, lambda e: e.get("type") == "message" and e.get("sender") == "bot", timeout)


def escalation(assistant: Assistant, conversation: str):
    with sqlite3.connect(assistant.database) as db:
        return db.execute(
            "select id, status, email from escalations where conversation_id = ?", (conversation,)
        ).fetchone()


async def test_kill_and_restart_each_process_during_a_conversation(assistant_to_break):
    assistant = assistant_to_break
    # A new connection per request, as a browser opens after the server went away: a kept-alive
    # connection to the killed process would otherwise be reused while the loop was blocked in kill().
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as http:
        customer = Customer(http, assistant.web_url)
        await customer.start()
        conversation = customer.session["session_id"]
        status, body = await customer.say("oi, quero falar com um atendente")
        assert status == 200 and body["messages"][-1]["text"] in texts("utter_ask_email", "pt")
        ticket = escalation(assistant, conversation)
        assert ticket[1:] == ("queued", None)

        # 1. The action server dies while the e-mail form waits for the address.
        await customer.drain()
        assistant.services["actions"].kill()
        status, body = await customer.say("meu email e ana.souza@example.com")
        assert (
            status == 503 and body["error"] == "assistant_unavailable"
        )  # the widget shows this in the customer's language
        assistant.services["actions"].start()
        assistant.services["actions"].wait()
        confirmed = await customer.bot_message()  # the kept message is answered when it is back
        assert confirmed["text"].startswith(prefix(next(iter(texts("utter_ticket_created", "pt")))))
        assert (
            f"#{ticket[0]}" in confirmed["text"] and escalation(assistant, conversation)[2] == "ana.souza@example.com"
        )

        # 2. The Rasa server dies; a question sent meanwhile is answered after the restart.
        await customer.drain()
        assistant.services["rasa"].kill()
        status, body = await customer.say("como eu importo meus contatos de uma planilha csv?")
        assert status == 503 and body["error"] == "assistant_unavailable"
        assistant.services["rasa"].start()
        assistant.services["rasa"].wait()
        answer = await customer.bot_message()
        assert answer["language"] == "pt" and re.search(r"csv|planilha|importa", answer["text"], re.IGNORECASE), answer[
            "text"
        ]
        slots = assistant.tracker(conversation)["slots"]
        assert slots["language"] == "pt" and slots["escalation_id"] == ticket[0]  # the conversation's state survived

        # 3. The web server dies; the customer reconnects to the new one and finds everything.
        assistant.services["web"].kill()
        await customer.socket.close()
        assistant.services["web"].start()
        assistant.services["web"].wait()
        history = await customer.connect()
        said = [m["text"] for m in history["messages"] if m["sender"] == "customer"]
        assert said == [
            "oi, quero falar com um atendente",
            "meu email e ana.souza@example.com",
            "como eu importo meus contatos de uma planilha csv?",
        ]
        status, body = await customer.say("valeu, era isso")
        assert status == 200 and body["messages"] and body["messages"][0]["language"] == "pt"
        assert escalation(assistant, conversation)[1:] == ("queued", "ana.souza@example.com")
        await customer.socket.close()


def test_the_widget_tells_every_customer_in_their_language_that_the_message_is_kept():
    widget = (ROOT / "bot" / "web" / "static" / "widget.js").read_text(encoding="utf-8")
    notices = re.findall(r'assistant_unavailable: "([^"]+)"', widget)
    assert len(notices) == 5  # pt, es, vi, zh-Hans, zh-Hant
    for word in ("guardada", "guardado", "lưu", "保存", "保存"):
        assert any(word in notice for notice in notices), word
