"""How each family's results read in one line (see tui.core.summary for examples).

Each format takes (kind, state, decoded result, steps, params) and may raise on shapes it does not
expect: `summarize` catches that and falls back to the kind and state. A family's declaration
(tui.core.families) names its format.
"""

from __future__ import annotations

import re
from typing import Any

from tui.core.decode import download_url, export_document, lookup
from tui.core.summary_text import (
    SEP,
    STATE_WORDS,
    count_of,
    decoded,
    describe,
    error_text,
    is_empty,
    pairs_text,
    scalar_text,
    short_id,
    status_words,
    steps_text,
    text_of,
)


def failed_parts(result: Any, steps: Any = None) -> int:
    """How many parts of a task failed: an APIG import's `failure` list, or Smint.io's failed steps.

    A task can succeed with some parts failed; such a task must not look like a clean success.
    """
    failed = getattr(steps, "failed", 0) or 0
    if isinstance(result, dict) and ("success" in result or "group_id" in result):
        failed = max(failed, count_of(lookup(result, "failure")))
    return int(failed)


def generic_summary(kind: str, state: str, result: Any, steps: Any, params: Any) -> str:
    """Any family without a format of its own: step counts, the result described, or kind and state."""
    if is_empty(result):
        return steps_text(steps) or status_words(kind, state)
    return describe(result)


def apig_summary(kind: str, state: str, result: Any, steps: Any, params: Any) -> str:
    if is_empty(result):
        return status_words(kind, state)
    error = error_text(result)
    if error:
        return error
    if isinstance(result, dict):
        export = _export_text(result)
        if export:
            return export
        if any(lookup(result, k) is not None for k in ("success", "failure", "ignore", "group_id")):
            return _import_text(result)
    return describe(result)


def smint_summary(kind: str, state: str, result: Any, steps: Any, params: Any) -> str:
    url = download_url(result)
    if url:
        return f"download ready: {url}"
    error = error_text(result, loose=state == "failed")
    if error:
        return error
    if is_empty(result):
        return steps_text(steps) or status_words(kind, state)
    return describe(result)


def dms_summary(kind: str, state: str, result: Any, steps: Any, params: Any) -> str:
    if params is None or params == "":
        params = result
    params = decoded(params)
    head = kind
    if is_empty(params):
        return head or STATE_WORDS.get(state, state)
    if isinstance(params, dict):
        pairs = pairs_text(params, ranked=True)
    else:
        pairs = describe(params)
    return f"{head}{SEP}{pairs}" if head and pairs else head or pairs


def _import_text(result: dict[str, Any]) -> str:
    created = updated = 0
    success = lookup(result, "success")
    if isinstance(success, list | tuple):
        for item in success:
            action = text_of(lookup(item, "action")).strip().lower()
            if action.startswith("update"):
                updated += 1
            else:
                created += 1
    else:
        created = count_of(success)
    failure = lookup(result, "failure")
    failed = count_of(failure)
    ignored = count_of(lookup(result, "ignore"))
    text = f"{created} created"
    if updated:
        text += f", {updated} updated"
    text += f", {failed} failed"
    if ignored:
        text += f", {ignored} ignored"
    group = lookup(result, "group_id")
    if group is not None and group != "":
        text += f"{SEP}group {short_id(text_of(group))}"
    if failed and isinstance(failure, list | tuple) and failure:
        first = failure[0]
        where = " ".join(text_of(lookup(first, k)) for k in ("method", "path") if lookup(first, k))
        why = error_text(first) or ("" if isinstance(first, dict) else text_of(first))
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
        version = scalar_text(doc.get(spec)) if spec else ""
        title = scalar_text(lookup(lookup(doc, "info"), "title"))
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
