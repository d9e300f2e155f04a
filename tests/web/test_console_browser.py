"""The agent console in a real browser (Debian's headless chromium) against
the real stack: sign in, a new escalation appears without reload, customer
HTML shows as text, claim, talk both ways, resolve; and the report page.
"""

from __future__ import annotations

import json
import re
import secrets
import urllib.error
import urllib.request

import pytest

from bot.helpdesk.agents import AgentSessions
from tests.servers import post_json
from tests.web.test_widget_browser import CHROMEDRIVER, CHROMIUM, css, make_browser, shot, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]

HOSTILE = 'meu pedido sumiu <img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>'


@pytest.fixture
def browser():
    driver = make_browser(width=1400, height=1000, language="en")
    yield driver
    driver.quit()


def sign_in(driver, url, name, password):
    driver.get(url)
    driver.execute_script("sessionStorage.clear();")  # whoever signed in before in this tab
    driver.get(url)
    wait_until(driver, lambda d: d.find_element("id", "sign-in").is_displayed(), "no sign-in form")
    driver.find_element("id", "name").send_keys(name)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("css selector", "#sign-in button").click()


def transcript(driver):
    # Read in one go in the page: the console rebuilds the list when the conversation changes.
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#transcript li')).map(function (li) { return li.textContent; });"
    )


def test_agent_console_live_queue_escaped_html_claim_chat_resolve_and_report(assistant, browser):
    name, password = f"console-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    AgentSessions({}, assistant.database_url).add_account(name, password)
    sign_in(browser, f"{assistant.web_url}/agent", name, password)
    wait_until(browser, lambda d: d.find_element("id", "link").text == "online", "console not connected")
    # The form is gone and the queue is where the agent looks, not below it.
    assert not browser.find_element("id", "sign-in").is_displayed()
    queue_top = browser.execute_script("return document.getElementById('console').getBoundingClientRect().top;")
    assert queue_top < browser.execute_script("return window.innerHeight;") / 3

    customer = post_json(f"{assistant.web_url}/api/sessions", {})
    post_json(f"{assistant.web_url}/api/messages", {**customer, "text": HOSTILE})
    post_json(
        f"{assistant.web_url}/api/messages", {**customer, "text": "/request_human", "display": "Falar com uma pessoa"}
    )

    token = post_json(f"{assistant.web_url}/api/agent/login", {"name": name, "password": password})["token"]
    request = urllib.request.Request(
        f"{assistant.web_url}/api/escalations", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request) as reply:
        escalation_id = next(
            e["id"] for e in json.loads(reply.read()) if e["conversation_id"] == customer["session_id"]
        )

    def listed(driver):
        # The list is rebuilt when the queue changes: find and click in one go in the page.
        return driver.execute_script(
            "var li = document.querySelector('#queue li[data-id=\"' + arguments[0] + '\"]');"
            " if (li) { li.click(); return true; } return false;",
            str(escalation_id),
        )

    wait_until(browser, listed, "the new escalation did not appear without reload")
    wait_until(browser, lambda d: any(HOSTILE in line for line in transcript(d)), "customer text not shown as text")
    assert css(browser, "#transcript img") == [] and css(browser, "#transcript script") == []
    # The page's own title, not one the customer's markup set; the count of new
    # escalations ("(1) ") appears when headless Chromium reports the page unfocused.
    assert re.fullmatch(r"(\(\d+\) )?Agent console", browser.title)
    facts = browser.find_element("id", "facts").text
    # Readable reason and the customer's own words, not raw codes and ids.
    title = browser.find_element("id", "detail-title").text
    assert "Asked for a person" in title and "request_human" not in title and "Portuguese" in facts
    entry = browser.find_element("css selector", f'#queue li[data-id="{escalation_id}"]').text
    assert "Asked for a person" in entry and "request_human" not in entry and "meu pedido sumiu" in entry

    browser.find_element("id", "claim").click()
    wait_until(browser, lambda d: d.find_element("id", "reply").is_displayed(), "claim did not give a reply box")
    browser.find_element("id", "reply-text").send_keys("Oi! Aqui e a Ana, vou olhar seu pedido.")
    browser.find_element("css selector", "#reply button[type=submit]").click()

    def customer_history():
        return post_json(f"{assistant.web_url}/api/history", customer)["messages"]

    wait_until(
        browser,
        lambda d: any(m["sender"] == "agent" for m in customer_history()),
        "agent reply did not reach the customer",
    )
    post_json(f"{assistant.web_url}/api/messages", {**customer, "text": "o numero e 7788"})
    wait_until(
        browser,
        lambda d: any("o numero e 7788" in line for line in transcript(d)),
        "customer reply did not reach the console",
    )
    shot(browser, "console-chat")

    browser.find_element("id", "resolve").click()
    wait_until(
        browser, lambda d: not d.find_element("id", "detail").is_displayed(), "resolve did not close the conversation"
    )
    back = post_json(f"{assistant.web_url}/api/messages", {**customer, "text": "obrigado! como exporto meus dados?"})
    assert any(m["sender"] == "bot" for m in back["messages"])  # the bot answers again
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{assistant.web_url}/api/escalations/{escalation_id}")
    assert refused.value.code == 401


