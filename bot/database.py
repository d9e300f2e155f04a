"""Where the help desk keeps its records: one SQL database for the web
server (sessions, transcripts, ratings) and the escalations.

SQLite by default (var/helpdesk.db); PostgreSQL or any SQLAlchemy URL when
DATABASE_URL says so. Engines are made on first use, never at import.
"""
from __future__ import annotations

import functools
import os

import sqlalchemy as sa

from bot.settings import PROJECT_ROOT


def default_database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'helpdesk.db'}"


@functools.lru_cache(maxsize=None)
def engine_for(url: str) -> sa.engine.Engine:
    return sa.create_engine(url, future=True)
