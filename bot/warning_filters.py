"""The warnings we silence, each by name; every other warning still prints.

All of them come from inside Rasa 3.6's pinned dependencies: nothing a user
or we can act on. Importing the `bot` package installs them, so
every process of ours has them (the servers, the evaluation, `rasa` through
`bot.rasa_plugins.cli`); conftest.py gives them to pytest. No Rasa import
here: the web server uses it too.
"""

from __future__ import annotations

import os
import warnings
from typing import List, Tuple, Type

# (start of the message, as a regular expression; category)
KNOWN: List[Tuple[str, Type[Warning]]] = [
    (r"pkg_resources is deprecated as an API", DeprecationWarning),
    (r"Deprecated call to `pkg_resources\.declare_namespace", DeprecationWarning),
    (r".*Click 9\.0", DeprecationWarning),  # typer and spaCy's command line
    (r"'\w+' deprecated - use '\w+'", DeprecationWarning),  # pyparsing 3's renames, in matplotlib and packaging
    (r"jax\.xla_computation is deprecated", DeprecationWarning),  # TensorFlow Lite
    (r"the load_module\(\) method is deprecated", DeprecationWarning),
    (r"distutils Version classes are deprecated", DeprecationWarning),  # sanic-cors
    (r"Deprecated API features detected", Warning),  # SQLAlchemy 2.0's, in Rasa's tracker store
    (r"Calling URL\(\) directly is deprecated", Warning),  # SQLAlchemy's, in Rasa's tracker store
    # Rasa says this for every domain it loads, though every slot of ours has explicit mappings:
    (r"Slot auto-fill has been removed", UserWarning),
]


def install() -> None:
    """Put the filters first. Call it again after importing sanic (Rasa and
    rasa-sdk import it): sanic's import puts "once" for every
    DeprecationWarning ahead of all filters, PYTHONWARNINGS included."""
    # SQLAlchemy's own switch for its one "2.0 is coming" warning, and
    # TensorFlow's C++ log (it warns that no GPU or TensorRT is here).
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    for message, category in KNOWN:
        warnings.filterwarnings("ignore", message=message, category=category)


def install_after_sanic() -> None:
    """For the processes that run sanic (Rasa, the action server): import
    it, then put our filters ahead of the one its import adds."""
    import sanic  # noqa: F401

    install()


def pytest_lines() -> List[str]:
    """The same filters in pytest's `filterwarnings` syntax."""
    return [f"ignore:{message}:{category.__name__}" for message, category in KNOWN]
