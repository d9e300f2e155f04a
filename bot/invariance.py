"""Does how a message is typed change what the assistant understands?

Four changes customers make without changing what they mean: adding or
removing the final full stop, lower-casing the first letter, leaving out
accents and diacritics, writing Chinese in the other script. For each, the
share of messages (among those the change applies to) whose intent and mood
both stay the same. Written apart from the training-time variants
(bot/nlu/typing_variants.py) so that it checks them rather than repeats them.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable, Dict, Iterable, List, Tuple

from bot.languages import LANGUAGES


def toggle_full_stop(text: str) -> str:
    text = text.rstrip()
    if text.endswith((".", "。")):
        return text[:-1].rstrip()
    if re.search(r"[!?！？…:;,]$", text):
        return text  # other final punctuation: not this change
    return text + ("。" if re.search(r"[\u4e00-\u9fff]", text) else ".")


def lower_first_letter(text: str) -> str:
    """The first letter in lower case ("¿Tienen" -> "¿tienen")."""
    match = re.search(r"[^\W\d_]", text)
    if not match:
        return text
    i = match.start()
    return text[:i] + text[i].lower() + text[i + 1 :]


def strip_marks(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def switch_script(text: str) -> str:
    import opencc

    simplified = opencc.OpenCC("t2s").convert(text)
    return opencc.OpenCC("s2t").convert(text) if simplified == text else simplified


TRANSFORMATIONS: Dict[str, Callable[[str], str]] = {
    "full_stop": toggle_full_stop,
    "first_letter": lower_first_letter,
    "accents": strip_marks,
    "chinese_script": switch_script,
}

Reading = Tuple[Any, Any]  # (intent, mood)


def measure(parse: Callable[[str], Reading], cases: Iterable[Dict[str, Any]]) -> Dict[str, Dict[str, Dict[str, Any]]]:
    """{transformation: {language or "overall": {"stable", "n", "share"}}}."""
    cases = list(cases)
    result: Dict[str, Dict[str, Dict[str, Any]]] = {}
    for name, change in TRANSFORMATIONS.items():
        counts: Dict[str, List[int]] = {language: [0, 0] for language in (*LANGUAGES, "overall")}
        for case in cases:
            changed = change(case["text"])
            if changed == case["text"]:
                continue
            stable = int(parse(case["text"]) == parse(changed))
            for key in (case["lang"], "overall"):
                counts[key][0] += stable
                counts[key][1] += 1
        result[name] = {
            key: {"stable": s, "n": n, "share": round(s / n, 4) if n else None} for key, (s, n) in counts.items()
        }
    return result


def format_invariance(figures: Dict[str, Dict[str, Dict[str, Any]]]) -> str:
    keys = (*LANGUAGES, "overall")
    rows: List[Tuple[str, ...]] = [("change", *keys)]
    for name, by_key in figures.items():
        rows.append(
            (
                name,
                *("-" if by_key[k]["share"] is None else f"{by_key[k]['share']:.3f} ({by_key[k]['n']})" for k in keys),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(keys) + 1)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)
