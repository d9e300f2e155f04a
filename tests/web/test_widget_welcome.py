"""The widget's welcome as the web server hands it out (GET /api/widget/config),
the pre-chat form's answers (POST /api/contact) and how they travel with the
conversation, and the helpdesk.yml `widget:` settings with their errors.

Rasa is the echoing stand-in of tests/web/conftest.py;
tests/web/test_widget_welcome_browser.py shows the welcome in a browser."""

from __future__ import annotations

import pytest
import yaml
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from bot.settings import PROJECT_ROOT, SettingsError, get_settings
from tests.web.conftest import new_session


@pytest.fixture
def widget_settings(tmp_path, monkeypatch):
    """Use the project's helpdesk.yml with `change(widget_section)` applied."""

    def use(change=lambda widget: None):
        raw = yaml.safe_load((PROJECT_ROOT / "helpdesk.yml").read_text(encoding="utf-8"))
        change(raw["widget"])
        path = tmp_path / "helpdesk.yml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        monkeypatch.setenv("HELPDESK_CONFIG", str(path))
        get_settings.cache_clear()
        return path

    yield use
    get_settings.cache_clear()


@pytest.fixture
async def client(rasa, database_url, widget_settings):
    def prechat_on(widget):
        widget["prechat"] = {"enabled": True, "required": ["email"]}

    widget_settings(prechat_on)
    app = server.create_app(str(rasa.make_url("")), database_url)
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    yield test_client
    await test_client.close()


@pytest.mark.parametrize(
    "asked, language, first",
    [
        ("pt-BR", "pt", "Teste grátis"),
        ("es", "es", "Prueba gratis"),
        ("vi", "vi", "Dùng thử miễn phí"),
        ("zh-CN", "zh-Hans", "免费试用"),
        ("zh-TW", "zh-Hant", "免費試用"),  # converted from the Simplified settings
        ("zh-Hant", "zh-Hant", "免費試用"),
        ("klingon", "pt", "Teste grátis"),
    ],
)
async def test_the_configuration_has_the_greeting_and_starters_in_the_customers_language(
    client, asked, language, first
):
    reply = await client.get("/api/widget/config", params={"language": asked})
    assert reply.status == 200
    config = await reply.json()
    assert config["language"] == language
    assert config["greeting"]
    assert 3 <= len(config["starters"]) <= 4 and config["starters"][0]["title"] == first
    assert config["starters"][-1]["payload"] == "/request_human"  # talk to a person, in every language
    assert config["proactive"]["after_seconds"] == 0  # off by default
    assert config["prechat"] == {"enabled": True, "required": ["email"]}
    assert "application/pdf" in config["attachments"]["types"]  # the paperclip shows, offering these


async def test_the_traditional_starters_send_traditional_text(client):
    config = await (await client.get("/api/widget/config", params={"language": "zh-Hant"})).json()
    assert config["starters"][0]["payload"] == "我想免費試用"
    assert "請" in config["greeting"]


async def test_the_configuration_is_cacheable_by_any_site_and_holds_no_secret(client):
    reply = await client.get("/api/widget/config", headers={"Origin": "https://shop.example"})
    assert "max-age" in reply.headers["Cache-Control"] and "public" in reply.headers["Cache-Control"]
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    text = await reply.text()
    assert "pbkdf2" not in text and "smtp" not in text and "token" not in text


async def test_the_pre_chat_e_mail_travels_with_every_message_to_rasa(client, rasa):
    session = await new_session(client)
    reply = await client.post("/api/contact", json={**session, "name": "  Ana   Souza ", "email": "ana@empresa.com.br"})
    assert reply.status == 200 and await reply.json() == {"name": "Ana Souza", "email": "ana@empresa.com.br"}
    await client.post("/api/messages", json={**session, "text": "quero falar com uma pessoa"})
    assert rasa.received[-1]["metadata"]["contact"] == {"name": "Ana Souza", "email": "ana@empresa.com.br"}


async def test_an_escalation_made_before_the_form_was_filled_gets_its_e_mail(client, database_url):
    """ "Talk to a person" pressed first, the form filled next: the agent's reply can still reach the customer."""
    from bot.helpdesk.escalations import EscalationStore, NewEscalation

    session = await new_session(client)
    store = EscalationStore(database_url)
    record = store.create(NewEscalation(session["session_id"], "request_human", 2, "support", "pt"))
    reply = await client.post("/api/contact", json={**session, "name": "Ana", "email": "ana@empresa.com.br"})
    assert reply.status == 200
    assert store.get(record.id).email == "ana@empresa.com.br"


