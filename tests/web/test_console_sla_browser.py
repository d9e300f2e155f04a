"""The console's service levels, notifications and search in a real browser
(Debian's headless chromium) against a real web server process: an overdue
entry is visibly highlighted, a new escalation puts a count in the tab's
title while the agent looks at another tab, the search narrows the queue,
the sound switch is remembered, and the texts follow the agent's language.

Only the web server runs (escalations are written to its database as the
action server writes them), so no trained model is needed.
"""

from __future__ import annotations

import secrets
from typing import List

import pytest
import yaml

from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.escalations import EscalationStore, NewEscalation, TranscriptLine, escalations
from bot.launcher import Ports, commands, free_ports, health_urls
from bot.launcher import Server as Service
from tests.servers import UNSET, service_env
from tests.web.test_console_browser import sign_in
from tests.web.test_widget_browser import CHROMEDRIVER, CHROMIUM, make_browser, shot, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]

OVERDUE_RED = "rgb(179, 38, 30)"  # .sla-overdue in agent.css: white on it is 6.5:1


class Desk:
    def __init__(self, url: str, database_url: str) -> None:
        self.url, self.database_url = url, database_url
        self.store = EscalationStore(database_url)

    def escalate(self, conversation_id: str, said: str, priority: int = 2, ago: float = 0.0) -> int:
        transcript: List[TranscriptLine] = [{"sender": "customer", "text": said}]
        record = self.store.create(
            NewEscalation(conversation_id, "request_human", priority, "support", "pt", transcript=transcript)
        )
        if ago:
            with self.store.engine.begin() as db:
                db.execute(
                    escalations.update().where(escalations.c.id == record.id).values(created_at=record.created_at - ago)
                )
        return record.id


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """A web server with tight targets: 2 minutes from priority 4, an hour below."""
    workdir = tmp_path_factory.mktemp("sla-desk")
    database_url = f"sqlite:///{workdir / 'helpdesk.db'}"
    env = service_env(workdir, database_url)
    with open(env["HELPDESK_CONFIG"], encoding="utf-8") as given:
        settings = yaml.safe_load(given)
    settings["escalation"]["service_levels"] = {"support": {"default": "1h", 4: "2m"}}
    with open(env["HELPDESK_CONFIG"], "w", encoding="utf-8") as out:
        yaml.safe_dump(settings, out, allow_unicode=True)
    rasa_port, web_port = free_ports(2)  # nothing listens for Rasa: the queue does not need it
    ports = Ports(rasa=rasa_port, action=rasa_port, web=web_port)
    web = Service(
        "web",
        commands(ports, workdir / "endpoints.yml")["web"],
        health_urls(ports)["web"],
        {**env, "RASA_URL": f"http://127.0.0.1:{rasa_port}"},
        UNSET,
        workdir / "web.log",
    )
    web.start()
    try:
        web.wait(120)
        yield Desk(f"http://127.0.0.1:{web_port}", database_url)
    finally:
        web.stop()


@pytest.fixture
def browser():
    driver = make_browser(width=1366, height=768, language="en")
    yield driver
    driver.quit()


def entry(driver, escalation_id: int) -> dict:
    """What the agent sees on one queue entry (read in one go: the list is rebuilt)."""
    return driver.execute_script(
        "var li = document.querySelector('#queue li[data-id=\"' + arguments[0] + '\"]');"
        " if (!li) return null;"
        " var sla = li.querySelector('.sla');"
        " return {text: li.innerText, breached: li.classList.contains('sla-breached'),"
        "  sla: sla ? sla.innerText : null, overdue: !!sla && sla.classList.contains('sla-overdue'),"
        "  background: sla ? getComputedStyle(sla).backgroundColor : null,"
        "  color: sla ? getComputedStyle(sla).color : null,"
        "  border: getComputedStyle(li).borderLeftColor, visible: sla ? sla.getBoundingClientRect().height > 0 : false};",
        str(escalation_id),
    )


def listed(driver) -> list:
    return driver.execute_script("return Array.from(document.querySelectorAll('#queue li')).map(li => li.dataset.id);")


