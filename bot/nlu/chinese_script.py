"""Tell Simplified from Traditional Chinese and convert between them (OpenCC)."""

from __future__ import annotations

import functools
import re
from typing import Optional

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

SIMPLIFIED = "Hans"
TRADITIONAL = "Hant"


@functools.cache
def _converter(config: str):
    import opencc  # lazy: only Chinese conversations need it

    return opencc.OpenCC(config)


def han_count(text: str) -> int:
    return len(HAN.findall(text))


def detect_script(text: str) -> Optional[str]:
    """Return "Hans" or "Hant" when the text's characters tell, else None.

    A character that OpenCC changes when converting Traditional to Simplified
    is Traditional evidence, and the other way round. Most characters are the
    same in both scripts, so short messages often carry no evidence.
    """
    chars = "".join(HAN.findall(text))
    if not chars:
        return None
    to_simplified = _converter("t2s").convert(chars)
    to_traditional = _converter("s2t").convert(chars)
    traditional = sum(1 for a, b in zip(chars, to_simplified) if a != b)
    simplified = sum(1 for a, b in zip(chars, to_traditional) if a != b)
    if traditional == simplified:
        return None
    return TRADITIONAL if traditional > simplified else SIMPLIFIED


def to_traditional(text: str) -> str:
    # s2twp: Taiwan wording as well as characters (软件 -> 軟體).
    return _converter("s2twp").convert(text)


def to_simplified(text: str) -> str:
    # tw2sp: Taiwan wording as well as characters (匯入檔案 -> 导入文件), so
    # the two scripts meet on the same words, not only the same characters.
    # It takes the Simplified 么 for a variant of 幺 ("什么" -> "什幺") while
    # it turns the Traditional 麼 into 么: given 麼, both scripts meet.
    return _converter("tw2sp").convert(text.replace("么", "麼"))
