"""The agent console in the agent's own language, in a real browser (Debian's
headless chromium at 1366x768), for a Portuguese and a Vietnamese agent:
sign in (the form goes, the queue is in view without scrolling), see a
Vietnamese customer's escalation with its reason in words of the console's
language, read the suggested answer, insert it, send it, and see it arrive in
the customer's widget (a second browser). No console errors in either.

The web server and the action server (for the suggested answers: the real
knowledge base) run as `make run` runs them, with an internal secret; Rasa is
the stand-in of tests/web/test_widget_markdown_browser.py, so no trained model
is needed.
"""

from __future__ import annotations

import secrets
import sys
from dataclasses import dataclass
from typing import Iterator

import pytest

from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.launcher import Server, Servers, free_ports
from tests.servers import service_env
from tests.web.test_widget_browser import (
    CHROMEDRIVER,
    CHROMIUM,
    css,
    make_browser,
    open_widget,
    shot,
    type_message,
    wait_until,
)
from tests.web.test_widget_markdown_browser import StandInRasa

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]

SECRET = "console-languages-secret-0123456789abcdef"
QUESTION_VI = "Tôi quên mật khẩu rồi, làm sao để đặt lại mật khẩu mới?"
# What the Vietnamese version of the password article tells the customer (data/kb/vi/reset-password.md).
ANSWER_VI = "Trên trang đăng nhập, bấm Quên mật khẩu và nhập email của tài khoản."

# What each agent reads: the reason, the suggestion's title and text, the buttons.
CONSOLE = {
    "pt": {
        "reason": "As respostas não ajudaram",
        "title": "Como redefinir a sua senha",
        "agent_text": "Na página de login, clique em Esqueci minha senha",
        "panel": "Respostas sugeridas",
        "claim": "Assumir",
    },
    "vi": {
        "reason": "Câu trả lời không giúp được",
        "title": "Cách đặt lại mật khẩu",
        "agent_text": ANSWER_VI,
        "panel": "Câu trả lời gợi ý",
        "claim": "Nhận xử lý",
    },
}


@dataclass
class Stack:
    url: str  # the web server's
    database_url: str  # the help desk's
    actions: Server  # the action server, to stop and start again


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("console-languages")
    database_url = f"sqlite:///{workdir / 'helpdesk.db'}"
    rasa = StandInRasa()
    web_port, action_port = free_ports(2)
    env = {**service_env(workdir, database_url), "RASA_TOKEN": SECRET}
    actions = Server(
        "The action server",
        [sys.executable, "-m", "bot.action_server", "--port", str(action_port)],
        f"http://127.0.0.1:{action_port}/health",
        env,
        (),
        workdir / "actions.log",
    )
    web = Server(
        "The web server",
        [sys.executable, "-m", "bot.web.server", "--host", "127.0.0.1", "--port", str(web_port)],
        f"http://127.0.0.1:{web_port}/health",
        {**env, "RASA_URL": rasa.url, "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}"},
        (),
        workdir / "web.log",
    )
    servers = Servers([actions, web])
    try:
        servers.start_and_wait(240)
        yield Stack(f"http://127.0.0.1:{web_port}", database_url, actions)
    finally:
        servers.stop()
        rasa.stop()


@pytest.fixture
def customer_browser():
    driver = make_browser(language="vi")
    yield driver
    driver.quit()


@pytest.fixture
def agent_browser():
    driver = make_browser(width=1366, height=768, language="en")
    yield driver
    driver.quit()


def sign_in(driver, url: str, name: str, password: str) -> None:
    driver.get(f"{url}/agent")
    driver.execute_script("sessionStorage.clear(); localStorage.clear();")  # whoever signed in before
    driver.get(f"{url}/agent")
    wait_until(driver, lambda d: d.find_element("id", "sign-in").is_displayed(), "no sign-in form")
    assert not driver.find_element("id", "console").is_displayed()  # no empty queue before signing in
    driver.find_element("id", "name").send_keys(name)
    driver.find_element("id", "password").send_keys(password)
    driver.find_element("css selector", "#sign-in button").click()
    wait_until(driver, lambda d: d.find_element("id", "console").is_displayed(), "the console did not open")


