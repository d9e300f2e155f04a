"""helpdesk.yml: a misspelt key is an error that says where, never silently ignored."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.settings import PROJECT_ROOT, SettingsError, environment, get_settings, read_settings_file


@pytest.fixture
def settings_file(tmp_path, monkeypatch):
    """Write a variant of the project's helpdesk.yml and make it the one in use."""

    def write(change) -> str:
        text = change((PROJECT_ROOT / "helpdesk.yml").read_text(encoding="utf-8"))
        path = tmp_path / "helpdesk.yml"
        path.write_text(text, encoding="utf-8")
        monkeypatch.setenv("HELPDESK_CONFIG", str(path))
        get_settings.cache_clear()
        return str(path)

    yield write
    get_settings.cache_clear()


def line_of(text: str, needle: str) -> int:
    return text.splitlines().index(next(line for line in text.splitlines() if line.startswith(needle))) + 1


def test_the_projects_settings_file_has_only_known_keys():
    assert read_settings_file(PROJECT_ROOT / "helpdesk.yml")["escalation"]["rules"]


def test_a_misspelt_section_names_the_file_the_line_and_the_likely_key(settings_file):
    path = settings_file(lambda text: text.replace("\nescalation:", "\nescalaton:"))
    with pytest.raises(SettingsError) as raised:
        get_settings()
    expected_line = line_of(Path(path).read_text(encoding="utf-8"), "escalaton:")
    assert f"{path}:{expected_line}: unknown setting 'escalaton'" in str(raised.value)
    assert "did you mean 'escalation'" in str(raised.value)


def test_a_misspelt_nested_key_is_refused_too(settings_file):
    path = settings_file(lambda text: text.replace("    suggest: 0.45", "    sugest: 0.45"))
    with pytest.raises(SettingsError) as raised:
        get_settings()
    message = str(raised.value)
    assert message.startswith(f"{path}:") and "'sugest' in 'knowledge_base.thresholds'" in message


def test_names_the_business_chooses_are_free(settings_file):
    settings_file(
        lambda text: text.replace("    support:\n", "    billing:\n      articles: [refunds]\n    support:\n", 1)
    )
    assert [q.name for q in get_settings().escalation.queues] == ["sales", "billing", "support"]


def test_article_links_follow_the_web_servers_port(settings_file, monkeypatch):
    from actions.kb import article_url
    from bot.kb.service import load_articles

    settings_file(lambda text: text)
    shelf = load_articles()
    article = shelf.get(shelf.article_ids()[0], "pt")
    monkeypatch.setenv("WEB_PORT", "8123")
    assert article_url(article) == f"http://localhost:8123/kb/pt/{article.id}"
    monkeypatch.setenv("PUBLIC_URL", "https://help.example.com/")
    assert article_url(article) == f"https://help.example.com/kb/pt/{article.id}"


def test_an_unknown_placeholder_in_the_article_link_is_refused(settings_file):
    settings_file(lambda text: text.replace("{public_url}/kb/{lang}/{id}", "{site}/kb/{lang}/{id}"))
    with pytest.raises(SettingsError, match="article_url"):
        get_settings()


@pytest.mark.parametrize("name, value", [("WEB_PORT", "80a"), ("ACTION_PORT", "70000"), ("CHAT_MESSAGES_PER_10S", "0")])
def test_a_wrong_number_in_the_environment_says_which_variable(name, value):
    with pytest.raises(SettingsError, match=name):
        environment({name: value})


def test_rasa_finds_the_action_server_at_action_port(tmp_path, monkeypatch):
    from bot import run

    monkeypatch.setattr(run, "PROJECT_ROOT", tmp_path)
    (tmp_path / "var").mkdir()
    (tmp_path / "endpoints.yml").write_text(
        (PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    written = yaml.safe_load(run.write_endpoints(environment({"ACTION_PORT": "6055"})).read_text(encoding="utf-8"))
    assert written["action_endpoint"]["url"] == "http://localhost:6055/webhook"
    assert written["nlg"] == yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))["nlg"]


PRODUCTION = {
    "ATENDO_ENV": "production",
    "PUBLIC_URL": "https://help.shop.com.br",
    "RASA_TOKEN": "k" * 32,
    "ALLOWED_ORIGINS": "https://www.shop.com.br",
}


def test_production_refuses_development_defaults_and_says_what_to_set(settings_file):
    from bot.settings import check_production

    settings_file(lambda text: text)
    with pytest.raises(SettingsError) as raised:
        check_production(environment({"ATENDO_ENV": "production"}))
    message = str(raised.value)
    for what in ("contact.phone and contact.email", "PUBLIC_URL", "RASA_TOKEN", "ALLOWED_ORIGINS"):
        assert what in message
    check_production(environment({}))  # development: the defaults are fine


def test_production_starts_once_everything_is_set(settings_file):
    from bot.settings import check_production

    settings_file(
        lambda text: text.replace("+55 11 4000-1234", "+55 11 3333-8080").replace(
            "suporte@atendo.example", "ajuda@shop.com.br"
        )
    )
    check_production(environment(PRODUCTION))
    with pytest.raises(SettingsError, match="RASA_TOKEN"):
        check_production(environment({**PRODUCTION, "RASA_TOKEN": "short"}))


def test_the_launcher_refuses_a_production_start_before_starting_anything(settings_file, monkeypatch, capsys):
    from bot import run

    settings_file(lambda text: text)
    monkeypatch.setenv("ATENDO_ENV", "production")
    monkeypatch.setattr(run.Server, "start", lambda *a, **k: pytest.fail("started a process"))
    assert run.main([]) == 1
    assert "ATENDO_ENV=production" in capsys.readouterr().err
