"""Whole conversations against the running assistant, in each language."""

from __future__ import annotations

import pytest

from actions.kb import chat_text
from bot.kb.service import load_knowledge_base
from bot.nlu import chinese_script
from tests.responses import prefix, texts

GREETINGS = {"pt": "oi, boa tarde", "es": "hola, buenas tardes", "vi": "chao ban", "zh": "你好呀"}
IMPORT_QUESTIONS = {
    "pt": "como eu importo meus contatos de uma planilha csv?",
    "es": "como importo mis contactos desde un archivo csv?",
    "vi": "lam sao de nhap du lieu khach hang tu file csv?",
    "zh": "怎么从CSV文件导入客户数据?",
}
GOODBYES = {"pt": "tchau, ate mais", "es": "listo, chau", "vi": "ok tam biet nhe", "zh": "好的,拜拜"}


def bot_texts(replies):
    return [r.get("text", "") for r in replies]


def buttons(replies):
    return [b for r in replies for b in r.get("buttons", [])]


@pytest.mark.parametrize("language", ["pt", "es", "vi", "zh"])
def test_question_answer_and_feedback_in_each_language(assistant, language):
    sender = assistant.new_sender()

    greeting = bot_texts(assistant.say(sender, GREETINGS[language]))
    assert greeting and greeting[0] in texts("utter_greet", language)

    replies = assistant.say(sender, IMPORT_QUESTIONS[language])
    article = load_knowledge_base().get("import-data", language)
    assert any(chat_text(article.answer, language) in text and article.title in text for text in bot_texts(replies))
    assert {b["payload"] for b in buttons(replies)} >= {"/affirm", "/deny"}

    sorry = bot_texts(assistant.say(sender, "/deny"))
    assert sorry[0] in texts("utter_sorry_not_helped", language)
    slots = assistant.tracker(sender)["slots"]
    assert slots["kb_unhelpful_count"] == 1
    assert slots["language"] == language

    goodbye = bot_texts(assistant.say(sender, GOODBYES[language]))
    assert goodbye[0] in texts("utter_goodbye", language)


def test_traditional_chinese_writer_is_answered_in_traditional(assistant):
    sender = assistant.new_sender()
    replies = assistant.say(sender, "請問要怎麼匯入CSV檔案的客戶資料?")
    article = load_knowledge_base().get("import-data", "zh")
    joined = "\n".join(bot_texts(replies))
    assert chinese_script.to_traditional(chat_text(article.answer, "zh")) in joined
    assert chinese_script.detect_script(joined) == "Hant"
    titles = [b["title"] for b in buttons(replies)]
    assert all(chinese_script.detect_script(t) != "Hans" for t in titles)


def test_a_short_reply_does_not_switch_the_conversation_language(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "chao ban, minh can ho tro ve phan mem")
    replies = assistant.say(sender, "ok")
    assert assistant.tracker(sender)["slots"]["language"] == "vi"
    assert bot_texts(replies)[0] in texts("utter_anything_else", "vi")


def test_customer_who_switches_language_is_answered_in_the_new_one(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "oi, tudo bem? preciso de ajuda")
    replies = assistant.say(sender, "hola, como estas? necesito ayuda con mi cuenta por favor")
    assert assistant.tracker(sender)["slots"]["language"] == "es"
    assert assistant.parse(bot_texts(replies)[0])["language"]["name"] == "es"


def test_angry_customer_gets_an_apology_first_and_a_person_offered(assistant):
    sender = assistant.new_sender()
    replies = assistant.say(sender, "QUE PALHACADA!!! o sistema caiu DE NOVO e ninguem resolve, ja reclamei 3 vezes")
    first = bot_texts(replies)[0]
    apologies = {prefix(t) for t in texts("utter_kb_answer", "pt") | texts("utter_problem_no_article", "pt")}
    assert first.startswith(("Sinto muito", "Peço desculpas")), first
    assert any(first.startswith(a) for a in apologies if a)
    assert "/request_human" in {b["payload"] for b in buttons(replies)}


PERSON = {
    "pt": ("quero falar com um atendente humano, por favor", "sei la", "pode ser ana.souza@empresa.com.br"),
    "es": ("quiero hablar con un agente humano por favor", "no se", "mi correo es ana@empresa.com.ar"),
    "vi": ("cho minh gap nhan vien tu van voi", "khong biet", "email cua minh la lan.nguyen@congty.vn"),
    "zh": ("我要转人工客服", "不知道", "我的邮箱是 wang.li@company.cn"),
}


