"""Rasa's own command line, with our warning filters in place.

    python -m bot.rasa_plugins.cli train|run|shell|data validate ...

Plain `rasa ...` prints some 40 lines of its dependencies' deprecation
warnings before any work. This runs the same `rasa.__main__.main` with the
named filters of bot/warning_filters.py put back in front each time
something else pushes its own ahead: sanic's import ("once" for every
DeprecationWarning) and Rasa's start-up ("once" for every UserWarning,
which pyparsing's deprecations also are).
"""

from __future__ import annotations

import sys

from bot import warning_filters


def main() -> None:
    warning_filters.install_after_sanic()
    import rasa.utils.common
    from rasa.__main__ import main as rasa_main

    rasa_filters = rasa.utils.common._filter_warnings

    def rasa_filters_then_ours(*args, **kwargs) -> None:
        rasa_filters(*args, **kwargs)
        warning_filters.install()

    rasa.utils.common._filter_warnings = rasa_filters_then_ours  # called by name from the same module
    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
