"""`python -m bot.kb import`: other help desks' exports made article files.

The samples in tests/kb/exports/ are in each product's own shapes, each with
a draft, unsafe HTML (script, event handlers, javascript: links), headings
and lists, one article in several locales, and a broken file.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Dict

import pytest
import yaml

from bot.kb.__main__ import main as kb_main
from bot.kb.articles import load_folder
from bot.kb.importers import ExportError, our_language, slugify
from bot.kb.importers.html import html_to_markdown
from bot.kb.importers.markdown_text import answer_first, sanitize_markdown
from bot.kb.importers.writer import Summary, import_export
from tests.kb.conftest import write_article
from tests.servers import ROOT

EXPORTS = Path(__file__).parent / "exports"
LANGUAGES = ("pt", "es", "vi", "zh")
UNSAFE = ("<script", "script>", "alert(", "javascript:", "vbscript:", "data:text", "onclick", "onerror", "evil.example")


def snapshot(folder: Path) -> Dict[str, bytes]:
    """Every file under the folder (hidden ones too), by relative path."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def front_matter_and_body(path: Path):
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.safe_load(front), body


def without_code(markdown: str) -> str:
    markdown = re.sub(r"^```.*?^```", "", markdown, flags=re.DOTALL | re.MULTILINE)
    return re.sub(r"`[^`]*`", "", markdown)


def assert_clean_folder(folder: Path) -> None:
    """Loads with no problem but "missing in <lang>"; plain, safe Markdown."""
    collection = load_folder(folder, LANGUAGES)
    assert [str(p) for p in collection.problems if "missing in" not in p.message] == []
    for path in folder.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<[A-Za-z/!?]", without_code(text)), f"raw HTML left in {path}:\n{text}"
        for word in UNSAFE:
            assert word not in text.lower(), f"{word!r} in {path}:\n{text}"


def run(source: str, export: str, folder: Path) -> Summary:
    summary = import_export(source, EXPORTS / export, folder)
    assert_clean_folder(folder)
    return summary


# --- each source -----------------------------------------------------------


def test_zendesk_locales_are_one_article_with_its_links_lists_and_headings(tmp_path):
    summary = run("zendesk", "zendesk.json", tmp_path)
    assert sorted(summary.added) == [
        "es/zendesk-360001234.md",
        "pt/zendesk-360001234.md",
        "vi/zendesk-360005678.md",
        "zh/zendesk-360001234.md",
        "zh/zendesk-360005678.md",
    ]
    meta, body = front_matter_and_body(tmp_path / "pt" / "zendesk-360001234.md")
    assert meta == {
        "id": "zendesk-360001234",
        "title": "Como importar contatos de uma planilha",
        "tags": ["importar", "csv", "contatos"],
        "source": "zendesk",
        "source_id": "360001234",
        "source_url": "https://acme.zendesk.com/hc/pt-br/articles/360001234-Como-importar-contatos",
        "updated_at": "2024-05-10T09:30:00Z",
    }
    article = load_folder(tmp_path, LANGUAGES).articles["pt"]["zendesk-360001234"]
    # The <h1> repeating the title is gone: the answer is the first paragraph.
    assert article.answer == (
        "Vá em **Configurações > Importar dados** e envie um arquivo CSV com uma linha por contato."
    )
    assert "## Passo a passo" in body and "### Dicas" in body
    # relative links made absolute against the article's address; the javascript: one keeps its text only
    assert "1. Baixe o [modelo de planilha](https://acme.zendesk.com/hc/pt-br/articles/360005678)." in body
    assert "3. Clique em Enviar arquivo." in body
    assert "- Use UTF-8.\n- No máximo 10.000 linhas." in body
    assert "Dúvidas? [Fale conosco](https://acme.example/contato)." in body
    assert "youtube" not in body and "track(" not in body
    # zh-tw kept as written when it is the only Chinese version; of two, Simplified
    assert "如何從試算表匯入聯絡人" in (tmp_path / "zh" / "zendesk-360001234.md").read_text(encoding="utf-8")
    assert "免费试用" in (tmp_path / "zh" / "zendesk-360005678.md").read_text(encoding="utf-8")
    assert summary.outdated == ["zendesk-360001234 (es)"]
    assert summary.skipped_counts() == {
        "draft": 1,
        "no body": 1,
        "restricted to a user segment": 1,
        "second Chinese version": 1,
        "unsupported locale": 1,
    }
    assert summary.languages == {"pt": 1, "es": 1, "zh": 2, "vi": 1}
    second = next(s for s in summary.skipped if s.reason == "second Chinese version")
    assert second.position.endswith("zendesk.json, articles[4]") and "zh-tw" in second.detail
    assert "articles[6]" in next(s for s in summary.skipped if s.reason == "draft").position
    text = str(summary)
    assert "added 5, updated 0, unchanged 0, skipped 5" in text
    assert "languages: pt 1, es 1, vi 1, zh 2" in text
    assert "outdated in zendesk" in text and "zendesk-360001234 (es)" in text