@pytest.mark.parametrize("language", ["pt", "es", "vi", "zh"])
def test_asking_for_a_person_opens_a_ticket_and_takes_a_valid_email(assistant, language):
    import sqlite3

    sender = assistant.new_sender()
    request, not_an_email, with_email = PERSON[language]
    replies = bot_texts(assistant.say(sender, request))
    offline = [prefix(t) for t in texts("utter_escalation_offline", language)]
    assert any(replies[0].startswith(p) for p in offline), replies
    assert replies[-1] in texts("utter_ask_email", language)

    again = bot_texts(assistant.say(sender, not_an_email))
    assert again[0] in texts("utter_invalid_email", language)

    done = bot_texts(assistant.say(sender, with_email))
    email = with_email.split()[-1]
    assert done[0].startswith(prefix(next(iter(texts("utter_ticket_created", language))))) and email in done[0]

    with sqlite3.connect(assistant.database) as db:
        row = db.execute(
            "select id, reason, priority, queue, status, email, language from escalations where conversation_id = ?",
            (sender,),
        ).fetchone()
    assert row[1:] == ("request_human", row[2], "support", "queued", email, language)
    assert row[2] in (2, 3)  # 3 when the request was angry
    assert f"#{row[0]}" in replies[0] and f"#{row[0]}" in done[0]


def test_every_escalation_is_announced_once_even_when_the_webhook_target_is_down_at_first(assistant):
    import re
    import sqlite3
    import time

    sender = assistant.new_sender()
    assistant.say(sender, "quero falar com um atendente humano, por favor")
    with sqlite3.connect(assistant.database) as db:
        (escalation_id,) = db.execute("select id from escalations where conversation_id = ?", (sender,)).fetchone()
    # The action server logs the delivery that ends its attempts: after it, nothing more is sent.
    ended = re.compile(rf"webhook \S+: delivered {escalation_id} \(attempt \d+\)")
    log = assistant.services["actions"].log
    deadline = time.monotonic() + 30
    while not ended.search(log.read_text(errors="replace")) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert assistant.webhook.attempts(escalation_id) == 2  # refused once, then delivered
    assert assistant.webhook.delivered(escalation_id) == 1
    body = next(r["body"] for r in assistant.webhook.received if r["body"]["id"] == escalation_id)
    assert body["event"] == "escalation.created" and body["reason"] == "request_human" and body["language"] == "pt"


@pytest.mark.parametrize(
    "language, text",
    [
        ("pt", "sou um robo?"),
        ("es", "eres un bot o una persona?"),
        ("vi", "ban la nguoi that hay may vay"),
        ("zh", "你是机器人吗"),
    ],
)
def test_bot_challenge_in_each_language(assistant, language, text):
    replies = bot_texts(assistant.say(assistant.new_sender(), text))
    assert replies[0] in texts("utter_iamabot", language)


@pytest.mark.parametrize(
    "language, text",
    [
        ("pt", "quem ganhou o jogo do flamengo ontem?"),
        ("es", "me pasas una receta de empanadas?"),
        ("vi", "hom nay troi co mua khong ban"),
        ("zh", "今天天气怎么样"),
    ],
)
def test_out_of_scope_in_each_language(assistant, language, text):
    replies = bot_texts(assistant.say(assistant.new_sender(), text))
    assert replies[0] in texts("utter_out_of_scope", language)


def test_gibberish_gets_the_fallback_in_the_conversation_language(assistant):
    sender = assistant.new_sender()
    assistant.say(sender, "xin chao, minh muon hoi ve dich vu")
    replies = bot_texts(assistant.say(sender, "qwzx vbnm plkj"))
    assert replies[0] in texts("utter_default", "vi")


@pytest.mark.parametrize(
    "text",
    ["", " ", "a" * 10000, "\x00\x01\ufffd\ufffe binary \x7f", "<script>alert('x')</script>", "😡😡😡"],
)
def test_bad_input_is_answered_and_the_server_keeps_serving(assistant, text):
    sender = assistant.new_sender()
    assistant.say(sender, text)  # no error status
    parsed = assistant.parse(text)
    assert parsed["language"]["name"] in {"pt", "es", "vi", "zh"}
    assert parsed["mood"]["name"] in {"angry", "confused", "curious", "neutral"}
    greeting = bot_texts(assistant.say(sender, "oi, bom dia"))
    assert greeting[0] in texts("utter_greet", "pt")


