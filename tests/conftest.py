import pytest

from tests.servers import Assistant, start_assistant


@pytest.fixture(scope="session")
def assistant(tmp_path_factory) -> Assistant:
    """The trained assistant running as real processes (Rasa + action server)."""
    running = start_assistant(tmp_path_factory.mktemp("assistant"))
    yield running
    running.stop()