def test_intercom_translated_content_by_locale(tmp_path):
    summary = run("intercom", "intercom.json", tmp_path)
    assert sorted(summary.added) == ["es/intercom-6871119.md", "pt/intercom-6871119.md", "zh/intercom-6871119.md"]
    meta, body = front_matter_and_body(tmp_path / "pt" / "intercom-6871119.md")
    assert meta["source_url"] == "https://intercom.help/acme/pt-BR/articles/6871119-como-cancelar-a-assinatura"
    assert meta["updated_at"] == "2024-05-13T11:33:20Z"  # Unix seconds made UTC ISO 8601
    assert body.startswith("Em **Configurações > Plano**, clique em *Cancelar assinatura*.")
    assert "## Antes de cancelar\n\n- Exporte seus dados.\n- Baixe as faturas." in body  # data: link gone
    assert "Cancelar\n" not in body.split("\n\n", 1)[1]  # the <button> is gone
    assert "1. Exporte sus datos." in (tmp_path / "es" / "intercom-6871119.md").read_text(encoding="utf-8")
    assert "如何取消訂閱" in (tmp_path / "zh" / "intercom-6871119.md").read_text(encoding="utf-8")
    assert summary.skipped_counts() == {"draft": 2, "no title": 1, "unsupported locale": 1}
    assert any(s.reason == "no title" and s.position.endswith("intercom.json, data[2] pt-BR") for s in summary.skipped)


def test_freshdesk_language_from_hierarchy_and_translations(tmp_path):
    summary = run("freshdesk", "freshdesk.json", tmp_path)
    assert sorted(summary.added) == [
        "es/freshdesk-5000123456.md",  # es-LA, in its hierarchy
        "pt/freshdesk-5000123456.md",
        "vi/freshdesk-5000123457.md",  # its `language`
        "zh/freshdesk-5000123457.md",  # a zh-TW translation object
    ]
    meta, body = front_matter_and_body(tmp_path / "pt" / "freshdesk-5000123456.md")
    assert meta["tags"] == ["senha", "login"] and meta["updated_at"] == "2024-04-20T10:00:00Z"
    assert "### Se o e-mail não chegar\n\n1. Verifique a caixa de spam.\n2. Confira o endereço em Perfil." in body
    assert "![Tela de login](https://cdn.acme.example/reset.png)" in body
    assert "Digite sua senha" not in body and "color:red" not in body  # form and style contents gone
    assert summary.skipped_counts() == {"draft": 2, "unsupported locale": 1}
    assert any(s.position.endswith("articles[2].translations[1]") for s in summary.skipped)


def test_chatwoot_translations_share_their_original_id(tmp_path):
    summary = run("chatwoot", "chatwoot.json", tmp_path)
    assert sorted(summary.added) == ["es/chatwoot-101.md", "pt/chatwoot-101.md", "zh/chatwoot-101.md"]
    meta, body = front_matter_and_body(tmp_path / "pt" / "chatwoot-101.md")
    assert meta["tags"] == ["horário", "suporte"]
    assert "## Feriados\n\n- Fechado em feriados nacionais." in body
    assert "[escreva-nos](mailto:suporte@acme.example)" in body
    assert body.rstrip().endswith("Abrir chat ou ligue.")  # links without their javascript: addresses
    assert "客服時間" in (tmp_path / "zh" / "chatwoot-101.md").read_text(encoding="utf-8")  # zh_TW from its category
    assert summary.skipped_counts() == {"archived": 1, "draft": 1, "no body": 1}


