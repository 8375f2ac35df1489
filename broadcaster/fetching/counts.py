"""Parse view and like counts as the platforms write them: digits, "1.2M", "3.5万", "18,123,456 views"."""

from __future__ import annotations

import math
import re
from decimal import Decimal

from broadcaster.core.errors import CountParseError

# separators inside a number must be followed by digits, so the repetition cannot backtrack
# exponentially; the suffix must not run into a word ("12 minutes" is 12, not 12 million)
_COUNT_RE = re.compile(
    r"([0-9]+(?:[.,\u00a0\u202f ][0-9]+)*)\s*(kk|k|m|b|w|千|万|萬|亿|億)?(?![a-z])", re.IGNORECASE
)
_SUFFIX = {
    "k": 10**3, "千": 10**3, "kk": 10**6, "m": 10**6, "b": 10**9,
    "w": 10**4, "万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8,
}
_MAX_COUNT_DIGITS = 18


def parse_count(value) -> int | None:
    """Return a non-negative count from an int or text ("1,234", "1.2M", "3.5万", "18,123,456 views"); None if empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CountParseError(f"不是计数：{value!r}")
    if isinstance(value, int):
        if value < 0:
            raise CountParseError(f"计数不能为负数：{value}")
        return value
    if isinstance(value, (float, Decimal)):
        if not math.isfinite(value) or value < 0 or value != int(value):
            raise CountParseError(f"不是整数计数：{value!r}")
        return int(value)
    if not isinstance(value, str):
        raise CountParseError(f"不是计数：{type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= _MAX_COUNT_DIGITS:
        return int(text)  # the common case: API and JSON digit strings
    if len(text) > 200:
        raise CountParseError("计数文本过长")
    m = _COUNT_RE.search(text)
    if m is None:
        if text.lower().startswith("no "):  # YouTube "No views" / "No likes"
            return 0
        raise CountParseError(f"无法解析的计数：{text[:60]!r}")
    before, after = text[:m.start()], text[m.end():]
    if before.rstrip().endswith(("-", "\u2212")):
        raise CountParseError(f"计数不能为负数：{text[:60]!r}")
    if any(c in "0123456789" for c in before) or any(c in "0123456789" for c in after):
        raise CountParseError(f"计数文本中有多个数字：{text[:60]!r}")
    suffix = m.group(2)
    return _count_number(m.group(1), _SUFFIX[suffix.lower()] if suffix else 1, text)


def _count_number(num: str, multiplier: int, text: str) -> int:
    """Return the integer value of "1,234" / "1.234" / "1 234" / "1.2" (decimal only with a suffix)."""
    groups = re.split(r"[.,\u00a0\u202f ]", num)
    seps = [c for c in num if not c.isdigit()]
    if sum(len(g) for g in groups) > _MAX_COUNT_DIGITS:
        raise CountParseError(f"计数过大：{text[:60]!r}")
    int_groups, frac = groups, ""
    if seps:
        last = seps[-1]
        thousands_only = len(set(seps)) == 1 and all(len(g) == 3 for g in groups[1:]) and not (
            multiplier > 1 and len(seps) == 1 and last in ".,"
        )
        if not thousands_only:
            if last not in ".,":
                raise CountParseError(f"无法解析的计数：{text[:60]!r}")
            int_groups, frac = groups[:-1], groups[-1]
            if any(c == last for c in seps[:-1]) or len(set(seps[:-1])) > 1:
                raise CountParseError(f"无法解析的计数：{text[:60]!r}")
            if not all(len(g) == 3 for g in int_groups[1:]):
                raise CountParseError(f"无法解析的计数：{text[:60]!r}")
    whole = Decimal("".join(int_groups) + ("." + frac if frac else ""))
    value = whole * multiplier
    if value != value.to_integral_value() and multiplier == 1:
        raise CountParseError(f"不是整数计数：{text[:60]!r}")
    return int(value)


def safe_count(value) -> int | None:
    """Return parse_count(value), or None when the value is not a count."""
    try:
        return parse_count(value)
    except CountParseError:
        return None


def json_count(value) -> int | None:
    """A count from a JSON field: an int or a count string; None for anything else (bools, floats, objects)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    return safe_count(value)
