"""The servers' command lines as the launcher writes them."""

from pathlib import Path

import pytest

from bot.launcher import Ports, commands


@pytest.mark.parametrize("token", ["-starts-with-a-dash", "--looks-like-an-option", "plain_Token-123"])
def test_rasa_receives_the_secret_whatever_it_starts_with(token):
    import argparse

    from rasa.cli.arguments.run import set_run_arguments

    rasa = commands(Ports(5005, 5055, 8000), Path("endpoints.yml"), rasa_token=token)["rasa"]
    arguments = rasa[rasa.index("run") + 1 :]
    parser = argparse.ArgumentParser()
    set_run_arguments(parser)
    assert parser.parse_args(arguments).auth_token == token
