import pytest

from tests.servers import Assistant, empty_help_desk_database, start_assistant


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