def test_csv_rows_of_one_id_are_one_article(tmp_path):
    summary = run("csv", "faq.csv", tmp_path)
    assert sorted(summary.added) == ["es/free-trial.md", "pt/free-trial.md", "pt/opening-hours.md", "zh/free-trial.md"]
    meta, body = front_matter_and_body(tmp_path / "pt" / "free-trial.md")
    assert meta["title"] == "Quanto tempo dura o teste grátis?"
    assert meta["questions"] == ["Quanto tempo dura o teste grátis?", "Dá para testar de graça?"]
    assert meta["tags"] == ["teste", "grátis"]
    assert (
        body
        == "Você pode testar grátis por 14 dias, sem cartão de crédito.\n\nDepois escolha um plano em **Configurações > Plano**.\n"
    )
    meta, body = front_matter_and_body(tmp_path / "pt" / "opening-hours.md")
    assert meta["source_id"] == "Opening Hours" and meta["id"] == "opening-hours"
    assert "script" not in body and "Chat" in body
    assert {str(s) for s in summary.skipped} == {
        f"{EXPORTS / 'faq.csv'}, line 9: unsupported locale (opening-hours en)",
        f"{EXPORTS / 'faq.csv'}, line 10: no body (empty-answer: no answer)",
    }


def test_markdown_files_language_from_folder_suffix_or_front_matter(tmp_path):
    summary = run("markdown", "markdown", tmp_path)
    assert sorted(summary.added) == ["es/import-data.md", "pt/import-data.md", "zh/free-trial.md"]
    meta, body = front_matter_and_body(tmp_path / "es" / "import-data.md")
    assert meta["title"] == "Cómo importar datos desde un CSV"  # its first heading, out of the body
    assert body.startswith("Vaya a **Configuración > Importar datos**")
    meta, body = front_matter_and_body(tmp_path / "pt" / "import-data.md")
    assert meta["updated_at"] == "2024-05-01" and meta["tags"] == ["importar", "csv"]
    assert "1. Baixe o [modelo](https://acme.example/modelo.csv)." in body
    assert "Precisa de ajuda? fale conosco" in body
    assert summary.skipped_counts() == {"draft": 1}


def test_html_files_title_language_and_sanitising(tmp_path):
    summary = run("html", "html", tmp_path)
    assert sorted(summary.added) == ["es/cancel-subscription.md", "pt/cancel-subscription.md"]
    meta, body = front_matter_and_body(tmp_path / "pt" / "cancel-subscription.md")
    assert meta["title"] == "Como cancelar a assinatura"
    assert meta["source_url"] == "https://help.acme.example/pt/cancel-subscription"
    assert meta["tags"] == ["cancelar", "assinatura"]
    assert body.startswith("Em **Configurações > Plano**")
    assert "## Antes de cancelar\n\n- Exporte seus dados.\n- Baixe as faturas." in body
    assert "plugin" not in body and "font-family" not in body
    assert summary.skipped_counts() == {"unsupported locale": 1}


