"""Live connections per chat session, and publishing events to them.

A customer may have the widget open in several tabs; every event of the
session (bot reply, agent message, notice) goes to all of them. Open agent
consoles share one topic (bot/web/agent_api.py CONSOLES). The web server
never writes to a socket directly. `Hub` lives in one process; `RedisHub`
(REDIS_URL set) carries the same calls between several web servers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import defaultdict
from typing import Any, Dict, Optional, Set

from aiohttp import web
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class Hub:
    """Live connections of this web server."""

    def __init__(self) -> None:
        self._sockets: Dict[str, Set[web.WebSocketResponse]] = defaultdict(set)

    def join(self, session_id: str, socket: web.WebSocketResponse) -> None:
        self._sockets[session_id].add(socket)

    def leave(self, session_id: str, socket: web.WebSocketResponse) -> None:
        self._sockets[session_id].discard(socket)
        if not self._sockets[session_id]:
            del self._sockets[session_id]

    async def start(self) -> None:
        """Nothing to connect to for a single server."""

    async def close(self) -> None:
        pass

    def sockets(self, topic: str) -> Set[web.WebSocketResponse]:
        return set(self._sockets.get(topic, ()))

    async def connected(self, session_id: str) -> bool:
        """Has the customer a widget open (on any server)? If not, an agent's
        reply is e-mailed (bot/web/reopen.py)."""
        return bool(self._sockets.get(session_id))

    async def publish(self, session_id: str, event: Dict[str, Any]) -> None:
        await self.publish_except(session_id, event, None)

    async def publish_except(
        self, session_id: str, event: Dict[str, Any], skip: Optional[web.WebSocketResponse]
    ) -> None:
        """Publish to every socket of the session but `skip` (the sender)."""
        await self.publish_here(session_id, event, skip)

    async def publish_here(
        self, session_id: str, event: Dict[str, Any], skip: Optional[web.WebSocketResponse] = None
    ) -> None:
        """To this server's sockets only: events every server makes itself, and
        what RedisHub receives from the others."""
        for socket in list(self._sockets.get(session_id, ())):
            if socket is skip:
                continue
            try:
                await socket.send_json(event)
            except (ConnectionError, RuntimeError) as error:
                logger.info("dropping a closed socket of %s: %s", session_id, error)
                self.leave(session_id, socket)


class RedisHub(Hub):
    """The same Hub across several web servers: every event goes through a
    Redis pub/sub channel, and each server delivers it to its own sockets. A
    customer on one server and an agent on another then see each other's
    messages. If Redis cannot be reached, events still reach this server's
    sockets (logged), so one server keeps working on its own.
    """

    CHANNEL = "helpdesk:events"
    # Sorted set per session: the servers holding its sockets, scored by when
    # each last said so; a server that died drops out after ONLINE_SECONDS.
    ONLINE_PREFIX = "helpdesk:online:"
    ONLINE_SECONDS = 90.0

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis.asyncio as redis

        self.url = url
        self.server_id = uuid.uuid4().hex
        self._redis = redis.from_url(url)
        self._listener: Optional[asyncio.Task] = None
        self._subscribed = asyncio.Event()
        self._marker: Optional[asyncio.Task] = None
        self._marking: Set[asyncio.Task] = set()

    async def start(self) -> None:
        self._listener = asyncio.create_task(self._listen())
        self._marker = asyncio.create_task(self._keep_marks())
        try:
            await asyncio.wait_for(self._subscribed.wait(), timeout=10)
        except asyncio.TimeoutError:
            logger.error("Redis at %s not reachable yet; events reach this server's sockets only", self.url)

    async def close(self) -> None:
        for task in (self._listener, self._marker):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self._redis.close()

    def join(self, session_id: str, socket: web.WebSocketResponse) -> None:
        first = not self._sockets.get(session_id)
        super().join(session_id, socket)
        if first and ":" not in session_id:  # a customer's session (consoles' topics have a colon)
            self._in_background(self._mark([session_id]))

    def leave(self, session_id: str, socket: web.WebSocketResponse) -> None:
        super().leave(session_id, socket)
        if session_id not in self._sockets and ":" not in session_id:
            self._in_background(self._unmark(session_id))

    def _in_background(self, work) -> None:
        try:
            task = asyncio.get_running_loop().create_task(work)
        except RuntimeError:  # no loop (a test's plain call): nothing to tell Redis
            work.close()
            return
        self._marking.add(task)
        task.add_done_callback(self._marking.discard)

    async def _mark(self, session_ids) -> None:
        now = time.time()
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for session_id in session_ids:
                    pipe.zadd(self.ONLINE_PREFIX + session_id, {self.server_id: now})
                    pipe.expire(self.ONLINE_PREFIX + session_id, int(self.ONLINE_SECONDS))
                await pipe.execute()
        except (RedisError, OSError) as error:
            logger.warning("Redis: could not record open widgets: %s", error)

    async def _unmark(self, session_id: str) -> None:
        try:
            await self._redis.zrem(self.ONLINE_PREFIX + session_id, self.server_id)
        except (RedisError, OSError) as error:
            logger.warning("Redis: could not record a closed widget: %s", error)

    async def _keep_marks(self) -> None:
        while True:
            await asyncio.sleep(self.ONLINE_SECONDS / 3)
            sessions = [topic for topic in self._sockets if ":" not in topic]
            if sessions:
                await self._mark(sessions)

    async def connected(self, session_id: str) -> bool:
        if self._sockets.get(session_id):
            return True
        try:
            since = time.time() - self.ONLINE_SECONDS
            return bool(await self._redis.zcount(self.ONLINE_PREFIX + session_id, since, "+inf"))
        except (RedisError, OSError) as error:  # then the reply would not reach another server live either
            logger.warning("Redis: cannot tell whether %s has a widget open: %s", session_id, error)
            return False

    async def publish_except(
        self, session_id: str, event: Dict[str, Any], skip: Optional[web.WebSocketResponse]
    ) -> None:
        message = {
            "topic": session_id,
            "event": event,
            "server": self.server_id,
            "skip": id(skip) if skip is not None else None,
        }
        try:
            await self._redis.publish(self.CHANNEL, json.dumps(message))
        except (RedisError, OSError) as error:
            logger.error("Redis publish failed, delivering on this server only: %s", error)
            await self.publish_here(session_id, event, skip)

    async def _listen(self) -> None:
        """Deliver what any server published; reconnect when Redis goes away."""
        while True:
            try:
                pubsub = self._redis.pubsub()
                await pubsub.subscribe(self.CHANNEL)
                self._subscribed.set()
                async for message in pubsub.listen():
                    if message.get("type") != "message":
                        continue
                    data = json.loads(message["data"])
                    skip = None
                    if data.get("server") == self.server_id and data.get("skip") is not None:
                        skip = next((s for s in self._sockets.get(data["topic"], ()) if id(s) == data["skip"]), None)
                    await self.publish_here(data["topic"], data["event"], skip)
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError, ValueError) as error:
                logger.error("Redis subscription lost, retrying in 1 s: %s", error)
                await asyncio.sleep(1)
