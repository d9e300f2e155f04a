"""Rasa's own command line, with our warning filters in place.

    python -m bot.rasa_plugins.cli train|run|shell|data validate ...

Plain `rasa ...` prints some 40 lines of its dependencies' deprecation
warnings before any work. This runs the same `rasa.__main__.main` with the
named filters of bot/warning_filters.py put back in front each time
something else pushes its own ahead: sanic's import ("once" for every
DeprecationWarning) and Rasa's start-up ("once" for every UserWarning,
which pyparsing's deprecations also are).

`train --force` (what `make train` runs) also skips writing Rasa's training
cache, which a forced training never reads (see without_the_training_cache),
and every command checks a data file against its schema once, not each time
Rasa reads it (see validate_each_file_once).
"""

from __future__ import annotations

import sys

from bot import warning_filters


def without_the_training_cache() -> None:
    """Rasa caches each component's output for the next unforced training,
    and to do so fingerprints the whole training data, features included,
    before and after every component: some 24,800 examples with three sparse
    matrices and a dense one each. A forced training never reads the cache
    (it retrains everything), so the writing is skipped: the model is the
    same, trained sooner."""
    from rasa.engine.training.hooks import TrainingHook

    def no_fingerprint(self: TrainingHook, *args: object, **kwargs: object) -> dict:
        return {}

    def nothing_cached(self: TrainingHook, *args: object, **kwargs: object) -> None:
        return None

    TrainingHook.on_before_node = no_fingerprint
    TrainingHook.on_after_node = nothing_cached


def validate_each_file_once() -> None:
    """Rasa reads the NLU files three times in a training and checks each
    reading against the YAML schema (pykwalify): 32 s of a training here for
    40 files. A content that passed once passes again; a failing one still
    fails every time, with Rasa's message."""
    import hashlib

    import rasa.shared.utils.validation as validation

    check = validation.validate_yaml_schema
    passed: set = set()

    def validate_yaml_schema(yaml_file_content: str, schema_path: str, *args: object, **kwargs: object) -> None:
        key = (hashlib.sha256(yaml_file_content.encode("utf-8")).hexdigest(), schema_path, args, tuple(kwargs.items()))
        if key not in passed:
            check(yaml_file_content, schema_path, *args, **kwargs)
            passed.add(key)

    validation.validate_yaml_schema = validate_yaml_schema  # callers look it up on the module


def main() -> None:
    warning_filters.install_after_sanic()
    validate_each_file_once()
    if sys.argv[1:2] == ["train"] and "--force" in sys.argv:
        without_the_training_cache()
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
