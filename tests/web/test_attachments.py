"""Customers' files: uploaded from the widget (POST /api/attachments), checked
by their content, kept outside the web root, served only to the conversation
and to agents, shown in the transcript, and gone with a privacy deletion.

On SQLite and PostgreSQL, with a stand-in Rasa (tests/web/conftest.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import json

import aiohttp
import jsonschema
import pytest
from aiohttp.test_utils import TestClient, TestServer

import bot.web.server as server
from bot import privacy
from bot.helpdesk.agents import hash_password
from bot.helpdesk.attachments import clean_name, sniff
from bot.helpdesk.escalations import EscalationStore, NewEscalation
from bot.settings import SettingsError, get_settings, parse_attachments
from bot.web.events import CONSOLE_SCHEMAS, CUSTOMER_SCHEMAS
from tests.servers import ROOT
from tests.web.conftest import new_session

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
GIF = b"GIF89a" + b"\x01\x00\x01\x00" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
SCRIPT = b"#!/bin/sh\nrm -rf /\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
PASSWORD = "correct horse battery"


@pytest.fixture
async def client(rasa, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("ATTACHMENTS_FOLDER", str(tmp_path / "attachments"))
    app = server.create_app(str(rasa.make_url("")), database_url, agents={"ana": hash_password(PASSWORD)})
    test_client = TestClient(TestServer(app))
    await test_client.start_server()
    test_client.folder = tmp_path / "attachments"
    test_client.escalations = EscalationStore(database_url)
    test_client.database_url = database_url
    yield test_client
    await test_client.close()


def form(session, content: bytes, name: str, claimed: str = "application/octet-stream", language: str = "pt"):
    data = aiohttp.FormData()
    data.add_field("session_id", session["session_id"])
    data.add_field("token", session["token"])
    data.add_field("language", language)
    data.add_field("file", content, filename=name, content_type=claimed)
    return data


async def upload(client, session, content: bytes, name: str, **more):
    reply = await client.post("/api/attachments", data=form(session, content, name, **more))
    return reply.status, await reply.json()


async def agent_headers(client):
    reply = await client.post("/api/agent/login", json={"name": "ana", "password": PASSWORD})
    return {"Authorization": f"Bearer {(await reply.json())['token']}"}


def url(attachment, session=None) -> str:
    query = f"?session_id={session['session_id']}&token={session['token']}" if session else ""
    return f"/api/attachments/{attachment['id']}{query}"


@pytest.mark.parametrize(
    "content, expected",
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp"), (PDF, "application/pdf")],
)
def test_the_type_comes_from_the_first_bytes(content, expected):
    assert sniff(content[:16]) == expected


@pytest.mark.parametrize("content", [HTML, SVG, SCRIPT, EXE, b"", b"RIFF\x00\x00\x00\x00WAVEfmt "])
def test_anything_else_has_no_type(content):
    assert sniff(content[:16]) is None


@pytest.mark.parametrize(
    "given, kind, expected",
    [
        ("scan.pdf", "image/png", "scan.png"),  # its real type's extension
        ("contrato.png", "application/pdf", "contrato.pdf"),
        ("../../etc/passwd", "image/png", "passwd.png"),
        ("C:\\Users\\ana\\foto.JPG", "image/jpeg", "foto.jpg"),
        ("setup.exe", "application/pdf", "setup.exe.pdf"),
        ("fatura\u202egnp.exe", "image/png", "faturagnp.exe.png"),  # no right-to-left trick
        ("", "image/gif", "file.gif"),
        ("a" * 300 + ".webp", "image/webp", "a" * 80 + ".webp"),
        ("nota fiscal 03/2026.pdf", "application/pdf", "2026.pdf"),
        ("发票 <1>.pdf", "application/pdf", "发票 _1_.pdf"),
    ],
)
def test_names_are_sanitised(given, kind, expected):
    assert clean_name(given, kind) == expected


async def test_the_customer_attaches_an_image_and_sees_it_in_the_transcript(client):
    customer = await new_session(client)
    socket = await client.ws_connect(f"/api/ws?session_id={customer['session_id']}&token={customer['token']}")
    assert (await socket.receive_json())["type"] == "history"
    status, body = await upload(client, customer, PNG, "print da tela.png", claimed="image/png")
    assert status == 201
    attachment = body["message"]["attachment"]
    assert attachment == {"id": attachment["id"], "name": "print da tela.png", "type": "image/png", "size": len(PNG)}
    live = await socket.receive_json(timeout=5)  # the customer's other tabs see it
    assert live["attachment"] == attachment and live["sender"] == "customer"
    told = await socket.receive_json(timeout=5)  # the bot cannot read it, and says it is kept for the team
    assert told["sender"] == "bot" and "print da tela.png" in told["text"] and "equipe" in told["text"]
    await socket.close()
    for event in (live, told):  # the one shape the widget and the console rely on (bot/web/events.py)
        jsonschema.validate(event, CUSTOMER_SCHEMAS["message"])

    history = await (await client.post("/api/history", json=customer)).json()
    assert [m.get("attachment") for m in history["messages"]] == [attachment, None]
    stored = client.folder / attachment["id"]  # outside the web root, under a random name
    assert stored.read_bytes() == PNG and "print" not in stored.name

    reply = await client.get(url(attachment, customer))
    assert reply.status == 200 and await reply.read() == PNG
    assert reply.headers["Content-Type"] == "image/png"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert reply.headers["Content-Disposition"].startswith("inline;")


async def test_the_file_is_not_sent_to_rasa(client, rasa):
    customer = await new_session(client)
    status, _ = await upload(client, customer, PDF, "contrato.pdf")
    assert status == 201
    assert rasa.received == []


async def test_a_pdf_is_downloaded_never_shown_and_a_png_named_pdf_is_an_image(client):
    customer = await new_session(client)
    status, body = await upload(client, customer, PDF, "contrato.png", claimed="image/png")
    assert status == 201 and body["message"]["attachment"]["type"] == "application/pdf"
    assert body["message"]["attachment"]["name"] == "contrato.pdf"
    reply = await client.get(url(body["message"]["attachment"], customer))
    assert reply.headers["Content-Type"] == "application/pdf"
    assert (
        reply.headers["Content-Disposition"] == "attachment; filename=\"contrato.pdf\"; filename*=UTF-8''contrato.pdf"
    )

    status, body = await upload(client, customer, PNG, "scan.pdf", claimed="application/pdf")
    assert status == 201 and (body["message"]["attachment"]["type"], body["message"]["attachment"]["name"]) == (
        "image/png",
        "scan.png",
    )


@pytest.mark.parametrize(
    "content, name, claimed",
    [
        (HTML, "foto.png", "image/png"),  # a page dressed as an image
        (SVG, "logo.svg", "image/svg+xml"),  # an image that runs script
        (SCRIPT, "instalar.pdf", "application/pdf"),
        (EXE, "fatura.pdf.exe", "application/x-msdownload"),
        (b"\x89PNX" + PNG[4:], "quase.png", "image/png"),
    ],
)
async def test_other_files_are_refused_whatever_their_name(client, content, name, claimed):
    customer = await new_session(client)
    status, body = await upload(client, customer, content, name, claimed=claimed)
    assert (status, body["error"]) == (415, "attachment_type")
    assert "PDF" in body["message"] and "PNG" in body["message"]
    history = await (await client.post("/api/history", json=customer)).json()
    assert history["messages"] == []  # nothing in the transcript
    assert not client.folder.exists() or list(client.folder.iterdir()) == []  # nothing kept


@pytest.fixture
def limits(tmp_path, monkeypatch):
    """helpdesk.yml with widget.attachments: at most 1000 bytes, two per conversation."""
    text = (ROOT / "helpdesk.yml").read_text(encoding="utf-8")
    text = text.replace("max_bytes: 5000000", "max_bytes: 1000").replace(
        "max_per_conversation: 10", "max_per_conversation: 2"
    )
    (tmp_path / "helpdesk.yml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("HELPDESK_CONFIG", str(tmp_path / "helpdesk.yml"))
    get_settings.cache_clear()
    assert get_settings().attachments.max_bytes == 1000
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_too_big_and_too_many_are_refused(limits, client):
    customer = await new_session(client)
    status, body = await upload(client, customer, PNG + b"\x00" * 1000, "grande.png")
    assert (status, body["error"]) == (413, "attachment_too_big")
    for n in range(2):
        assert (await upload(client, customer, PNG, f"{n}.png"))[0] == 201
    status, body = await upload(client, customer, PDF, "terceiro.pdf")
    assert (status, body["error"]) == (409, "attachment_too_many")
    other = await new_session(client)  # the limit is per conversation
    assert (await upload(client, other, PDF, "outro.pdf"))[0] == 201


async def test_no_token_a_wrong_token_or_another_conversation_gets_nothing(client):
    ana, bruno = await new_session(client), await new_session(client)
    _, body = await upload(client, ana, PNG, "ana.png")
    attachment = body["message"]["attachment"]
    assert (await client.get(url(attachment))).status == 401  # no token at all
    wrong = {**ana, "token": "not-the-token"}
    assert (await client.get(url(attachment, wrong))).status == 401
    reply = await client.get(url(attachment, bruno))  # Bruno's own, valid token
    assert reply.status == 404 and (await reply.json())["error"] == "not_found"
    headers = {"Authorization": "Bearer " + ana["token"]}  # a customer's token is no agent token
    assert (await client.get(url(attachment), headers=headers)).status == 401
    # Uploading needs the conversation's token too.
    status, body = await upload(client, wrong, PNG, "x.png")
    assert (status, body["error"]) == (401, "unauthorized")
    assert (await client.get("/api/attachments/no-such-id?session_id=x&token=y")).status == 401


async def test_an_agent_sees_the_file_live_and_with_their_token(client):
    customer = await new_session(client)
    record = client.escalations.create(
        NewEscalation(customer["session_id"], "request_human", 2, "support", "pt", transcript=[])
    )
    agent = await agent_headers(client)
    console = await client.ws_connect("/api/agent/ws")
    await console.send_json({"token": agent["Authorization"][7:]})
    assert (await console.receive_json(timeout=5))["type"] == "ready"
    assert (await client.post(f"/api/escalations/{record.id}/claim", headers=agent)).status == 200
    status, body = await upload(client, customer, PDF, "boleto.pdf")
    assert status == 201
    event = await console.receive_json(timeout=5)
    while event["type"] != "message":  # (queue_changed: the claim, and the console's watch on the queue)
        event = await console.receive_json(timeout=5)
    jsonschema.validate(event, CONSOLE_SCHEMAS["message"])
    line = event["message"]
    assert line["attachment"]["name"] == "boleto.pdf" and line["sender"] == "customer"
    await console.close()
    reply = await client.get(url(line["attachment"]), headers=agent)
    assert reply.status == 200 and await reply.read() == PDF
    assert reply.headers["Content-Disposition"].startswith("attachment;")
    detail = await (await client.get(f"/api/escalations/{record.id}", headers=agent)).json()
    assert [m["attachment"]["name"] for m in detail["messages"] if m.get("attachment")] == ["boleto.pdf"]
    # While the agent holds the conversation the bot says nothing about the file.
    history = await (await client.post("/api/history", json=customer)).json()
    assert [m["sender"] for m in history["messages"]] == ["customer"]


async def test_bad_requests_get_clear_errors_and_the_server_goes_on(client):
    customer = await new_session(client)
    reply = await client.post("/api/attachments", json=customer)
    assert reply.status == 400 and "multipart" in (await reply.json())["message"]
    data = aiohttp.FormData()
    data.add_field("session_id", customer["session_id"])
    data.add_field("token", customer["token"])
    data.add_field("other", b"x", filename="x.bin")
    reply = await client.post("/api/attachments", data=data)
    assert reply.status == 400 and "'file'" in (await reply.json())["message"]
    reply = await client.post(
        "/api/attachments", data=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}
    )
    assert reply.status == 400
    assert (await upload(client, customer, PNG, "ok.png"))[0] == 201


async def test_the_widget_language_words_the_bots_notice(client):
    customer = await new_session(client)
    _, body = await upload(client, customer, PNG, "foto.png", language="zh-Hant")
    history = await (await client.post("/api/history", json=customer)).json()
    assert "檔案" in history["messages"][-1]["text"]


async def test_privacy_deletion_removes_the_files_and_their_records(client):
    ana, bruno = await new_session(client), await new_session(client)
    secret = b"%PDF-1.4\n(CPF 123.456.789-09) Tj\n%%EOF\n"
    _, ana_file = await upload(client, ana, secret, "documento.pdf")
    _, bruno_file = await upload(client, bruno, PNG, "bruno.png")
    stores = privacy.Stores.open(database_url=client.database_url)
    assert stores.attachments == client.folder
    exported = privacy.export(stores, [ana["session_id"]])
    (kept,) = exported["conversations"][0]["attachments"]
    assert (kept["name"], kept["size"], kept["sha256"]) == (
        "documento.pdf",
        len(secret),
        hashlib.sha256(secret).hexdigest(),
    )
    json.dumps(exported, default=str)

    done = await asyncio.to_thread(privacy.delete, stores, [ana["session_id"]])
    assert done.attachment_files == 1 and done.rows["chat_attachments"] == 1
    assert not (client.folder / ana_file["message"]["attachment"]["id"]).exists()
    assert (client.folder / bruno_file["message"]["attachment"]["id"]).read_bytes() == PNG
    agent = await agent_headers(client)
    assert (await client.get(url(ana_file["message"]["attachment"]), headers=agent)).status == 404
    assert (await client.get(url(bruno_file["message"]["attachment"]), headers=agent)).status == 200


@pytest.mark.parametrize(
    "raw, problem",
    [
        ({"max_bytes": "5MB"}, "max_bytes"),
        ({"max_bytes": 0}, "max_bytes"),
        ({"max_per_conversation": -1}, "max_per_conversation"),
        ({"types": ["image/svg+xml"]}, "types"),
        ({"types": "image/png"}, "types"),
    ],
)
def test_the_settings_are_checked(raw, problem):
    with pytest.raises(SettingsError, match=problem):
        parse_attachments(raw)


async def test_attachments_can_be_switched_off(client, tmp_path, monkeypatch):
    text = (ROOT / "helpdesk.yml").read_text(encoding="utf-8")
    text = text.replace("types: [image/png, image/jpeg, image/gif, image/webp, application/pdf]", "types: []")
    (tmp_path / "off.yml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("HELPDESK_CONFIG", str(tmp_path / "off.yml"))
    get_settings.cache_clear()
    try:
        customer = await new_session(client)
        status, body = await upload(client, customer, PNG, "foto.png")
        assert (status, body["error"]) == (403, "attachments_off")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


async def test_while_waiting_for_a_person_the_file_reaches_the_queue_and_the_customer_is_told(client):
    customer = await new_session(client)
    client.escalations.create(NewEscalation(customer["session_id"], "request_human", 2, "support", "es", transcript=[]))
    agent = await agent_headers(client)
    console = await client.ws_connect("/api/agent/ws")
    await console.send_json({"token": agent["Authorization"][7:]})
    assert (await console.receive_json(timeout=5))["type"] == "ready"
    status, _ = await upload(client, customer, JPEG, "factura.jpg", language="es")
    assert status == 201
    seen = []
    while len(seen) < 2:  # (a queue_changed may come first: the console watches the queue)
        event = await console.receive_json(timeout=5)
        if event["type"] == "message":
            seen.append(event["message"])
    assert seen[0]["attachment"]["name"] == "factura.jpg"
    assert seen[1]["sender"] == "bot" and "La persona que te atenderá ya puede verlo" in seen[1]["text"]
    await console.close()


async def test_a_photo_of_almost_five_megabytes_is_taken_and_one_over_is_refused(client):
    customer = await new_session(client)
    photo = JPEG + b"\x00" * (5_000_000 - len(JPEG))  # exactly widget.attachments.max_bytes
    status, body = await upload(client, customer, photo, "camera.jpg")
    assert status == 201 and body["message"]["attachment"]["size"] == 5_000_000
    status, body = await upload(client, customer, photo + b"\x00", "camera.jpg")
    assert (status, body["error"]) == (413, "attachment_too_big")


async def test_a_file_sent_before_the_session_is_refused_unread(client):
    """The session comes first in the form: the server checks it before it takes a file in,
    so a stranger cannot make it read megabytes (the widget sends the file last)."""
    from aiohttp import FormData

    session = await new_session(client)
    form = FormData()
    form.add_field("file", b"\x89PNG\r\n\x1a\n" + b"0" * 1000, filename="a.png", content_type="image/png")
    form.add_field("session_id", session["session_id"])
    form.add_field("token", session["token"])
    reply = await client.post("/api/attachments", data=form)
    assert reply.status == 401 and "before the file" in (await reply.json())["message"]