def test_a_zip_reads_like_the_folder(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted((EXPORTS / "markdown").rglob("*.md")):
            out.write(path, path.relative_to(EXPORTS / "markdown").as_posix())
    import_export("markdown", archive, tmp_path / "from-zip")
    import_export("markdown", EXPORTS / "markdown", tmp_path / "from-folder")
    assert snapshot(tmp_path / "from-zip") == snapshot(tmp_path / "from-folder") != {}


# --- idempotent, updates, leaving other files alone ---------------------------


@pytest.mark.parametrize(
    "source, export",
    [
        ("zendesk", "zendesk.json"),
        ("intercom", "intercom.json"),
        ("freshdesk", "freshdesk.json"),
        ("chatwoot", "chatwoot.json"),
        ("csv", "faq.csv"),
        ("markdown", "markdown"),
        ("html", "html"),
    ],
)
def test_importing_again_changes_nothing(tmp_path, source, export):
    first = import_export(source, EXPORTS / export, tmp_path / "kb")
    assert [p.name for p in tmp_path.iterdir()] == ["kb"]  # the temporary folder is gone
    before = snapshot(tmp_path)
    times = {p: p.stat().st_mtime_ns for p in (tmp_path / "kb").rglob("*.md")}
    second = import_export(source, EXPORTS / export, tmp_path / "kb")
    assert snapshot(tmp_path) == before  # byte-identical, and no temporary folder left next to it
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "kb").rglob("*.md")} == times
    assert (second.added, second.updated, second.not_in_export) == ([], [], [])
    assert sorted(second.unchanged) == sorted(first.added)
    assert second.skipped_counts() == first.skipped_counts()


def test_an_edited_article_is_rewritten_and_the_rest_left(tmp_path):
    import_export("zendesk", EXPORTS / "zendesk.json", tmp_path / "kb")
    before = snapshot(tmp_path / "kb")
    page = json.loads((EXPORTS / "zendesk.json").read_text(encoding="utf-8"))
    page["articles"][0]["title"] = "Importar contatos de um CSV"
    page["articles"][0]["label_names"] = ["importar"]
    page["articles"][0]["updated_at"] = "2024-06-01T10:00:00Z"
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(page), encoding="utf-8")
    summary = import_export("zendesk", edited, tmp_path / "kb")
    assert summary.updated == ["pt/zendesk-360001234.md"] and summary.added == []
    assert len(summary.unchanged) == 4
    after = snapshot(tmp_path / "kb")
    assert {k for k in after if after[k] != before[k]} == {"pt/zendesk-360001234.md"}
    meta, _ = front_matter_and_body(tmp_path / "kb" / "pt" / "zendesk-360001234.md")
    assert (meta["title"], meta["tags"], meta["updated_at"]) == (
        "Importar contatos de um CSV",
        ["importar"],
        "2024-06-01T10:00:00Z",
    )


def test_files_no_longer_exported_and_other_sources_are_left_alone(tmp_path):
    kb = tmp_path / "kb"
    hand_written = write_article(kb, "pt", "free-trial", "Teste grátis", "Você pode testar grátis por 14 dias.")
    import_export("zendesk", EXPORTS / "zendesk.json", kb)
    page = json.loads((EXPORTS / "zendesk.json").read_text(encoding="utf-8"))
    page["articles"] = page["articles"][:1]
    smaller = tmp_path / "smaller.json"
    smaller.write_text(json.dumps(page), encoding="utf-8")
    before = snapshot(kb)
    summary = import_export("zendesk", smaller, kb)
    assert summary.unchanged == ["pt/zendesk-360001234.md"]
    assert summary.not_in_export == [
        "es/zendesk-360001234.md",
        "vi/zendesk-360005678.md",
        "zh/zendesk-360001234.md",
        "zh/zendesk-360005678.md",
    ]
    assert "not in this export, left as they are (4)" in str(summary)
    assert snapshot(kb) == before  # nothing deleted
    # A CSV row whose id is the hand-written article's: skipped, the file untouched.
    summary = import_export("csv", EXPORTS / "faq.csv", kb)
    assert "pt/free-trial.md" not in summary.added + summary.updated
    taken = next(s for s in summary.skipped if s.reason == "id taken by another source's file")
    assert "pt/free-trial.md" in taken.detail
    assert hand_written.read_bytes() == before["pt/free-trial.md"]
    assert "es/free-trial.md" in summary.added
    assert all(snapshot(kb)[name] == data for name, data in before.items())


