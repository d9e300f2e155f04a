"""The widget in a real browser (Debian's headless chromium through Selenium)
against the real stack: web server, Rasa server, action server.

Screenshots go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Optional

import pytest

from actions.kb import chat_text
from bot.kb.service import load_knowledge_base
from bot.nlu import chinese_script
from bot.rasa_plugins.nlg import MultilingualNLG
from tests.responses import DOMAIN, texts

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
WAIT = 60  # seconds; the first answer loads the knowledge base

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]


def make_browser(width: int = 1280, height: int = 900, language: str = "pt-BR", phone: bool = False):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        f"--lang={language}",
        f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}",
    ):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": language})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console errors, CSP violations
    if phone:  # a desktop window cannot be narrower than 500 px
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}}
        )
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium fetch a driver
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture
def browser():
    driver = make_browser()
    yield driver
    driver.quit()


def shot(driver, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def wait_until(driver, condition, message: str):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(lambda d: condition(d), message)


def css(driver, selector):
    """The widget's elements matching `selector`, inside its Shadow DOM (where
    the host page's selectors cannot reach, as the page's CSS cannot)."""
    from selenium.webdriver.common.by import By

    hosts = driver.find_elements(By.ID, "atendo-widget")
    return hosts[0].shadow_root.find_elements(By.CSS_SELECTOR, selector) if hosts else []


def focused(driver):
    """The element with the keyboard focus, inside the widget's Shadow DOM too."""
    return driver.execute_script(
        "let e = document.activeElement;"
        "while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;"
        "return e;"
    )


def bubbles(driver, who: str):
    return [b.get_attribute("textContent") for b in css(driver, f".atw-{who}")]


def wait_for_bot_text(driver, expected: str, name: str) -> None:
    wait_until(
        driver, lambda d: any(expected in b for b in bubbles(d, "bot")), f"no bot message with {expected[:60]!r}"
    )
    shot(driver, name)


def open_widget(driver, url: str) -> None:
    driver.get(url)
    launcher = wait_until(driver, lambda d: (css(d, ".atw-launch") or [None])[0], "no launcher")
    launcher.click()
    wait_until(driver, lambda d: css(d, "#atw-panel")[0].is_displayed(), "panel did not open")


