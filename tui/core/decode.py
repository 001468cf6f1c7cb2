"""Turn task results into structures: JSON held in strings is unwrapped, within limits.

The three APIs return results as text. APIG's `task_result` is a JSON string whose
export `Comment` is itself the Swagger document as a JSON string; Smint's
`result_string` is a URL, JSON, or JSON wrapped in single quotes; DMS `params` is a
JSON string. `decode_nested` and `decode_result` undo that, and never raise:
whatever does not decode, or lies beyond the limits, stays the string it was.

Decoded values may be shared between calls (see `decode_result`): treat them as
read-only. No textual/rich imports here.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

__all__ = [
    "decode_nested",
    "decode_result",
    "download_url",
    "export_document",
    "to_pretty_json",
]

# Containers nested deeper than this are returned as they are (nothing below is unwrapped).
# It bounds the recursion of the walk; real results are a few dozen levels deep at most.
_MAX_NESTING = 64
# The text parsed in one call, summed over all strings, is capped at this many times max_bytes.
_TOTAL_BUDGET_FACTOR = 4

_OPEN_CLOSE = {"{": "}", "[": "]", '"': '"'}
_WHITESPACE = " \t\r\n"


def _candidate(s: str) -> tuple[str, bool] | None:
    """The text to hand to json.loads if `s` looks like encoded JSON, and whether it was '…'-quoted.

    Only objects, arrays and quoted strings are candidates: "1", "true" and "null"
    stay strings (DMS sends counts as strings on purpose).
    """
    if len(s) < 2:
        return None
    first, last = s[0], s[-1]
    if first in _WHITESPACE or last in _WHITESPACE:
        s = s.strip(_WHITESPACE)
        if len(s) < 2:
            return None
        first, last = s[0], s[-1]
    if _OPEN_CLOSE.get(first) == last:
        return s, False
    if first == "'" and last == "'":
        inner = s[1:-1].strip(_WHITESPACE)
        if len(inner) >= 2 and inner[0] in "{[" and _OPEN_CLOSE[inner[0]] == inner[-1]:
            return inner, True
    return None


def _is_api_document(value: object) -> bool:
    """A Swagger/OpenAPI document: kept verbatim (its sample strings are content, not encodings)."""
    return (
        isinstance(value, dict)
        and ("swagger" in value or "openapi" in value)
        and ("paths" in value or "info" in value)
    )


class _Decoder:
    __slots__ = ("max_depth", "max_bytes", "budget", "memo")

    def __init__(self, max_depth: int, max_bytes: int) -> None:
        self.max_depth = max_depth
        self.max_bytes = max_bytes
        self.budget = max_bytes * _TOTAL_BUDGET_FACTOR
        # Identical strings met again in the same call are parsed once.
        self.memo: dict[str, Any] = {}

    def value(self, v: Any, unwraps: int, nesting: int) -> Any:
        if isinstance(v, str):
            return self.string(v, unwraps, nesting)
        if isinstance(v, bytes | bytearray | memoryview):
            return self.string(bytes(v).decode("utf-8", "replace"), unwraps, nesting)
        if nesting >= _MAX_NESTING:
            return v
        if isinstance(v, dict):
            return {k: self.value(x, unwraps, nesting + 1) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x, unwraps, nesting + 1) for x in v]
        if isinstance(v, tuple):
            return tuple(self.value(x, unwraps, nesting + 1) for x in v)
        return v

    def string(self, s: str, unwraps: int, nesting: int) -> Any:
        if unwraps >= self.max_depth or nesting >= _MAX_NESTING:
            return s
        found = _candidate(s)
        if found is None:
            return s
        text, quoted = found
        if s in self.memo:
            return self.memo[s]
        if len(text) > self.max_bytes or len(text) > self.budget:
            return s
        self.budget -= len(text)
        try:
            parsed = json.loads(text)
        except Exception:  # ValueError, RecursionError, MemoryError: all mean "not for us"
            if not (quoted and '\\"' in text):
                return s
            # '{\"a\":1}' as the Smint docs print it: the escapes are still there.
            try:
                parsed = json.loads('"' + text + '"')
            except Exception:
                return s
        if isinstance(parsed, str):
            result = self.string(parsed, unwraps + 1, nesting + 1)
            if not isinstance(result, dict | list):
                # A quoted string that is just text ("\"hello\"") keeps its quotes.
                return s
        elif isinstance(parsed, dict | list):
            result = parsed if _is_api_document(parsed) else self.value(parsed, unwraps + 1, nesting + 1)
        else:
            return s
        self.memo[s] = result
        return result


def decode_nested(value: Any, *, max_depth: int = 32, max_bytes: int = 8_000_000) -> Any:
    """Unwrap JSON held in strings, recursively, anywhere inside `value`.

    - `max_depth`: how many string-in-string levels are unwrapped; deeper strings stay strings.
    - `max_bytes`: a string longer than this (in characters) is not parsed and stays as it is;
      the text parsed in one call is also capped at 4 x max_bytes in total.

    Only JSON objects and arrays (and quoted strings holding them) are unwrapped;
    '…'-quoted JSON is accepted. A Swagger/OpenAPI document is not walked into.
    Containers are copied, never changed in place. Never raises.
    """
    try:
        return _Decoder(max(0, int(max_depth)), max(0, int(max_bytes))).value(value, 0, 0)
    except Exception:
        return value


# decode_result cache: the same result text polled again is not parsed again.
_CACHE: OrderedDict[str, Any] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_ENTRIES = 16
_CACHE_CHARS = 24_000_000
_cache_chars = 0


def _cache_get(text: str) -> tuple[bool, Any]:
    with _CACHE_LOCK:
        if text in _CACHE:
            _CACHE.move_to_end(text)
            return True, _CACHE[text]
    return False, None


def _cache_put(text: str, value: Any) -> None:
    global _cache_chars
    if len(text) > _CACHE_CHARS:
        return
    with _CACHE_LOCK:
        if text in _CACHE:
            return
        _CACHE[text] = value
        _cache_chars += len(text)
        while _CACHE and (len(_CACHE) > _CACHE_ENTRIES or _cache_chars > _CACHE_CHARS):
            old, _ = _CACHE.popitem(last=False)
            _cache_chars -= len(old)


def decode_result(text: str | None) -> Any:
    """Decode a task's result text: JSON (also '…'-quoted) becomes a structure, all else stays text.

    None stays None, "" stays "", a URL stays a str. Results of the same text are
    cached and shared, so do not modify what this returns. Never raises.
    """
    try:
        if text is None:
            return None
        if isinstance(text, bytes | bytearray | memoryview):
            text = bytes(text).decode("utf-8", "replace")
        if not isinstance(text, str):
            return decode_nested(text)
        if _candidate(text) is None:
            return text
        hit, value = _cache_get(text)
        if hit:
            return value
        value = decode_nested(text)
        if value is not text:
            _cache_put(text, value)
        return value
    except Exception:
        return text


# ---------------------------------------------------------------------------
# Tolerant lookups shared with tui.core.summary


def _norm(key: object) -> str:
    return str(key).replace("_", "").replace("-", "").lower()


def lookup(obj: Any, *names: str) -> Any:
    """obj[name] for the first name present, ignoring case, `_` and `-`; None if obj is no dict."""
    if not isinstance(obj, dict):
        return None
    for name in names:
        if name in obj:
            return obj[name]
    wanted = [_norm(n) for n in names]
    if len(obj) > 200:
        return None  # a large dict has the exact key or not; don't scan it
    found = {_norm(k): v for k, v in obj.items()}
    for w in wanted:
        if w in found:
            return found[w]
    return None


def download_url(decoded_result: Any) -> str | None:
    """The URL of a Smint download: `{"assetDownloadUrl": {"url": ...}}`, or a bare http(s) URL result."""
    try:
        value = decoded_result
        if isinstance(value, dict):
            inner = lookup(value, "assetDownloadUrl")
            if isinstance(inner, dict):
                inner = lookup(inner, "url")
            if isinstance(inner, str) and inner.strip():
                return inner.strip()
            return None
        if isinstance(value, str):
            s = value.strip().strip("'\"").strip()
            if s.lower().startswith(("https://", "http://")) and not any(c.isspace() for c in s):
                return s
        return None
    except Exception:
        return None


def _safe_file_name(name: str) -> str:
    name = "".join("_" if c in "/\\" or ord(c) < 0x20 or c == "\x7f" else c for c in name)
    name = name.strip().lstrip(".")
    return name[:200]


def export_document(decoded_result: Any) -> tuple[str, Any] | None:
    """(suggested file name, document) for an APIG export result; None for anything else.

    The document is the decoded Swagger/OpenAPI object, or the text as exported
    when it is not JSON (a YAML export) or too large to decode.
    """
    try:
        r = decoded_result
        if isinstance(r, str):
            r = decode_result(r)
        if not isinstance(r, dict):
            return None
        if _is_api_document(r):
            doc: Any = r
            file_name: Any = None
            file_type: Any = None
        else:
            doc = lookup(r, "Comment", "content")
            if doc is None or doc == "":
                return None
            if isinstance(doc, str):
                doc = decode_result(doc)
            file_name = lookup(r, "FileName")
            file_type = lookup(r, "FileType")
        if not isinstance(file_name, str) or not file_name.strip():
            title = lookup(lookup(doc, "info"), "title")
            file_name = title if isinstance(title, str) and title.strip() else "api-export"
        if not isinstance(file_type, str) or not file_type.strip():
            file_type = ".json" if isinstance(doc, dict | list) else ""
        file_type = file_type.strip()
        if file_type and not file_type.startswith("."):
            file_type = "." + file_type
        name = file_name.strip()
        if file_type and not name.lower().endswith(file_type.lower()):
            name += file_type
        return _safe_file_name(name) or "api-export.json", doc
    except Exception:
        return None


def _jsonable(value: Any, depth: int = 0) -> Any:
    """A copy that json can always encode: str keys, no cycles, bounded depth."""
    if depth > 200:
        return "…"
    if isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v, depth + 1) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def to_pretty_json(value: Any, *, max_chars: int | None = None) -> tuple[str, bool]:
    """(JSON with indent 2 and real non-ASCII characters, whether it was cut at max_chars).

    Values json cannot encode are written as their str(). Encoding stops early once
    max_chars is reached. The text is not sanitised for a terminal: pass it through
    tui.core.text.clean(multiline=True) before showing it. Never raises.
    """
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, default=str)
    for attempt in (value, None):
        try:
            if attempt is None:
                attempt = _jsonable(value)
            if max_chars is None:
                return encoder.encode(attempt), False
            limit = max(0, int(max_chars))
            parts: list[str] = []
            size = 0
            for chunk in encoder.iterencode(attempt):
                parts.append(chunk)
                size += len(chunk)
                if size > limit:
                    return "".join(parts)[:limit], True
            return "".join(parts), False
        except Exception:
            continue
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    if max_chars is not None and len(text) > max(0, int(max_chars)):
        return text[: max(0, int(max_chars))], True
    return text, False

