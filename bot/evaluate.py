"""Quality figures of the trained assistant on a file of labelled cases.

    python -m bot.evaluate CASES.yml [--json OUT.json] [--model models/]

CASES.yml is a YAML list of items with `text` and `lang`, and optionally
`script` (Hans/Hant), `intent`, `mood`, `article` and `round` (which
writer's round of the dev set the item comes from). Every text goes through
the latest trained model the way the server parses it (Rasa's Agent), and
`article` items through the knowledge base the answering action searches
(the project's, or `--kb FOLDER` for another one, such as an imported
export: `python -m bot.kb import ... --into FOLDER`).

Printed per language: the summary figures, each mood's precision and
recall, and the mood and intent confusion matrices (rows: the label,
columns: what the model said). `--tune-moods` (on the dev set, never on the
test set) prints the mood thresholds for config.yml that reach the
precision targets with the best macro-F1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import yaml

from bot import invariance, warning_filters
from bot.nlu.language_scorer import LANGUAGES
from bot.nlu.mood_classifier import MOODS, choose_mood

METRIC_KEYS = (
    "n",
    "language_acc",
    "script_acc",
    "intent_acc",
    "intent_n",
    "mood_macro_f1",
    "mood_n",
    "article_hit1",
    "article_hit3",
    "article_n",
)
# Precision each mood must reach on the dev set when thresholds are tuned: a
# false "angry" apologises to a calm customer and can hand them over to a
# person. Angry's bar is 0.90 on text nobody tuned on; with some forty angry
# dev messages per language, a threshold that just reaches 0.90 on dev falls
# short elsewhere by chance, so dev must show 0.95.
PRECISION_TARGETS = {"angry": 0.95, "confused": 0.80, "curious": 0.80}
# ... and, for a language's own angry threshold, the bar itself in each
# writer's round of that language: pt's earlier rounds had no calm message
# the model read as angry above 0.65, so they could not tell 0.65 from 0.9,
# and a new writer's messages then showed angry precision 0.86 at 0.65.
# (0.95 in each round of some twenty angry messages asked vi for 0.92,
# where its angry recall on dev falls to about 0.76.)
ROUND_ANGRY_PRECISION = 0.90


class CaseError(ValueError):
    """A cases file the evaluation cannot use, with what is wrong in it."""


def load_cases(path: Path) -> List[Dict[str, Any]]:
    try:
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CaseError(f"{path}: cannot read cases: {error}") from error
    if not isinstance(cases, list):
        raise CaseError(f"{path}: expected a YAML list of cases.")
    for number, case in enumerate(cases, start=1):
        if not isinstance(case, dict) or not isinstance(case.get("text"), str):
            raise CaseError(f"{path}: case {number} needs a `text`.")
        if case.get("lang") not in LANGUAGES:
            raise CaseError(
                f"{path}: case {number} has lang {case.get('lang')!r}; " f"expected one of {', '.join(LANGUAGES)}."
            )
    return cases


def check_labels(
    cases: Iterable[Dict[str, Any]],
    intents: Iterable[str],
    articles: Optional[Iterable[str]],
) -> None:
    """Refuse labels the model cannot predict: they would only look like misses."""
    known = {
        "intent": set(intents),
        "mood": set(MOODS),
        "script": {"Hans", "Hant"},
    }
    if articles is not None:
        known["article"] = set(articles)
    for number, case in enumerate(cases, start=1):
        for key, names in known.items():
            if key in case and case[key] not in names:
                raise CaseError(
                    f"case {number} ({case['text'][:40]!r}): unknown {key} "
                    f"{case[key]!r}; the model knows: {', '.join(sorted(names))}."
                )
        if "article" in case and articles is None:
            raise CaseError(f"case {number}: has an `article` label but no knowledge base was found.")


def macro_f1(pairs: List[tuple]) -> Optional[float]:
    if not pairs:
        return None
    labels = sorted({expected for expected, _ in pairs})
    scores = []
    for label in labels:
        tp = sum(1 for e, p in pairs if e == label and p == label)
        fp = sum(1 for e, p in pairs if e != label and p == label)
        fn = sum(1 for e, p in pairs if e == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def _ratio(hits: int, n: int) -> Optional[float]:
    return round(hits / n, 4) if n else None


def precision_recall(
    pairs: List[tuple], labels: Iterable[str]
) -> Tuple[Dict[str, Optional[float]], Dict[str, Optional[float]]]:
    """Each label's precision and recall (None where nothing was predicted / expected)."""
    precision, recall = {}, {}
    for label in labels:
        tp = sum(1 for e, p in pairs if e == label and p == label)
        predicted = sum(1 for _, p in pairs if p == label)
        expected = sum(1 for e, _ in pairs if e == label)
        precision[label] = _ratio(tp, predicted)
        recall[label] = _ratio(tp, expected)
    return precision, recall


