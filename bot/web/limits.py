"""How much one chat session may send: message size and rate."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Deque, Dict, Optional

MAX_MESSAGE_CHARS = 2000
MAX_MESSAGES = 8  # per window, per session
WINDOW_SECONDS = 10.0


class RateLimiter:
    """A sliding window of message times per session."""

    def __init__(self, limit: int = MAX_MESSAGES, window: float = WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._times: Dict[str, Deque[float]] = defaultdict(deque)
        self._cleaned_at = 0.0

    def allow(self, session_id: str, now: Optional[float] = None) -> bool:
        now = time.monotonic() if now is None else now
        times = self._times[session_id]
        while times and now - times[0] > self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        self._forget_idle(now)
        return True

    def _forget_idle(self, now: float) -> None:
        """Drop sessions silent for a whole window, so memory does not grow."""
        if len(self._times) < 1000 or now - self._cleaned_at < self.window:
            return
        self._cleaned_at = now
        for session_id in [s for s, t in self._times.items() if not t or now - t[-1] > self.window]:
            del self._times[session_id]
