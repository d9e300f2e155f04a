import pytest

from bot import warning_filters
from tests.servers import Assistant, empty_help_desk_database, start_assistant

# Tests that start the project's servers as processes, load the trained
# model, or run Rasa's own commands: `make test` runs them, `make test-fast`
# leaves them out (with the browser, PostgreSQL and Redis tests).
SLOW_MODULES = {
    "tests.test_conversations",
    "tests.test_handover",
    "tests.test_faults",
    "tests.test_scale_out",
    "tests.test_setup",
    "tests.test_invariance",
    "tests.web.test_faults",
}
SLOW_TESTS = {"test_rasa_data_validate"}  # Rasa's validator loads all of Rasa: ~40 s
MODEL_FIXTURES = {"assistant", "agent", "figures"}  # what loads the trained model


def pytest_configure(config):
    # The project's named warning filters, in pytest's syntax (pytest
    # resets the filters around each test, so bot's own install is not enough).
    # Sanic is imported now, not in a test: its import puts a filter ahead
    # of all others, which would hide ours for the rest of that test.
    warning_filters.install_after_sanic()
    for line in warning_filters.pytest_lines():
        config.addinivalue_line("filterwarnings", line)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if (
            item.module.__name__ in SLOW_MODULES
            or item.originalname in SLOW_TESTS
            or MODEL_FIXTURES & set(item.fixturenames)
        ):
            item.add_marker(pytest.mark.slow)
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("database_url") == "postgresql":
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> Assistant:
    """The trained assistant running as real processes (Rasa + action server)."""
    running = start_assistant(tmp_path_factory.mktemp("assistant"))
    yield running
    running.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """An empty help-desk database: SQLite, and PostgreSQL when TEST_POSTGRES_URL
    points to one (`.ci/run` starts Debian's, see scripts/test-postgres.sh)."""
    import os

    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'helpdesk.db'}"
    url = os.environ.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL is not set: export TEST_POSTGRES_URL=$(scripts/test-postgres.sh)")
    empty_help_desk_database(url)
    return url
