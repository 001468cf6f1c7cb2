"""The pieces every summary format is made of: error lines, step counts, key=value pairs, one line.

Input comes from servers and may have any shape; nothing here trusts it. No textual/rich imports here.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from tui.core.decode import decode_result, lookup
from tui.core.model import Steps
from tui.core.text import clean, code_and_message, shorten

MAX_SUMMARY = 200
SEP = " · "
# Width given to key=value pairs after a DMS task name.
_PAIRS_WIDTH = 48
_VALUE_WIDTH = 60

STATE_WORDS = {
    "pending": "waiting",
    "running": "running",
    "succeeded": "succeeded",
    "failed": "failed",
    "cancelled": "cancelled",
    "unknown": "",
}



def error_text(value: Any, *, loose: bool = False) -> str:
    """The "CODE: message" line for the error shapes the three APIs use; "" if value is no error.

    loose (the task failed): {code, message} and a lone message/detail/reason count too.
    """
    if not isinstance(value, dict):
        return ""
    code = lookup(value, "error_code", "errorCode")
    message = lookup(value, "error_msg", "error_message", "errorMsg", "errorMessage")
    if code is None and message is None and loose:
        code = lookup(value, "code")
        message = lookup(value, "message", "detail", "reason")
        if isinstance(message, dict | list):
            message = None
    if code is None and message is None:
        nested = lookup(value, "error")
        if isinstance(nested, dict):
            return error_text(nested) or error_text(
                {"error_code": lookup(nested, "code"), "error_msg": lookup(nested, "message")}
            )
        if isinstance(nested, str) and nested.strip() and len(value) <= 3:
            return nested
        return ""
    return code_and_message(scalar_text(code), scalar_text(message))


def steps_text(steps: Any) -> str:
    if steps is None:
        return ""
    if isinstance(steps, Steps) or all(hasattr(steps, a) for a in ("done", "failed", "total")):
        done, failed, total = (as_int(getattr(steps, a, None)) for a in ("done", "failed", "total"))
    elif isinstance(steps, list | tuple) and len(steps) == 3:
        done, failed, total = (as_int(x) for x in steps)
    else:
        return ""
    if done is None and total is None:
        return ""
    count = f"{done if done is not None else '?'}/{total}" if total is not None else f"{done}"
    return f"{count} steps, {failed or 0} failed"


def status_words(kind: str, state: str) -> str:
    word = STATE_WORDS.get(state, state)
    return " ".join(p for p in (kind, word) if p)


_ID_KEY = re.compile(r"(^|[_-])(id|ids|uuid)$", re.IGNORECASE)
_CAMEL_ID_KEY = re.compile(r"[a-z0-9](Id|Ids|ID|IDs|Uuid|UUID)$")
_INFORMATIVE = (
    "address", "name", "size", "capacity", "spec", "flavor", "version", "count", "num",
    "storage", "broker", "partition", "policy", "mode", "type", "engine", "az", "zone",
)  # fmt: skip


def _key_rank(key: str, value: Any) -> float:
    k = key.lower()
    if isinstance(value, bool):
        rank = 2.0
    elif isinstance(value, dict | list | tuple):
        rank = 3.0
    elif any(w in k for w in _INFORMATIVE):
        rank = 0.0
    else:
        rank = 1.0
    if k.startswith("new"):
        rank -= 0.5
    elif k.startswith(("old", "orig")):
        rank += 0.5
    return rank


def pairs_text(d: dict[Any, Any], *, ranked: bool) -> str:
    """key=value pairs within _PAIRS_WIDTH, " …" when some were left out.

    ranked: informative keys first and ids left out (unless there is nothing else).
    """
    items = [(text_of(k), v) for k, v in list(d.items())[:200]]
    if ranked:
        kept = [(k, v) for k, v in items if not (_ID_KEY.search(k) or _CAMEL_ID_KEY.search(k))]
        if kept:
            items = kept
        order = sorted(range(len(items)), key=lambda i: (_key_rank(*items[i]), i))
        items = [items[i] for i in order]
    shown: list[str] = []
    width = 0
    for key, value in items:
        pair = f"{key}={_value_text(value)}"
        if shown and width + 2 + len(pair) > _PAIRS_WIDTH:
            break
        shown.append(pair)
        width += len(pair) + (2 if len(shown) > 1 else 0)
    text = ", ".join(shown)
    if len(shown) < len(items):
        text += " …"
    return text


def _value_text(value: Any) -> str:
    if isinstance(value, dict | list | tuple):
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        return f"[{len(value)} items]" if not isinstance(value, dict) else "{…}"
    return shorten(scalar_text(value), _VALUE_WIDTH)


def describe(value: Any) -> str:
    """A generic line for a result of unknown shape."""
    if isinstance(value, dict):
        if not value:
            return ""
        error = error_text(value)
        if error:
            return error
        parts = []
        for key, v in list(value.items())[:20]:
            if isinstance(v, list | tuple):
                parts.append(f"{text_of(key)}: {len(v)} item" + ("" if len(v) == 1 else "s"))
            else:
                parts.append(f"{text_of(key)}={_value_text(v)}")
        text = ", ".join(parts)
        return text if len(value) <= 20 else text + " …"
    if isinstance(value, list | tuple):
        return f"{len(value)} item" + ("" if len(value) == 1 else "s")
    return scalar_text(value)


def scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value[:4096]
    if isinstance(value, int | float):
        try:
            return json.dumps(value)[:64]
        except Exception:
            return "?"
    if isinstance(value, dict | list | tuple):
        return describe(value)
    return text_of(value)


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:4096]
    try:
        return str(value)[:4096]
    except Exception:
        return ""


def as_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else None
    if isinstance(value, str):
        s = value.strip()
        if 0 < len(s) <= 20:
            try:
                f = float(s)
            except ValueError:
                return None
            return int(f) if math.isfinite(f) else None
    return None


def count_of(value: Any) -> int:
    if isinstance(value, list | tuple | dict):
        return len(value) if not isinstance(value, dict) else (1 if value else 0)
    n = as_int(value)
    return max(n, 0) if n is not None else 0


def short_id(value: str) -> str:
    value = value.strip()
    return value if len(value) <= 8 else value[:8] + "…"


def decoded(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    return decode_result(value) if isinstance(value, str) else value


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == {} or value == []


_SPACES = re.compile(r"\s+")


def one_line(text: str) -> str:
    text = _SPACES.sub(" ", text[: MAX_SUMMARY * 8]).strip()
    return shorten(clean(text, limit=MAX_SUMMARY * 2), MAX_SUMMARY)