def test_language_for_exports_that_do_not_say_it(tmp_path, capsys):
    export = tmp_path / "articles.json"
    article = {"id": 7, "title": "Gói doanh nghiệp", "description": "<p>Liên hệ bộ phận kinh doanh.</p>", "status": 2}
    export.write_text(json.dumps([article]), encoding="utf-8")
    assert kb_main(["import", "freshdesk", str(export), "--into", str(tmp_path / "kb")]) == 0
    assert "no language 1" in capsys.readouterr().out
    assert not (tmp_path / "kb").exists()
    assert kb_main(["import", "freshdesk", str(export), "--into", str(tmp_path / "kb"), "--language", "vi"]) == 0
    assert (tmp_path / "kb" / "vi" / "freshdesk-7.md").is_file()


# --- broken exports: exit 1, the position, nothing written -------------------


BROKEN = [
    ("zendesk", "zendesk-broken.json", "zendesk-broken.json:7:7: not valid JSON"),
    ("intercom", "intercom-broken.json", "intercom-broken.json:1:126: not valid JSON"),
    ("freshdesk", "freshdesk-broken.json", "freshdesk-broken.json:3:1: not valid JSON"),
    ("chatwoot", "chatwoot-broken.json", "chatwoot-broken.json:1:96: not valid JSON"),
    ("csv", "faq-broken.csv", "faq-broken.csv:1: unknown column(s) 'category'"),
    ("markdown", "markdown-broken", "import-data.md:2:21: front matter is not valid YAML"),
    ("html", "html-broken.zip", "html-broken.zip: not a zip file"),
    ("zendesk", "html-broken.zip", "html-broken.zip: not a zip file"),
]