def test_overdue_entries_are_highlighted_new_ones_badge_the_title_and_search_narrows_the_queue(desk, browser):
    tag = secrets.token_hex(3)
    late = desk.escalate(f"late-{tag}", "meu boleto venceu e ninguem responde", priority=4, ago=600)
    fresh = desk.escalate(f"fresh-{tag}", "como mudo minha senha?", priority=2, ago=60)
    name, password = f"sla-{tag}", secrets.token_urlsafe(16)
    AgentSessions({}, desk.database_url).add_account(name, password)
    sign_in(browser, f"{desk.url}/agent", name, password)
    wait_until(browser, lambda d: d.find_element("id", "link").text == "online", "console not connected")

    # Ten minutes waiting for a two-minute target: overdue, in white on red.
    wait_until(browser, lambda d: (entry(d, late) or {}).get("overdue"), "the overdue entry is not highlighted")
    seen = entry(browser, late)
    assert seen["sla"].startswith("overdue by 8 min") and seen["visible"] and seen["breached"]
    assert seen["background"] == OVERDUE_RED and seen["color"] == "rgb(255, 255, 255)"
    assert seen["border"] == OVERDUE_RED
    calm = entry(browser, fresh)
    assert calm["sla"].endswith("left") and not calm["overdue"] and not calm["breached"]
    assert calm["background"] != OVERDUE_RED
    assert browser.title == "Agent console"  # what was waiting at sign-in is no news
    shot(browser, "console-sla-overdue")

    # The agent looks at another tab; a customer is handed over meanwhile.
    console = browser.current_window_handle
    browser.execute_script("window.open('about:blank', 'other');")
    browser.switch_to.window("other")
    wait_until(
        browser, lambda d: d.execute_script("return window.opener.document.hidden;"), "the console is not hidden"
    )
    newcomer = desk.escalate(f"new-{tag}", "quero falar com alguem sobre a fatura")
    wait_until(
        browser,
        lambda d: d.execute_script("return window.opener.document.title;") == "(1) Agent console",
        "no count of new escalations in the console's title",
    )
    browser.close()
    browser.switch_to.window(console)  # back to the console: the count goes
    wait_until(browser, lambda d: d.title == "Agent console", "the title's count stayed after looking")
    assert entry(browser, newcomer) is not None  # ...and the newcomer is in the queue

    # Search: by what the customer wrote, without accents or case.
    browser.find_element("id", "queue-search").send_keys("BOLETO")
    wait_until(browser, lambda d: listed(d) == [str(late)], "the search did not narrow the queue")
    assert browser.find_element("id", "queue-search-found").text == "1 found"
    browser.find_element("id", "queue-search").clear()
    browser.find_element("id", "queue-search").send_keys(" ")  # an input event; blank: everything again
    wait_until(browser, lambda d: len(listed(d)) == 3, "clearing the search did not bring the queue back")

    # The sound is off until switched on, and stays on.
    sound = browser.find_element("id", "queue-sound")
    assert not sound.is_selected()
    sound.click()
    browser.refresh()
    wait_until(browser, lambda d: d.find_element("id", "queue-sound").is_selected(), "the sound switch was forgotten")

    # In the agent's language: Portuguese.
    wait_until(browser, lambda d: (entry(d, late) or {}).get("overdue"), "no queue after reload")
    browser.execute_script(
        "var s = document.getElementById('console-language'); s.value = 'pt'; s.dispatchEvent(new Event('change'));"
    )
    wait_until(browser, lambda d: (entry(d, late) or {}).get("sla", "").startswith("atrasado há"), "not in Portuguese")
    assert entry(browser, fresh)["sla"].startswith("faltam")
    assert "Som para novos atendimentos" in browser.find_element("id", "queue-tools").text
    assert browser.find_element("id", "queue-search").get_attribute("placeholder") == "Cliente, e-mail ou palavras"
    shot(browser, "console-sla-pt")
    # Every console language has its own words for all of it (a missing one would show the English).
    texts = {}
    for language in browser.execute_script("return Desk.languages;"):
        browser.execute_script(
            "var s = document.getElementById('console-language'); s.value = arguments[0];"
            " s.dispatchEvent(new Event('change'));",
            language,
        )
        wait_until(browser, lambda d, chosen=language: d.execute_script("return Desk.lang();") == chosen, "not chosen")
        wait_until(browser, lambda d: (entry(d, late) or {}).get("sla"), f"no queue in {language}")
        texts[language] = (
            "".join(c for c in entry(browser, late)["sla"] if not c.isdigit()),
            browser.find_element("id", "queue-tools").text,
            browser.find_element("id", "queue-search").get_attribute("placeholder"),
        )
    assert len(texts) == 6
    for part in range(3):
        assert len({words[part] for words in texts.values()}) == 6, texts
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
