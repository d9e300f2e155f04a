"""Opening hours per queue, in the queue's time zone."""

from datetime import datetime, timezone

import pytest

from bot.helpdesk.hours import HoursError, OpeningHours
from bot.settings import SettingsError, parse_escalation

WEEKDAYS = OpeningHours.parse(
    {"timezone": "America/Sao_Paulo", "days": ["mon", "tue", "wed", "thu", "fri"], "open": "09:00", "close": "18:00"}
)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "moment, is_open",
    [
        (utc(2026, 11, 26, 12, 0), True),  # Thursday 09:00 in São Paulo (UTC-3)
        (utc(2026, 11, 26, 11, 59), False),  # 08:59 there
        (utc(2026, 11, 26, 20, 59), True),  # 17:59
        (utc(2026, 11, 26, 21, 0), False),  # 18:00: closed
        (utc(2026, 11, 28, 15, 0), False),  # Saturday noon
        (utc(2026, 11, 28, 2, 0), False),  # Friday 23:00 there, Saturday in UTC
    ],
)
def test_open_by_the_queue_time_zone(moment, is_open):
    assert WEEKDAYS.is_open(moment) is is_open


def test_a_night_shift_runs_past_midnight():
    night = OpeningHours.parse({"timezone": "Asia/Ho_Chi_Minh", "days": ["fri"], "open": "22:00", "close": "06:00"})
    assert night.is_open(utc(2026, 11, 27, 16, 0))  # Friday 23:00 in Vietnam
    assert night.is_open(utc(2026, 11, 27, 22, 0))  # Saturday 05:00, still Friday's shift
    assert not night.is_open(utc(2026, 11, 28, 16, 0))  # Saturday 23:00


def test_hours_are_told_in_the_customer_language():
    assert WEEKDAYS.describe("pt") == "seg–sex 09:00–18:00 (America/Sao_Paulo)"
    assert WEEKDAYS.describe("zh") == "周一–周五 09:00–18:00 (America/Sao_Paulo)"
    odd = OpeningHours.parse({"timezone": "UTC", "days": ["mon", "wed", "thu", "sun"]})
    assert odd.describe("es") == "lun, mié–jue, dom 00:00–24:00 (UTC)"


@pytest.mark.parametrize(
    "hours, problem",
    [({"timezone": "Mars/Olympus"}, "time zone"), ({"days": ["someday"]}, "day"), ({"open": "9h"}, "time like")],
)
def test_wrong_hours_are_refused_with_a_reason(hours, problem):
    with pytest.raises(HoursError, match=problem):
        OpeningHours.parse(hours)
    with pytest.raises(SettingsError, match="escalation.queues.support.hours"):
        parse_escalation({"queues": {"support": {"hours": hours}}})


def test_a_queue_without_hours_is_always_open():
    settings = parse_escalation({"queues": {"support": {}}})
    assert settings.queue("support").is_open(utc(2026, 11, 29, 3, 0))
