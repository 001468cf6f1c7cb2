"""One-line summaries of task results, one format per result kind.

    apig import     1 created, 0 failed · group 9100ae30…
    apig error      APIG.3201: The API group name already exists
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

from typing import Any

from tui.core.families import Family, family_named
from tui.core.model import Steps
from tui.core.summary_formats import generic_summary
from tui.core.summary_text import MAX_SUMMARY, decoded, one_line, status_words, text_of

__all__ = ["summarize", "MAX_SUMMARY"]


def summarize(
    family: Family | str,
    kind: str,
    state: str,
    decoded_result: Any,
    *,
    steps: tuple[int, int, int] | Steps | None = None,
    params: Any = None,
) -> str:
    """A one-line summary of a task's result.

    family: the family's declaration, or its short name ("smint" | "dms" | "apig"); its summariser
    writes the line (an unknown family gets the generic one);
    kind: the task name/type as the API names it;
    state: a TaskState value ("pending", "running", "succeeded", ...);
    decoded_result: what decode_result() made of the result text;
    steps: (done, failed, total) in the order of model.Steps, or a Steps;
    params: DMS task params (decoded or as the JSON string).
    """
    try:
        found = family if isinstance(family, Family) else family_named(text_of(family).lower())
        summariser = found.summariser if found is not None else generic_summary
        # decoded(): tolerate callers that pass the raw text
        text = summariser(text_of(kind), text_of(state).lower(), decoded(decoded_result), steps, params)
    except Exception:
        try:
            text = status_words(text_of(kind), text_of(state).lower())
        except Exception:
            text = ""
    return one_line(text)
