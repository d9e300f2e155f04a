import pytest


@pytest.fixture(autouse=True)
def own_database(tmp_path, monkeypatch):
    """Escalations made by these tests go to a database of their own."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'helpdesk.db'}")
    return tmp_path / "helpdesk.db"
