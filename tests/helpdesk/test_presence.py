"""Which agents are online, on SQLite and PostgreSQL."""

import time

from bot.helpdesk import presence


def test_agents_are_online_while_seen_recently(database_url, monkeypatch):
    agents = presence.Presence(database_url)
    assert agents.online() == []
    agents.seen("ana")
    agents.seen("bao")
    agents.seen("ana")  # a heartbeat
    assert agents.online() == ["ana", "bao"]
    agents.gone("bao")
    assert agents.online() == ["ana"]
    later = time.time() + presence.ONLINE_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert agents.online() == []  # a console that stopped beating (closed laptop)