# The console rebuilds its lists as the queue and the conversation change:
# elements are found and read, or clicked, in one go in the page.


def text_of(driver, selector: str):
    """The text of the first element matching `selector`, as shown (None: there is none)."""
    return driver.execute_script(
        "var e = document.querySelector(arguments[0]); return e ? e.innerText : null;", selector
    )


def click(driver, selector: str) -> bool:
    """Click the first element matching `selector`; False when there is none."""
    return driver.execute_script(
        "var e = document.querySelector(arguments[0]); if (e) { e.click(); return true; } return false;", selector
    )


def severe_errors(driver):
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def in_view(driver, element) -> bool:
    """Whether the element's top is inside the window as it is, without scrolling."""
    return driver.execute_script(
        "var r = arguments[0].getBoundingClientRect();"
        " return r.height > 0 && r.top >= 0 && r.top < window.innerHeight && window.scrollY === 0;",
        element,
    )


@pytest.mark.parametrize("language", ["pt", "vi"])
def test_an_agent_answers_a_vietnamese_customer_from_a_suggestion_in_their_own_language(
    stack, customer_browser, agent_browser, language
):
    from selenium.webdriver.support.ui import Select

    url, database_url = stack.url, stack.database_url
    words = CONSOLE[language]
    name, password = f"agent-{language}-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    agents = AgentSessions({}, database_url)
    agents.add_account(name, password)
    agents.set_language(name, language)

    # The customer asks in the widget, then is handed over (as the bot would, after answers that did not help).
    open_widget(customer_browser, url)
    type_message(customer_browser, QUESTION_VI)
    wait_until(customer_browser, lambda d: css(d, ".atw-bot"), "the widget got no answer")
    session = customer_browser.execute_script(
        f"return JSON.parse(localStorage.getItem('atendo-widget:{url}') || '{{}}').session_id;"
    )
    assert session, "the widget has no conversation"
    transcript = [{"sender": "customer", "text": QUESTION_VI, "mood": "neutral"}, {"sender": "bot", "text": "..."}]
    record = EscalationStore(database_url).create(
        NewEscalation(session, "unhelpful_answers", 2, "support", "vi", None, "neutral", ["neutral"], transcript)
    )

    # Signing in: the form goes away and the queue is in view, in the agent's language.
    sign_in(agent_browser, url, name, password)
    assert not agent_browser.find_element("id", "sign-in").is_displayed()

    entry = f'#queue li[data-id="{record.id}"]'
    wait_until(agent_browser, lambda d: text_of(d, entry), "the Vietnamese customer's escalation is not in the queue")
    assert in_view(agent_browser, agent_browser.find_element("id", "queue")), "the queue is below the fold"
    wait_until(agent_browser, lambda d: words["reason"] in text_of(d, entry), "no readable reason")
    assert "unhelpful_answers" not in text_of(agent_browser, entry)
    shot(agent_browser, f"console-{language}-queue")

    # The detail view: the reason in words, the suggested answer in the agent's language beside the customer's.
    click(agent_browser, entry)
    wait_until(agent_browser, lambda d: words["reason"] in text_of(d, "#detail-title"), "no detail view")
    best = "#suggestion-list li.suggestion"
    wait_until(agent_browser, lambda d: text_of(d, best), "no suggested answers")
    assert words["panel"] in text_of(agent_browser, "#suggestions")
    shown = agent_browser.execute_script(
        "var li = document.querySelector(arguments[0]);"
        " return {article: li.getAttribute('data-article'), title: li.querySelector('h4').innerText,"
        " agent: li.querySelector('.suggestion-agent p').innerText,"
        " customer: li.querySelector('.suggestion-customer p').innerText,"
        " insert: !!li.querySelector('.suggestion-insert')};",
        best,
    )
    assert shown["article"] == "reset-password"
    assert shown["title"] == words["title"]
    assert shown["agent"].startswith(words["agent_text"])
    assert shown["customer"].startswith(ANSWER_VI)
    assert not shown["insert"]  # not the agent's to answer yet: nothing to insert into

    assert text_of(agent_browser, "#claim") == words["claim"]
    click(agent_browser, "#claim")
    wait_until(agent_browser, lambda d: d.find_element("id", "reply").is_displayed(), "claiming gave no reply box")
    wait_until(
        agent_browser,
        lambda d: click(d, f"{best} .suggestion-insert"),
        "no Insert button while holding the conversation",
    )
    reply = agent_browser.find_element("id", "reply-text")
    sent_text = reply.get_attribute("value")
    assert sent_text.startswith(ANSWER_VI)
    reply.send_keys(" Chúc bạn một ngày tốt lành!")  # the agent may edit it before sending
    agent_browser.execute_script("document.getElementById('reply').scrollIntoView();")
    shot(agent_browser, f"console-{language}-suggestion")
    agent_browser.find_element("css selector", "#reply button[type=submit]").click()
    wait_until(agent_browser, lambda d: d.find_element("id", "reply-text").get_attribute("value") == "", "not sent")

    # The customer reads it in the widget, as the agent sent it.
    wait_until(
        customer_browser,
        lambda d: any(
            ANSWER_VI in b.get_attribute("textContent")
            and "Chúc bạn một ngày tốt lành!" in b.get_attribute("textContent")
            for b in css(d, ".atw-agent")
        ),
        "the agent's answer did not reach the customer's widget",
    )
    shot(customer_browser, f"widget-answer-from-{language}-agent")
    # Switching the console's language brings the suggestions in the new one.
    other = "vi" if language == "pt" else "pt"
    Select(agent_browser.find_element("id", "console-language")).select_by_value(other)
    wait_until(
        agent_browser,
        lambda d: text_of(d, "#suggestion-list li.suggestion h4") == CONSOLE[other]["title"],
        "the suggestions did not follow the console's language",
    )
    assert CONSOLE[other]["panel"] in agent_browser.find_element("id", "suggestions").text

    # Every word of the suggestions panel exists in all six console languages.
    untranslated = agent_browser.execute_script(
        "var missing = Desk.untranslated(), found = [];"
        " Object.keys(missing).forEach(function (language) { missing[language].forEach(function (key) {"
        "   if (key.indexOf('suggest.') === 0 || key === 'error.kb_unavailable') found.push(language + ': ' + key);"
        " }); });"
        " return found;"
    )
    assert untranslated == []
    assert severe_errors(agent_browser) == []
    assert severe_errors(customer_browser) == []


