"""In a real browser (headless chromium): the link of an e-mailed reply opens
the widget on the same conversation, history included; an expired link shows
a page saying so and no widget. And the console tells the agent when the
customer had left and the reply was e-mailed (static/agent-mail.js).

The web server runs in this process, with the stand-in Rasa (conftest.py):
nothing here needs the trained model.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from aiohttp.test_utils import TestServer

import bot.web.server as server
from bot.helpdesk.agents import hash_password
from bot.helpdesk.conversations import ChatStore
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.settings import EmailSettings, SmtpServer
from bot.web import reopen
from tests.smtp import MailServer
from tests.web.test_console_languages_browser import click
from tests.web.test_widget_browser import CHROMEDRIVER, CHROMIUM, make_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]

PASSWORD = "correct horse battery"
WAIT = 20


@pytest.fixture
async def web(rasa, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'helpdesk.db'}"
    smtp = MailServer().start()
    email = EmailSettings(SmtpServer.parse(smtp.url), "atendimento@shop.example", 7.0, 5)
    app = server.create_app(str(rasa.make_url("")), database_url, agents={"ana": hash_password(PASSWORD)}, email=email)
    running = TestServer(app, host="127.0.0.1")
    await running.start_server()
    running.chats, running.escalations, running.smtp = ChatStore(database_url), EscalationStore(database_url), smtp
    yield running
    await running.close()
    smtp.stop()


@pytest.fixture
def browser():
    driver = make_browser(language="vi-VN")
    yield driver
    driver.quit()


def widget_text(driver, selector: str) -> str:
    return driver.execute_script(
        "var host = document.getElementById('atendo-widget');"
        "var node = host && host.shadowRoot.querySelector(arguments[0]);"
        "return node ? node.textContent : '';",
        selector,
    )


async def wait_for(check, what: str):
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        value = await asyncio.to_thread(check)
        if value:
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"not seen within {WAIT} s: {what}")


async def test_the_emailed_link_opens_the_widget_on_the_conversation_with_its_history(web, browser):
    conversation = web.chats.create_session()["session_id"]
    web.chats.add_message(conversation, "customer", "Đơn hàng của tôi chưa đến")
    web.chats.add_message(conversation, "agent", "Đơn hàng sẽ đến vào ngày mai. <b>Cảm ơn</b>", {"name": "ana"})
    key = web.app[reopen.AWAY].key
    link = reopen.sign(key, reopen.Link(conversation, "vi", None, time.time() + 3600))
    url = str(web.make_url("/chat/reopen").with_query(link=link))
    await asyncio.to_thread(browser.get, url)
    assert "Tiếp tục cuộc trò chuyện" in await asyncio.to_thread(lambda: browser.title)
    log = await wait_for(
        lambda: "ngày mai" in widget_text(browser, ".atw-log") and widget_text(browser, ".atw-log"), "the history"
    )
    assert "Đơn hàng của tôi chưa đến" in log and "<b>Cảm ơn</b>" in log  # shown as text, never as HTML
    panel_open = await asyncio.to_thread(
        browser.execute_script,
        "return !document.getElementById('atendo-widget').shadowRoot.querySelector('.atw-panel').hidden;",
    )
    assert panel_open


async def test_an_expired_link_shows_a_page_saying_so_and_no_widget(web, browser):
    conversation = web.chats.create_session()["session_id"]
    link = reopen.sign(web.app[reopen.AWAY].key, reopen.Link(conversation, "vi", None, time.time() - 60))
    await asyncio.to_thread(browser.get, str(web.make_url("/chat/reopen").with_query(link=link)))
    body = await asyncio.to_thread(lambda: browser.find_element("tag name", "body").text)
    assert "Liên kết này đã hết hạn" in body
    assert not await asyncio.to_thread(browser.execute_script, "return !!document.getElementById('atendo-widget');")


async def test_the_console_says_the_customer_left_and_the_reply_was_emailed(web, browser):
    conversation = web.chats.create_session()["session_id"]
    web.chats.add_message(conversation, "customer", "Đơn hàng của tôi chưa đến")
    record = web.escalations.create(
        NewEscalation(conversation, "request_human", 2, "support", "vi", None, "neutral", [], [])
    )
    web.escalations.set_email(record.id, "khach@example.com")

    def sign_in():
        browser.get(str(web.make_url("/agent")))
        browser.find_element("id", "name").send_keys("ana")
        browser.find_element("id", "password").send_keys(PASSWORD)
        browser.find_element("css selector", "#sign-in button[type=submit]").click()

    await asyncio.to_thread(sign_in)
    # One script finds and clicks: the console redraws its queue as it changes,
    # so an element found by one WebDriver call may be gone at the next.
    await wait_for(lambda: click(browser, f"#queue li[data-id='{record.id}']"), "the queue entry")
    await wait_for(lambda: browser.find_element("id", "claim").is_displayed(), "the claim button")
    await wait_for(lambda: click(browser, "#claim"), "the claim button")
    await wait_for(lambda: browser.find_element("id", "reply").is_displayed(), "the reply box")

    def send():
        browser.find_element("id", "reply-text").send_keys("Đơn hàng sẽ đến vào ngày mai.")
        browser.find_element("css selector", "#reply button[type=submit]").click()

    await asyncio.to_thread(send)
    notice = await wait_for(
        lambda: browser.find_elements("id", "mail-notice") and browser.find_element("id", "mail-notice").text,
        "the e-mail notice",
    )
    assert "khach@example.com" in notice  # in the console's language (English by default)
    [received] = await web.smtp.inbox.wait_for(1)
    assert received.recipients == ["khach@example.com"]
