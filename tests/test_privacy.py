"""`python -m bot.privacy`: one customer's data exported as one document and
deleted from every store (help-desk database, Rasa's tracker store, the
spool) so that no byte of it is left in any file; other customers' data
stays; the retention purge removes only what is older than the period."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.helpdesk import spool
from bot.helpdesk.attachments import AttachmentStore
from bot.helpdesk.conversations import ChatStore
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.helpdesk.gaps import NO_ARTICLE, record_gap
from bot.helpdesk.mail import Outbox
from bot.kb.embeddings import embed_queries
from bot.settings import AttachmentSettings
from tests.servers import ROOT

EMAIL = "Ana.Souza+pedido@exemplo.com.br"
SECRET = "meu cpf e 123.456.789-09 e moro na rua das flores 42"  # what she wrote


def write_tracker(path: Path, sender: str, texts) -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa_plugins.tracker_store import SQLiteTrackerStore

    domain = Domain.load(str(ROOT / "domain.yml"))
    store = SQLiteTrackerStore(domain=domain, dialect="sqlite", db=str(path))
    tracker = DialogueStateTracker(sender, domain.slots)
    for text in texts:
        tracker.update(UserUttered(text, {"name": "ask_question", "confidence": 0.9}))
        tracker.update(ActionExecuted("action_listen"))
    if EMAIL.lower() in " ".join(texts).lower():
        tracker.update(SlotSet("email", EMAIL))
    asyncio.run(store.save(tracker))
    store.engine.dispose()


@pytest.fixture
def stores(tmp_path, monkeypatch):
    """Ana's conversation and Bruno's, in every store, under tmp_path/var."""
    spool.stop_retrying()  # a thread another test started would write Ana's spooled escalation away
    var = tmp_path / "var"
    var.mkdir()
    env = {
        "DATABASE_URL": f"sqlite:///{var / 'helpdesk.db'}",
        "ESCALATION_SPOOL": str(var / "spool"),
        "ATTACHMENTS_FOLDER": str(var / "attachments"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "tracker_store:\n  type: bot.rasa_plugins.tracker_store.SQLiteTrackerStore\n"
        f"  db: {var / 'conversations.db'}\n"
    )
    chats = ChatStore(env["DATABASE_URL"])
    ana = chats.create_session()["session_id"]
    bruno = chats.create_session()["session_id"]
    chats.add_message(ana, "customer", SECRET)
    chats.add_message(ana, "customer", f"meu email: {EMAIL}")
    chats.add_bot_messages(ana, [("Obrigado!", {"buttons": []})], "pt", None)
    chats.rate(ana, 2)
    chats.add_message(bruno, "customer", "qual o horario de voces?")
    escalations = EscalationStore(env["DATABASE_URL"])
    ticket = escalations.create(
        NewEscalation(ana, "request_human", 3, "support", "pt", transcript=[{"sender": "customer", "text": SECRET}])
    )
    escalations.set_email(ticket.id, EMAIL.lower())
    escalations.create(NewEscalation(bruno, "request_human", 2, "support", "pt"))
    vectors = embed_queries([SECRET, "qual o horario de voces?"])  # questions the bot could not answer
    assert record_gap(ana, "pt", SECRET, NO_ARTICLE, ["enderecos"], vectors[0], database_url=env["DATABASE_URL"])
    assert record_gap(bruno, "pt", "qual o horario de voces?", NO_ARTICLE, [], vectors[1], env["DATABASE_URL"])
    write_tracker(var / "conversations.db", ana, [SECRET, f"meu email: {EMAIL}"])
    write_tracker(var / "conversations.db", bruno, ["qual o horario de voces?"])
    spool.keep(
        NewEscalation(ana, "request_human", 3, "support", "pt", transcript=[{"sender": "customer", "text": SECRET}])
    )
    # An agent's reply e-mailed to Ana, still in the outbox (bot/helpdesk/mail.py).
    Outbox(env["DATABASE_URL"]).add(ana, EMAIL.lower(), "Nova resposta do atendimento", f"Sobre: {SECRET}")
    # Files they attached in the widget (bot/helpdesk/attachments.py): Ana's scan holds her secret.
    files = AttachmentStore(env["DATABASE_URL"], var / "attachments")
    files.add(ana, "comprovante.pdf", b"%PDF-1.4\n(" + SECRET.encode() + b") Tj\n%%EOF\n", AttachmentSettings())
    files.add(bruno, "print.png", b"\x89PNG\r\n\x1a\n" + b"bruno" * 10, AttachmentSettings())
    return {"var": var, "env": env, "endpoints": endpoints, "ana": ana, "bruno": bruno}


def privacy(stores, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.privacy", "--endpoints", str(stores["endpoints"]), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **stores["env"]},
        capture_output=True,
        text=True,
        timeout=120,
    )


def bytes_left(var: Path, needles) -> dict:
    found = {}
    for path in var.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            hits = [needle for needle in needles if needle.encode("utf-8") in content]
            if hits:
                found[str(path.relative_to(var))] = hits
    return found


def test_export_gives_everything_kept_about_the_customer_in_one_document(stores):
    result = privacy(stores, "export", "--email", EMAIL.upper())  # as she types it, any case
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    (conversation,) = document["conversations"]  # Ana's only, not Bruno's
    assert conversation["conversation_id"] == stores["ana"]
    assert [m["text"] for m in conversation["messages"]][:2] == [SECRET, f"meu email: {EMAIL}"]
    assert conversation["escalations"][0]["email"] == EMAIL.lower()
    assert conversation["rating"][0]["rating"] == 2
    assert any(e.get("text") == SECRET for e in conversation["tracker_events"])
    assert conversation["spooled_escalation"]["transcript"][0]["text"] == SECRET
    assert conversation["emails"][0]["recipient"] == EMAIL.lower()
    (attached,) = conversation["attachments"]
    assert (attached["name"], attached["type"]) == ("comprovante.pdf", "application/pdf")
    assert Path(attached["file"]).read_bytes().startswith(b"%PDF-")  # where its bytes are
    assert "token_hash" not in json.dumps(conversation)
    (question,) = conversation["unanswered_questions"]
    assert (question["text"], question["kind"], "vector" in question) == (SECRET, "no_article", False)


def test_delete_leaves_no_byte_of_the_customer_in_any_file_and_keeps_the_others(stores):
    var = stores["var"]
    assert bytes_left(var, [SECRET]), "the test data should be on disk before"
    result = privacy(stores, "delete", "--email", EMAIL)
    assert result.returncode == 0, result.stderr
    assert "Deleted 1 conversation" in result.stdout and '"kb_gaps": 1' in result.stdout
    assert '"chat_attachments": 1' in result.stdout and "attached files 1" in result.stdout
    assert bytes_left(var, [SECRET, EMAIL, EMAIL.lower(), stores["ana"]]) == {}
    export = privacy(stores, "export", "--conversation", stores["bruno"])
    assert export.returncode == 0, export.stderr
    exported = json.loads(export.stdout)
    (bruno,) = exported["conversations"]
    assert [m["text"] for m in bruno["messages"]] == ["qual o horario de voces?"]
    assert bruno["escalations"] and bruno["tracker_events"]
    assert [q["text"] for q in bruno["unanswered_questions"]] == ["qual o horario de voces?"]
    (kept,) = bruno["attachments"]  # Bruno's file stays
    assert Path(kept["file"]).read_bytes().endswith(b"bruno")
    assert [path.name for path in (var / "attachments").iterdir()] == [Path(kept["file"]).name]
    assert json.loads(privacy(stores, "export", "--email", EMAIL).stdout)["conversations"] == []


def test_the_purge_removes_only_conversations_older_than_the_retention_period(stores):
    assert "Purged" not in privacy(stores, "purge", "--days", "30", "--quiet").stdout  # nothing that old
    time.sleep(1.5)
    spool_files = list(Path(stores["env"]["ESCALATION_SPOOL"]).glob("*.json"))
    old = time.time() - 40 * 86400
    for path in spool_files:
        os.utime(path, (old, old))
    result = privacy(stores, "purge", "--days", str(1 / 86400))  # everything is older than a second
    assert result.returncode == 0 and "Purged" in result.stdout, result.stderr
    assert bytes_left(stores["var"], [SECRET, stores["ana"], stores["bruno"], "bruno" * 10]) == {}
    assert list((stores["var"] / "attachments").iterdir()) == []


def test_a_broken_endpoints_file_or_a_wrong_address_is_a_clear_error(stores, tmp_path):
    result = privacy(stores, "export", "--email", "not-an-address")
    assert result.returncode == 1 and "not an e-mail address" in result.stderr
    (tmp_path / "endpoints.yml").write_text("tracker_store: [unclosed")
    result = privacy(stores, "export", "--email", EMAIL)
    assert result.returncode == 1 and "cannot read" in result.stderr and "Traceback" not in result.stderr
