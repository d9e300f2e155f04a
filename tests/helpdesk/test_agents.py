"""Agent accounts in the database, and the command that adds them."""

import subprocess
import sys

from bot.helpdesk.agents import AgentSessions, hash_password
from tests.servers import ROOT


def test_accounts_from_config_or_database_sign_in_and_sessions_expire(database_url, monkeypatch):
    import time

    agents = AgentSessions({"ana": hash_password("correct horse battery")}, database_url)
    agents.add_account("bao", "another long secret")
    assert agents.sign_in("bao", "wrong password!!") is None
    session = agents.sign_in("bao", "another long secret")
    assert agents.agent_for(session["token"]) == "bao"
    assert agents.agent_for(agents.sign_in("ana", "correct horse battery")["token"]) == "ana"
    later = time.time() + 9 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert agents.agent_for(session["token"]) is None


def test_the_add_command_stores_only_a_hash(tmp_path):
    url = f"sqlite:///{tmp_path / 'helpdesk.db'}"
    env = {"DATABASE_URL": url, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.helpdesk.agents", "add", "carla"],
        input="a long enough password\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert AgentSessions({}, url).sign_in("carla", "a long enough password") is not None
    raw = (tmp_path / "helpdesk.db").read_bytes()
    assert b"a long enough password" not in raw
    short = subprocess.run(
        [sys.executable, "-m", "bot.helpdesk.agents", "add", "dan"],
        input="short\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert short.returncode == 1 and "12 characters" in short.stderr
