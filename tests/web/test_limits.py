from bot.web.limits import RateLimiter


def test_a_session_over_its_rate_waits_for_the_window_others_do_not():
    limiter = RateLimiter(limit=3, window=10)
    assert [limiter.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("b", now=3)
    assert limiter.allow("a", now=10.5)  # the first message left the window


def test_idle_sessions_are_forgotten():
    limiter = RateLimiter(limit=3, window=10)
    for n in range(1500):
        limiter.allow(f"s{n}", now=0)
    limiter.allow("late", now=100)
    assert len(limiter._times) == 1
