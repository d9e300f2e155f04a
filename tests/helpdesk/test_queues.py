"""Agents belong to queues; presence and the console's queue are per queue."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.helpdesk.presence import Presence
from bot.helpdesk.queues import QueueMembership, UnknownQueue, online_in, take_queue_flags
from tests.helpdesk.desk import escalate, make_desk, sign_in, web_rasa  # noqa: F401  (fixtures)
from tests.servers import ROOT


def test_an_agent_without_queues_works_in_every_queue(database_url):
    membership = QueueMembership(database_url, ["sales", "support"])
    assert membership.queues_of("ana") == ["sales", "support"]
    assert membership.set_queues("bao", ["support", "support"]) == ["support"]
    assert membership.works_in("bao", "support") and not membership.works_in("bao", "sales")
    assert membership.set_queues("bao", []) == ["sales", "support"]  # `all` again
    with pytest.raises(UnknownQueue):
        membership.set_queues("bao", ["billing"])


def test_someone_online_is_asked_per_queue(database_url):
    QueueMembership(database_url).set_queues("sam", ["sales"])
    Presence(database_url).seen("sam")  # a sales agent with the console open
    assert online_in("sales", database_url) == ["sam"]
    assert online_in("support", database_url) == []  # nobody for a support customer
    Presence(database_url).seen("ana")  # in every queue
    assert online_in("support", database_url) == ["ana"]
    assert online_in("sales", database_url) == ["ana", "sam"]


def test_queue_flags_are_taken_from_the_command_line():
    assert take_queue_flags(["add", "bao", "--queue", "support", "--queue", "sales,support"]) == (
        ["add", "bao"],
        ["support", "sales", "support"],
    )


def run(database_url, *args, password=None):
    env = {"DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "bot.helpdesk.agents", *args],
        input=password,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )


def test_the_commands_give_and_change_an_agents_queues(tmp_path):
    url = f"sqlite:///{tmp_path / 'helpdesk.db'}"
    added = run(url, "add", "dora", "--queue", "sales", password="a long enough password\n")
    assert added.returncode == 0, added.stderr
    assert QueueMembership(url).queues_of("dora") == ["sales"]
    assert "queues: sales" in run(url, "list").stdout
    changed = run(url, "queues", "dora", "support,sales")
    assert changed.returncode == 0 and "sales, support" in changed.stdout
    assert QueueMembership(url).queues_of("dora") == ["sales", "support"]
    every = run(url, "queues", "dora", "all")
    assert every.returncode == 0 and "every queue" in every.stdout
    bad = run(url, "queues", "dora", "billing")
    assert bad.returncode == 2 and "unknown queue 'billing'" in bad.stderr
    assert run(url, "queues", "nobody", "sales").returncode == 1
    refused = run(url, "add", "eli", "--queue", "billing", password="a long enough password\n")
    assert refused.returncode == 2 and "unknown queue" in refused.stderr


async def test_the_console_lists_the_agents_queues_and_every_queue_on_request(desk):
    QueueMembership(desk.database_url).set_queues("bao", ["sales"])
    support, sales = escalate(desk, "c-support"), escalate(desk, "c-sales", queue="sales")
    bao, ana = await sign_in(desk, "bao"), await sign_in(desk, "ana")

    async def listed(headers, query=""):
        return [e["id"] for e in await (await desk.get(f"/api/escalations{query}", headers=headers)).json()]

    assert await listed(bao) == [sales.id]  # bao works in sales only
    assert await listed(bao, "?queue=*") == [support.id, sales.id]  # the filter still reaches every queue
    assert await listed(bao, "?queue=support") == [support.id]
    assert sorted(await listed(ana)) == sorted([support.id, sales.id])  # ana: every queue

    team = await (await desk.get("/api/agent/team", headers=bao)).json()
    assert team["mine"] == ["sales"] and not team["every_queue"]
    assert {a["name"]: a["queues"] for a in team["agents"]} == {
        "ana": team["queues"],
        "bao": ["sales"],
        "cai": team["queues"],
    }
