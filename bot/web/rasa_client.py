"""Talking to the Rasa server: its REST channel, the conversation's slots, and
pausing a conversation while a person holds it (Rasa's HTTP API, so the bot
is silent on every channel, not only the widget)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import ClientConnectorError, ClientError, ClientSession, ClientTimeout

from bot.helpdesk.conversations import ChatLine, chat_line
from bot.languages import LANGUAGES

logger = logging.getLogger(__name__)

TIMEOUT = ClientTimeout(total=30)
UP_SECONDS = 1.0  # how long a good health check of the action server is trusted


class AssistantUnavailable(Exception):
    """Rasa did not answer (down, restarting, or failing)."""


class RasaClient:
    """`url` may list several Rasa servers, comma-separated (they share one
    tracker and lock store): messages go to them in turn, and to the next one
    when one cannot be reached. `actions_url`, when given, lets the client tell
    an action server that is down from a bot with nothing to say. `token`:
    Rasa's --auth-token, which its HTTP API (not the REST channel) asks for."""

    def __init__(self, url: str, actions_url: Optional[str] = None, token: Optional[str] = None) -> None:
        self.urls = [u.strip().rstrip("/") for u in url.split(",") if u.strip()]
        self.actions_url = actions_url.rstrip("/") if actions_url else None
        self._auth = {"token": token} if token else {}
        self._turn = itertools.count()
        self._actions_seen_up = 0.0
        self._session: Optional[ClientSession] = None

    @property
    def url(self) -> str:
        """The Rasa server for the next call (round robin)."""
        return self.urls[next(self._turn) % len(self.urls)]

    async def _client(self) -> ClientSession:
        if self._session is None or self._session.closed:
            self._session = ClientSession(timeout=TIMEOUT)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, sender: str, text: str, metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
        """The bot's replies to one customer message."""
        body = {"sender": sender, "message": text, "metadata": metadata}
        for attempt in range(len(self.urls)):
            try:
                client = await self._client()
                async with client.post(f"{self.url}/webhooks/rest/webhook", json=body) as reply:
                    if reply.status != 200:
                        raise AssistantUnavailable(f"Rasa answered {reply.status}")
                    replies = await reply.json()
                break
            except ClientConnectorError as error:
                # Not reached at all, so the message was not taken: the next server may take it.
                if attempt == len(self.urls) - 1:
                    raise AssistantUnavailable(f"{type(error).__name__}: {error}") from error
            except (ClientError, asyncio.TimeoutError, ValueError) as error:
                raise AssistantUnavailable(f"{type(error).__name__}: {error}") from error
        if not isinstance(replies, list):
            raise AssistantUnavailable(f"unexpected answer from Rasa: {type(replies).__name__}")
        return [r for r in replies if isinstance(r, dict)]

    async def actions_up(self, fresh: bool = False) -> bool:
        """Can the action server be reached? True when unknown. A success is
        remembered for UP_SECONDS (`fresh` asks again); a slow answer means
        busy, not down: only a refused connection or an error status is down."""
        if not self.actions_url:
            return True
        if not fresh and time.monotonic() - self._actions_seen_up < UP_SECONDS:
            return True
        try:
            client = await self._client()
            async with client.get(f"{self.actions_url}/health", timeout=ClientTimeout(total=5)) as reply:
                up = reply.status == 200
        except asyncio.TimeoutError:
            up = True
        except ClientError:
            up = False
        self._actions_seen_up = time.monotonic() if up else 0.0
        return up

    async def language(self, sender: str) -> Tuple[Optional[str], Optional[str]]:
        """The conversation's language and script slots, if Rasa can tell."""
        try:
            client = await self._client()
            async with client.get(
                f"{self.url}/conversations/{sender}/tracker", params={"include_events": "NONE", **self._auth}
            ) as reply:
                if reply.status != 200:
                    return None, None
                tracker = await reply.json()
        except (ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.warning("could not read the language of %s: %s", sender, error)
            return None, None
        slots = tracker.get("slots") if isinstance(tracker, dict) else None
        if not isinstance(slots, dict):
            return None, None
        # Slots can be set by a customer typing /intent{"language": ...}: trust known values only.
        language, script = slots.get("language"), slots.get("script")
        if language not in LANGUAGES:
            return None, None
        return language, script if script in ("Hans", "Hant") else None

    async def active_form(self, sender: str) -> Optional[str]:
        """The form the conversation is in (e.g. the e-mail form), None when it
        is in none; raises AssistantUnavailable when Rasa cannot tell."""
        try:
            client = await self._client()
            async with client.get(
                f"{self.url}/conversations/{sender}/tracker", params={"include_events": "NONE", **self._auth}
            ) as reply:
                if reply.status != 200:
                    raise AssistantUnavailable(f"Rasa answered {reply.status}")
                tracker = await reply.json()
        except (ClientError, asyncio.TimeoutError, ValueError) as error:
            raise AssistantUnavailable(f"{type(error).__name__}: {error}") from error
        loop = tracker.get("active_loop") if isinstance(tracker, dict) else None
        name = loop.get("name") if isinstance(loop, dict) else None
        return name if isinstance(name, str) and name else None

    async def add_events(self, sender: str, events: List[Dict[str, Any]]) -> None:
        """Append events to the conversation in Rasa (raises AssistantUnavailable)."""
        try:
            client = await self._client()
            async with client.post(
                f"{self.url}/conversations/{sender}/tracker/events",
                params={"include_events": "NONE", **self._auth},
                json=events,
            ) as reply:
                if reply.status != 200:
                    raise AssistantUnavailable(f"Rasa answered {reply.status}: {(await reply.text())[:200]}")
        except (ClientError, asyncio.TimeoutError) as error:
            raise AssistantUnavailable(f"{type(error).__name__}: {error}") from error

    async def pause(self, sender: str) -> None:
        """The bot stops answering this conversation (a person took it)."""
        await self.add_events(sender, [{"event": "pause"}])

    async def hand_back(self, sender: str) -> None:
        """The bot answers again, starting afresh: the escalation is closed, the
        counters of the escalation rules start from zero and no form is open."""
        await self.add_events(
            sender,
            [
                {"event": "resume"},
                {"event": "active_loop", "name": None},
                {"event": "slot", "name": "escalation_id", "value": None},
                {"event": "slot", "name": "kb_unhelpful_count", "value": 0},
                {"event": "slot", "name": "kb_no_article_count", "value": 0},
            ],
        )

    async def customer_messages(self, sender: str, since: float) -> List[ChatLine]:
        """What the customer wrote in Rasa since `since` (for conversations that
        come through other channels than the widget, e.g. REST)."""
        try:
            client = await self._client()
            async with client.get(
                f"{self.url}/conversations/{sender}/tracker", params={"include_events": "ALL", **self._auth}
            ) as reply:
                if reply.status != 200:
                    return []
                tracker = await reply.json()
        except (ClientError, asyncio.TimeoutError, ValueError) as error:
            logger.warning("could not read the conversation %s: %s", sender, error)
            return []
        events = tracker.get("events") if isinstance(tracker, dict) else None
        return [
            chat_line("customer", str(e.get("text") or ""), None, float(e.get("timestamp") or 0))
            for e in events or []
            if isinstance(e, dict) and e.get("event") == "user" and (e.get("timestamp") or 0) >= since
        ]
