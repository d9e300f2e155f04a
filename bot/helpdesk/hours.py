"""A queue's opening hours, in its own time zone.

helpdesk.yml, per queue:

    hours: {timezone: America/Sao_Paulo, days: [mon, tue, wed, thu, fri], open: "09:00", close: "18:00"}

A queue without `hours` is always open. `close` before `open` means the
shift runs past midnight (22:00-06:00); `close: "24:00"` is the end of the day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, List, Mapping, Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# How each language writes the days, for telling customers when we open
# ("zh-Hant": Chinese in Traditional script).
DAY_NAMES = {
    "pt": ("seg.", "ter.", "qua.", "qui.", "sex.", "sáb.", "dom."),
    "es": ("lun.", "mar.", "mié.", "jue.", "vie.", "sáb.", "dom."),
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "zh": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "zh-Hant": ("週一", "週二", "週三", "週四", "週五", "週六", "週日"),
}
EVERY_DAY = {"pt": "todos os dias", "es": "todos los días", "vi": "hằng ngày", "zh": "每天", "zh-Hant": "每天"}
ALL_DAY = {"pt": "24 horas", "es": "las 24 horas", "vi": "24 giờ", "zh": "24 小时", "zh-Hant": "24 小時"}
# Three or more days in a row are a range ("seg. a sex."); the last two items are joined with AND.
RANGE = {"pt": "{} a {}", "es": "{} a {}", "vi": "{}–{}", "zh": "{}至{}", "zh-Hant": "{}至{}"}
AND = {"pt": " e ", "es": " y ", "vi": " và ", "zh": "、", "zh-Hant": "、"}
COMMA = {"pt": ", ", "es": ", ", "vi": ", ", "zh": "、", "zh-Hant": "、"}

# Time zones as customers call them; any other zone is named after its city
# ("Asia/Tokyo": "horário de Tokyo"), UTC is UTC.
ZONE_PATTERN = {"pt": "horário de {}", "es": "hora de {}", "vi": "giờ {}", "zh": "{}时间", "zh-Hant": "{}時間"}
ZONE_NAMES = {
    "America/Sao_Paulo": {
        "pt": "horário de Brasília",
        "es": "hora de Brasília",
        "vi": "giờ Brasília",
        "zh": "巴西利亚时间",
        "zh-Hant": "巴西利亞時間",
    },
    "America/Manaus": {
        "pt": "horário de Manaus",
        "es": "hora de Manaos",
        "vi": "giờ Manaus",
        "zh": "马瑙斯时间",
        "zh-Hant": "馬瑙斯時間",
    },
    "Europe/Lisbon": {
        "pt": "hora de Lisboa",
        "es": "hora de Lisboa",
        "vi": "giờ Lisbon",
        "zh": "里斯本时间",
        "zh-Hant": "里斯本時間",
    },
    "Europe/Madrid": {
        "pt": "horário de Madri",
        "es": "hora peninsular española",
        "vi": "giờ Madrid",
        "zh": "马德里时间",
        "zh-Hant": "馬德里時間",
    },
    "America/Mexico_City": {
        "pt": "horário da Cidade do México",
        "es": "hora del centro de México",
        "vi": "giờ Thành phố Mexico",
        "zh": "墨西哥城时间",
        "zh-Hant": "墨西哥城時間",
    },
    "America/Bogota": {
        "pt": "horário de Bogotá",
        "es": "hora de Colombia",
        "vi": "giờ Bogotá",
        "zh": "波哥大时间",
        "zh-Hant": "波哥大時間",
    },
    "America/Argentina/Buenos_Aires": {
        "pt": "horário de Buenos Aires",
        "es": "hora de Argentina",
        "vi": "giờ Buenos Aires",
        "zh": "布宜诺斯艾利斯时间",
        "zh-Hant": "布宜諾斯艾利斯時間",
    },
    "America/Santiago": {
        "pt": "horário de Santiago",
        "es": "hora de Chile",
        "vi": "giờ Santiago",
        "zh": "圣地亚哥时间",
        "zh-Hant": "聖地牙哥時間",
    },
    "America/Lima": {
        "pt": "horário de Lima",
        "es": "hora de Perú",
        "vi": "giờ Lima",
        "zh": "利马时间",
        "zh-Hant": "利馬時間",
    },
    "America/New_York": {
        "pt": "horário de Nova York",
        "es": "hora de Nueva York",
        "vi": "giờ New York",
        "zh": "纽约时间",
        "zh-Hant": "紐約時間",
    },
    "Europe/London": {
        "pt": "horário de Londres",
        "es": "hora de Londres",
        "vi": "giờ London",
        "zh": "伦敦时间",
        "zh-Hant": "倫敦時間",
    },
    "Asia/Ho_Chi_Minh": {
        "pt": "horário do Vietnã",
        "es": "hora de Vietnam",
        "vi": "giờ Việt Nam",
        "zh": "越南时间",
        "zh-Hant": "越南時間",
    },
    "Asia/Shanghai": {
        "pt": "horário de Pequim",
        "es": "hora de Pekín",
        "vi": "giờ Bắc Kinh",
        "zh": "北京时间",
        "zh-Hant": "北京時間",
    },
    "Asia/Taipei": {
        "pt": "horário de Taipé",
        "es": "hora de Taipéi",
        "vi": "giờ Đài Bắc",
        "zh": "台北时间",
        "zh-Hant": "台北時間",
    },
    "Asia/Hong_Kong": {
        "pt": "horário de Hong Kong",
        "es": "hora de Hong Kong",
        "vi": "giờ Hồng Kông",
        "zh": "香港时间",
        "zh-Hant": "香港時間",
    },
}
ZONE_NAMES["America/Buenos_Aires"] = ZONE_NAMES["America/Argentina/Buenos_Aires"]
ZONE_NAMES["Asia/Saigon"] = ZONE_NAMES["Asia/Ho_Chi_Minh"]


def _key(language: str, script: Optional[str]) -> str:
    """The tables' key: pt, es, vi, zh or zh-Hant (pt for anything else)."""
    if language == "zh":
        return "zh-Hant" if script == "Hant" else "zh"
    return language if language in DAY_NAMES else "pt"


