"""Announcing new escalations to a URL (Slack, a ticket system) by POSTing JSON.

Sent in the background: the chat never waits for it. A failed attempt
(no answer, or an HTTP error) is retried with growing pauses; a delivered
announcement is never sent again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional, Set

from aiohttp import ClientError, ClientSession, ClientTimeout

logger = logging.getLogger(__name__)

TIMEOUT = ClientTimeout(total=10)
FIRST_PAUSE = 1.0  # seconds; doubled after each failed attempt

_pending: Set[asyncio.Task] = set()


async def deliver(url: str, payload: Dict[str, Any], attempts: int, first_pause: float = FIRST_PAUSE) -> bool:
    """POST until one attempt gets a 2xx answer; True if it was delivered."""
    pause = first_pause
    for attempt in range(1, attempts + 1):
        try:
            async with ClientSession(timeout=TIMEOUT) as client:
                async with client.post(url, json=payload) as reply:
                    if 200 <= reply.status < 300:
                        logger.info("webhook %s: delivered %s (attempt %d)", url, payload.get("id"), attempt)
                        return True
                    logger.warning("webhook %s answered %s (attempt %d)", url, reply.status, attempt)
        except (ClientError, asyncio.TimeoutError, OSError) as error:
            logger.warning("webhook %s unreachable (attempt %d): %s", url, attempt, error)
        if attempt < attempts:
            await asyncio.sleep(pause)
            pause *= 2
    logger.error("webhook %s: gave up after %d attempts for %s", url, attempts, payload.get("id"))
    return False


def announce(url: str, payload: Dict[str, Any], attempts: int) -> Optional[asyncio.Task]:
    """Start delivering in the background; None when no webhook is set.

    From a thread with no event loop (the spool's, writing escalations kept
    while the database was down) it delivers there and then: that thread
    has nothing else to do."""
    if not url:
        return None
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(deliver(url, payload, attempts))
        return None
    task = loop.create_task(deliver(url, payload, attempts))
    _pending.add(task)  # keep a reference until it is done
    task.add_done_callback(_pending.discard)
    return task
