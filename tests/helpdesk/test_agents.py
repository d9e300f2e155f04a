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


def agents_command(env, *args, password=None):
    return subprocess.run(
        [sys.executable, "-m", "bot.helpdesk.agents", *args],
        input=password,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )


def test_list_disable_enable_reset_password_and_remove(tmp_path):
    url = f"sqlite:///{tmp_path / 'helpdesk.db'}"
    env = {"DATABASE_URL": url, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    assert agents_command(env, "add", "carla", password="a long enough password\n").returncode == 0
    agents = AgentSessions({}, url)
    session = agents.sign_in("carla", "a long enough password")
    listed = agents_command(env, "list")
    assert listed.returncode == 0 and "carla\tdatabase\tactive" in listed.stdout

    assert agents_command(env, "disable", "carla").returncode == 0
    assert agents.agent_for(session["token"]) is None  # signed out at once
    assert agents.sign_in("carla", "a long enough password") is None
    assert "carla\tdatabase\tdisabled" in agents_command(env, "list").stdout
    assert agents_command(env, "enable", "carla").returncode == 0

    again = agents.sign_in("carla", "a long enough password")
    reset = agents_command(env, "reset-password", "carla", password="another long password\n")
    assert reset.returncode == 0 and agents.agent_for(again["token"]) is None
    assert agents.sign_in("carla", "a long enough password") is None
    assert agents.sign_in("carla", "another long password") is not None

    assert agents_command(env, "remove", "carla").returncode == 0
    assert agents.sign_in("carla", "another long password") is None
    missing = agents_command(env, "disable", "carla")
    assert missing.returncode == 1 and "No account carla" in missing.stderr


def test_an_agent_s_console_language_is_set_when_added_changed_later_and_given_at_sign_in(tmp_path):
    url = f"sqlite:///{tmp_path / 'helpdesk.db'}"
    env = {"DATABASE_URL": url, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    added = agents_command(env, "add", "lucia", "--language", "pt", password="a long enough password\n")
    assert added.returncode == 0, added.stderr
    agents = AgentSessions({}, url)
    assert agents.sign_in("lucia", "a long enough password")["language"] == "pt"
    assert "console in pt" in agents_command(env, "list").stdout

    assert agents_command(env, "language", "lucia", "zh-hant").returncode == 0
    assert agents.sign_in("lucia", "a long enough password")["language"] == "zh-Hant"

    unknown = agents_command(env, "language", "lucia", "klingon")
    assert unknown.returncode == 2 and "zh-Hans" in unknown.stderr  # names the languages there are
    nobody = agents_command(env, "language", "nobody", "vi")
    assert nobody.returncode == 1 and "No account nobody" in nobody.stderr
    bad_add = agents_command(env, "add", "tom", "--language", "xx", password="a long enough password\n")
    assert bad_add.returncode == 2 and agents.sign_in("tom", "a long enough password") is None


def test_an_agent_without_a_chosen_language_gets_english(database_url):
    agents = AgentSessions({"ana": hash_password("correct horse battery")}, database_url)
    assert agents.sign_in("ana", "correct horse battery")["language"] == "en"
    agents.set_language("ana", "vi")  # accounts of helpdesk.yml choose theirs in the console
    assert agents.language_of("ana") == "vi"