def test_the_console_says_when_the_knowledge_base_is_out_of_reach_and_recovers(stack, agent_browser):
    name, password = f"agent-down-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    agents = AgentSessions({}, stack.database_url)
    agents.add_account(name, password)
    agents.set_language(name, "pt")
    transcript = [{"sender": "customer", "text": QUESTION_VI, "mood": "neutral"}]
    record = EscalationStore(stack.database_url).create(
        NewEscalation("c-kb-down", "request_human", 2, "support", "vi", None, "neutral", ["neutral"], transcript)
    )
    stack.actions.kill()
    try:
        sign_in(agent_browser, stack.url, name, password)
        entry = f'#queue li[data-id="{record.id}"]'
        wait_until(agent_browser, lambda d: click(d, entry), "the escalation is not in the queue")
        wait_until(
            agent_browser,
            lambda d: "A base de conhecimento não está acessível agora" in (text_of(d, "#suggestions") or ""),
            "no word that the knowledge base is out of reach",
        )
        # The rest of the conversation is there all the same.
        assert "Pediu para falar com uma pessoa" in text_of(agent_browser, "#detail-title")
        assert QUESTION_VI in text_of(agent_browser, "#transcript")
        shot(agent_browser, "console-pt-kb-down")
        stack.actions.start()
        stack.actions.wait()
        assert text_of(agent_browser, "#suggestions .suggestion-retry") == "Tentar de novo"
        click(agent_browser, "#suggestions .suggestion-retry")
        wait_until(
            agent_browser,
            lambda d: text_of(d, "#suggestion-list li.suggestion h4") == CONSOLE["pt"]["title"],
            "no suggestions once the knowledge base was back",
        )
    finally:
        if not stack.actions.running:
            stack.actions.start()
            stack.actions.wait()
    # Only the refused suggestions (503) are errors in the browser's log.
    assert [e for e in severe_errors(agent_browser) if "/suggestions" not in e] == []
