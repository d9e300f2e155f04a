"""The bot's Markdown in the widget, in a real browser (Debian's headless
chromium through Selenium): bold, lists and links become real elements,
markup in a message stays text.

The web server runs as `make run` runs it; Rasa is a stand-in on loopback
that answers with the messages under test, so no trained model is needed
(tests/web/test_widget_browser.py has the real stack).
"""

from __future__ import annotations

import http.server
import json
import sys
import threading
from typing import Iterator

import pytest

from bot.launcher import Server
from tests.servers import free_port, service_env
from tests.web.test_widget_browser import CHROMEDRIVER, CHROMIUM, css, make_browser, open_widget, shot, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]

ANSWER = (
    "Vá em **Configurações > Importar dados** e escolha o _arquivo_:\n"
    "- contatos;\n"
    "- chamados.\n"
    "1. Revise a prévia.\n"
    "2. Confirme com `Importar`.\n"
    "Mais em [nosso site](https://example.com/ajuda), em [outro](javascript:alert(1)) ou https://example.com/status.\n"
    "📄 Como importar dados\n"
    "[Leia mais](/kb/pt/import-data)"
)
HOSTILE = 'Você escreveu <img src=x onerror=alert(1)><img src=x onerror="window.__pwned=1"> **mesmo**'


class StandInRasa:
    """Rasa's REST channel and tracker API, answering "markdown" with ANSWER and
    anything else with HOSTILE."""

    def __init__(self) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def reply(self, body) -> None:
                data = json.dumps(body).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                if self.path.startswith("/webhooks/rest/webhook"):
                    text = ANSWER if body.get("message") == "markdown" else HOSTILE
                    self.reply([{"recipient_id": body.get("sender"), "text": text}])
                else:
                    self.reply({})

            def do_GET(self) -> None:
                self.reply({"slots": {"language": "pt"}, "events": []})

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def web_url(tmp_path_factory) -> Iterator[str]:
    workdir = tmp_path_factory.mktemp("markdown-widget")
    rasa = StandInRasa()
    port = free_port()
    web = Server(
        "The web server",
        [sys.executable, "-m", "bot.web.server", "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        {**service_env(workdir, f"sqlite:///{workdir / 'helpdesk.db'}"), "RASA_URL": rasa.url},
        ("RASA_TOKEN", "ACTION_SERVER_URL"),
        workdir / "web.log",
    )
    web.start()
    try:
        web.wait(60)
        yield f"http://127.0.0.1:{port}"
    finally:
        web.stop()
        rasa.stop()


@pytest.fixture
def browser():
    driver = make_browser()
    yield driver
    driver.quit()


def send(driver, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    field = css(driver, "#atw-input")[0]
    field.send_keys(text)
    field.send_keys(Keys.ENTER)


def test_a_markdown_answer_shows_bold_lists_and_links_as_elements(web_url, browser):
    open_widget(browser, web_url)
    send(browser, "markdown")
    strong = wait_until(browser, lambda d: (css(d, ".atw-bot strong") or [None])[0], "no <strong> in the answer")
    assert strong.text == "Configurações > Importar dados" and strong.is_displayed()
    assert int(strong.value_of_css_property("font-weight")) >= 700
    assert [e.text for e in css(browser, ".atw-bot em")] == ["arquivo"]
    assert [e.text for e in css(browser, ".atw-bot code")] == ["Importar"]
    items = css(browser, ".atw-bot li")
    assert [li.text for li in items] == ["contatos;", "chamados.", "Revise a prévia.", "Confirme com Importar."]
    assert all(li.is_displayed() for li in items)
    assert len(css(browser, ".atw-bot ul li")) == 2 and len(css(browser, ".atw-bot ol li")) == 2
    assert css(browser, ".atw-bot ul")[0].value_of_css_property("list-style-type") == "disc"

    links = {a.text: a for a in css(browser, ".atw-bot a")}
    assert set(links) == {"nosso site", "https://example.com/status", "Leia mais"}  # javascript: is no link
    assert links["nosso site"].get_attribute("href") == "https://example.com/ajuda"
    assert links["https://example.com/status"].get_attribute("href") == "https://example.com/status"
    assert links["Leia mais"].get_attribute("href") == f"{web_url}/kb/pt/import-data"  # on the assistant's server
    for a in links.values():
        assert a.is_displayed()
        assert a.get_attribute("target") == "_blank" and a.get_attribute("rel") == "noopener noreferrer"
    bubble = css(browser, ".atw-bot")[0].get_attribute("textContent")
    assert "[outro](javascript:alert(1))" in bubble and "**" not in bubble
    shot(browser, "11-markdown-answer")
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []

    # "Read more" opens the article page, its steps a real list.
    links["Leia mais"].click()
    wait_until(browser, lambda d: len(d.window_handles) == 2, "the article did not open")
    browser.switch_to.window(browser.window_handles[1])
    wait_until(browser, lambda d: d.find_elements("css selector", "main ol li"), "no list on the article page")
    assert all(li.is_displayed() for li in browser.find_elements("css selector", "main ol li"))
    shot(browser, "12-article-page")


def test_markup_in_a_bot_message_and_markdown_a_customer_types_show_as_text(web_url, browser):
    open_widget(browser, web_url)
    send(browser, "**meu** pedido <b>sumiu</b>")
    wait_until(browser, lambda d: css(d, ".atw-bot"), "no reply")
    bot = css(browser, ".atw-bot")[0]
    assert "<img src=x onerror=alert(1)>" in bot.get_attribute("textContent")
    assert "<img src=x onerror=alert(1)>" in bot.text  # shown, as text
    assert not css(browser, ".atw-log img") and not css(browser, ".atw-log b")
    assert [e.text for e in css(browser, ".atw-bot strong")] == ["mesmo"]
    assert browser.execute_script("return window.__pwned === undefined")
    # What a person types is shown as typed: no Markdown.
    assert css(browser, ".atw-customer")[0].text.endswith("\n**meu** pedido <b>sumiu</b>")
    assert not css(browser, ".atw-customer strong")
    shot(browser, "13-markup-as-text")
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
