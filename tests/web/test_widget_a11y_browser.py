"""The widget's accessibility audit, in a real browser (Debian's headless
chromium through Selenium): axe-core at WCAG 2.1 AA on every state a customer
sees, inside the widget's Shadow DOM, at 1366x768 and on a 390x844 phone; the
contrast of the text on the brand colour for any `data-color`.

axe-core is the npm package pinned in tests/a11y/ (`make install` runs
`npm ci` there). The test reads it from that folder and injects it into the
test page: it is never served by the product nor fetched from a CDN.

The web server runs as `make run` runs it; Rasa is a stand-in on loopback, so
no trained model is needed. The host page is served by the test, as a
customer's site would embed the widget (another origin). Screenshots of every
audited state go to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import http.server
import json
import secrets
import struct
import sys
import threading
import urllib.parse
import urllib.request
import zlib
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

from bot.helpdesk.agents import AgentSessions
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.launcher import Server
from tests.servers import free_port, post_json, service_env
from tests.web.test_widget_browser import CHROMEDRIVER, CHROMIUM, css, make_browser, shot, wait_until

AXE = Path(__file__).resolve().parent.parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SIZES = {"desktop": (1366, 768, False), "phone": (390, 844, True)}
COLOURS = ["#ffff00", "#777777", "#00ff00", "#2b59c3", "#000", "#fff", "#8a4b2a"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
    ),
]

ANSWER = (
    "Para **trocar a senha**:\n"
    "1. Abra *Configurações*.\n"
    "2. Escolha `Segurança`.\n"
    "Mais em [nossa central](https://example.com/ajuda)."
)
BUTTONS = [
    {"title": "Trocar a senha", "payload": "/kb_password"},
    {"title": "Cancelar a assinatura", "payload": "/kb_cancel"},
    {"title": "Nenhuma destas", "payload": "/none_of_these"},
]
AGENT_SAYS = "Oi! Aqui é a Ana. Vou olhar seu pedido agora."


class StandIns:
    """On loopback: Rasa's REST channel and tracker API (any message gets the
    Markdown ANSWER with its BUTTONS), and a customer's site embedding the
    widget (`/?color=...`)."""

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
                answer: Any = {}
                if self.path.startswith("/webhooks/rest/webhook"):
                    answer = [{"recipient_id": body.get("sender"), "text": ANSWER, "buttons": BUTTONS}]
                self.reply(json.dumps(answer).encode(), "application/json")

            def do_GET(self) -> None:
                if self.path.startswith("/conversations/"):
                    self.reply(json.dumps({"slots": {"language": "pt"}, "events": []}).encode(), "application/json")
                    return
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                self.reply(host_page(stand_ins.web_url, query.get("color", [""])[0]).encode(), "text/html")

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def host_page(web_url: str, color: str) -> str:
    colour = f' data-color="{color}"' if color else ""
    return (
        '<!doctype html><html lang="pt"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<title>Loja de teste</title><link rel="icon" href="data:,"></head>'
        "<body><main><h1>Loja de teste</h1><p>Uma página que traz o chat.</p></main>"
        f'<script src="{web_url}/widget.js" data-server="{web_url}"{colour} defer></script></body></html>'
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Dict[str, str]]:
    """The web server (as `make run` starts it) and the stand-ins; its database URL."""
    workdir = tmp_path_factory.mktemp("a11y-widget")
    stand_ins = StandIns()
    port = free_port()
    database_url = f"sqlite:///{workdir / 'helpdesk.db'}"
    web = Server(
        "The web server",
        [sys.executable, "-m", "bot.web.server", "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/health",
        {**service_env(workdir, database_url), "RASA_URL": stand_ins.url, "ATTACHMENTS_FOLDER": str(workdir / "files")},
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


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed: run `make install` (npm ci in tests/a11y); no {AXE}")
    return AXE.read_text(encoding="utf-8")


# -- axe-core --------------------------------------------------------------


def audit(driver, axe_source: str) -> Dict[str, Any]:
    """axe-core's WCAG 2.1 A and AA rules on the widget: its host element and,
    through it, everything in its Shadow DOM (nothing of the host page)."""
    if not driver.execute_script("return !!window.axe"):
        driver.execute_script(axe_source)
    driver.set_script_timeout(60)
    return driver.execute_async_script(
        """
        var done = arguments[arguments.length - 1];
        axe.run(document.getElementById("atendo-widget"),
                {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
          .then(function (r) {
            function brief(list) {
              return list.map(function (rule) {
                return {id: rule.id, impact: rule.impact, help: rule.help, nodes: rule.nodes.map(function (n) {
                  return {target: n.target, html: n.html, summary: n.failureSummary || ""};
                })};
              });
            }
            done({violations: brief(r.violations), passes: brief(r.passes), incomplete: brief(r.incomplete)});
          }, function (e) { done({error: String(e)}); });
        """,
        WCAG_AA,
    )


def shadow_targets(result: Dict[str, Any]) -> List[List[str]]:
    """The Shadow-DOM elements axe checked: their target is [host, inside]."""
    return [
        n["target"]
        for rule in result["passes"] + result["violations"]
        for n in rule["nodes"]
        if isinstance(n["target"][0], list) or len(n["target"]) > 1
    ]


def explain(violations: List[Dict[str, Any]]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {n['target']} {n['html'][:120]}" for n in v["nodes"])
        for v in violations
    )


def assert_accessible(driver, axe_source: str, state: str) -> Dict[str, Any]:
    shot(driver, f"a11y-{state}")
    result = audit(driver, axe_source)
    assert "error" not in result, result.get("error")
    assert result["violations"] == [], f"axe-core, widget {state}:\n{explain(result['violations'])}"
    # It looked inside the Shadow DOM, not at an empty host element.
    assert any("#atendo-widget" in json.dumps(t) for t in shadow_targets(result)), result["passes"]
    return result


# -- the customer's side of a conversation -----------------------------------


def open_site(driver, page_url: str, color: str = "") -> None:
    driver.get(f"{page_url}/?color={urllib.parse.quote(color)}" if color else page_url)
    wait_until(driver, lambda d: (css(d, ".atw-launch") or [None])[0], "no launcher")
    wait_until(driver, lambda d: css(d, ".atw-launch")[0].is_displayed(), "the launcher is not shown")


def open_panel(driver) -> None:
    css(driver, ".atw-launch")[0].click()
    wait_until(driver, lambda d: css(d, "#atw-panel")[0].is_displayed(), "panel did not open")


def ask(driver, text: str) -> None:
    from selenium.webdriver.common.keys import Keys

    field = css(driver, "#atw-input")[0]
    field.send_keys(text)
    field.send_keys(Keys.ENTER)
    wait_until(driver, lambda d: css(d, ".atw-replies button"), "no answer with buttons")


def the_session(driver, web_url: str) -> Dict[str, str]:
    saved = driver.execute_script("return JSON.parse(localStorage.getItem(arguments[0]));", f"atendo-widget:{web_url}")
    return {"session_id": saved["session_id"], "token": saved["token"]}


class Agent:
    """An agent who takes over this conversation (an escalation of it, claimed) and writes in it."""

    def __init__(self, site: Dict[str, str], session: Dict[str, str]) -> None:
        name, password = f"ana-{secrets.token_hex(3)}", secrets.token_urlsafe(16)
        AgentSessions({}, site["database_url"]).add_account(name, password)
        self.record = EscalationStore(site["database_url"]).create(
            NewEscalation(session["session_id"], "request_human", 2, "support", "pt")
        )
        self.web_url = site["web_url"]
        self.token = post_json(f"{self.web_url}/api/agent/login", {"name": name, "password": password})["token"]
        self.post(f"/api/escalations/{self.record.id}/claim", {})

    def post(self, path: str, body: Dict[str, str]) -> None:
        request = urllib.request.Request(
            self.web_url + path,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert reply.status == 200

    def say(self, text: str) -> None:
        self.post(f"/api/escalations/{self.record.id}/message", {"text": text})


@pytest.mark.parametrize("size", sorted(SIZES))
def test_axe_finds_no_wcag_21_aa_violation_in_any_state_of_the_widget(site, axe_source, size, tmp_path):
    width, height, phone = SIZES[size]
    driver = make_browser(width, height, language="pt-BR", phone=phone)
    try:
        open_site(driver, site["page_url"])
        assert_accessible(driver, axe_source, f"{size}-1-closed")

        open_panel(driver)
        wait_until(driver, lambda d: css(d, ".atw-starters button"), "no starter buttons")
        assert_accessible(driver, axe_source, f"{size}-2-open-welcome")

        ask(driver, "como troco a senha?")
        assert css(driver, ".atw-bot ol li") and css(driver, ".atw-bot strong")  # rendered from Markdown
        assert [b.text for b in css(driver, ".atw-replies button")] == [b["title"] for b in BUTTONS]
        assert_accessible(driver, axe_source, f"{size}-3-answer-and-buttons")

        agent = Agent(site, the_session(driver, site["web_url"]))
        agent.say(AGENT_SAYS)
        wait_until(driver, lambda d: any(AGENT_SAYS in b.text for b in css(d, ".atw-agent")), "no agent message")
        assert_accessible(driver, axe_source, f"{size}-4-agent-message")

        # The customer attaches a photo and a PDF (through the paperclip's file chooser).
        photo, pdf = an_image_and_a_pdf(tmp_path)
        css(driver, "input[type=file]")[0].send_keys(f"{photo}\n{pdf}")
        wait_until(driver, lambda d: css(d, ".atw-file img") and css(d, ".atw-file a"), "the attachments are not shown")
        assert css(driver, ".atw-file img")[0].get_attribute("alt").endswith("foto.png")
        wait_until(
            driver,
            lambda d: d.execute_script(
                "return arguments[0].complete && arguments[0].naturalWidth", css(d, ".atw-file img")[0]
            ),
            "the photo does not show",
        )
        assert "contrato.pdf" in css(driver, ".atw-file a")[0].text
        assert_accessible(driver, axe_source, f"{size}-5-attachments")

        # Closed again, with an unread reply waiting.
        close = [b for b in css(driver, "button") if b.get_attribute("aria-label") == "Fechar o chat"]
        close[0].click()  # the panel's own close button (on a phone the panel covers the launcher)
        wait_until(driver, lambda d: not css(d, "#atw-panel")[0].is_displayed(), "panel did not close")
        agent.say("Encontrei o pedido: ele sai hoje.")
        wait_until(driver, lambda d: css(d, ".atw-badge")[0].is_displayed(), "no unread badge")
        assert css(driver, ".atw-badge")[0].text == "1"  # seen; and said in the launcher's name:
        assert css(driver, ".atw-launch")[0].get_attribute("aria-label") == "Abrir o chat, 1 mensagem nova"
        assert_accessible(driver, axe_source, f"{size}-6-closed-unread")

        # The end of the conversation: the rating (on a phone, "end" is in the header's menu).
        open_panel(driver)
        menu = [b for b in css(driver, ".atw-head [aria-haspopup=menu]") if b.is_displayed()]
        if menu:
            menu[0].click()
            wait_until(
                driver, lambda d: any(i.is_displayed() for i in css(d, "[role=menuitem]")), "the menu did not open"
            )
            assert_accessible(driver, axe_source, f"{size}-7-header-menu")
        end = [b for b in css(driver, ".atw-head button, [role=menuitem]") if "Encerrar" in b.text and b.is_displayed()]
        end[0].click()
        wait_until(driver, lambda d: css(d, ".atw-rate button"), "no rating")
        assert_accessible(driver, axe_source, f"{size}-8-rating")
    finally:
        driver.quit()


def an_image_and_a_pdf(folder: Path) -> Tuple[Path, Path]:
    """A real 24x24 PNG (an amber square) and a minimal PDF, as a customer's files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\xf0\xa5\x00" * 24 for _ in range(24))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 24, 24, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
    photo, pdf = folder / "foto.png", folder / "contrato.pdf"
    photo.write_bytes(png)
    pdf.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return photo, pdf


def test_the_audit_reports_a_violation_inside_the_shadow_dom(site, axe_source):
    """The audit can fail: a button with no name, put in the widget's Shadow DOM, is reported."""
    driver = make_browser(1366, 768)
    try:
        open_site(driver, site["page_url"])
        open_panel(driver)
        driver.execute_script(
            "var b = document.createElement('button'); b.className = 'unnamed';"
            "document.getElementById('atendo-widget').shadowRoot.querySelector('.atw-foot').appendChild(b);"
        )
        result = audit(driver, axe_source)
        assert [v["id"] for v in result["violations"]] == ["button-name"]
        assert [n["target"] for n in result["violations"][0]["nodes"]] == [[["#atendo-widget", ".unnamed"]]]
    finally:
        driver.quit()


# -- colour contrast ---------------------------------------------------------

# The widget's text on the brand colour and the brand colour as text: each
# element's colour and the backgrounds behind it, nearest first (through the
# Shadow DOM to the page).
COLOURS_SCRIPT = """
var root = document.getElementById("atendo-widget").shadowRoot, out = {};
function parse(c) { var m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; }
arguments[0].forEach(function (selector) {
  out[selector] = Array.prototype.map.call(root.querySelectorAll(selector), function (e) {
    var layers = [];
    for (var n = e; n; n = n.parentElement || (n.getRootNode() && n.getRootNode().host)) {
      var bg = parse(getComputedStyle(n).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    return {text: e.textContent.slice(0, 40), color: parse(getComputedStyle(e).color), layers: layers};
  });
});
return out;
"""
TEXT_ON_BRAND = [
    ".atw-launch",
    ".atw-head h2",
    ".atw-head button",
    ".atw-head select",
    ".atw-customer",
    ".atw-form button",
    ".atw-replies button",
    ".atw-foot button",
    ".atw-avatar",
    ".atw-clip",
]  # (the unread badge is white on red whatever the brand colour: 4.8:1)


def blend(top: Tuple[float, ...], bottom: Tuple[float, ...]) -> Tuple[float, ...]:
    a = top[3]
    return tuple(top[i] * a + bottom[i] * (1 - a) for i in range(3)) + (1.0,)


def luminance(rgb: Tuple[float, ...]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Tuple[float, ...], b: Tuple[float, ...]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_ratio_for_any_data_color_is_at_least_4_5_to_1(site):
    driver = make_browser(1366, 768)
    try:
        for colour in COLOURS:
            driver.delete_all_cookies()
            open_site(driver, site["page_url"], colour)
            driver.execute_script("localStorage.clear();")
            open_site(driver, site["page_url"], colour)
            open_panel(driver)
            ask(driver, "preciso de ajuda")
            shot(driver, f"a11y-colour-{colour.lstrip('#')}")
            found = driver.execute_script(COLOURS_SCRIPT, TEXT_ON_BRAND)
            low = []
            for selector in TEXT_ON_BRAND:
                assert found[selector], f"{colour}: nothing matches {selector}"
                for element in found[selector]:
                    background: Tuple[float, ...] = (255.0, 255.0, 255.0, 1.0)  # the page below
                    for layer in reversed(element["layers"]):
                        background = blend(tuple(layer), background)
                    foreground = blend(tuple(element["color"]), background)
                    ratio = contrast(foreground, background)
                    if ratio < 4.5:
                        low.append(f"{selector} {element['text']!r}: {ratio:.2f}")
            assert low == [], f"data-color {colour}: {low}"
    finally:
        driver.quit()
