"""Teamwork in the console, in headless chromium against the web server (no
Rasa needed): a Portuguese-speaking agent inserts a canned reply for a
Vietnamese customer (Vietnamese in the reply box, Portuguese beside it),
sends it and it reaches the customer; an internal note shows in the console
and never in the customer's history; canned replies are managed in the console.
"""

from __future__ import annotations

import asyncio
import secrets
import threading

import pytest
from aiohttp import web

import bot.web.server as server
from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.canned import CannedReplies
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from tests.servers import free_port, post_json
from tests.web.test_console_browser import sign_in
from tests.web.test_widget_browser import CHROMEDRIVER, CHROMIUM, make_browser, shot, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]

VI = "Xin vui lòng chờ một chút, tôi đang kiểm tra đơn hàng của bạn."
PT = "Um momento, por favor: estou verificando o seu pedido."
NOTE = "Cliente já ligou duas vezes hoje"


@pytest.fixture
def web_server(tmp_path):
    """The web server on a free port in a thread of its own; Rasa is not running."""
    database_url = f"sqlite:///{tmp_path / 'helpdesk.db'}"
    port = free_port()
    app = server.create_app(f"http://127.0.0.1:{free_port()}", database_url, agents={})
    runner = web.AppRunner(app)
    loop = asyncio.new_event_loop()
    started = threading.Event()

    def serve():
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert started.wait(30)
    yield f"http://127.0.0.1:{port}", database_url
    asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)


@pytest.fixture
def browser():
    driver = make_browser(width=1366, height=768, language="en")
    yield driver
    driver.quit()


def in_page(driver, script, *args):
    return driver.execute_script(script, *args)


def test_a_canned_reply_reaches_a_vietnamese_customer_and_a_note_stays_among_agents(web_server, browser):
    url, database_url = web_server
    name, password = f"tina-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    accounts = AgentSessions({}, database_url)
    accounts.add_account(name, password)
    accounts.set_language(name, "pt")
    CannedReplies(database_url).add("ana", "Verificando o pedido", {"pt": PT, "vi": VI})
    customer = post_json(f"{url}/api/sessions", {})
    record = EscalationStore(database_url).create(
        NewEscalation(
            customer["session_id"],
            "request_human",
            2,
            "support",
            "vi",
            None,
            "neutral",
            ["neutral"],
            [{"sender": "customer", "text": "đơn hàng của tôi ở đâu?", "mood": "neutral"}],
        )
    )

    sign_in(browser, f"{url}/agent", name, password)
    pick = "var li = document.querySelector('#queue li[data-id=\"' + arguments[0] + '\"]'); if (li) li.click(); return !!li;"
    wait_until(browser, lambda d: in_page(d, pick, str(record.id)), "the escalation is not in the queue")
    wait_until(browser, lambda d: d.find_element("id", "claim").is_displayed(), "no claim button")
    browser.find_element("id", "claim").click()
    wait_until(browser, lambda d: d.find_element("id", "reply").is_displayed(), "claim did not give a reply box")

    # In Portuguese: the agent's console language.
    assert "Resposta pronta" in browser.find_element("id", "reply-tools").text
    wait_until(
        browser, lambda d: len(d.find_elements("css selector", "#canned-picker option")) == 2, "no canned replies"
    )
    in_page(browser, "var s = document.getElementById('canned-picker'); s.value = s.options[1].value;")
    browser.find_element("id", "canned-insert").click()
    wait_until(browser, lambda d: d.find_element("id", "reply-text").get_attribute("value") == VI, "not inserted")
    preview = browser.find_element("id", "canned-preview")
    assert PT in preview.text and "vietnamita" in preview.text.lower()  # the agent reads it in Portuguese
    in_page(browser, "document.getElementById('reply-tools').scrollIntoView();")
    shot(browser, "console-canned-reply")
    browser.find_element("css selector", "#reply button[type=submit]").click()
    wait_until(
        browser,
        lambda d: any(m["text"] == VI for m in post_json(f"{url}/api/history", customer)["messages"]),
        "the canned reply did not reach the customer",
    )

    browser.find_element("id", "note-text").send_keys(NOTE)
    browser.find_element("css selector", "#note-form button").click()
    wait_until(browser, lambda d: NOTE in d.find_element("id", "notes-list").text, "the note is not shown")
    assert name in browser.find_element("id", "notes-list").text  # with its author
    in_page(browser, "document.getElementById('transfer').scrollIntoView();")
    shot(browser, "console-notes")
    assert NOTE not in str(post_json(f"{url}/api/history", customer))

    # Managing: a new reply from the console is there for everyone.
    browser.find_element("id", "canned-new").click()
    browser.find_element("id", "canned-title").send_keys("Obrigado")
    browser.find_element("id", "canned-text-pt").send_keys("Obrigado pelo contato!")
    browser.find_element("css selector", "#canned-editor button[type=submit]").click()
    wait_until(browser, lambda d: "Obrigado" in d.find_element("id", "canned-list").text, "the new reply is not listed")
    assert [reply.title for reply in CannedReplies(database_url).all()] == ["Obrigado", "Verificando o pedido"]
    assert "Faltando" in browser.find_element("id", "canned-list").text  # its missing versions are named
    # (Suggestions need the action server, which this test does not start: their 503 is expected.)
    errors = [
        e["message"]
        for e in browser.get_log("browser")
        if e["level"] == "SEVERE" and "/suggestions" not in e["message"]
    ]
    assert errors == []


