import pytest


@pytest.fixture(autouse=True)
def own_database(database_url, monkeypatch):
    """Escalations made by these tests go to a database of their own (SQLite and PostgreSQL)."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    return database_url
