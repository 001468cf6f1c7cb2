"""Decoding big results: what the detail pane and `status --json` pay for a whole Swagger export.

    python bench/bench_decode.py [--quick] [--json]

- decode_5mb_export: `decode_result` of an APIG export whose Comment is a 5 MB Swagger document in a
  JSON string, beside the baseline of the two `json.loads` any reader must do (the body, then the
  document inside it). Target: at most 3 x the baseline, and under a second.
- decode_20mb_string: a 20 MB string that only looks like JSON (kept as is, within the size budget),
  beside one `str.count` pass over it. Target: under 5 s (the text must not be parsed twice).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Figures, fig, med, standalone  # noqa: E402

from tui.core.decode import decode_nested, decode_result  # noqa: E402


def _export(paths: int) -> str:
    doc = {"swagger": "2.0", "info": {"title": "big", "version": "1"},
           "paths": {f"/p{i}": {"get": {"description": "d" * 150, "responses": {"200": {"description": "ok"}}}}
                     for i in range(paths)}}
    return json.dumps({"FileName": "big", "FileType": ".json", "Comment": json.dumps(doc, indent="\t")})


def _timed(fn: Any, inputs: list[str]) -> float:
    """Median milliseconds of fn over distinct inputs (equal texts could be answered from a cache)."""
    times = []
    for value in inputs:
        start = time.perf_counter()
        fn(value)
        times.append(time.perf_counter() - start)
    return med(times) * 1000


def run(quick: bool = False) -> Figures:
    repeat = 3 if quick else 7
    text = _export(20_000)
    texts = [text + " " * i for i in range(repeat)]
    decode_ms = _timed(decode_result, texts)
    loads_ms = _timed(lambda t: json.loads(json.loads(t)["Comment"]), texts)
    bigs = ["[" + "1," * 10_000_000 + "1]" + " " * i for i in range(1 if quick else 3)]
    keep_ms = _timed(decode_nested, bigs)
    scan_ms = _timed(lambda t: t.count(","), bigs)
    return {
        "decode_5mb_export": fig(decode_ms, "ms", "<= 3 x two json.loads of the same export, and < 1,000 ms",
                                 decode_ms <= 3 * loads_ms and decode_ms < 1000, baseline=loads_ms),
        "decode_20mb_string": fig(keep_ms, "ms", "< 5,000 ms for a 20 MB JSON-looking string kept as is "
                                  "(baseline: one scan of it)", keep_ms < 5000, baseline=scan_ms),
    }


def main(argv: list[str] | None = None) -> int:
    return standalone(run, __doc__, argv)


if __name__ == "__main__":
    raise SystemExit(main())