def test_parse_result_carries_language_script_and_mood(assistant):
    parsed = assistant.parse("請問你們有免費試用嗎?")
    assert parsed["language"]["name"] == "zh"
    assert parsed["language"]["script"] == "Hant"
    assert 0 < parsed["language"]["confidence"] <= 1
    assert parsed["intent"]["name"] == "ask_question"
    assert parsed["mood"]["name"] in {"curious", "neutral"}


@pytest.mark.parametrize("hint, language", [("vi-VN", "vi"), ("es-AR", "es"), ("zh-TW", "zh")])
def test_client_language_hint_decides_an_ambiguous_first_message(assistant, hint, language):
    sender = assistant.new_sender()
    assistant.say(sender, "ok", metadata={"language": hint})
    tracker = assistant.tracker(sender)
    assert tracker["latest_message"]["language"]["name"] == language
    assert tracker["slots"]["language"] == language


@pytest.mark.parametrize(
    "text",
    [
        "Bom dia! Somos uma equipe de oito pessoas e hoje usamos planilhas para organizar os pedidos dos clientes. Queria entender como o Atendo organiza os chamados por prioridade.",
        "Hola, buen dia. Tenemos una tienda online pequena y estamos comparando herramientas de soporte; me gustaria saber como se asignan las conversaciones entre los agentes.",
        "Chào bạn, bên mình có khoảng mười nhân viên chăm sóc khách hàng và đang tìm hiểu phần mềm help desk. Bạn cho mình hỏi hệ thống phân công ticket cho nhân viên như thế nào?",
        "您好,我们是一家二十人的电商公司,目前用邮件处理客户问题。想了解一下你们的系统如何按优先级分配工单给客服人员,谢谢。",
    ],
)
def test_a_long_polite_message_is_not_taken_for_anger(assistant, text):
    assert assistant.parse(text)["mood"]["name"] != "angry"


@pytest.mark.parametrize(
    "language, text",
    [
        ("pt", "ISSO É UM ABSURDO!!! paguei e o sistema não funciona, quero meu dinheiro de volta"),
        ("es", "ESTO ES UNA VERGUENZA!!! pague y el sistema no funciona, quiero mi dinero"),
        ("vi", "QUA TE!!! tra tien roi ma he thong khong chay, tra lai tien cho toi"),
        ("zh", "太离谱了!!!付了钱系统还是用不了,退钱!"),
    ],
)
def test_shouting_customer_is_recognised_as_angry(assistant, language, text):
    parsed = assistant.parse(text)
    assert parsed["language"]["name"] == language
    assert parsed["mood"]["name"] == "angry"


@pytest.mark.parametrize("text", ["qwzx vbnm plkj", "zzzz", "", "   "])
def test_unreadable_or_empty_messages_go_to_the_fallback(assistant, text):
    assert assistant.parse(text)["intent"]["name"] == "nlu_fallback"


ANGRY = {
    "pt": (
        "QUE ABSURDO!!! o sistema caiu de novo e ninguem resolve",
        "EU JA FALEI!!! isso é uma palhaçada, to furioso",
    ),
    "es": (
        "QUE VERGUENZA!!! el sistema se cayo otra vez y nadie hace nada",
        "YA LO DIJE!!! esto es una burla, estoy furioso",
    ),
    "vi": ("QUA TE!!! he thong lai sap nua ma khong ai xu ly", "TOI NOI ROI!!! buc minh qua, lam an kieu gi vay"),
    "zh": ("太离谱了!!!系统又挂了,根本没人管", "我说过了!!!气死我了,你们到底怎么做事的"),
}


@pytest.mark.parametrize("language", ["pt", "es", "vi", "zh"])
def test_an_angry_customer_is_escalated_with_reason_and_priority(assistant, language):
    import sqlite3

    sender = assistant.new_sender()
    first, second = ANGRY[language]
    assistant.say(sender, first)
    replies = bot_texts(assistant.say(sender, second))
    offline = [prefix(t) for t in texts("utter_escalation_offline", language)]
    assert any(replies[0].startswith(p) for p in offline), replies
    with sqlite3.connect(assistant.database) as db:
        reason, priority, mood, language_stored = db.execute(
            "select reason, priority, mood, language from escalations where conversation_id = ?", (sender,)
        ).fetchone()
    assert reason in ("repeated_anger", "anger_with_threat")
    assert priority >= 3 and mood == "angry" and language_stored == language
