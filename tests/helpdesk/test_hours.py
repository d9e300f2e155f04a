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


@pytest.mark.parametrize(
    "language, script, text",
    [
        ("pt", None, "seg. a sex., das 9h às 18h, horário de Brasília"),
        ("es", None, "lun. a vie., de 9:00 a 18:00, hora de Brasília"),
        ("vi", None, "Thứ Hai–Thứ Sáu, 9:00–18:00, giờ Brasília"),
        ("zh", None, "巴西利亚时间周一至周五 9:00–18:00"),
        ("zh", "Hant", "巴西利亞時間週一至週五 9:00–18:00"),
        ("fr", None, "seg. a sex., das 9h às 18h, horário de Brasília"),  # a language we do not write: pt
    ],
)
def test_hours_are_written_for_people_in_the_customer_language(language, script, text):
    assert WEEKDAYS.describe(language, script) == text
    assert "America/Sao_Paulo" not in text and "(" not in text  # the replies put it in parentheses


@pytest.mark.parametrize(
    "hours, language, text",
    [
        ({"timezone": "UTC"}, "pt", "todos os dias, 24 horas, UTC"),
        ({"timezone": "UTC"}, "zh", "UTC 每天 24 小时"),
        (
            {"timezone": "Europe/Madrid", "days": ["sat", "sun"], "open": "10:00", "close": "14:30"},
            "es",
            "sáb. y dom., de 10:00 a 14:30, hora peninsular española",
        ),
        (
            {"timezone": "Asia/Ho_Chi_Minh", "days": ["sat", "sun"], "open": "08:00", "close": "12:00"},
            "vi",
            "Thứ Bảy và Chủ Nhật, 8:00–12:00, giờ Việt Nam",
        ),
        (
            {
                "timezone": "Asia/Shanghai",
                "days": ["mon", "tue", "wed", "thu", "fri", "sat"],
                "open": "08:30",
                "close": "24:00",
            },
            "zh",
            "北京时间周一至周六 8:30–24:00",
        ),
        (
            {"timezone": "Asia/Tokyo", "days": ["mon", "wed", "thu", "fri", "sun"], "open": "22:00", "close": "01:00"},
            "pt",
            "seg., qua. a sex. e dom., das 22h à 1h, horário de Tokyo",
        ),  # not in the table: the zone's city
        (
            {"timezone": "America/Argentina/Buenos_Aires", "days": ["mon"], "open": "00:00", "close": "12:00"},
            "es",
            "lun., de 0:00 a 12:00, hora de Argentina",
        ),
        (
            {"timezone": "America/Sao_Paulo", "days": ["tue", "thu"], "open": "13:00", "close": "24:00"},
            "pt",
            "ter. e qui., das 13h à meia-noite, horário de Brasília",
        ),
    ],
)
def test_other_days_times_and_zones_read_naturally(hours, language, text):
    assert OpeningHours.parse(hours).describe(language) == text


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


def test_a_fixed_offset_zone_is_named_by_its_real_offset():
    from bot.helpdesk.hours import zone_name

    assert zone_name("Etc/GMT+3", "pt") == "UTC−3"  # POSIX: GMT+3 is three hours behind, as in Brasília
    assert zone_name("Etc/GMT-7", "vi") == "UTC+7"
