"""The widget's welcome in a real browser (Debian's headless chromium through
Selenium) at 1366x768 and 390x844: the greeting and starter buttons of a new
conversation in Portuguese and Traditional Chinese, the proactive greeting
by the launcher (only when asked for), and the pre-chat form.

The web server runs as `make run` runs it, with a stand-in Rasa that echoes
what it is sent, so no trained model is needed; the last test runs the real
stack (it needs `make train`) to see the pre-chat e-mail reach the escalation.
Screenshots go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import http.server
import json
import re
import sqlite3
import sys
import threading
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import yaml

from bot.launcher import MODEL, Server
from tests.responses import texts
from tests.servers import always_open_settings, free_port, service_env
from tests.web.test_widget_browser import CHROMEDRIVER, CHROMIUM, bubbles, css, focused, make_browser, shot, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]

SIZES = [pytest.param(1366, 768, False, id="desktop"), pytest.param(390, 844, True, id="phone")]
SHIPPED = yaml.safe_load((Path(__file__).resolve().parents[2] / "helpdesk.yml").read_text(encoding="utf-8"))["widget"]
PT_TITLES = [s["title"] for s in SHIPPED["starters"]["pt"]]
HANT_TITLES = ["免費試用", "套餐價格", "忘記密碼", "轉人工客服"]  # converted from the Simplified settings
CJK = re.compile(r"[\u4e00-\u9fff]")


class StandInRasa:
    """Rasa's REST channel: answers "Resposta: <message>" in the message's
    language (Traditional Chinese for Chinese) and remembers what it got."""

    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []
        stand_in = self

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
                if not self.path.startswith("/webhooks/rest/webhook"):
                    return self.reply({})
                stand_in.received.append(body)
                chinese = bool(CJK.search(body.get("message") or ""))
                language = {"language": "zh", "script": "Hant"} if chinese else {"language": "pt"}
                self.reply(
                    [
                        {"recipient_id": body.get("sender"), "custom": {"reply_language": language}},
                        {"recipient_id": body.get("sender"), "text": f"Resposta: {body.get('message')}"},
                    ]
                )

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


def with_welcome(path: Path, prechat: bool, proactive_seconds: int) -> Path:
    """helpdesk.yml (queues always open) with the pre-chat form and proactive greeting as asked."""
    always_open_settings(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["widget"]["prechat"] = {"enabled": prechat, "required": ["email"]}
    raw["widget"]["proactive"]["after_seconds"] = proactive_seconds
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@contextlib.contextmanager
def web_server(workdir: Path, prechat: bool, proactive_seconds: int) -> Iterator[Dict[str, Any]]:
    rasa = StandInRasa()
    port = free_port()
    env = service_env(workdir, f"sqlite:///{workdir / 'helpdesk.db'}")
    env["HELPDESK_CONFIG"] = str(with_welcome(workdir / "welcome.yml", prechat, proactive_seconds))
    web = Server(
        "The web server",
        [sys.executable, "-m", "bot.web.server", "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        {**env, "RASA_URL": rasa.url},
        ("RASA_TOKEN", "ACTION_SERVER_URL"),
        workdir / "web.log",
    )
    web.start()
    try:
        web.wait(60)
        yield {"url": f"http://127.0.0.1:{port}", "rasa": rasa}
    finally:
        web.stop()
        rasa.stop()


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Iterator[Dict[str, Any]]:
    """The shipped settings: welcome and starters, no proactive greeting, no pre-chat form."""
    with web_server(tmp_path_factory.mktemp("welcome-shipped"), prechat=False, proactive_seconds=0) as server:
        yield server


@pytest.fixture(scope="module")
def asking(tmp_path_factory) -> Iterator[Dict[str, Any]]:
    """A help desk with the pre-chat form and a proactive greeting after 1 s."""
    with web_server(tmp_path_factory.mktemp("welcome-asking"), prechat=True, proactive_seconds=1) as server:
        yield server


def open_chat(driver, url: str) -> None:
    driver.get(url)
    wait_until(driver, lambda d: (css(d, ".atw-launch") or [None])[0], "no launcher").click()
    wait_until(driver, lambda d: css(d, "#atw-panel")[0].is_displayed(), "panel did not open")


def starter_buttons(driver):
    return [b for b in css(driver, ".atw-starters button") if b.is_displayed()]


def no_console_errors(driver) -> None:
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


@pytest.mark.parametrize("width, height, phone", SIZES)
def test_a_new_conversation_opens_with_a_greeting_and_starters_and_a_starter_gets_an_answer(
    shipped, width, height, phone
):
    driver = make_browser(width, height, "pt-BR", phone)
    try:
        open_chat(driver, shipped["url"])
        wait_until(driver, lambda d: len(starter_buttons(d)) == 4, "no starter buttons")
        greeting = css(driver, ".atw-welcome .atw-greeting")[0]
        assert greeting.is_displayed() and SHIPPED["greeting"]["pt"] in greeting.text
        assert [b.text for b in starter_buttons(driver)] == PT_TITLES
        assert css(driver, "#atw-input")[0].is_displayed()  # the customer may also just type
        shot(driver, f"welcome-pt-{'phone' if phone else 'desktop'}")

        starter_buttons(driver)[0].click()
        wait_until(
            driver,
            lambda d: any("Resposta: quero fazer um teste grátis" in b for b in bubbles(d, "bot")),
            "the starter got no answer",
        )
        assert bubbles(driver, "customer")[-1].endswith(PT_TITLES[0])  # shown as its title, like a quick reply
        assert shipped["rasa"].received[-1]["message"] == "quero fazer um teste grátis"
        assert starter_buttons(driver) == []  # the conversation has begun
        shot(driver, f"welcome-pt-answered-{'phone' if phone else 'desktop'}")

        driver.refresh()  # the history has the conversation; no welcome on top of it
        open_chat(driver, shipped["url"])
        wait_until(driver, lambda d: any("Resposta:" in b for b in bubbles(d, "bot")), "history not restored")
        assert css(driver, ".atw-welcome") == []
        no_console_errors(driver)
    finally:
        driver.quit()


@pytest.mark.parametrize("width, height, phone", SIZES)
def test_a_traditional_chinese_browser_gets_the_welcome_in_traditional(shipped, width, height, phone):
    driver = make_browser(width, height, "zh-TW", phone)
    try:
        open_chat(driver, shipped["url"])
        wait_until(driver, lambda d: len(starter_buttons(d)) == 4, "no starter buttons")
        assert [b.text for b in starter_buttons(driver)] == HANT_TITLES
        assert "請選擇" in css(driver, ".atw-welcome .atw-greeting")[0].text
        assert css(driver, "#atw-input")[0].get_attribute("placeholder") == "請輸入訊息…"
        shot(driver, f"welcome-zh-hant-{'phone' if phone else 'desktop'}")

        starter_buttons(driver)[1].click()
        wait_until(driver, lambda d: any("Resposta: 套餐價格是多少?" in b for b in bubbles(d, "bot")), "no answer")
        assert css(driver, "#atw-input")[0].get_attribute("placeholder") == "請輸入訊息…"  # still Traditional
        no_console_errors(driver)
    finally:
        driver.quit()


def test_the_welcome_follows_a_language_picked_in_the_widget(shipped):
    from selenium.webdriver.support.ui import Select

    driver = make_browser(1366, 768, "pt-BR")
    try:
        open_chat(driver, shipped["url"])
        wait_until(driver, lambda d: len(starter_buttons(d)) == 4, "no starter buttons")
        Select(css(driver, ".atw-head select")[0]).select_by_value("es")
        wait_until(
            driver,
            lambda d: [b.text for b in starter_buttons(d)] == [s["title"] for s in SHIPPED["starters"]["es"]],
            "the starters did not follow to Spanish",
        )
        assert len(css(driver, ".atw-welcome")) == 1
    finally:
        driver.quit()


def test_no_proactive_greeting_unless_asked_for(shipped):
    driver = make_browser(1366, 768, "pt-BR")
    try:
        driver.get(shipped["url"])
        wait_until(driver, lambda d: css(d, ".atw-launch"), "no launcher")
        time.sleep(3)  # well past the 1 s the other help desk waits
        assert [b for b in css(driver, ".atw-nudge button") if b.is_displayed()] == []
        no_console_errors(driver)
    finally:
        driver.quit()


def test_the_proactive_greeting_is_polite_dismissible_and_not_shown_again(asking):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver = make_browser(1366, 768, "pt-BR")
    try:
        driver.get(asking["url"])
        text = wait_until(
            driver,
            lambda d: next((b for b in css(d, ".atw-nudge-text") if b.is_displayed()), None),
            "no proactive greeting",
        )
        assert text.text == SHIPPED["proactive"]["text"]["pt"]
        assert css(driver, ".atw-nudge")[0].get_attribute("role") == "status"  # announced politely
        assert focused(driver).tag_name == "body"  # it did not take the focus
        shot(driver, "proactive-greeting")

        dismiss = css(driver, ".atw-nudge-close")[0]
        assert dismiss.get_attribute("aria-label") == "Dispensar a mensagem"
        for _ in range(10):  # reachable with the keyboard
            ActionChains(driver).send_keys(Keys.TAB).perform()
            if focused(driver) == dismiss:
                break
        assert focused(driver) == dismiss
        ActionChains(driver).send_keys(Keys.ENTER).perform()
        wait_until(driver, lambda d: css(d, ".atw-nudge") == [], "the greeting was not dismissed")
        assert focused(driver) == css(driver, ".atw-launch")[0]  # the focus goes somewhere sensible

        driver.refresh()  # the same browser session: not again
        wait_until(driver, lambda d: css(d, ".atw-launch"), "no launcher")
        time.sleep(3)
        assert css(driver, ".atw-nudge-text") == []
        no_console_errors(driver)
    finally:
        driver.quit()


def test_opening_the_chat_from_the_proactive_greeting(asking):
    driver = make_browser(390, 844, "pt-BR", phone=True)
    try:
        driver.get(asking["url"])
        wait_until(
            driver,
            lambda d: next((b for b in css(d, ".atw-nudge-text") if b.is_displayed()), None),
            "no proactive greeting",
        ).click()
        wait_until(driver, lambda d: css(d, "#atw-panel")[0].is_displayed(), "the chat did not open")
        assert css(driver, ".atw-nudge") == []
    finally:
        driver.quit()


def fill_prechat(driver, email: str) -> None:
    field = wait_until(driver, lambda d: (css(d, "#atw-pc-email") or [None])[0], "no pre-chat form")
    field.clear()
    field.send_keys(email)
    css(driver, ".atw-prechat button[type=submit]")[0].click()


@pytest.mark.parametrize("width, height, phone", SIZES)
def test_the_pre_chat_form_checks_the_e_mail_and_sends_it_with_the_conversation(asking, width, height, phone):
    driver = make_browser(width, height, "pt-BR", phone)
    try:
        open_chat(driver, asking["url"])
        email = wait_until(driver, lambda d: (css(d, "#atw-pc-email") or [None])[0], "no pre-chat form")
        assert email.is_displayed() and css(driver, "#atw-pc-name")[0].is_displayed()
        assert focused(driver) == css(driver, "#atw-pc-name")[0]  # where to type first
        assert not css(driver, "#atw-input")[0].is_displayed()  # the chat starts after the form
        # Closed and opened again before it is filled: the form has the focus, not the hidden message box.
        from selenium.webdriver.common.keys import Keys

        focused(driver).send_keys(Keys.ESCAPE)
        wait_until(driver, lambda d: not css(d, "#atw-panel")[0].is_displayed(), "Escape did not close the chat")
        css(driver, ".atw-launch")[0].click()
        wait_until(driver, lambda d: focused(d) == css(d, "#atw-pc-name")[0], "the form lost the focus on reopening")
        labels = [label.text for label in css(driver, ".atw-prechat label")]
        assert labels == ["Nome (opcional)", "E-mail"]
        size = "phone" if phone else "desktop"
        shot(driver, f"prechat-{size}")

        fill_prechat(driver, "")
        wait_until(driver, lambda d: css(d, ".atw-pc-error")[0].text == "Informe seu e-mail.", "no error")
        assert email.get_attribute("aria-invalid") == "true" and focused(driver) == email
        fill_prechat(driver, "ana@")
        wait_until(driver, lambda d: "não parece válido" in css(d, ".atw-pc-error")[0].text, "bad e-mail accepted")
        shot(driver, f"prechat-error-{size}")

        css(driver, "#atw-pc-name")[0].send_keys("Ana Souza")
        # Another language picked halfway: the form speaks it, keeps what was typed and leaves the focus alone.
        from selenium.webdriver.support.ui import Select

        picker = css(driver, ".atw-head select")[0]
        Select(picker).select_by_value("es")
        wait_until(driver, lambda d: css(d, ".atw-prechat label")[0].text.startswith("Nombre"), "form not in Spanish")
        assert css(driver, "#atw-pc-name")[0].get_attribute("value") == "Ana Souza"
        assert focused(driver) == picker
        Select(picker).select_by_value("pt")
        wait_until(driver, lambda d: css(d, ".atw-prechat label")[0].text.startswith("Nome"), "form not back in pt")
        fill_prechat(driver, "ana@empresa.com.br")
        wait_until(driver, lambda d: len(starter_buttons(d)) == 4, "no starters after the form")
        assert css(driver, ".atw-prechat") == [] and css(driver, "#atw-input")[0].is_displayed()
        assert focused(driver) == css(driver, "#atw-input")[0]
        shot(driver, f"prechat-done-{size}")

        starter_buttons(driver)[3].click()  # talk to a person
        wait_until(driver, lambda d: any("Resposta: /request_human" in b for b in bubbles(d, "bot")), "no answer")
        sent = asking["rasa"].received[-1]
        assert sent["message"] == "/request_human"
        assert sent["metadata"]["contact"] == {"name": "Ana Souza", "email": "ana@empresa.com.br"}

        driver.refresh()  # given once per conversation
        open_chat(driver, asking["url"])
        wait_until(driver, lambda d: any("Resposta:" in b for b in bubbles(d, "bot")), "history not restored")
        assert css(driver, ".atw-prechat") == []
        no_console_errors(driver)
    finally:
        driver.quit()


@pytest.mark.slow
@pytest.mark.skipif(not MODEL.exists(), reason="needs a trained model: make train")
def test_after_the_pre_chat_form_the_escalation_has_the_e_mail_and_the_bot_does_not_ask(tmp_path, monkeypatch):
    """The real stack: Rasa, the action server and the web server."""
    import tests.servers as servers

    shipped_settings = servers.always_open_settings
    monkeypatch.setattr(servers, "always_open_settings", lambda path: with_welcome(path, True, 0))
    assistant = servers.start_assistant(tmp_path)
    monkeypatch.setattr(servers, "always_open_settings", shipped_settings)
    driver = make_browser(1366, 768, "pt-BR")
    try:
        open_chat(driver, assistant.web_url)
        fill_prechat(driver, "ana@empresa.com.br")
        wait_until(driver, lambda d: len(starter_buttons(d)) == 4, "no starters after the form")
        next(b for b in starter_buttons(driver) if b.text == "Falar com uma pessoa").click()
        offline = {t.split("{")[0].strip() for t in texts("utter_escalation_offline", "pt")}
        wait_until(
            driver,
            lambda d: any(o and o in b for o in offline for b in bubbles(d, "bot")),
            "no answer to asking for a person",
        )
        # The e-mail question would come in the same batch of answers, with the one above.
        asked = texts("utter_ask_email", "pt")
        assert not any(a in b for a in asked for b in bubbles(driver, "bot")), "the bot asked for the e-mail again"
        with sqlite3.connect(assistant.database) as db:
            rows = db.execute("select email, reason from escalations").fetchall()
        assert rows == [("ana@empresa.com.br", "request_human")]
        shot(driver, "prechat-escalated")
        no_console_errors(driver)
    finally:
        driver.quit()
        assistant.stop()
