"""Canned replies: one version per language, shared by the team, inserted in
the customer's language and script with the agent's language beside it."""

from __future__ import annotations

import pytest

from bot.helpdesk.canned import CONVERTED, EXACT, FALLBACK, NONE, CannedReplies, language_key, version_for
from tests.helpdesk.desk import escalate, make_desk, sign_in, web_rasa  # noqa: F401  (fixtures)

WAIT = {
    "pt": "Um momento, por favor: estou verificando o seu pedido.",
    "vi": "Xin vui lòng chờ một chút, tôi đang kiểm tra đơn hàng của bạn.",
    "zh-Hans": "请稍等,我正在查看您的订单。",
    "en": "One moment please, I am checking your order.",
}


@pytest.mark.parametrize(
    "language, text, used, how",
    [
        ("vi", WAIT["vi"], "vi", EXACT),
        ("zh-Hant", "請稍等,我正在查看您的訂單。", "zh-Hans", CONVERTED),  # the other script, converted
        ("es", WAIT["en"], "en", FALLBACK),  # no Spanish version: English, and it says so
        (None, WAIT["en"], "en", EXACT),
    ],
)
def test_the_version_for_a_language_or_a_visible_stand_in(language, text, used, how):
    found = version_for(WAIT, language)
    assert (found.text, found.used, found.how) == (text, used, how)


def test_without_english_the_stand_in_is_the_first_version_there_is():
    found = version_for({"vi": WAIT["vi"]}, "pt")
    assert (found.text, found.used, found.how) == (WAIT["vi"], "vi", FALLBACK)
    assert version_for({}, "pt").how == NONE


def test_an_escalations_language_and_script_name_the_version():
    assert [language_key("vi"), language_key("zh", "Hant"), language_key("zh", "Hans"), language_key("zh")] == [
        "vi",
        "zh-Hant",
        "zh-Hans",
        "zh-Hans",
    ]


def test_replies_are_kept_in_the_database_and_checked(database_url):
    replies = CannedReplies(database_url)
    saved = replies.add("ana", "  Checking the order ", {"pt": WAIT["pt"], "vi": "  ", "en": WAIT["en"]})
    again = CannedReplies(database_url).get(saved.id)
    assert (
        again is not None
        and again.title == "Checking the order"
        and again.texts == {"pt": WAIT["pt"], "en": WAIT["en"]}
    )
    assert "vi" in again.as_dict()["missing"]  # a blank version is no version
    for title, texts in [("", {"pt": "x"}), ("x", {}), ("x", {"pt": " "}), ("x", {"fr": "bonjour"}), ("x", "pt")]:
        with pytest.raises(ValueError):
            replies.add("ana", title, texts)


async def test_agents_add_list_edit_and_delete_replies_for_everyone(desk):
    ana, bao = await sign_in(desk, "ana"), await sign_in(desk, "bao")
    added = await desk.post("/api/canned", headers=ana, json={"title": "Checking", "texts": WAIT})
    assert added.status == 201
    reply = await added.json()
    listed = await (await desk.get("/api/canned", headers=bao)).json()
    assert [(r["title"], r["created_by"]) for r in listed["canned"]] == [("Checking", "ana")]
    assert listed["canned"][0]["missing"] == ["es", "zh-Hant"]

    changed = await desk.put(
        f"/api/canned/{reply['id']}",
        headers=bao,
        json={"title": "Checking the order", "texts": {**WAIT, "es": "Un momento."}},
    )
    assert changed.status == 200
    assert (await changed.json())["updated_by"] == "bao"
    listed = await (await desk.get("/api/canned", headers=ana)).json()
    assert listed["canned"][0]["title"] == "Checking the order" and listed["canned"][0]["texts"]["es"] == "Un momento."

    assert (await desk.delete(f"/api/canned/{reply['id']}", headers=ana)).status == 200
    assert (await (await desk.get("/api/canned", headers=ana)).json())["canned"] == []
    assert (await desk.delete(f"/api/canned/{reply['id']}", headers=ana)).status == 404
    put = await desk.put(f"/api/canned/{reply['id']}", headers=ana, json={"title": "x", "texts": {"pt": "y"}})
    assert put.status == 404


async def test_bad_replies_are_refused_clearly(desk):
    ana = await sign_in(desk)
    for body in (
        {"texts": WAIT},
        {"title": "x", "texts": {"fr": "bonjour"}},
        {"title": "x", "texts": {}},
        {"title": 3},
    ):
        refused = await desk.post("/api/canned", headers=ana, json=body)
        assert refused.status == 400 and (await refused.json())["error"] == "bad_canned"
    assert (await desk.post("/api/canned", headers=ana, data="not json")).status == 400
    assert (await desk.get("/api/canned/abc", headers=ana)).status == 404
    assert (await desk.get("/api/canned")).status == 401
    assert (await desk.post("/api/canned", json={"title": "x", "texts": {"pt": "y"}})).status == 401


async def test_inserting_gives_the_customers_version_and_the_agents_beside_it(desk):
    ana = await sign_in(desk)
    assert (await desk.post("/api/agent/settings", headers=ana, json={"language": "pt"})).status == 200
    reply = await (await desk.post("/api/canned", headers=ana, json={"title": "Checking", "texts": WAIT})).json()
    vietnamese = escalate(desk, "c-vi", language="vi")
    shown = await (await desk.get(f"/api/canned/{reply['id']}?escalation={vietnamese.id}", headers=ana)).json()
    assert (shown["customer"]["text"], shown["customer"]["how"]) == (WAIT["vi"], "exact")
    assert (shown["agent"]["language"], shown["agent"]["text"]) == ("pt", WAIT["pt"])

    traditional = escalate(desk, "c-hant", language="zh", script="Hant")
    shown = await (await desk.get(f"/api/canned/{reply['id']}?escalation={traditional.id}", headers=ana)).json()
    assert shown["customer"]["text"] == "請稍等,我正在查看您的訂單。" and shown["customer"]["how"] == "converted"

    spanish = escalate(desk, "c-es", language="es")
    shown = await (await desk.get(f"/api/canned/{reply['id']}?escalation={spanish.id}", headers=ana)).json()
    assert shown["customer"] == {"language": "es", "text": WAIT["en"], "used": "en", "how": "fallback"}
    assert (await desk.get(f"/api/canned/{reply['id']}?escalation=999", headers=ana)).status == 404