def type_message(driver, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    field = css(driver, "#atw-input")[0]
    field.send_keys(text)
    field.send_keys(Keys.ENTER)


def as_shown(markdown: str) -> str:
    """A chat answer's text as the widget shows it (its Markdown rendered)."""
    text = re.sub(r"\[([^\]\n]+)\]\([^()\s]+\)", r"\1", markdown)
    return re.sub(r"\*\*|__|`", "", text)


def nlg_text(response: str, language: str, script: Optional[str] = None, button: Optional[int] = None):
    from rasa.shared.core.domain import Domain

    rendered = MultilingualNLG(domain=Domain.load(str(DOMAIN))).render(
        response, {"language": language, "script": script}
    )
    return rendered["buttons"][button]["title"] if button is not None else rendered["text"]


def test_customer_asks_reloads_switches_to_traditional_and_uses_quick_replies(assistant, browser):
    open_widget(browser, assistant.web_url)
    assert css(browser, "#atw-input")[0].get_attribute("placeholder") == "Escreva sua mensagem…"
    shot(browser, "01-open")

    type_message(browser, "como eu importo meus contatos de uma planilha csv?")
    answer_pt = as_shown(chat_text(load_knowledge_base().get("import-data", "pt").answer, "pt"))
    wait_for_bot_text(browser, answer_pt, "02-answer-pt")
    links = {a.text: a.get_attribute("href") for a in css(browser, ".atw-bot a")}
    assert links["Leia mais"].endswith("/kb/pt/import-data")  # "read more" is a real link
    assert "Configurações > Importar dados" in [b.text for b in css(browser, ".atw-bot strong")]

    not_helped = nlg_text("utter_did_it_help", "pt", button=1)
    next(b for b in css(browser, ".atw-replies button") if b.text == not_helped).click()
    wait_for_bot_text(browser, nlg_text("utter_sorry_not_helped", "pt"), "03-quick-reply-pt")
    assert not_helped in bubbles(browser, "customer")[-1]

    browser.refresh()
    open_widget(browser, assistant.web_url)
    wait_until(browser, lambda d: any(answer_pt in b for b in bubbles(d, "bot")), "history not restored")
    assert any("planilha csv" in b for b in bubbles(browser, "customer"))
    shot(browser, "04-history-after-reload")

    type_message(browser, "請問要怎麼匯入CSV檔案的客戶資料?")
    answer_hant = chinese_script.to_traditional(chat_text(load_knowledge_base().get("import-data", "zh").answer, "zh"))
    wait_for_bot_text(browser, as_shown(answer_hant), "05-answer-zh-hant")
    links = {a.text: a.get_attribute("href") for a in css(browser, ".atw-bot a")}
    assert links["閱讀全文"].endswith("/kb/zh/import-data?script=hant")  # the article in Traditional too
    wait_until(
        browser,
        lambda d: css(d, "#atw-input")[0].get_attribute("placeholder") == "請輸入訊息…",
        "UI did not follow to Traditional",
    )

    helped = nlg_text("utter_did_it_help", "zh", "Hant", button=0)
    next(b for b in css(browser, ".atw-replies button") if b.text == helped).click()
    wait_for_bot_text(browser, nlg_text("utter_glad_it_helped", "zh", "Hant"), "06-quick-reply-zh-hant")


def test_keyboard_only_with_an_aria_live_region(assistant, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.get(assistant.web_url)
    wait_until(browser, lambda d: css(d, ".atw-launch"), "no launcher")
    launcher = css(browser, ".atw-launch")[0]
    for _ in range(30):  # Tab through the page's links to the launcher
        ActionChains(browser).send_keys(Keys.TAB).perform()
        if focused(browser) == launcher:
            break
    assert focused(browser) == launcher, "the launcher is not reachable with Tab"
    assert launcher.value_of_css_property("outline-style") != "none"  # visible focus
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    wait_until(
        browser,
        lambda d: focused(d).get_attribute("id") == "atw-input",
        "focus did not move to the input",
    )

    log = css(browser, "[role=log]")[0]
    assert log.get_attribute("aria-live") == "polite"
    assert css(browser, "label[for=atw-input]")[0].get_attribute("textContent")
    ActionChains(browser).send_keys("quanto tempo dura o teste gratis?", Keys.ENTER).perform()
    answer = as_shown(chat_text(load_knowledge_base().get("free-trial", "pt").answer, "pt"))
    wait_until(browser, lambda d: answer in log.get_attribute("textContent"), "answer not announced in the live region")

    helped = nlg_text("utter_did_it_help", "pt", button=0)
    for _ in range(8):  # Shift+Tab back from the input to the "yes" quick reply
        ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        if focused(browser).text == helped:
            break
    assert focused(browser).text == helped
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    glad = texts("utter_glad_it_helped", "pt")  # its tone depends on the mood
    wait_until(
        browser, lambda d: any(g in log.get_attribute("textContent") for g in glad), "quick reply by keyboard failed"
    )

    ActionChains(browser).send_keys(Keys.ESCAPE).perform()
    wait_until(browser, lambda d: not css(d, "#atw-panel")[0].is_displayed(), "Escape did not close the panel")
    assert focused(browser) == launcher
    shot(browser, "07-keyboard")


def test_markup_as_text_person_button_language_choice_and_rating(assistant, browser):
    open_widget(browser, assistant.web_url)
    type_message(browser, "<script>window.__pwned = 1</script><b>oi</b>")
    wait_until(browser, lambda d: len(bubbles(d, "bot")) >= 1, "no reply")
    assert any("<script>window.__pwned = 1</script><b>oi</b>" in b for b in bubbles(browser, "customer"))
    assert browser.execute_script("return window.__pwned === undefined")
    assert not css(browser, ".atw-log b")

    from bot.helpdesk.presence import Presence

    assert Presence(assistant.database_url).online() == [], "an earlier test left an agent online"
    css(browser, ".atw-foot button")[0].click()  # "talk to a person": nobody online, so a ticket
    ask_email = texts("utter_ask_email", "pt")
    wait_until(browser, lambda d: any(a in b for b in bubbles(d, "bot") for a in ask_email), "no ticket offered")

    from selenium.webdriver.support.ui import Select

    Select(css(browser, ".atw-head select")[0]).select_by_value("es")  # the customer picks Spanish by hand
    assert css(browser, "#atw-input")[0].get_attribute("placeholder") == "Escribe tu mensaje…"
    browser.refresh()
    open_widget(browser, assistant.web_url)
    assert css(browser, "#atw-input")[0].get_attribute("placeholder") == "Escribe tu mensaje…"  # kept

    stored_session = (
        "return (JSON.parse(Object.values(localStorage).find(v => v.includes('session_id')) || '{}')).session_id"
    )
    session_id = browser.execute_script(stored_session)
    css(browser, ".atw-menu-button")[0].click()  # end the conversation, from the header's menu
    css(browser, ".atw-end")[0].click()
    wait_until(browser, lambda d: css(d, ".atw-rate button"), "no rating")
    # The browser forgets it (a shared computer's next customer sees nothing of it).
    assert browser.execute_script(stored_session) != session_id and not bubbles(browser, "customer")
    css(browser, ".atw-rate button")[4].click()
    wait_until(browser, lambda d: "Gracias por tu valoración" in css(d, ".atw-rate")[0].text, "rating not confirmed")
    browser.refresh()
    open_widget(browser, assistant.web_url)
    assert browser.execute_script(stored_session) != session_id  # a new conversation after a reload too
    assert not bubbles(browser, "customer")
    with sqlite3.connect(assistant.database) as db:
        assert db.execute("select rating from ratings where session_id = ?", (session_id,)).fetchone() == (5,)
    shot(browser, "08-rating")


def test_phone_sized_screen_in_the_browser_language(assistant):
    phone = make_browser(width=375, height=740, language="vi-VN", phone=True)
    try:
        open_widget(phone, assistant.web_url)
        assert css(phone, "#atw-input")[0].get_attribute("placeholder") == "Nhập tin nhắn…"
        panel = css(phone, "#atw-panel")[0]
        viewport = phone.execute_script("return window.innerWidth")
        assert abs(panel.rect["width"] - viewport) <= 1
        type_message(phone, "ok")
        # The browser language is the hint: a lone "ok" starts a Vietnamese conversation.
        wait_for_bot_text(phone, nlg_text("utter_anything_else", "vi"), "09-phone-vi")
    finally:
        phone.quit()


def test_replies_while_closed_show_an_unread_badge(assistant, browser):
    from tests.servers import post_json

    open_widget(browser, assistant.web_url)
    type_message(browser, "oi")
    wait_until(browser, lambda d: bubbles(d, "bot"), "no reply")
    css(browser, ".atw-head button")[-1].click()  # close
    saved = browser.execute_script("return JSON.parse(Object.values(localStorage).find(v => v.includes('session_id')))")
    # The same conversation continues from another tab while this one is closed.
    post_json(
        f"{assistant.web_url}/api/messages",
        {"session_id": saved["session_id"], "token": saved["token"], "text": "obrigado!"},
    )
    badge = css(browser, ".atw-badge")[0]
    wait_until(browser, lambda d: badge.is_displayed() and badge.text == "1", "no unread badge")
    assert "1" in css(browser, ".atw-launch")[0].get_attribute("aria-label")
    shot(browser, "10-unread-badge")
    css(browser, ".atw-launch")[0].click()
    wait_until(browser, lambda d: not badge.is_displayed(), "badge not cleared on opening")


def test_the_page_cannot_restyle_the_widget_and_a_strict_csp_needs_nothing_more(assistant, browser):
    """The demo page allows no inline styles (style-src 'self'); its own CSS,
    however forceful, does not reach the widget, which keeps its colour and
    type; and the browser reports no error (a CSP violation would be one)."""
    browser.get(assistant.web_url)
    launcher = wait_until(
        browser, lambda d: next((b for b in css(d, ".atw-launch") if b.is_displayed()), None), "no styled launcher"
    )
    assert browser.execute_script("return document.querySelectorAll('style').length") == 0  # nothing inline
    assert launcher.value_of_css_property("background-color") == "rgba(138, 75, 42, 1)"  # data-color="#8a4b2a"
    browser.execute_script(
        "const sheet = new CSSStyleSheet();"
        "sheet.replaceSync('button, input, div { background: rgb(255, 0, 0) !important; font-size: 40px !important;"
        " color: rgb(0, 255, 0) !important; }');"
        "document.adoptedStyleSheets = [sheet];"
    )
    launcher.click()
    wait_until(browser, lambda d: css(d, "#atw-input")[0].is_displayed(), "panel did not open")
    field = css(browser, "#atw-input")[0]
    assert launcher.value_of_css_property("background-color") == "rgba(138, 75, 42, 1)"
    assert field.value_of_css_property("font-size") == "15px"
    assert field.value_of_css_property("background-color") != "rgba(255, 0, 0, 1)"
    shot(browser, "09-isolated")
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
