"""First-response targets: read from helpdesk.yml with clear errors, the due
time and breach of each escalation, and the first response recorded once."""

from __future__ import annotations

import pytest

from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.helpdesk.service_levels import ServiceLevels, parse_duration
from bot.settings import PROJECT_ROOT, SettingsError, get_settings

SHIPPED_LEVELS = "  service_levels:\n    support: {default: 30m, 3: 15m, 4: 5m}\n    sales: {default: 2h}\n"


@pytest.fixture
def levels_file(tmp_path, monkeypatch):
    """The project's helpdesk.yml with other service levels, made the one in use."""

    def write(levels: str) -> str:
        text = (PROJECT_ROOT / "helpdesk.yml").read_text(encoding="utf-8")
        assert SHIPPED_LEVELS in text
        path = tmp_path / "helpdesk.yml"
        path.write_text(text.replace(SHIPPED_LEVELS, levels), encoding="utf-8")
        monkeypatch.setenv("HELPDESK_CONFIG", str(path))
        get_settings.cache_clear()
        return str(path)

    yield write
    get_settings.cache_clear()


def test_the_shipped_targets_are_read_per_queue_and_priority():
    levels = get_settings().escalation.service_levels
    assert levels.target("support", 1) == 30 * 60
    assert levels.target("support", 3) == 15 * 60
    assert levels.target("support", 4) == 5 * 60
    assert levels.target("support", 5) == 5 * 60  # an angry customer's bonus keeps the tightest target
    assert levels.target("sales", 4) == 2 * 3600


@pytest.mark.parametrize(
    "text, seconds", [("90s", 90), ("15m", 900), ("2h", 7200), ("1h30m", 5400), ("1d", 86400), ("1.5h", 5400)]
)
def test_durations_are_written_with_their_unit(text, seconds):
    assert parse_duration(text, "x") == seconds


def test_a_queue_without_targets_has_none(levels_file):
    levels_file("  service_levels:\n    support: {3: 10m}\n")
    levels = get_settings().escalation.service_levels
    assert levels.target("sales", 4) is None
    assert levels.target("support", 2) is None  # below every key and no default
    assert levels.target("support", 3) == 600
    assert levels.deadline("sales", 4, created_at=0, first_response_at=None, now=10**9).breached is False


def test_no_service_levels_at_all_means_no_targets(levels_file):
    levels_file("")
    assert get_settings().escalation.service_levels == ServiceLevels()


@pytest.mark.parametrize(
    "levels, message",
    [
        ("    support: {default: 30}\n", "escalation.service_levels.support.default must be a duration with its unit"),
        ("    support: {default: soon}\n", "like 15m, 2h or 1h30m, not 'soon'"),
        ("    support: {default: 0m}\n", "escalation.service_levels.support.default must be longer than 0"),
        ("    support: {urgent: 5m}\n", "'urgent' is neither 'default' nor a priority"),
        ("    support: {-1: 5m}\n", "-1 is neither 'default' nor a priority"),
        (
            "    billing: {default: 1h}\n",
            "escalation.service_levels.billing: no such queue; the queues are sales, support",
        ),
        ("    support: 30m\n", "escalation.service_levels.support must map priorities (or default) to durations"),
    ],
)
def test_a_wrong_target_is_refused_naming_the_file_and_the_setting(levels_file, levels, message):
    path = levels_file("  service_levels:\n" + levels)
    with pytest.raises(SettingsError) as refused:
        get_settings()
    assert str(refused.value).startswith(f"{path}: ") and message in str(refused.value)


def test_a_misspelt_service_levels_key_is_refused(levels_file):
    levels_file("  service_level:\n    support: {default: 30m}\n")
    with pytest.raises(SettingsError, match="unknown setting 'service_level'.*did you mean 'service_levels'"):
        get_settings()


LEVELS = ServiceLevels.parse({"support": {"default": "30m", 4: "5m"}}, ("support", "sales"))


def test_time_left_counts_down_from_the_escalation_to_its_target():
    waiting = LEVELS.deadline("support", 2, created_at=1000.0, first_response_at=None, now=1600.0)
    assert (waiting.target_seconds, waiting.due_at, waiting.seconds_left) == (1800, 2800.0, 1200.0)
    assert waiting.breached is False


def test_waiting_past_the_due_time_is_a_breach_with_the_time_overdue():
    late = LEVELS.deadline("support", 4, created_at=1000.0, first_response_at=None, now=1420.0)
    assert late.due_at == 1300.0 and late.breached is True and late.seconds_left == -120.0


def test_an_answer_in_time_stays_met_and_a_late_one_stays_breached():
    in_time = LEVELS.deadline("support", 2, created_at=1000.0, first_response_at=2000.0, now=10**9)
    assert in_time.breached is False and in_time.seconds_left is None
    late = LEVELS.deadline("support", 2, created_at=1000.0, first_response_at=2801.0, now=2802.0)
    assert late.breached is True and late.seconds_left is None


def test_the_first_response_is_recorded_once(database_url):
    store = EscalationStore(database_url)
    record = store.create(NewEscalation("c-first", "request_human", 2, "support", "pt"))
    assert store.get(record.id).first_response_at is None
    assert store.mark_first_response(record.id, at=1234.5) is True
    assert store.mark_first_response(record.id, at=9999.0) is False  # the second answer changes nothing
    assert store.get(record.id).first_response_at == 1234.5
    assert store.list()[0].first_response_at == 1234.5
