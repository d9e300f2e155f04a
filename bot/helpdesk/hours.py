"""A queue's opening hours, in its own time zone.

helpdesk.yml, per queue:

    hours: {timezone: America/Sao_Paulo, days: [mon, tue, wed, thu, fri], open: "09:00", close: "18:00"}

A queue without `hours` is always open. `close` before `open` means the
shift runs past midnight (22:00-06:00); `close: "24:00"` is the end of the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# How each language writes the days, for telling customers when we open.
DAY_NAMES = {
    "pt": ("seg", "ter", "qua", "qui", "sex", "sáb", "dom"),
    "es": ("lun", "mar", "mié", "jue", "vie", "sáb", "dom"),
    "vi": ("T2", "T3", "T4", "T5", "T6", "T7", "CN"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


class HoursError(ValueError):
    """Opening hours that cannot be understood."""


def _clock(value: Any, key: str) -> time:
    text = str(value).strip()
    if text == "24:00":
        return time.max
    try:
        hour, minute = (int(part) for part in text.split(":"))
        return time(hour, minute)
    except ValueError:
        raise HoursError(f'{key} must be a time like "09:00", not {value!r}') from None


@dataclass(frozen=True)
class OpeningHours:
    zone: str
    days: Tuple[int, ...]  # 0 = Monday
    opens: time
    closes: time

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> OpeningHours:
        zone = str(raw.get("timezone") or "UTC")
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise HoursError(f"unknown time zone {zone!r} (use a name like America/Sao_Paulo)") from None
        days = []
        for day in raw.get("days") or DAYS:
            if str(day).lower()[:3] not in DAYS:
                raise HoursError(f"unknown day {day!r}; days are {', '.join(DAYS)}")
            days.append(DAYS.index(str(day).lower()[:3]))
        return cls(
            zone,
            tuple(sorted(set(days))),
            _clock(raw.get("open", "00:00"), "open"),
            _clock(raw.get("close", "24:00"), "close"),
        )

    def is_open(self, now: Optional[datetime] = None) -> bool:
        local = (now or datetime.now(timezone.utc)).astimezone(ZoneInfo(self.zone))
        clock = local.time().replace(tzinfo=None)
        if self.opens <= self.closes:
            return local.weekday() in self.days and self.opens <= clock < self.closes
        # A night shift: open from `opens` on a listed day until `closes` the next morning.
        if clock >= self.opens:
            return local.weekday() in self.days
        return clock < self.closes and (local - timedelta(days=1)).weekday() in self.days

    def describe(self, language: str) -> str:
        """e.g. "seg–sex 09:00–18:00 (America/Sao_Paulo)" in the customer's language."""
        names = DAY_NAMES.get(language, DAY_NAMES["pt"])
        runs, start = [], None
        for day in range(8):
            inside = day < 7 and day in self.days
            if inside and start is None:
                start = day
            elif not inside and start is not None:
                runs.append(names[start] if start == day - 1 else f"{names[start]}–{names[day - 1]}")
                start = None
        closes = "24:00" if self.closes == time.max else self.closes.strftime("%H:%M")
        return f"{', '.join(runs)} {self.opens.strftime('%H:%M')}–{closes} ({self.zone})"
