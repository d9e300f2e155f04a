"""Service levels: how soon an agent must first answer an escalation.

helpdesk.yml, per queue, a target for every priority and an earlier one
from a priority up (the highest key at or below the escalation's priority
wins; `default` covers the rest):

    escalation:
      service_levels:
        support: {default: 30m, 3: 15m, 4: 5m}
        sales: {default: 2h}

Durations are written with units: 90s, 15m, 2h, 1h30m, 1d. A queue without
an entry has no target. The clock starts when the escalation is made and
stops at the first message an agent sends (`first_response_at`); an
escalation is breached once its due time passed without one, or when the
first answer came after it.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")


class ServiceLevelError(ValueError):
    """A service level that cannot be understood."""


def parse_duration(value: Any, where: str) -> float:
    """Seconds in "90s", "15m", "2h", "1h30m" or "1d"."""
    text = str(value).strip().lower().replace(" ", "")
    if isinstance(value, bool) or not isinstance(value, str) or not text or DURATION.sub("", text):
        raise ServiceLevelError(f"{where} must be a duration with its unit like 15m, 2h or 1h30m, not {value!r}")
    seconds = sum(float(amount) * UNITS[unit] for amount, unit in DURATION.findall(text))
    if seconds <= 0:
        raise ServiceLevelError(f"{where} must be longer than 0, not {value!r}")
    return seconds


@dataclass(frozen=True)
class QueueTargets:
    """One queue's first-response targets, in seconds."""

    default: Optional[float] = None  # for priorities below every key
    by_priority: Tuple[Tuple[int, float], ...] = ()  # (from this priority up, seconds), highest first

    def target(self, priority: int) -> Optional[float]:
        return next((seconds for least, seconds in self.by_priority if priority >= least), self.default)


@dataclass(frozen=True)
class Deadline:
    """Where one escalation stands against its target (all None: no target)."""

    target_seconds: Optional[float] = None
    due_at: Optional[float] = None
    breached: bool = False
    seconds_left: Optional[float] = None  # negative: overdue by that much; None once answered or no target


@dataclass(frozen=True)
class ServiceLevels:
    queues: Mapping[str, QueueTargets] = field(default_factory=dict)

    @classmethod
    def parse(cls, raw: Any, queue_names: Tuple[str, ...]) -> ServiceLevels:
        if raw is None:
            return cls()
        if not isinstance(raw, Mapping):
            raise ServiceLevelError("escalation.service_levels must map queue names to targets")
        queues = {}
        for name, targets in raw.items():
            where = f"escalation.service_levels.{name}"
            if str(name) not in queue_names:
                raise ServiceLevelError(f"{where}: no such queue; the queues are {', '.join(queue_names)}")
            if not isinstance(targets, Mapping) or not targets:
                raise ServiceLevelError(f"{where} must map priorities (or default) to durations, like {{default: 30m}}")
            default, by_priority = None, []
            for key, value in targets.items():
                seconds = parse_duration(value, f"{where}.{key}")
                if key == "default":
                    default = seconds
                elif isinstance(key, int) and not isinstance(key, bool) and key >= 0:
                    by_priority.append((key, seconds))
                else:
                    raise ServiceLevelError(f"{where}: {key!r} is neither 'default' nor a priority (a whole number)")
            by_priority.sort(reverse=True)
            queues[str(name)] = QueueTargets(default, tuple(by_priority))
        return cls(queues)

    def target(self, queue: str, priority: int) -> Optional[float]:
        """Seconds an agent has to answer first; None: no target for this queue."""
        targets = self.queues.get(queue)
        return targets.target(priority) if targets else None

    def deadline(
        self,
        queue: str,
        priority: int,
        created_at: float,
        first_response_at: Optional[float],
        now: Optional[float] = None,
    ) -> Deadline:
        target = self.target(queue, priority)
        if target is None:
            return Deadline()
        now = time.time() if now is None else now
        due = created_at + target
        answered = first_response_at is not None
        return Deadline(
            target_seconds=target,
            due_at=due,
            breached=(first_response_at > due) if first_response_at is not None else now > due,
            seconds_left=None if answered else round(due - now, 1),
        )
