"""Coverage-guided fuzzing of the response parsers with atheris (optional: `pip install atheris`).

    python tests/fuzz/atheris_parsers.py -runs=100000            # or -max_total_time=600
    python tests/fuzz/atheris_parsers.py corpus_dir/ -runs=...    # keep the inputs it finds

One input is split into: a family, an HTTP status, a content type and a body. The body goes
through what a provider does with a response (json.loads, then the family's snapshot_from_body;
error bodies through parse_error_body and excerpt; result strings through decode_result). Anything
but ProviderError escaping, or a control character in a shown string, is a crash.
"""

from __future__ import annotations

import json
import re
import sys

import atheris
import httpx

# Only taskdeck's own modules are instrumented (instrumenting httpx & co. costs seconds at start).
with atheris.instrument_imports(include=["tui"]):
    from tui.core.config import ProviderConfig
    from tui.core.decode import decode_result
    from tui.core.model import TaskRef
    from tui.providers.apig import ApigProvider
    from tui.providers.dms import DmsProvider
    from tui.providers.errors import ProviderError, excerpt, parse_error_body
    from tui.providers.smint import SmintProvider

UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
KINDS = [("smint", SmintProvider), ("huawei-dms", DmsProvider), ("huawei-apig", ApigProvider)]
PROVIDERS = [cls(ProviderConfig(name="p", kind=kind, base_url="http://fuzz.invalid",
                                project_id="0123456789abcdef0123456789abcdef"), client=httpx.AsyncClient())
             for kind, cls in KINDS]
REFS = [TaskRef("p", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"),
        TaskRef("p", "8abfa7b272adc5b40172b73130065ae7", instance="i"),
        TaskRef("p", "d6e8834b6f0f4711a2fa5345e5b60833", instance="g")]
CONTENT_TYPES = ["application/json", "text/html", "text/plain", ""]


def check(text: str) -> None:
    if UNSAFE.search(text):
        raise AssertionError(f"control character in {text!r}")


def one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    which = fdp.ConsumeIntInRange(0, 2)
    error_status = fdp.ConsumeBool()
    content_type = CONTENT_TYPES[fdp.ConsumeIntInRange(0, len(CONTENT_TYPES) - 1)]
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    if error_status:
        code, message = parse_error_body(body, content_type)
        check(ProviderError(f"server error: {message}", code=code, status=500).message)
        check(excerpt(body, content_type))
        return
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        check(excerpt(body, content_type))
        return
    try:
        snap = PROVIDERS[which].snapshot_from_body(REFS[which], parsed, body.decode("utf-8", "replace"))
    except ProviderError as error:
        check(str(error))
        return
    for text in (snap.raw_state, snap.title, snap.kind, snap.summary):
        check(text)
    if snap.progress is not None and not 0.0 <= snap.progress <= 100.0:
        raise AssertionError(f"progress {snap.progress}")
    decode_result(body.decode("utf-8", "replace"))


def main(argv: list[str]) -> None:
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