async def test_without_the_form_no_contact_goes_to_rasa(client, rasa):
    session = await new_session(client)
    await client.post("/api/messages", json={**session, "text": "oi"})
    assert "contact" not in rasa.received[-1]["metadata"]


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"name": "Ana"}, 400, "missing_email"),  # required in these settings
        ({"email": "   "}, 400, "missing_email"),
        ({"email": "ana@"}, 400, "bad_email"),
        ({"email": "ana@empresa.com.br<script>"}, 400, "bad_email"),
        ({"email": 42}, 400, "bad_email"),
        ({"email": "ana@empresa.com", "name": "A" * 81}, 400, "bad_name"),
    ],
)
async def test_a_wrong_form_gets_a_clear_error_and_nothing_is_kept(client, rasa, body, status, code):
    session = await new_session(client)
    reply = await client.post("/api/contact", json={**session, **body})
    assert reply.status == status and (await reply.json())["error"] == code
    await client.post("/api/messages", json={**session, "text": "oi"})
    assert "contact" not in rasa.received[-1]["metadata"]


async def test_the_form_needs_the_sessions_token(client):
    session = await new_session(client)
    reply = await client.post("/api/contact", json={**session, "token": "wrong", "email": "ana@empresa.com"})
    assert reply.status == 401
    assert (await client.post("/api/contact", data=b"not json")).status == 400


async def test_the_form_is_refused_when_the_help_desk_has_none(rasa, database_url, widget_settings):
    widget_settings()  # the shipped settings: no pre-chat form
    app = server.create_app(str(rasa.make_url("")), database_url)
    async with TestClient(TestServer(app)) as test_client:
        session = await new_session(test_client)
        reply = await test_client.post("/api/contact", json={**session, "email": "ana@empresa.com"})
        assert reply.status == 409 and (await reply.json())["error"] == "prechat_disabled"
        config = await (await test_client.get("/api/widget/config")).json()
        assert config["prechat"]["enabled"] is False


def test_the_shipped_settings_have_starters_for_every_language():
    widget = get_settings().widget
    assert set(widget.starters) == {"pt", "es", "vi", "zh-Hans", "zh-Hant"}
    assert widget.proactive_after_seconds == 0 and widget.prechat_enabled is False


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda w: w["starters"].update(pt=[]), "widget.starters.pt must be a list of 1 to 4 buttons"),
        (lambda w: w["starters"]["pt"].append({"title": "x", "text": "y"}), "1 to 4 buttons"),
        (lambda w: w["starters"]["es"][0].pop("text"), "widget.starters.es[1] needs either `text`"),
        (lambda w: w["starters"]["vi"][0].update(payload="/x"), "not both"),
        (lambda w: w["starters"]["pt"][3].update(payload="request_human"), "must be an intent"),
        (lambda w: w["starters"]["pt"][0].update(title=""), "widget.starters.pt[1].title must be a text"),
        (lambda w: w["starters"]["pt"][0].update(title="x" * 41), "longer than 40"),
        (lambda w: w["starters"]["pt"][0].update(colour="red"), "must be {title: ..., text: ...}"),
        (lambda w: w["proactive"].update(after_seconds=-1), "widget.proactive.after_seconds must be a whole number"),
        (lambda w: w["proactive"].update(after_seconds="30s"), "after_seconds"),
        (lambda w: w["proactive"].update(after_seconds=30, text={}), "widget.proactive.text: give"),
        (lambda w: w["prechat"].update(enabled="yes"), "widget.prechat.enabled must be true or false"),
        (lambda w: w["prechat"].update(required=["phone"]), "widget.prechat.required must be a list of name, email"),
        (lambda w: w["greeting"].update(pt=""), "widget.greeting.pt must be a text"),
    ],
)
def test_a_wrong_widget_setting_is_refused_with_the_file_and_the_key(widget_settings, change, message):
    path = widget_settings(change)
    with pytest.raises(SettingsError) as error:
        get_settings()
    assert str(path) in str(error.value) and message in str(error.value)


def test_a_misspelt_widget_key_is_refused(widget_settings):
    path = widget_settings(lambda w: w.update(starter=w.pop("starters")))
    with pytest.raises(SettingsError, match="unknown setting 'starter' in 'widget'.*did you mean 'starters'"):
        get_settings()
    assert path.exists()


def test_traditional_chinese_may_be_written_out(widget_settings):
    def own(widget):
        widget["starters"]["zh-Hant"] = [{"title": "轉接真人", "payload": "/request_human"}]

    widget_settings(own)
    assert [s.title for s in get_settings().widget.starters["zh-Hant"]] == ["轉接真人"]
    assert get_settings().widget.starters["zh-Hans"][0].title == "免费试用"
