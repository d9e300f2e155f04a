"""The report page in a real browser (Debian's headless chromium), against the
real web server and a database holding conversations of the last day, week,
month and before: an agent whose console speaks Portuguese or Traditional
Chinese sees the figures and charts in that language, and the period selector
changes them. No Rasa is needed: the report only reads the help-desk database.
"""

from __future__ import annotations

import secrets
import time

import pytest

from bot.helpdesk import escalations as esc
from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.feedback import record_feedback
from bot.launcher import Ports, commands, free_ports, health_urls
from bot.launcher import Server as Service
from tests.helpdesk.test_report import HOUR, Desk
from tests.servers import UNSET, service_env, start_all
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

DAY_HOURS = 24


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """The web server alone, on a database with the report's conversations."""
    workdir = tmp_path_factory.mktemp("report")
    url = f"sqlite:///{workdir / 'helpdesk.db'}"
    now = time.time()
    desk = Desk(url, now=now)
    # The last day: the customer said the answer helped.
    desk.conversation("today", (2, "customer", "Como pago com Pix?"), (2, "bot", "Assim..."))
    record_feedback("today", True, ["pix"], database_url=url, at=now - 1.9 * HOUR)
    # The last week: a Vietnamese customer the bot had no article for, answered by an agent in 10 minutes.
    desk.conversation("week", (3 * DAY_HOURS, "customer", "Tôi muốn hủy"), (3 * DAY_HOURS, "bot", "..."), language="vi")
    desk.escalate(
        "week",
        3 * DAY_HOURS,
        reason="no_article",
        language="vi",
        mood="confused",
        status=esc.RESOLVED,
        agent="ana",
        claimed_at=now - 3 * DAY_HOURS * HOUR + 300,
        first_response_at=now - 3 * DAY_HOURS * HOUR + 600,
        resolved_at=now - 3 * DAY_HOURS * HOUR + 1200,
    )
    # The last month: one answer held a day, one did not help.
    desk.conversation("month-quiet", (20 * DAY_HOURS, "customer", "Preço?"), (20 * DAY_HOURS, "bot", "R$ 10"))
    desk.conversation("month-wrong", (21 * DAY_HOURS, "customer", "Erro 500"), (21 * DAY_HOURS, "bot", "Tente"))
    record_feedback("month-wrong", False, database_url=url, at=now - 21 * DAY_HOURS * HOUR + 60)
    # Before that: a person asked for.
    desk.conversation("old", (90 * DAY_HOURS, "customer", "/request_human"), (90 * DAY_HOURS, "bot", "Um momento"))

    (port,) = free_ports(1)
    ports = Ports(rasa=free_ports(1)[0], action=free_ports(1)[0], web=port)
    env = {**service_env(workdir, url), "RASA_URL": f"http://127.0.0.1:{ports.rasa}"}
    command, health = commands(ports, workdir / "endpoints.yml"), health_urls(ports)
    services = {"web": Service("web", command["web"], health["web"], env, UNSET, workdir / "web.log")}

    def stop():
        for service in services.values():
            service.stop()

    start_all(services, stop)
    yield f"http://127.0.0.1:{port}", url
    stop()


@pytest.fixture
def browser():
    driver = make_browser(width=1366, height=768, language="en")
    yield driver
    driver.quit()


def summary(driver) -> dict:
    """The summary table, row heading -> value, as the agent reads it."""
    return driver.execute_script(
        "var rows = {}; var part = document.querySelector('#figures section');"
        "if (!part) return rows;"
        "part.querySelectorAll('tr').forEach(function (tr) {"
        "  rows[tr.querySelector('th').textContent] = tr.querySelector('td').textContent; });"
        "return rows;"
    )


def choose(driver, value: str) -> None:
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "days")).select_by_value(value)


WORDS = {
    "pt": {
        "conversations": "conversas",
        "escalations": "escalonamentos",
        "headings": (
            "Escalonamentos por motivo",
            "Escalonamentos por idioma",
            "Taxa de reabertura",
            "Satisfação (CSAT)",
        ),
        "period": "Período",
        "definitions": "Como estes números são contados",
    },
    "zh-Hant": {
        "conversations": "對話數",
        "escalations": "轉人工次數",
        "headings": ("依原因的轉人工", "依語言的轉人工", "重開率", "滿意度 (CSAT)"),
        "period": "時間範圍",
        "definitions": "這些數字如何計算",
    },
}


