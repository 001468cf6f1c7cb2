"""One-line summaries of task results, one format per result kind.

    apig import     1 created, 0 failed · group 9100ae30…
    apig error      APIG.3201 The API group name already exists
    apig export     test8 (swagger 2.0) · 1 path · test8-RELEASE-all-2023-07-11-19:54:22.json
    smint download  download ready: https://…
    smint progress  5/12 steps, 0 failed
    dms             bindInstancePublicIp · public_ip_address=100.93.2.18 …
    nothing yet     import_api waiting

Input comes from servers and may have any shape; `summarize` makes a best effort
and never raises. The result is one line, cleaned for a terminal, at most 200
characters. No textual/rich imports here.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from tui.core.decode import decode_result, download_url, export_document, lookup
from tui.core.model import Steps
from tui.core.text import clean, shorten

__all__ = ["summarize", "MAX_SUMMARY"]

MAX_SUMMARY = 200
SEP = " · "
# Width given to key=value pairs after a DMS task name.
_PAIRS_WIDTH = 48
_VALUE_WIDTH = 60

_STATE_WORDS = {
    "pending": "waiting",
    "running": "running",
    "succeeded": "succeeded",
    "failed": "failed",
    "cancelled": "cancelled",
    "unknown": "",
}


def summarize(
    family: str,
    kind: str,
    state: str,
    decoded_result: Any,
    *,
    steps: tuple[int, int, int] | Steps | None = None,
    params: Any = None,
) -> str:
    """A one-line summary of a task's result.

    family: "smint" | "dms" | "apig"; kind: the task name/type as the API names it;
    state: a TaskState value ("pending", "running", "succeeded", ...);
    decoded_result: what decode_result() made of the result text;
    steps: (done, failed, total) in the order of model.Steps, or a Steps;
    params: DMS task params (decoded or as the JSON string).
    """
    try:
        text = _summarize(
            _text(family).lower(), _text(kind), _text(state).lower(), decoded_result, steps, params
        )
    except Exception:
        try:
            text = _status_words(_text(kind), _text(state).lower())
        except Exception:
            text = ""
    return _one_line(text)


def _summarize(family: str, kind: str, state: str, result: Any, steps: Any, params: Any) -> str:
    result = _decoded(result)  # tolerate callers that pass the raw text
    if family == "apig":
        return _apig(kind, state, result)
    if family == "smint":
        return _smint(kind, state, result, steps)
    if family == "dms":
        return _dms(kind, state, result, params)
    if _empty(result):
        return _steps_text(steps) or _status_words(kind, state)
    return _describe(result)


# ---------------------------------------------------------------------------
# per family


def _apig(kind: str, state: str, result: Any) -> str:
    if _empty(result):
        return _status_words(kind, state)
    error = _error_text(result)
    if error:
        return error
    if isinstance(result, dict):
        export = _export_text(result)
        if export:
            return export
        if any(lookup(result, k) is not None for k in ("success", "failure", "ignore", "group_id")):
            return _import_text(result)
    return _describe(result)


def _smint(kind: str, state: str, result: Any, steps: Any) -> str:
    url = download_url(result)
    if url:
        return f"download ready: {url}"
    error = _error_text(result, loose=state == "failed")
    if error:
        return error
    if _empty(result):
        return _steps_text(steps) or _status_words(kind, state)
    return _describe(result)


def _dms(kind: str, state: str, result: Any, params: Any) -> str:
    if params is None or params == "":
        params = result
    params = _decoded(params)
    head = kind
    if _empty(params):
        return head or _STATE_WORDS.get(state, state)
    if isinstance(params, dict):
        pairs = _pairs_text(params, ranked=True)
    else:
        pairs = _describe(params)
    return f"{head}{SEP}{pairs}" if head and pairs else head or pairs


# ---------------------------------------------------------------------------
# APIG results


def _import_text(result: dict[str, Any]) -> str:
    created = updated = 0
    success = lookup(result, "success")
    if isinstance(success, list | tuple):
        for item in success:
            action = _text(lookup(item, "action")).strip().lower()
            if action.startswith("update"):
                updated += 1
            else:
                created += 1
    else:
        created = _count(success)
    failure = lookup(result, "failure")
    failed = _count(failure)
    ignored = _count(lookup(result, "ignore"))
    text = f"{created} created"
    if updated:
        text += f", {updated} updated"
    text += f", {failed} failed"
    if ignored:
        text += f", {ignored} ignored"
    group = lookup(result, "group_id")
    if group is not None and group != "":
        text += f"{SEP}group {_short_id(_text(group))}"
    if failed and isinstance(failure, list | tuple) and failure:
        first = failure[0]
        where = " ".join(_text(lookup(first, k)) for k in ("method", "path") if lookup(first, k))
        why = _error_text(first) or ("" if isinstance(first, dict) else _text(first))
        detail = f"{where}: {why}" if where and why else where or why
        if detail:
            text += f"{SEP}{detail}"
    return text


def _export_text(result: dict[str, Any]) -> str:
    found = export_document(result)
    if found is None:
        return ""
    name, doc = found
    title, spec, version, paths = _api_info(doc)
    parts = []
    if title and spec:
        parts.append(f"{title} ({spec} {version})" if version else f"{title} ({spec})")
    elif title or spec:
        parts.append(title or (f"{spec} {version}" if version else spec))
    if paths is not None:
        parts.append(f"{paths} path" + ("" if paths == 1 else "s"))
    parts.append(name)
    return SEP.join(p for p in parts if p)


_SPEC_RE = re.compile(r"""["']?\b(swagger|openapi)["']?\s*:\s*["']?([0-9][\w.\-]*)""")
_TITLE_RE = re.compile(r"""["']?\btitle["']?\s*:\s*(?:"((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'|([^\n,{}]+))""")


def _api_info(doc: Any) -> tuple[str, str, str, int | None]:
    """(title, "swagger"|"openapi", version, number of paths) of an API document; "" / None if unknown."""
    if isinstance(doc, dict):
        spec = "swagger" if "swagger" in doc else "openapi" if "openapi" in doc else ""
        version = _scalar_text(doc.get(spec)) if spec else ""
        title = _scalar_text(lookup(lookup(doc, "info"), "title"))
        paths = lookup(doc, "paths")
        count = len(paths) if isinstance(paths, dict | list) else None
        return title, spec, version, count
    if isinstance(doc, str):
        # A YAML export, or JSON too large to decode: look near the top only.
        head = doc[:262_144]
        spec = version = title = ""
        m = _SPEC_RE.search(head)
        if m:
            spec, version = m.group(1), m.group(2)
        t = _TITLE_RE.search(head)
        if t:
            title = next((g for g in t.groups() if g is not None), "").strip()
        return title, spec, version, None
    return "", "", "", None


def _error_text(value: Any, *, loose: bool = False) -> str:
    """The "CODE message" line for the error shapes the three APIs use; "" if value is no error.

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
            return _error_text(nested) or _error_text(
                {"error_code": lookup(nested, "code"), "error_msg": lookup(nested, "message")}
            )
        if isinstance(nested, str) and nested.strip() and len(value) <= 3:
            return nested
        return ""
    parts = [_scalar_text(code), _scalar_text(message)]
    return " ".join(p for p in parts if p)