def test_a_sales_agent_sees_their_queue_and_transfers_a_conversation_to_support(web_server, browser):
    from bot.helpdesk.queues import QueueMembership

    url, database_url = web_server
    name, password = f"sam-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    accounts = AgentSessions({}, database_url)
    accounts.add_account(name, password)
    accounts.set_language(name, "es")
    QueueMembership(database_url).set_queues(name, ["sales"])
    store = EscalationStore(database_url)
    support = store.create(NewEscalation("c-support", "request_human", 2, "support", "es", transcript=[]))
    sales = store.create(NewEscalation("c-sales", "request_human", 2, "sales", "es", transcript=[]))

    def listed(driver):
        return driver.execute_script(
            "return Array.from(document.querySelectorAll('#queue li')).map(function (li) { return li.dataset.id; });"
        )

    sign_in(browser, f"{url}/agent", name, password)
    wait_until(browser, lambda d: listed(d) == [str(sales.id)], "the sales agent's queue shows other queues")
    assert (
        browser.find_element("id", "my-queues").text == "Tus colas: ventas"
    )  # the queue's name in the agent's language
    in_page(
        browser,
        "var s = document.getElementById('filter-queue'); s.value = '*'; s.dispatchEvent(new Event('change'));",
    )
    wait_until(
        browser, lambda d: sorted(listed(d)) == sorted([str(support.id), str(sales.id)]), "no every-queue filter"
    )
    in_page(
        browser,
        "var s = document.getElementById('filter-queue'); s.value = ''; s.dispatchEvent(new Event('change'));",
    )
    pick = "var li = document.querySelector('#queue li[data-id=\"' + arguments[0] + '\"]'); if (li) li.click(); return !!li;"
    wait_until(browser, lambda d: in_page(d, pick, str(sales.id)), "the sales escalation is not listed")
    wait_until(browser, lambda d: d.find_element("id", "transfer").is_displayed(), "no transfer form")
    in_page(browser, "document.getElementById('transfer-queue').value = 'support';")
    browser.find_element("css selector", "#transfer-form button").click()
    wait_until(browser, lambda d: "Transferida a la cola soporte" in d.find_element("id", "notes-list").text, "no note")
    wait_until(browser, lambda d: listed(d) == [], "the transferred escalation stays in the agent's queue")
    assert store.get(sales.id).queue == "support"