@pytest.mark.parametrize("language", ["pt", "zh-Hant"])
def test_the_report_shows_its_figures_and_charts_and_the_period_changes_them(web, browser, language):
    web_url, database_url = web
    words = WORDS[language]
    name, password = f"report-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    accounts = AgentSessions({}, database_url)
    accounts.add_account(name, password)
    accounts.set_language(name, language)
    sign_in(browser, f"{web_url}/agent/report", name, password)
    wait_until(browser, lambda d: d.find_element("id", "card-deflection").is_displayed(), "no report figures")
    assert not browser.find_element("id", "sign-in").is_displayed()

    # The last 30 days (the default): four conversations, one escalation, in the agent's language.
    wait_until(browser, lambda d: summary(d).get(words["conversations"]) == "4", "not the 30 days' figures")
    assert summary(browser)[words["escalations"]] == "1"
    text = browser.find_element("id", "figures").text
    for heading in words["headings"]:
        assert heading in text, heading
    assert words["period"] in browser.find_element("css selector", ".report-tools").text
    assert words["definitions"] in browser.find_element("id", "definitions").text
    # Deflection: resolved by the bot 2 (helped; quiet for a day) of the 4 (one did not help, one went to a person).
    assert browser.find_element("css selector", "#card-deflection .card-value").text.startswith("50")

    # The charts are drawn, visible, described for screen readers, with their values as text.
    charts = browser.find_elements("css selector", "#figures svg.bars")
    assert len(charts) >= 8
    reason_chart = browser.find_element("css selector", "[data-chart='reason'] svg")
    assert reason_chart.is_displayed() and reason_chart.size["height"] > 0 and reason_chart.size["width"] > 200
    bar = reason_chart.find_element("css selector", "rect")
    assert bar.size["width"] > 10  # the one reason's bar is the full length, not empty
    assert reason_chart.find_element("css selector", "title").get_attribute("textContent") == words["headings"][0]
    assert "1" in reason_chart.find_element("css selector", ".bar-value").text
    label = browser.execute_script("return Desk.reason('no_article');")
    assert reason_chart.find_element("css selector", ".bar-label").text == label and label != "no article"
    language_chart = browser.find_element("css selector", "[data-chart='language'] svg")
    assert language_chart.find_element("css selector", ".bar-label").text == browser.execute_script(
        "return Desk.languageName('vi');"
    )
    shot(browser, f"report-{language}")

    # The period selector changes the figures: the last day, the last week, all time.
    choose(browser, "1")
    wait_until(browser, lambda d: summary(d).get(words["conversations"]) == "1", "the last day's figures not shown")
    assert summary(browser)[words["escalations"]] == "0"
    choose(browser, "7")
    wait_until(browser, lambda d: summary(d).get(words["conversations"]) == "2", "the week's figures not shown")
    assert summary(browser)[words["escalations"]] == "1"
    choose(browser, "")
    wait_until(browser, lambda d: summary(d).get(words["conversations"]) == "5", "all time not shown")
    # From ... to ...: only the days chosen.
    choose(browser, "custom")
    wait_until(browser, lambda d: d.find_element("id", "from").is_displayed(), "no dates to choose")
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 20 * 86400))
    browser.execute_script(
        "document.getElementById('from').value = arguments[0]; document.getElementById('to').value = arguments[0];",
        day,
    )
    browser.find_element("css selector", "#custom-period button").click()
    wait_until(browser, lambda d: summary(d).get(words["conversations"]) == "1", "the chosen days not shown")

    # Switching the console's language redraws the figures in it.
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element("id", "console-language")).select_by_value("en")
    wait_until(browser, lambda d: "Escalations by reason" in d.find_element("id", "figures").text, "not redrawn")
    assert summary(browser)["conversations"] == "1"  # the same period, now in English

    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