def zone_name(zone: str, language: str, script: Optional[str] = None) -> str:
    """The time zone as a customer calls it, e.g. "horário de Brasília"."""
    key = _key(language, script)
    if zone in ZONE_NAMES:
        return ZONE_NAMES[zone][key]
    if zone.upper() in ("UTC", "ETC/UTC", "GMT", "ETC/GMT"):
        return "UTC"
    offset = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", zone)
    if offset:  # POSIX signs: Etc/GMT+3 is three hours BEHIND UTC
        return f"UTC{'−' if offset.group(1) == '+' else '+'}{int(offset.group(2))}"
    return ZONE_PATTERN[key].format(zone.rsplit("/", 1)[-1].replace("_", " "))


def _days(days: Tuple[int, ...], key: str) -> str:
    if len(days) == 7:
        return EVERY_DAY[key]
    names = DAY_NAMES[key]
    items: List[str] = []
    start = None
    for day in range(8):
        inside = day < 7 and day in days
        if inside and start is None:
            start = day
        elif not inside and start is not None:
            last = day - 1
            if last - start >= 2:
                items.append(RANGE[key].format(names[start], names[last]))
            else:
                items.extend(names[start : last + 1])
            start = None
    if len(items) == 1:
        return items[0]
    return COMMA[key].join(items[:-1]) + AND[key] + items[-1]


def _pt_clock(moment: time, closing: bool) -> str:
    """pt: "9h", "9h30", "meia-noite", with its article ("das 9h", "às 18h", "à 1h")."""
    if moment == time.max or (moment == time(0) and closing):
        return "à meia-noite" if closing else "da meia-noite"
    if moment == time(0):
        return "da meia-noite"
    text = f"{moment.hour}h{moment.minute:02d}" if moment.minute else f"{moment.hour}h"
    if moment.hour == 1:
        return ("à " if closing else "da ") + text
    return ("às " if closing else "das ") + text


def _clock_text(moment: time) -> str:
    return "24:00" if moment == time.max else f"{moment.hour}:{moment.minute:02d}"


def _times(opens: time, closes: time, key: str) -> str:
    if opens == time(0) and closes == time.max:
        return ALL_DAY[key]
    if key == "pt":
        return f"{_pt_clock(opens, False)} {_pt_clock(closes, True)}"
    if key == "es":
        return f"de {_clock_text(opens)} a {_clock_text(closes)}"
    return f"{_clock_text(opens)}–{_clock_text(closes)}"


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

    def describe(self, language: str, script: Optional[str] = None) -> str:
        """When the queue is open, written for people in the customer's language
        (`script` "Hant": Traditional Chinese), e.g. "seg. a sex., das 9h às 18h,
        horário de Brasília" or "巴西利亚时间周一至周五 9:00–18:00". No parentheses:
        the replies put the whole of it in parentheses."""
        key = _key(language, script)
        days, hours, zone = (
            _days(self.days, key),
            _times(self.opens, self.closes, key),
            zone_name(self.zone, language, script),
        )
        if key.startswith("zh"):  # 巴西利亚时间周一至周五; "UTC 每天"
            return f"{zone}{' ' if zone[-1].isascii() else ''}{days} {hours}"
        return f"{days}, {hours}, {zone}"
