"""The questions the bot could not answer: kept even without a vector, never
failing the chat when the database is down, and grouped by meaning across
languages with the real e5 vectors."""

from __future__ import annotations

import json
import logging
import time

import pytest
import sqlalchemy as sa

from bot.database import engine_for
from bot.helpdesk import gaps
from bot.helpdesk.gaps import NO_ARTICLE, NOT_HELPFUL, REFUSED_SUGGESTION, GapStore, gap_groups, record_gap
from bot.kb.embeddings import embed_queries

PIX = [
    ("pt", "Posso pagar a fatura com Pix?"),
    ("es", "¿Puedo pagar la factura con Pix?"),
    ("vi", "Tôi có thể thanh toán hóa đơn bằng Pix không?"),
]
DOG = ("pt", "Meu cachorro late muito à noite")


def stored(database_url):
    with engine_for(database_url).connect() as db:
        return db.execute(sa.select(gaps.gaps).order_by(gaps.gaps.c.id)).all()


def test_a_question_is_kept_with_its_vector_or_without(database_url):
    vector = embed_queries(["Posso pagar com Pix?"])[0]
    assert record_gap("c1", "pt", "Posso pagar com Pix?", NO_ARTICLE, [], vector, database_url=database_url)
    assert record_gap("c2", "es", "x" * 5000, NOT_HELPFUL, ["pagos", "facturas"], None, database_url=database_url)
    first, second = stored(database_url)
    assert (first.conversation_id, first.language, first.kind) == ("c1", "pt", NO_ARTICLE)
    assert len(first.vector) == 384 * 4 and json.loads(first.articles_tried) == []
    assert second.vector is None and len(second.text) == gaps.MAX_TEXT_CHARS
    assert json.loads(second.articles_tried) == ["pagos", "facturas"]


def test_a_database_problem_is_logged_and_the_chat_goes_on(tmp_path, caplog):
    unreachable = f"sqlite:///{tmp_path / 'no-such-folder' / 'helpdesk.db'}"
    with caplog.at_level(logging.ERROR, logger="bot.helpdesk.gaps"):
        assert record_gap("c1", "pt", "Posso pagar com Pix?", NO_ARTICLE, [], None, database_url=unreachable) is False
    assert "not recorded" in caplog.text


def test_unknown_kinds_empty_texts_and_wrong_vectors_are_refused_not_raised(database_url):
    store = GapStore(database_url)
    assert store.record("c1", "pt", "oi?", "bored") is False
    assert store.record("c1", "pt", "   ", NO_ARTICLE) is False
    assert store.record("c1", "pt", "oi?", NO_ARTICLE, vector=embed_queries(["oi"])[0][:10]) is True
    (row,) = stored(database_url)
    assert row.vector is None  # kept, grouped by its text


def test_the_same_question_in_three_languages_is_one_group_and_another_question_another(database_url):
    store = GapStore(database_url)
    texts = [text for _, text in PIX] + [DOG[1]]
    vectors = embed_queries(texts)
    for n, ((language, text), vector) in enumerate(zip(PIX, vectors)):
        kind = REFUSED_SUGGESTION if n == 0 else NO_ARTICLE
        store.record(f"c{n}", language, text, kind, ["faturas"] if n < 2 else [], vector)
        time.sleep(0.01)
    time.sleep(0.01)
    store.record("c9", DOG[0], DOG[1], NO_ARTICLE, [], vectors[3])

    dog, pix = store.groups()  # the dog's question is the newest
    assert (dog.size, dog.examples, dog.languages) == (1, [DOG[1]], ["pt"])
    assert pix.size == 3 and pix.languages == ["es", "pt", "vi"]
    assert pix.examples == [text for _, text in reversed(PIX)]  # newest first
    assert pix.kinds == {NO_ARTICLE: 2, REFUSED_SUGGESTION: 1}
    assert pix.articles_tried == ["faturas"]
    assert dog.newest_at > pix.newest_at
    assert [g.size for g in store.groups(limit=1)] == [1]


def test_questions_without_a_vector_are_grouped_by_their_text(database_url):
    store = GapStore(database_url)
    store.record("c1", "pt", "Vocês vendem gift card?", NO_ARTICLE)
    store.record("c2", "pt", "  vocês vendem GIFT card ", NO_ARTICLE)
    store.record("c3", "pt", "Qual o CNPJ da empresa?", NO_ARTICLE)
    newest, oldest = store.groups()
    assert (newest.size, newest.examples) == (1, ["Qual o CNPJ da empresa?"])
    assert (oldest.size, oldest.examples) == (2, ["vocês vendem GIFT card", "Vocês vendem gift card?"])


def test_a_group_shows_at_most_five_examples_newest_first_and_no_repeats(database_url):
    store = GapStore(database_url)
    spellings = ["tem desconto pra estudante", "Tem desconto pra estudante?", "TEM DESCONTO PRA ESTUDANTE"]
    spellings += ["tem desconto pra estudante??", "Tem Desconto Pra Estudante", "tem  desconto pra estudante!"]
    for n, text in enumerate(spellings + [spellings[-1]]):
        store.record(f"c{n}", "pt", text, NO_ARTICLE)
    (group,) = store.groups()
    assert group.size == 7
    assert group.examples == list(reversed(spellings))[:5]


def test_a_question_without_a_vector_joins_the_group_of_the_same_text_with_one(database_url):
    store = GapStore(database_url)
    vectors = embed_queries(["Vocês vendem gift card?", "Qual o CNPJ da empresa?"])
    store.record("c1", "pt", "Vocês vendem gift card?", NO_ARTICLE, vector=vectors[0])
    store.record("c2", "pt", "Qual o CNPJ da empresa?", NO_ARTICLE, vector=vectors[1])
    store.record("c3", "pt", "vocês vendem gift card", NO_ARTICLE)  # the vector could not be computed
    gift, cnpj = gap_groups(database_url=database_url)
    assert gift.examples == ["vocês vendem gift card", "Vocês vendem gift card?"] and cnpj.size == 1


@pytest.mark.parametrize("size", [0, 1])
def test_few_questions_need_no_clustering(database_url, size):
    store = GapStore(database_url)
    for _ in range(size):
        store.record("c1", "pt", "Posso pagar com Pix?", NO_ARTICLE, vector=embed_queries(["Pix?"])[0])
    assert [g.size for g in store.groups()] == ([1] if size else [])
