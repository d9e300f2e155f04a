"""Queue and priority of an escalation."""

from bot.helpdesk.routing import choose_queue, priority
from bot.settings import get_settings


def settings():
    return get_settings().escalation


def test_curious_prospect_asking_about_price_goes_to_sales():
    assert choose_queue(settings(), "pt", "curious", ["quanto custa o plano pro? me interessei"]) == "sales"
    assert choose_queue(settings(), "es", "curious", ["cual es el PRECIO?"]) == "sales"
    assert choose_queue(settings(), "zh", "curious", ["请问套餐价格是多少"]) == "sales"
    assert choose_queue(settings(), "vi", "curious", ["cho minh hoi bang gia voi"]) == "sales"


def test_an_article_about_trial_or_demo_also_means_sales():
    assert choose_queue(settings(), "pt", "curious", ["oi"], ["book-a-demo"]) == "sales"


def test_everything_else_goes_to_support():
    assert choose_queue(settings(), "pt", "angry", ["quanto custa essa porcaria de plano"]) == "support"
    assert choose_queue(settings(), "pt", "curious", ["como importo um csv"]) == "support"
    assert (
        choose_queue(settings(), "pt", "curious", ["explanação"]) == "support"
    )  # "plano" inside a word does not count


def test_priority_comes_from_the_reason_and_anger_raises_it():
    assert priority(settings(), "request_human", "neutral") == 2
    assert priority(settings(), "request_human", "angry") == 3
    assert priority(settings(), "some_future_rule", None) == 1
