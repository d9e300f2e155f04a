"""Messages people can scan, in a real browser (Debian's headless chromium
through Selenium) at 1366x768 and 390x844: each message shows its sender and
time, consecutive ones from the same sender are grouped under one header, an
agent's messages carry their name and an avatar with its initial, and the
header keeps one line on a phone with the end action in a menu.

The web server runs as `make run` runs it; Rasa is a stand-in on loopback that
answers every message with two messages in a row, so no trained model is needed.
Screenshots go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import http.server
import json
import re
import secrets
import sys
import threading
import urllib.request
from typing import Dict, Iterator

import pytest

from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.launcher import Server
from tests.servers import free_port, post_json, service_env
from tests.web.test_widget_browser import CHROMEDRIVER, CHROMIUM, css, focused, make_browser, shot, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]

SIZES = {"desktop": (1366, 768, False), "phone": (390, 844, True)}
FIRST, SECOND = "Claro! Vou verificar isso para você.", "Enquanto isso, confira o status em https://example.com/status."
TITLE = "Central de Atendimento da Loja Exemplo de Eletrodomésticos"  # too long for a phone's header
BOT_NAME = "Assistente Atendo"
CLOCK = re.compile(r"\d{1,2}:\d{2}")  # 10:42 (pt-BR); a day is added for earlier days


class StandIns:
    """On loopback: Rasa's REST channel and tracker API (two answers to any
    message) and a customer's page embedding the widget."""

    def __init__(self) -> None:
        self.web_url = ""
        stand_ins = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def reply(self, body: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                answer = []
                if self.path.startswith("/webhooks/rest/webhook"):
                    answer = [{"recipient_id": body.get("sender"), "text": text} for text in (FIRST, SECOND)]
                self.reply(json.dumps(answer).encode(), "application/json")

            def do_GET(self) -> None:
                if self.path.startswith("/conversations/"):
                    self.reply(json.dumps({"slots": {"language": "pt"}, "events": []}).encode(), "application/json")
                    return
                page = (
                    '<!doctype html><html lang="pt"><head><meta charset="utf-8">'
                    '<meta name="viewport" content="width=device-width, initial-scale=1">'
                    '<title>Loja</title><link rel="icon" href="data:,"></head><body><h1>Loja</h1>'
                    f'<script src="{stand_ins.web_url}/widget.js" data-server="{stand_ins.web_url}" '
                    f'data-title="{TITLE}" data-bot-name="{BOT_NAME}" defer></script></body></html>'
                )
                self.reply(page.encode(), "text/html")

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Dict[str, str]]:
    workdir = tmp_path_factory.mktemp("messages-widget")
    stand_ins = StandIns()
    port = free_port()
    database_url = f"sqlite:///{workdir / 'helpdesk.db'}"
    web = Server(
        "The web server",
        [sys.executable, "-m", "bot.web.server", "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        {**service_env(workdir, database_url), "RASA_URL": stand_ins.url},
        ("RASA_TOKEN", "ACTION_SERVER_URL"),
        workdir / "web.log",
    )
    stand_ins.web_url = f"http://127.0.0.1:{port}"
    web.start()
    try:
        web.wait(60)
        yield {"web_url": stand_ins.web_url, "page_url": stand_ins.url, "database_url": database_url}
    finally:
        web.stop()
        stand_ins.stop()


def an_agent_answers(site: Dict[str, str], session_id: str, name: str, text: str) -> None:
    """An escalation of this conversation, claimed by agent `name`, who writes `text`."""
    password = secrets.token_urlsafe(16)
    AgentSessions({}, site["database_url"]).add_account(name, password)
    record = EscalationStore(site["database_url"]).create(
        NewEscalation(session_id, "request_human", 2, "support", "pt")
    )
    token = post_json(f"{site['web_url']}/api/agent/login", {"name": name, "password": password})["token"]
    for path, body in (
        (f"/api/escalations/{record.id}/claim", {}),
        (f"/api/escalations/{record.id}/message", {"text": text}),
    ):
        request = urllib.request.Request(
            site["web_url"] + path,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert reply.status == 200


def spoken(bubble) -> str:
    """What a screen reader announces first for a message: its visually hidden sender and time."""
    return bubble.find_element("css selector", ".atw-sr").get_attribute("textContent")


def console_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]


@pytest.mark.parametrize("size", sorted(SIZES))
def test_messages_show_sender_and_time_grouped_and_the_header_fits_one_line(site, size):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    width, height, phone = SIZES[size]
    driver = make_browser(width=width, height=height, phone=phone)
    try:
        driver.get(site["page_url"])
        wait_until(driver, lambda d: (css(d, ".atw-launch") or [None])[0], "no launcher").click()
        wait_until(driver, lambda d: css(d, "#atw-panel")[0].is_displayed(), "panel did not open")

        field = css(driver, "#atw-input")[0]
        field.send_keys("Meu pedido não chegou")
        field.send_keys(Keys.ENTER)
        wait_until(driver, lambda d: any(SECOND in b.text for b in css(d, ".atw-bot")), "no two answers")

        # The customer's message: "Você" and the time above it, and said once to a screen reader.
        headers = [h for h in css(driver, ".atw-meta") if h.is_displayed()]
        assert [h.get_attribute("class").split()[-1] for h in headers] == ["atw-meta-customer", "atw-meta-bot"]
        you = headers[0]
        assert you.find_element("css selector", ".atw-who").text == "Você"
        assert CLOCK.fullmatch(you.find_element("css selector", "time").text)
        assert you.get_attribute("aria-hidden") == "true"  # for the eye; the bubble says it to a screen reader
        customer = css(driver, ".atw-customer")[0]
        assert spoken(customer) == f"Você, {you.find_element('css selector', 'time').text}: "
        assert "Meu pedido não chegou" in customer.text

        # The assistant's two answers in a row: one header (its name, avatar, time), the second bubble tighter.
        bot = headers[1]
        assert bot.find_element("css selector", ".atw-who").text == BOT_NAME
        assert bot.find_element("css selector", ".atw-avatar").text == "A"
        first, second = [
            b for b in css(driver, ".atw-bot") if FIRST in b.text or SECOND in b.text
        ]  # (after any welcome)
        assert "atw-grouped" not in first.get_attribute("class") and "atw-grouped" in second.get_attribute("class")
        gap = second.rect["y"] - (first.rect["y"] + first.rect["height"])
        after_header = first.rect["y"] - (bot.rect["y"] + bot.rect["height"])
        assert 0 <= gap < 8 and after_header < 8  # a group reads as one block
        assert spoken(first).startswith(f"{BOT_NAME}, ") and spoken(second).startswith(f"{BOT_NAME}, ")
        assert FIRST in first.text and SECOND in second.text
        # The live region announces each message with its sender, once.
        log_text = css(driver, "[role=log]")[0].get_attribute("textContent")
        assert log_text.count(f"{BOT_NAME}, ") == 2  # once per bubble; the header is aria-hidden
        shot(driver, f"messages-{size}-1-grouped")

        # An agent answers: their name and an avatar circle with their initial.
        saved = driver.execute_script(
            "return JSON.parse(localStorage.getItem(arguments[0]));", f"atendo-widget:{site['web_url']}"
        )
        agent = f"Beatriz-{secrets.token_hex(2)}"
        an_agent_answers(site, saved["session_id"], agent, "Oi, aqui é a Beatriz. Já localizei seu pedido.")
        wait_until(driver, lambda d: css(d, ".atw-agent"), "the agent's message did not arrive")
        header = css(driver, ".atw-meta-agent")[0]
        assert header.is_displayed() and header.find_element("css selector", ".atw-who").text == agent
        avatar = header.find_element("css selector", ".atw-avatar")
        assert avatar.text == "B" and avatar.is_displayed()
        assert abs(avatar.rect["width"] - avatar.rect["height"]) <= 1  # a circle
        assert avatar.value_of_css_property("border-radius") == "50%"
        assert spoken(css(driver, ".atw-agent")[0]).startswith(f"{agent}, ")
        shot(driver, f"messages-{size}-2-agent")

        # The header: everything on one line, the long title cut with an ellipsis.
        head = css(driver, ".atw-head")[0]
        title = css(driver, ".atw-head h2")[0]
        line = float(title.value_of_css_property("line-height").replace("px", ""))
        assert title.rect["height"] <= line + 1, "the title wraps"
        assert title.value_of_css_property("text-overflow") == "ellipsis"
        assert driver.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", title)  # cut
        visible = [e for e in css(driver, ".atw-head > *") if e.is_displayed()]
        tops = [e.rect["y"] for e in visible]
        assert max(tops) - min(tops) <= 8 and head.rect["height"] <= 56, "the header takes more than one line"
        assert all(e.rect["x"] + e.rect["width"] <= width + 1 for e in visible)  # nothing pushed off the screen

        # The end action is in the menu: hidden until the menu opens, keyboard operable.
        end = css(driver, ".atw-end")[0]
        button = css(driver, ".atw-menu-button")[0]
        assert not end.is_displayed() and end.get_attribute("role") == "menuitem"
        assert button.get_attribute("aria-haspopup") == "menu" and button.get_attribute("aria-expanded") == "false"
        assert button.get_attribute("aria-label") == "Mais opções"
        driver.execute_script("arguments[0].focus()", button)
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        assert button.get_attribute("aria-expanded") == "true" and end.is_displayed()
        assert focused(driver) == end and end.text == "Encerrar conversa"
        shot(driver, f"messages-{size}-3-menu")
        ActionChains(driver).send_keys(Keys.ESCAPE).perform()
        assert not end.is_displayed() and button.get_attribute("aria-expanded") == "false"
        assert focused(driver) == button and css(driver, "#atw-panel")[0].is_displayed()  # Escape closed only the menu
        ActionChains(driver).send_keys(Keys.ARROW_DOWN).perform()
        assert focused(driver) == end
        ActionChains(driver).send_keys(Keys.ENTER).perform()  # end the conversation
        wait_until(driver, lambda d: css(d, ".atw-rate button"), "no rating after ending from the menu")
        assert not css(driver, ".atw-msg:not(.atw-note)") and button.get_attribute("aria-expanded") == "false"
        shot(driver, f"messages-{size}-4-ended")

        assert console_errors(driver) == []
    finally:
        driver.quit()
