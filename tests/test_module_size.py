"""Every module under `tui/` stays at most 400 lines, so each one can be read whole and keeps one job.

A module that outgrows the limit is split by job; there is no allow-list.
"""

from __future__ import annotations

from pathlib import Path

MAX_LINES = 400
ROOT = Path(__file__).resolve().parent.parent


def _line_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in sorted((ROOT / "tui").rglob("*.py")):
        with path.open("rb") as handle:
            counts[path.relative_to(ROOT).as_posix()] = sum(1 for _ in handle)
    return counts


def test_the_module_list_is_read() -> None:
    counts = _line_counts()
    assert "tui/widgets/detail.py" in counts and len(counts) > 50


def test_no_module_over_the_limit() -> None:
    over = sorted(
        f"{name}: {lines} lines (at most {MAX_LINES}; split it by job)"
        for name, lines in _line_counts().items()
        if lines > MAX_LINES
    )
    assert not over, "\n".join(over)