def confusion(pairs: List[tuple]) -> Dict[str, Dict[str, int]]:
    """{label: {predicted: count}}; a missing prediction counts as "-"."""
    table: Dict[str, Dict[str, int]] = {}
    for expected, predicted in pairs:
        row = table.setdefault(expected, {})
        key = predicted if predicted is not None else "-"
        row[key] = row.get(key, 0) + 1
    return {label: dict(sorted(row.items())) for label, row in sorted(table.items())}


def metrics(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The figures over a list of {expected, predicted} results."""

    def labelled(key: str) -> List[Dict[str, Any]]:
        return [r for r in results if key in r["expected"]]

    language = [r["expected"]["lang"] == r["predicted"]["lang"] for r in results]
    script = [r["expected"]["script"] == r["predicted"]["script"] for r in labelled("script")]
    intent = [r["expected"]["intent"] == r["predicted"]["intent"] for r in labelled("intent")]
    moods = [(r["expected"]["mood"], r["predicted"]["mood"]) for r in labelled("mood")]
    articles = labelled("article")
    hit1 = sum(1 for r in articles if r["predicted"]["articles"][:1] == [r["expected"]["article"]])
    hit3 = sum(1 for r in articles if r["expected"]["article"] in r["predicted"]["articles"][:3])
    f1 = macro_f1(moods)
    mood_precision, mood_recall = precision_recall(moods, MOODS)
    intents = [(r["expected"]["intent"], r["predicted"]["intent"]) for r in labelled("intent")]
    return {
        "n": len(results),
        "language_acc": _ratio(sum(language), len(language)),
        "script_acc": _ratio(sum(script), len(script)),
        "intent_acc": _ratio(sum(intent), len(intent)),
        "intent_n": len(intent),
        "mood_macro_f1": round(f1, 4) if f1 is not None else None,
        "mood_n": len(moods),
        "article_hit1": _ratio(hit1, len(articles)),
        "article_hit3": _ratio(hit3, len(articles)),
        "article_n": len(articles),
        "mood_precision": mood_precision,
        "mood_recall": mood_recall,
        "mood_confusion": confusion(moods),
        "intent_confusion": confusion(intents),
    }


def report(results: List[Dict[str, Any]]) -> Dict[str, Any]:
    by_language: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
    for result in results:
        by_language[result["expected"]["lang"]].append(result)
    return {
        "per_language": {language: metrics(by_language[language]) for language in LANGUAGES},
        "overall": metrics(results),
        "cases": results,
    }


def format_table(summary: Dict[str, Any]) -> str:
    rows = [("", *METRIC_KEYS)]
    for name, figures in [*summary["per_language"].items(), ("overall", summary["overall"])]:
        rows.append((name, *("-" if figures[k] is None else str(figures[k]) for k in METRIC_KEYS)))
    return _columns(rows)


def _columns(rows: List[tuple]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)


def _figure(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f}"


def format_confusion(table: Dict[str, Dict[str, int]]) -> str:
    columns = sorted({p for row in table.values() for p in row} | set(table))
    rows = [("label \\ said", *columns)]
    for label, row in table.items():
        rows.append((label, *(str(row.get(c, "")) if row.get(c) else "." for c in columns)))
    return _columns(rows)


def format_details(summary: Dict[str, Any]) -> str:
    """Per language: each mood's precision and recall, then both confusion matrices."""
    parts = []
    for name, figures in summary["per_language"].items():
        if not figures["mood_n"] and not figures["intent_n"]:
            continue
        parts.append(f"== {name}")
        if figures["mood_n"]:
            rows = [("mood", "precision", "recall")] + [
                (mood, _figure(figures["mood_precision"][mood]), _figure(figures["mood_recall"][mood]))
                for mood in MOODS
            ]
            parts += [_columns(rows), "", "mood confusion", format_confusion(figures["mood_confusion"])]
        if figures["intent_n"]:
            parts += ["", "intent confusion", format_confusion(figures["intent_confusion"])]
        parts.append("")
    return "\n".join(parts)


class Evaluator:
    """Parses cases with a trained model and, for articles, the knowledge base."""

    def __init__(self, parse: Callable[[str], Dict[str, Any]], intents: Iterable[str], knowledge_base: Any = None):
        self.parse = parse
        self.intents = list(intents)
        self.knowledge_base = knowledge_base
        self._readings: Dict[str, Tuple[Any, Any]] = {}

    def predict(self, case: Dict[str, Any]) -> Dict[str, Any]:
        parsed = self.parse(case["text"])
        language = parsed.get("language") or {}
        predicted: Dict[str, Any] = {
            "lang": language.get("name"),
            "script": language.get("script"),
            "intent": (parsed.get("intent") or {}).get("name"),
            "mood": (parsed.get("mood") or {}).get("name"),
            "mood_probabilities": {entry["name"]: entry["confidence"] for entry in parsed.get("mood_ranking") or []},
            "articles": [],
        }
        if self.knowledge_base is not None and "article" in case:
            hits = self.knowledge_base.search(case["text"], predicted["lang"] or case["lang"], limit=3)
            predicted["articles"] = [hit.article_id for hit in hits]
        return predicted

    def reading(self, text: str) -> Tuple[Any, Any]:
        """(intent, mood) of a text, remembered: the invariance check asks often."""
        if text not in self._readings:
            parsed = self.parse(text)
            self._readings[text] = ((parsed.get("intent") or {}).get("name"), (parsed.get("mood") or {}).get("name"))
        return self._readings[text]

    def run(self, cases: List[Dict[str, Any]]) -> Dict[str, Any]:
        articles = self.knowledge_base.article_ids() if self.knowledge_base is not None else None
        check_labels(cases, self.intents, articles)
        results = []
        for case in cases:
            expected = {k: case[k] for k in ("lang", "script", "intent", "mood", "article", "round") if k in case}
            results.append({"text": case["text"], "expected": expected, "predicted": self.predict(case)})
        return report(results)


def _with_thresholds(results: List[Dict[str, Any]], thresholds: Dict[str, float]) -> List[tuple]:
    return [(r["expected"]["mood"], choose_mood(r["predicted"]["mood_probabilities"], thresholds)[0]) for r in results]


def tune_mood_thresholds(
    results: List[Dict[str, Any]], targets: Dict[str, float] = PRECISION_TARGETS
) -> Dict[str, float]:
    """Per-mood thresholds: the best macro-F1 while each mood's precision
    reaches its target in every language (or, where no threshold reaches
    it, the most precise).

    One mood at a time with the others fixed, twice round, over a grid of
    thresholds; the decision is choose_mood's, as in the classifier.
    """
    labelled = [r for r in results if "mood" in r["expected"] and r["predicted"].get("mood_probabilities")]
    if not labelled:
        raise CaseError("no mood-labelled cases with mood probabilities to tune on.")
    languages = sorted({r["expected"]["lang"] for r in labelled})
    grid = [round(0.2 + 0.01 * i, 2) for i in range(80)]
    thresholds = {mood: 0.5 for mood in targets}

    def worst_precision(trial: Dict[str, float], mood: str) -> float:
        worst = 1.0
        for language in languages:
            pairs = _with_thresholds([r for r in labelled if r["expected"]["lang"] == language], trial)
            precision = precision_recall(pairs, [mood])[0][mood]
            worst = min(worst, 1.0 if precision is None else precision)
        return worst

    for _ in range(2):
        for mood in targets:
            best = None
            for threshold in grid:
                trial = {**thresholds, mood: threshold}
                precision = worst_precision(trial, mood)
                reaches = precision >= targets[mood]
                key = (reaches, macro_f1(_with_thresholds(labelled, trial)) if reaches else precision, -threshold)
                if best is None or key > best[0]:
                    best = (key, threshold)
            assert best is not None  # the grid is not empty
            thresholds[mood] = best[1]
    return thresholds


def tune_angry_by_language(
    results: List[Dict[str, Any]],
    thresholds: Dict[str, float],
    target: float = PRECISION_TARGETS["angry"],
    round_target: float = ROUND_ANGRY_PRECISION,
) -> Dict[str, Dict[str, float]]:
    """Per language, the angry threshold with the best macro-F1 in that
    language while its angry precision reaches `target` there and
    `round_target` in each writer's round of it (cases' `round`; the other
    moods keep `thresholds`). The global threshold must satisfy the least
    precise language; the others need not pay for it in recall."""
    labelled = [r for r in results if "mood" in r["expected"] and r["predicted"].get("mood_probabilities")]
    grid = [round(0.2 + 0.01 * i, 2) for i in range(80)]
    tuned: Dict[str, Dict[str, float]] = {}

    def angry_precision(pairs: List[tuple]) -> float:
        precision = precision_recall(pairs, ["angry"])[0]["angry"]
        return 1.0 if precision is None else precision

    for language in sorted({r["expected"]["lang"] for r in labelled}):
        mine = [r for r in labelled if r["expected"]["lang"] == language]
        rounds: Dict[Any, List[Dict[str, Any]]] = defaultdict(list)
        for r in mine:
            if "round" in r["expected"]:
                rounds[r["expected"]["round"]].append(r)
        best = None
        for threshold in grid:
            trial = {**thresholds, "angry": threshold}
            pairs = _with_thresholds(mine, trial)
            precision = angry_precision(pairs)
            worst_round = min((angry_precision(_with_thresholds(part, trial)) for part in rounds.values()), default=1.0)
            reaches = precision >= target and worst_round >= round_target
            # Ties go to the higher threshold: a false "angry" costs more.
            key = (reaches, macro_f1(pairs) if reaches else min(precision, worst_round), threshold)
            if best is None or key > best[0]:
                best = (key, threshold)
        assert best is not None  # the grid is not empty
        tuned[language] = {"angry": best[1]}
    return tuned


def latest_model(models: Path) -> Path:
    if models.is_file():
        return models
    candidates = sorted(models.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        raise CaseError(f"no trained model in {models}/: run `make train` first.")
    return candidates[-1]


def quiet_rasa_logs() -> None:
    """Rasa logs every parse at debug level through structlog; keep warnings."""
    import structlog

    logging.getLogger("rasa").setLevel(logging.WARNING)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


def load_evaluator(model_path: Path, with_knowledge_base: bool, kb_folder: Optional[Path] = None) -> Evaluator:
    warning_filters.install_after_sanic()  # Rasa imports sanic
    from rasa.core.agent import Agent

    quiet_rasa_logs()
    agent = Agent.load(str(model_path))
    loop = asyncio.new_event_loop()

    def parse(text: str) -> Dict[str, Any]:
        return loop.run_until_complete(agent.parse_message(text))

    knowledge_base = None
    if with_knowledge_base:
        from bot.kb.service import KnowledgeBase, load_knowledge_base

        if kb_folder:
            knowledge_base = KnowledgeBase(kb_folder, reload_interval=3600)
            knowledge_base.wait_until_complete()
        else:
            knowledge_base = load_knowledge_base()
    return Evaluator(parse, agent.domain.intents, knowledge_base)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.evaluate", description=__doc__.splitlines()[0])
    parser.add_argument("cases", type=Path, help="YAML list of labelled cases")
    parser.add_argument("--json", type=Path, help="write the full report here")
    parser.add_argument("--model", type=Path, default=Path("models"), help="model file or folder")
    parser.add_argument(
        "--kb", type=Path, metavar="FOLDER", help="search this folder of articles instead of the project's"
    )
    parser.add_argument(
        "--invariance",
        action="store_true",
        help="also measure how often typing changes (final stop, case, accents, script) keep intent and mood",
    )
    parser.add_argument(
        "--tune-moods",
        action="store_true",
        help="print the mood thresholds for config.yml that reach the precision targets (dev set only)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        cases = load_cases(args.cases)
        if args.kb and not args.kb.is_dir():
            raise CaseError(f"--kb {args.kb}: not a folder of articles")
        evaluator = load_evaluator(latest_model(args.model), any("article" in c for c in cases), args.kb)
        summary = evaluator.run(cases)
    except CaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_table(summary))
    print()
    print(format_details(summary))
    if args.invariance:
        summary["invariance"] = invariance.measure(evaluator.reading, cases)
        print("Intent and mood unchanged when the typing changes (share, messages changed):")
        print(invariance.format_invariance(summary["invariance"]))
        print()
    if args.tune_moods:
        try:
            thresholds = tune_mood_thresholds(summary["cases"])
        except CaseError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        by_language = tune_angry_by_language(summary["cases"], thresholds)
        tuned = report(
            [
                {
                    **r,
                    "predicted": {
                        **r["predicted"],
                        "mood": choose_mood(
                            r["predicted"]["mood_probabilities"],
                            {**thresholds, **by_language.get(r["expected"]["lang"], {})},
                        )[0],
                    },
                }
                for r in summary["cases"]
            ]
        )
        print("Mood thresholds for config.yml (MoodClassifier: thresholds, language_thresholds):")
        print("  thresholds: {" + ", ".join(f"{m}: {t}" for m, t in thresholds.items()) + "}")
        print(
            "  language_thresholds: {"
            + ", ".join(f"{language}: {{angry: {found['angry']}}}" for language, found in by_language.items())
            + "}"
        )
        print("which give, on these cases:")
        print(format_table(tuned))
        print(format_details(tuned))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"\nwritten to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