@pytest.mark.parametrize("source, export, message", BROKEN, ids=[f"{s}-{e}" for s, e, _ in BROKEN])
def test_a_broken_export_writes_nothing(tmp_path, capsys, source, export, message):
    kb = tmp_path / "kb"
    import_export("zendesk", EXPORTS / "zendesk.json", kb)  # a folder with articles in it already
    before = snapshot(tmp_path)
    assert kb_main(["import", source, str(EXPORTS / export), "--into", str(kb)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Nothing was written" in err
    assert snapshot(tmp_path) == before
    assert kb_main(["import", source, str(EXPORTS / export), "--into", str(tmp_path / "new")]) == 1
    assert not (tmp_path / "new").exists()


def test_a_broken_page_among_good_ones_writes_nothing(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(EXPORTS / "zendesk.json", pages / "1.json")
    shutil.copy(EXPORTS / "zendesk-broken.json", pages / "2.json")
    with pytest.raises(ExportError, match=r"2\.json:7:7"):
        import_export("zendesk", pages, tmp_path / "kb")
    assert not (tmp_path / "kb").exists()


@pytest.mark.parametrize(
    "content, words",
    [
        ("id,question,language\nx,q,pt\n", "missing column(s) 'answer'"),
        ("id,question,answer,language,tags,notes,extra\n", "unknown column(s) 'notes', 'extra'"),
        ('id,question,answer,language\nx,q,"never closed,pt\n', ":2: not valid CSV"),
        ("id,question,answer,language\nx,q,a,pt,too,many\n", ":2: 6 fields, but the header names 4 columns"),
    ],
)
def test_csv_column_and_row_errors_name_the_line(tmp_path, content, words):
    export = tmp_path / "faq.csv"
    export.write_text(content, encoding="utf-8")
    with pytest.raises(ExportError) as error:
        import_export("csv", export, tmp_path / "kb")
    assert words in str(error.value)
    assert not (tmp_path / "kb").exists()


def test_the_command_end_to_end(tmp_path):
    kb = tmp_path / "kb"
    command = [sys.executable, "-m", "bot.kb", "import", "zendesk", str(EXPORTS / "zendesk.json"), "--into", str(kb)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "added 5, updated 0, unchanged 0, skipped 5" in result.stdout
    assert (kb / "pt" / "zendesk-360001234.md").is_file()
    again = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert "added 0, updated 0, unchanged 5" in again.stdout
    check = subprocess.run(
        [sys.executable, "-m", "bot.kb", "check", str(kb)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert "5 good article(s)" in check.stdout  # only "missing in <lang>" problems
    broken = [sys.executable, "-m", "bot.kb", "import", "zendesk", str(EXPORTS / "zendesk-broken.json")]
    result = subprocess.run([*broken, "--into", str(tmp_path / "new")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "zendesk-broken.json:7:7: not valid JSON" in result.stderr
    assert not (tmp_path / "new").exists()


def test_the_importers_load_neither_rasa_nor_tensorflow():
    probe = (
        "import sys, bot.kb.__main__, bot.kb.importers.writer\n"
        "from bot.kb.importers import SOURCES, get_parser\n"
        "[get_parser(s) for s in SOURCES]\n"
        "print(sorted(m for m in ('rasa', 'tensorflow') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"


# --- the pieces -----------------------------------------------------------------


@pytest.mark.parametrize(
    "locale, language",
    [
        ("pt-br", "pt"),
        ("pt-BR", "pt"),
        ("pt_PT", "pt"),
        ("es-419", "es"),
        ("vi-vn", "vi"),
        ("zh-Hans", "zh"),
        ("zh-hk", "zh"),
        ("en-us", None),
        ("fr", None),
        ("", None),
    ],
)
def test_locales_map_to_our_languages(locale, language):
    assert our_language(locale) == language


def test_ids_are_ours():
    assert slugify("360001234") == "360001234"
    assert slugify("Opening Hours / FAQ") == "opening-hours-faq"
    assert slugify("Ação_rápida") == "acao-rapida"


@pytest.mark.parametrize(
    "html, expected",
    [
        ('<p><a href="javascript:alert(1)">x</a></p>', "x"),
        ('<p><a href="JaVaScRiPt:alert(1)">x</a></p>', "x"),
        ('<p><a href=" java&#x09;script:alert(1)">x</a></p>', "x"),
        ('<p><a href="&#106;avascript:alert(1)">x</a></p>', "x"),
        ('<p><a href="data:text/html,hi">x</a> <a href="vbscript:y">y</a></p>', "x y"),
        ('<p><a href="https://a.example/b" onclick="z()">x</a></p>', "[x](https://a.example/b)"),
        ('<p><img src="x.png" onerror="alert(1)" alt="a"></p>', "![a](x.png)"),
        ("<p>a</p><script>alert(1)</script><style>p{}</style><noscript>n</noscript>", "a"),
        ('<p>a</p><iframe src="https://x"></iframe><object>o</object><embed src="e"><form><p>f</p></form>', "a"),
        ("<p>Use <code>&lt;div&gt;</code> or &lt;span&gt;</p>", "Use `<div>` or `<span>`"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<h2>Steps</h2><ol><li>a</li></ol>", "## Steps\n\n1. a"),
        ("<p>a<!-- secret --></p><p>&nbsp;</p>", "a"),
    ],
)
def test_html_becomes_safe_markdown(html, expected):
    assert html_to_markdown(html) == expected


@pytest.mark.parametrize(
    "markdown, expected",
    [
        ("a [b](javascript:alert(document.cookie)) c", "a b c"),
        ("a ![b](data:image/png;base64,xx) c", "a b c"),
        ("[b][1]\n\n[1]: javascript:alert(1)", "[b][1]"),
        ("a <javascript:alert(1)> <https://x.example>", "a  [https://x.example](https://x.example)"),
        ("a <script>\nalert(1)\n</script> b", "a  b"),
        ("a <div onclick='x()'>b</div>", "a b"),
        ('```html\n<script src="w.js"></script>\n```', '```html\n<script src="w.js"></script>\n```'),
        ("```\n<script>alert(1)</script>", "```"),  # a fence never closed hides nothing
        ("keep `<b>` code", "keep `<b>` code"),
    ],
)
def test_markdown_with_html_becomes_plain_markdown(markdown, expected):
    assert sanitize_markdown(markdown) == expected


@pytest.mark.parametrize(
    "markdown, answer",
    [
        ("# Title\n\nThe answer.\n\nMore.", "The answer.\n\nMore."),
        ("## Steps\n\n1. a\n\nThe answer.", "The answer.\n\n## Steps\n\n1. a"),
        ("- only\n- a list", "- only\n- a list"),
    ],
)
def test_the_answer_paragraph_comes_first(markdown, answer):
    assert answer_first(markdown, "Title") == answer