# ---------------------------------------------------------------------------
# generic pieces


def _steps_text(steps: Any) -> str:
    if steps is None:
        return ""
    if isinstance(steps, Steps) or all(hasattr(steps, a) for a in ("done", "failed", "total")):
        done, failed, total = (_int(getattr(steps, a, None)) for a in ("done", "failed", "total"))
    elif isinstance(steps, list | tuple) and len(steps) == 3:
        done, failed, total = (_int(x) for x in steps)
    else:
        return ""
    if done is None and total is None:
        return ""
    count = f"{done if done is not None else '?'}/{total}" if total is not None else f"{done}"
    return f"{count} steps, {failed or 0} failed"


def _status_words(kind: str, state: str) -> str:
    word = _STATE_WORDS.get(state, state)
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


def _pairs_text(d: dict[Any, Any], *, ranked: bool) -> str:
    """key=value pairs within _PAIRS_WIDTH, " …" when some were left out.

    ranked: informative keys first and ids left out (unless there is nothing else).
    """
    items = [(_text(k), v) for k, v in list(d.items())[:200]]
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
    return shorten(_scalar_text(value), _VALUE_WIDTH)


def _describe(value: Any) -> str:
    """A generic line for a result of unknown shape."""
    if isinstance(value, dict):
        if not value:
            return ""
        error = _error_text(value)
        if error:
            return error
        parts = []
        for key, v in list(value.items())[:20]:
            if isinstance(v, list | tuple):
                parts.append(f"{_text(key)}: {len(v)} item" + ("" if len(v) == 1 else "s"))
            else:
                parts.append(f"{_text(key)}={_value_text(v)}")
        text = ", ".join(parts)
        return text if len(value) <= 20 else text + " …"
    if isinstance(value, list | tuple):
        return f"{len(value)} item" + ("" if len(value) == 1 else "s")
    return _scalar_text(value)


def _scalar_text(value: Any) -> str:
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
        return _describe(value)
    return _text(value)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value[:4096]
    try:
        return str(value)[:4096]
    except Exception:
        return ""


def _int(value: Any) -> int | None:
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


def _count(value: Any) -> int:
    if isinstance(value, list | tuple | dict):
        return len(value) if not isinstance(value, dict) else (1 if value else 0)
    n = _int(value)
    return max(n, 0) if n is not None else 0


def _short_id(value: str) -> str:
    value = value.strip()
    return value if len(value) <= 8 else value[:8] + "…"


def _decoded(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    return decode_result(value) if isinstance(value, str) else value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == {} or value == []


_SPACES = re.compile(r"\s+")


def _one_line(text: str) -> str:
    text = _SPACES.sub(" ", text[: MAX_SUMMARY * 8]).strip()
    return shorten(clean(text, limit=MAX_SUMMARY * 2), MAX_SUMMARY)
