"""Attachments in a real browser (Debian's headless chromium through Selenium):
the customer attaches an image and a PDF with the widget's paperclip, sees
them in the transcript (a thumbnail, a link with name and size), a page
dressed as an image is refused in their language, and an agent sees both
files in the console, the image loaded with the agent's token.

The web server runs as `make run` runs it, with a stand-in Rasa
(tests/web/test_widget_markdown_browser.py), so no trained model is needed.
Screenshots go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import json
import secrets
import struct
import sys
import zlib
from pathlib import Path
from typing import Iterator

import pytest

from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.launcher import Server
from tests.servers import free_port, service_env
from tests.web.test_console_browser import sign_in, transcript
from tests.web.test_widget_browser import CHROMEDRIVER, CHROMIUM, css, make_browser, open_widget, shot, wait_until
from tests.web.test_widget_markdown_browser import StandInRasa

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]


def png(width: int = 120, height: int = 80) -> bytes:
    """A real PNG: a blue rectangle with a white stripe."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(
        b"\x00" + b"".join(b"\xff\xff\xff" if 30 <= y < 40 else b"\x2b\x59\xc3" for _ in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[dict]:
    workdir = tmp_path_factory.mktemp("attachments-widget")
    rasa = StandInRasa()
    port = free_port()
    database_url = f"sqlite:///{workdir / 'helpdesk.db'}"
    web = Server(
        "The web server",
        [sys.executable, "-m", "bot.web.server", "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        {**service_env(workdir, database_url), "RASA_URL": rasa.url},
        ("RASA_TOKEN", "ACTION_SERVER_URL"),
        workdir / "web.log",
    )
    web.start()
    try:
        web.wait(60)
        files = workdir / "files"
        files.mkdir()
        (files / "foto da tela.png").write_bytes(png())
        (files / "contrato.pdf").write_bytes(PDF)
        (files / "pagina.png").write_bytes(b"<!doctype html><script>alert(1)</script>")
        yield {"url": f"http://127.0.0.1:{port}", "database_url": database_url, "files": files, "workdir": workdir}
    finally:
        web.stop()
        rasa.stop()


@pytest.fixture
def customer_browser():
    driver = make_browser(width=1366, height=768, language="pt-BR")
    yield driver
    driver.quit()


@pytest.fixture
def agent_browser():
    driver = make_browser(width=1366, height=768, language="en")
    yield driver
    driver.quit()


def attach(driver, path: Path) -> None:
    # The paperclip opens the browser's file chooser; a test hands the file to its input.
    css(driver, ".atw-form input[type=file]")[0].send_keys(str(path))


def loaded(driver, image) -> bool:
    return bool(driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0;", image))


def widget_session(driver, url: str) -> dict:
    return json.loads(driver.execute_script("return localStorage.getItem(arguments[0]);", f"atendo-widget:{url}"))


def test_the_customer_attaches_an_image_and_a_pdf_and_an_agent_sees_them(stack, customer_browser, agent_browser):
    url, files = stack["url"], stack["files"]
    open_widget(customer_browser, url)
    clip = wait_until(customer_browser, lambda d: (css(d, ".atw-clip") or [None])[0], "no paperclip")
    assert clip.get_attribute("aria-label") == "Anexar imagem ou PDF"  # labelled, in the customer's language
    assert clip.tag_name == "button" and clip.get_attribute("type") == "button"  # reached with Tab, Enter/Space
    wait_until(customer_browser, lambda d: (widget_session(d, url) or {}).get("token"), "no session")

    attach(customer_browser, files / "foto da tela.png")
    image = wait_until(customer_browser, lambda d: (css(d, ".atw-customer img.atw-thumb") or [None])[0], "no thumbnail")
    assert image.get_attribute("alt") == "foto da tela.png"
    wait_until(customer_browser, lambda d: loaded(d, image), "the thumbnail did not load")
    wait_until(
        customer_browser,
        lambda d: any("foto da tela.png" in b.text and "equipe" in b.text for b in css(d, ".atw-bot")),
        "the bot did not say the file is kept for the team",
    )

    attach(customer_browser, files / "contrato.pdf")
    link = wait_until(customer_browser, lambda d: (css(d, ".atw-customer a[download]") or [None])[0], "no PDF link")
    assert "contrato.pdf" in link.text and "PDF" in link.text and "KB" in link.text
    wait_until(customer_browser, lambda d: (link.get_attribute("href") or "").startswith("blob:"), "PDF not fetched")
    assert "token" not in link.get_attribute("href")  # nothing for the browser's downloads list to keep

    attach(customer_browser, files / "pagina.png")  # a page dressed as an image
    wait_until(
        customer_browser,
        lambda d: any("Esse tipo de arquivo não pode ser enviado" in n.text for n in css(d, ".atw-note")),
        "the refused file got no message in Portuguese",
    )
    assert len(css(customer_browser, ".atw-customer img.atw-thumb")) == 1
    shot(customer_browser, "attachments-widget")
    errors = [e["message"] for e in customer_browser.get_log("browser") if e["level"] == "SEVERE"]
    assert [e for e in errors if "/api/attachments" not in e or "415" not in e] == []  # only the refusal

    # An agent opens the escalation: both files are in the transcript.
    session = widget_session(customer_browser, url)
    escalation = EscalationStore(stack["database_url"]).create(
        NewEscalation(session["session_id"], "request_human", 2, "support", "pt", transcript=[])
    )
    name, password = f"files-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
    AgentSessions({}, stack["database_url"]).add_account(name, password)
    sign_in(agent_browser, f"{url}/agent", name, password)
    wait_until(agent_browser, lambda d: d.find_element("id", "link").text == "online", "console not connected")

    def opened(driver):
        return driver.execute_script(
            "var li = document.querySelector('#queue li[data-id=\"' + arguments[0] + '\"]');"
            " if (li) { li.click(); return true; } return false;",
            str(escalation.id),
        )

    wait_until(agent_browser, opened, "the escalation is not in the queue")
    files_shown = (  # read in one go in the page: the console rebuilds the transcript when anything changes
        "return Array.from(document.querySelectorAll('#transcript .attachment')).map(function (box) {"
        " var i = box.querySelector('img'), b = box.querySelector('button');"
        " return i ? {alt: i.alt, src: i.src.slice(0, 5), loaded: i.complete && i.naturalWidth > 0}"
        " : {button: b && b.textContent}; });"
    )
    wait_until(
        agent_browser,
        lambda d: any(f.get("loaded") for f in d.execute_script(files_shown)),
        "the image did not load in the console",
    )
    image, pdf = agent_browser.execute_script(files_shown)
    assert (image["alt"], image["src"]) == ("foto da tela.png", "blob:")  # fetched with the agent's token in a header
    assert "contrato.pdf" in pdf["button"] and "PDF" in pdf["button"]
    assert not any("[attachment:" in line for line in transcript(agent_browser))
    shot(agent_browser, "attachments-console")

    # Live: the agent claims the conversation, the customer sends another image.
    agent_browser.find_element("id", "claim").click()
    wait_until(agent_browser, lambda d: d.find_element("id", "reply").is_displayed(), "claim gave no reply box")
    (files / "segunda.png").write_bytes(png(60, 60))
    attach(customer_browser, files / "segunda.png")
    live = (  # read in one go in the page: the console rebuilds the transcript on each message
        "return Array.from(document.querySelectorAll('#transcript .attachment img'))"
        ".some(function (i) { return i.alt === 'segunda.png' && i.complete && i.naturalWidth > 0; });"
    )
    wait_until(agent_browser, lambda d: d.execute_script(live), "the new image did not reach the console live")
    shot(agent_browser, "attachments-console-live")
    errors = [e["message"] for e in agent_browser.get_log("browser") if e["level"] == "SEVERE"]
    assert [e for e in errors if "/suggestions" not in e] == []  # (suggestions need the action server: not here)


def test_on_a_phone_the_paperclip_and_a_thumbnail_fit(stack):
    driver = make_browser(width=390, height=844, language="zh-TW", phone=True)
    try:
        url = stack["url"]
        open_widget(driver, url)
        clip = wait_until(driver, lambda d: (css(d, ".atw-clip") or [None])[0], "no paperclip")
        assert clip.get_attribute("aria-label") == "上傳圖片或 PDF"
        wait_until(driver, lambda d: (widget_session(d, url) or {}).get("token"), "no session")
        attach(driver, stack["files"] / "foto da tela.png")
        image = wait_until(driver, lambda d: (css(d, "img.atw-thumb") or [None])[0], "no thumbnail")
        wait_until(driver, lambda d: loaded(d, image), "the thumbnail did not load")
        panel = css(driver, "#atw-panel")[0].rect
        for element in (clip, image, css(driver, "#atw-input")[0]):
            box = element.rect
            assert box["x"] >= panel["x"] and box["x"] + box["width"] <= panel["x"] + panel["width"] + 1
        wait_until(driver, lambda d: any("檔案" in b.text for b in css(d, ".atw-bot")), "no notice in Traditional")
        shot(driver, "attachments-phone")
    finally:
        driver.quit()
