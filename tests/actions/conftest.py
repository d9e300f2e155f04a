import pytest

from bot.settings import get_settings
from tests.servers import always_open_settings


@pytest.fixture(autouse=True)
def own_database(database_url, monkeypatch, tmp_path):
    """Escalations made by these tests go to a database of their own (SQLite and PostgreSQL)."""
    from bot.helpdesk import spool

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ESCALATION_SPOOL", str(tmp_path / "spool"))
    yield database_url
    spool.stop_retrying()  # its thread reads the environment: it would write the next test's spool


@pytest.fixture(autouse=True)
def always_open(tmp_path, monkeypatch):
    """Every queue open, so a test does not depend on the time of day; a test
    about opening hours changes the settings itself."""
    monkeypatch.setenv("HELPDESK_CONFIG", str(always_open_settings(tmp_path / "helpdesk.yml")))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
