"""Which language a short chat message is in, on the inputs that are hard."""

from __future__ import annotations

import pytest

from bot.nlu.language_scorer import LangdetectVoter, LanguageScorer, borrowed_english_words, build_lexicons, word_pairs


@pytest.fixture(scope="module")
def scorer() -> LanguageScorer:
    return LanguageScorer(build_lexicons(), LangdetectVoter(), borrowed_english_words())


@pytest.mark.parametrize(
    "text, language",
    [
        # Portuguese and Spanish near-twins, often typed without accents.
        ("obrigado", "pt"),
        ("gracias", "es"),
        ("nao consigo entrar na minha conta", "pt"),
        ("no puedo entrar a mi cuenta", "es"),
        ("voce pode me ajudar?", "pt"),
        ("usted me puede ayudar?", "es"),
        ("quero cancelar", "pt"),
        ("quiero cancelar", "es"),
        ("tudo bem", "pt"),
        ("todo bien", "es"),
        ("vc", "pt"),
        ("porfa", "es"),
        # Vietnamese with and without diacritics.
        ("Khách hàng nội bộ là gì?", "vi"),
        ("khach hang noi bo la gi", "vi"),
        ("ko dc", "vi"),
        ("cam on ban nhieu", "vi"),
        # Chinese in both scripts, with English mixed in.
        ("请问怎么导入CSV", "zh"),
        ("請問怎麼匯入CSV", "zh"),
        ("我的app login不了", "zh"),
        # An e-mail address or a link says nothing about the language.
        ("我的邮箱是 wang.li@company.cn", "zh"),
        ("meu email: lan.nguyen@congty.vn", "pt"),
        ("mira https://www.ejemplo.com/precios", "es"),
        # English words of the trade are no one's: the rest of the message decides.
        ("endpoint bi timeout khi gui payload", "vi"),
        ("el endpoint devuelve un timeout cuando mando el payload", "es"),
        ("o endpoint retorna timeout quando mando o payload", "pt"),
    ],
)
def test_short_messages(scorer, text, language):
    assert scorer.guess(text).language == language


@pytest.mark.parametrize(
    "text, script",
    [("请问你们有免费试用吗", "Hans"), ("請問你們有免費試用嗎", "Hant"), ("你好", None)],
)
def test_chinese_script(scorer, text, script):
    guess = scorer.guess(text)
    assert guess.language == "zh"
    assert guess.script == script


@pytest.mark.parametrize("text", ["", "   ", "😡😡😡", "?!", "12345", "\x00\x01\ufffd"])
def test_text_without_words_is_undecided_and_follows_the_prior(scorer, text):
    guess = scorer.guess(text, prior={"vi": 8.0, "pt": 1.0, "es": 1.0, "zh": 1.0})
    assert guess.language == "vi"
    assert guess.evidence == pytest.approx(0.0)


def test_clear_text_beats_the_prior(scorer):
    guess = scorer.guess("muchas gracias por la ayuda, ya funciona", prior={"pt": 8.0, "es": 1.0, "vi": 1.0, "zh": 1.0})
    assert guess.language == "es"


def test_markup_is_ignored(scorer):
    assert scorer.guess("<b>hola</b> <script>alert('x')</script> necesito ayuda").language == "es"


def test_ten_thousand_characters(scorer):
    guess = scorer.guess("nao funciona " * 800)
    assert guess.language == "pt"
    assert 0.5 < guess.confidence <= 1.0


def test_confidence_is_a_probability(scorer):
    guess = scorer.guess("bom dia")
    assert sum(guess.scores.values()) == pytest.approx(1.0)
    assert guess.confidence == max(guess.scores.values())


def test_word_pairs_of_the_training_examples_tell_near_twins_apart():
    # Every word of "metodos de pago" is Portuguese too ("pago" = paid); the
    # pair is what only Spanish customers write.
    training = {
        "pt": [
            "quais as formas de pagamento?",
            "aceitam pix ou boleto?",
            "quero a nota fiscal",
            "cade minha nota fiscal",
        ],
        "es": ["metodos de pago?", "que metodos de pago aceptan", "aceptan transferencia?"],
        "vi": ["thanh toan bang the duoc khong", "co nhan chuyen khoan khong"],
    }
    plain = LanguageScorer(build_lexicons(), LangdetectVoter())
    with_pairs = LanguageScorer(
        build_lexicons(training_pairs={lang: word_pairs(texts) for lang, texts in training.items()}),
        LangdetectVoter(),
    )
    assert plain.guess("metodos de pago").language == "pt"  # what it said before
    assert with_pairs.guess("metodos de pago").language == "es"
    assert with_pairs.guess("nota fiscal?").language == "pt"
    assert with_pairs.guess("quiero cancelar").language == "es"  # no pair: as before


class CountingVoter(LangdetectVoter):
    """langdetect, counting how often it is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def probabilities(self, text: str):
        self.asked += 1
        return super().probabilities(text)


def training_sentences(every: int = 20):
    """Every so many messages of three or more words of the training data, in the four languages."""
    from tests.test_data import LANGUAGES, examples

    found = []
    for language in LANGUAGES:
        found += [text for _, text, _ in examples(language) if len(text.split()) >= 3][::every]
    return found


def test_langdetect_is_asked_only_where_it_could_change_the_language(monkeypatch):
    import bot.nlu.language_scorer as language_scorer

    lexicons, borrowed = build_lexicons(), borrowed_english_words()
    sometimes = CountingVoter()
    scorer = LanguageScorer(lexicons, sometimes, borrowed)
    texts = training_sentences()
    priors = [None, {"pt": 8.0, "es": 1.0, "vi": 1.0, "zh": 1.0}, {"pt": 1.0, "es": 1.0, "vi": 8.0, "zh": 1.0}]
    answers = [scorer.guess(text, prior).language for text in texts for prior in priors]
    monkeypatch.setattr(language_scorer, "LANGDETECT_MAX_SWING", float("inf"))
    always = CountingVoter()
    asking_always = LanguageScorer(lexicons, always, borrowed)
    assert [asking_always.guess(text, prior).language for text in texts for prior in priors] == answers
    assert len(texts) > 200
    assert 0 < sometimes.asked < always.asked / 2
