"""The widget during a hand-over, in a real browser (Debian's headless
chromium): "talk to a person" is gone while an agent is chatting, also after
a reload, and back when the agent hands the conversation back to the bot; a
customer waiting in the queue is told their place.

The web server runs as `make run` runs it; Rasa is the stand-in of
tests/web/test_widget_markdown_browser.py, so no trained model is needed.
"""

from __future__ import annotations

import json
import secrets
import sys
from typing import Iterator, Tuple

import pytest

from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.helpdesk.presence import Presence
from bot.launcher import Server
from tests.servers import free_port, post_json, service_env
from tests.web.test_widget_browser import CHROMEDRIVER, CHROMIUM, css, make_browser, open_widget, shot, wait_until
from tests.web.test_widget_markdown_browser import StandInRasa

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Tuple[str, str]]:
    """The web server's URL and its help-desk database."""
    workdir = tmp_path_factory.mktemp("handover-widget")
    database_url = f"sqlite:///{workdir / 'helpdesk.db'}"
    rasa = StandInRasa()
    port = free_port()
    web = Server(
        "The web server",
        [sys.executable, "-m", "bot.web.server", "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        {**service_env(workdir, database_url), "RASA_URL": rasa.url},
        ("RASA_TOKEN", "ACTION_SERVER_URL"),
        workdir / "web.log",
    )
    web.start()
    try:
        web.wait(60)
        yield f"http://127.0.0.1:{port}", database_url
    finally:
        web.stop()
        rasa.stop()


@pytest.fixture
def browser():
    driver = make_browser()
    yield driver
    driver.quit()


def agent_call(url: str, token: str, path: str) -> dict:
    import urllib.request

    request = urllib.request.Request(
        f"{url}{path}", data=b"{}", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())


def human_button(driver):
    return css(driver, ".atw-foot button")[0]


def notes(driver):
    return [n.get_attribute("textContent") for n in css(driver, ".atw-note")]


def test_talk_to_a_person_is_hidden_while_an_agent_chats_and_back_after_hand_back(stack, browser):
    from selenium.webdriver.common.keys import Keys

    url, database_url = stack
    name, password = f"ana-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    AgentSessions({}, database_url).add_account(name, password)
    token = post_json(f"{url}/api/agent/login", {"name": name, "password": password})["token"]
    Presence(database_url).seen(name)  # her console is open: the customer waits for her live

    open_widget(browser, url)
    button = human_button(browser)
    assert button.is_displayed() and button.text == "Falar com uma pessoa"
    session = wait_until(
        browser,
        lambda d: d.execute_script(f"return JSON.parse(localStorage.getItem('atendo-widget:{url}') || '{{}}');").get(
            "session_id"
        ),
        "the widget has no conversation",
    )
    record = EscalationStore(database_url).create(
        NewEscalation(session, "request_human", 2, "support", "pt", None, None, [], [])
    )

    # Waiting in the queue: told the place, still free to ask.
    field = css(browser, "#atw-input")[0]
    field.send_keys("tem alguem ai?", Keys.ENTER)
    wait_until(
        browser,
        lambda d: any("Você é o 1º na fila" in b.get_attribute("textContent") for b in css(d, ".atw-bot")),
        "the waiting customer was not told their place",
    )
    assert human_button(browser).is_displayed()
    shot(browser, "21-waiting-in-the-queue")

    agent_call(url, token, f"/api/escalations/{record.id}/claim")
    wait_until(browser, lambda d: f"{name} entrou na conversa." in notes(d), "no note that the agent joined")
    assert not human_button(browser).is_displayed()
    shot(browser, "22-agent-chatting")

    browser.refresh()  # the widget learns from the server that the agent is still there
    open_widget(browser, url)
    wait_until(browser, lambda d: css(d, ".atw-bot"), "the history did not come back")
    assert not human_button(browser).is_displayed()
    assert notes(browser) == [f"Você está falando com {name}."]

    agent_call(url, token, f"/api/escalations/{record.id}/resolve")
    wait_until(browser, lambda d: human_button(d).is_displayed(), "talk to a person did not come back")
    assert any(n.startswith(f"{name} saiu da conversa.") for n in notes(browser))
    shot(browser, "23-handed-back")
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
