"""Live connections per chat session, and publishing events to them.

A customer may have the widget open in several tabs; every event of the
session (bot reply, agent message, notice) goes to all of them. Open agent
consoles share one topic (bot/web/agent_api.py CONSOLES). The web server
never writes to a socket directly. This hub lives in one process; running
several web servers needs a shared pub/sub (Redis) behind the same calls.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any, Dict, Optional, Set

from aiohttp import web

logger = logging.getLogger(__name__)


class Hub:
    def __init__(self) -> None:
        self._sockets: Dict[str, Set[web.WebSocketResponse]] = defaultdict(set)

    def join(self, session_id: str, socket: web.WebSocketResponse) -> None:
        self._sockets[session_id].add(socket)

    def leave(self, session_id: str, socket: web.WebSocketResponse) -> None:
        self._sockets[session_id].discard(socket)
        if not self._sockets[session_id]:
            del self._sockets[session_id]

    def sockets(self, topic: str) -> Set[web.WebSocketResponse]:
        return set(self._sockets.get(topic, ()))

    async def publish(self, session_id: str, event: Dict[str, Any]) -> None:
        await self.publish_except(session_id, event, None)

    async def publish_except(self, session_id: str, event: Dict[str, Any], skip: Optional[web.WebSocketResponse]) -> None:
        """Publish to every socket of the session but `skip` (the sender)."""
        for socket in list(self._sockets.get(session_id, ())):
            if socket is skip:
                continue
            try:
                await socket.send_json(event)
            except (ConnectionError, RuntimeError) as error:
                logger.info("dropping a closed socket of %s: %s", session_id, error)
                self.leave(session_id, socket)
