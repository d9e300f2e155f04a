"""Asking the action server's knowledge base for suggested answers.

The web server does not load the search engine (e5, numpy indexes: seconds
and hundreds of MB at start-up); the action server has it loaded, and answers
POST /kb/suggestions (bot/action_server.py) to whoever brings RASA_TOKEN.
"""

from __future__ import annotations

import asyncio
import logging
from typing import List, Optional

from aiohttp import ClientError, ClientSession, ClientTimeout

from bot.kb.suggestions import Suggestion

logger = logging.getLogger(__name__)

# A first search after the action server starts builds the indexes and
# embeds the question: seconds, not minutes.
TIMEOUT = ClientTimeout(total=60, connect=5)


class KnowledgeBaseUnavailable(Exception):
    """The action server could not be reached or did not answer as expected."""


class KnowledgeBaseClient:
    """`url`: the action server (ACTION_SERVER_URL); `token`: RASA_TOKEN, which it asks of every caller."""

    def __init__(self, url: Optional[str], token: Optional[str] = None) -> None:
        self.url = url.rstrip("/") if url else None
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._session: Optional[ClientSession] = None

    async def _client(self) -> ClientSession:
        if self._session is None or self._session.closed:
            self._session = ClientSession(timeout=TIMEOUT, headers=self._headers)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def suggestions(
        self, text: str, language: str, script: Optional[str], agent_language: str, limit: int = 3
    ) -> List[Suggestion]:
        """The best articles for a customer's message (raises KnowledgeBaseUnavailable)."""
        if not self.url:
            raise KnowledgeBaseUnavailable("no action server is configured (ACTION_SERVER_URL)")
        body = {"text": text, "language": language, "script": script, "agent_language": agent_language, "limit": limit}
        try:
            client = await self._client()
            async with client.post(f"{self.url}/kb/suggestions", json=body) as reply:
                if reply.status != 200:
                    raise KnowledgeBaseUnavailable(f"the action server answered {reply.status}: {await reply.text()}")
                data = await reply.json()
            return [Suggestion.from_dict(item) for item in data["suggestions"]]
        except (ClientError, asyncio.TimeoutError) as error:
            raise KnowledgeBaseUnavailable(f"{type(error).__name__}: {error}") from error
        except (KeyError, TypeError, ValueError) as error:
            raise KnowledgeBaseUnavailable(f"unexpected answer from the action server: {error}") from error