def test_report_page_shows_the_figures(assistant, browser):
    name, password = f"report-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    AgentSessions({}, assistant.database_url).add_account(name, password)
    sign_in(browser, f"{assistant.web_url}/agent/report", name, password)
    wait_until(browser, lambda d: "deflection" in d.find_element("id", "figures").text, "no report figures")
    text = browser.find_element("id", "figures").text
    for heading in (
        "Escalations by reason",
        "Escalations by language",
        "Escalations by mood",
        "median wait for an agent",
        "Ratings",
    ):
        assert heading in text
    shot(browser, "console-report")
    # Coming back already signed in: the figures, not the sign-in form.
    browser.get(f"{assistant.web_url}/agent")
    wait_until(browser, lambda d: d.find_element("id", "console").is_displayed(), "no console when signed in")
    browser.get(f"{assistant.web_url}/agent/report")
    wait_until(browser, lambda d: "deflection" in d.find_element("id", "figures").text, "no figures when signed in")
    assert not browser.find_element("id", "sign-in").is_displayed()


def test_an_admin_exports_and_deletes_a_customers_data_from_the_console(assistant, browser):
    email = f"apagar-{secrets.token_hex(3)}@example.com"
    customer = post_json(f"{assistant.web_url}/api/sessions", {})
    post_json(f"{assistant.web_url}/api/messages", {**customer, "text": f"meu email e {email}, quero um atendente"})
    plain, admin = (f"{kind}-{secrets.token_hex(3)}" for kind in ("agent", "admin"))
    password = secrets.token_urlsafe(16)
    accounts = AgentSessions({}, assistant.database_url)
    accounts.add_account(plain, password)
    accounts.add_account(admin, password, admin=True)

    sign_in(browser, f"{assistant.web_url}/agent", plain, password)
    wait_until(browser, lambda d: d.find_element("id", "console").is_displayed(), "no console")
    assert not browser.find_element("id", "privacy").is_displayed()  # only admins see it
    browser.execute_script("sessionStorage.clear();")  # another agent at this browser

    sign_in(browser, f"{assistant.web_url}/agent", admin, password)
    wait_until(browser, lambda d: d.find_element("id", "privacy").is_displayed(), "no privacy panel for the admin")
    browser.find_element("id", "privacy-email").send_keys(email)
    browser.find_element("id", "privacy-export").click()
    result = browser.find_element("id", "privacy-result")
    wait_until(browser, lambda d: result.text == "Exported 1 conversation(s).", "export not reported")
    browser.find_element("id", "privacy-delete").click()  # not ticked yet: nothing happens
    wait_until(browser, lambda d: "I am sure" in result.text, "no request to confirm")
    browser.find_element("id", "privacy-sure").click()
    browser.find_element("id", "privacy-delete").click()
    wait_until(browser, lambda d: result.text == "Deleted 1 conversation(s) from every store.", "delete not reported")
    shot(browser, "console-privacy")
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    with pytest.raises(urllib.error.HTTPError) as gone:
        post_json(f"{assistant.web_url}/api/history", customer)
    assert gone.value.code == 401
