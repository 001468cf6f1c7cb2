"""clean() makes server text safe for a terminal; shorten() cuts with an ellipsis."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.text import clean, shorten

# Everything that must never reach the terminal raw (newline is checked separately).
UNSAFE = re.compile(
    r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain text", "plain text"),
        ("\x1b]0;pwned\x07", "␛]0;pwned␇"),  # OSC retitle
        ("\x1b[2J\x1b[H", "␛[2J␛[H"),  # CSI clear screen
        ("a\x00b", "a␀b"),
        ("del\x7f", "del␡"),
        ("c1\x85\x9b", "c1\\x85\\x9b"),
        ("tab\there", "tab here"),
        ("one\ntwo", "one␤two"),
        ("one\r\ntwo", "one␤two"),
        ("cr\rlf", "cr␍lf"),
        ("vt\x0bff\x0c", "vt␋ff␌"),
        ("abc\u202eevil", "abc\\u202eevil"),
        ("iso\u2066x\u2069", "iso\\u2066x\\u2069"),
        ("marks\u200e\u200f\u061c", "marks\\u200e\\u200f\\u061c"),
        ("sep\u2028para\u2029", "sep\\u2028para\\u2029"),
        ("lone \ud800 surrogate \udfff", "lone \ufffd surrogate \ufffd"),
        ("ünïcödé 漢字 😀", "ünïcödé 漢字 😀"),
        ("", ""),
    ],
)
def test_clean(raw: str, expected: str) -> None:
    assert clean(raw) == expected


def test_multiline_keeps_newlines_only() -> None:
    assert clean("a\r\nb\nc\rd\x1b", multiline=True) == "a\nb\nc␍d␛"


def test_limit() -> None:
    assert clean("abcdef", limit=3) == "abc…"
    assert clean("abc", limit=3) == "abc"
    assert clean("\x1b\x1b\x1b\x1b", limit=2) == "␛␛…"
    assert clean("abc", limit=0) == "…"
    assert clean("abc", limit=-5) == "…"


def test_non_strings() -> None:
    assert clean(42) == "42"
    assert clean(None) == "None"
    assert clean(b"\x1b") == "b'\\x1b'"


def test_output_can_be_encoded() -> None:
    clean("\ud83d lone high surrogate").encode("utf-8")


text_with_controls = st.text(
    alphabet=st.characters(codec=None)
    | st.sampled_from(["\x1b", "\x00", "\x7f", "\x85", "\n", "\r", "\t", "\u202e", "\u2028", "\ud800"]),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(text_with_controls, st.booleans(), st.none() | st.integers(min_value=-3, max_value=250))
def test_clean_properties(raw: str, multiline: bool, limit: int | None) -> None:
    out = clean(raw, multiline=multiline, limit=limit)
    assert not UNSAFE.search(out)
    if not multiline:
        assert "\n" not in out
    out.encode("utf-8")
    # idempotent: cleaned text is left alone
    assert clean(out, multiline=multiline) == out
    if limit is not None and len(raw) > max(limit, 0):
        assert out.endswith("…")
        assert out == clean(raw[: max(limit, 0)] + "…", multiline=multiline)
    else:
        assert out == clean(raw, multiline=multiline)


@given(st.text(alphabet=string.ascii_letters + string.digits + string.punctuation + " é漢😀", max_size=100))
def test_printable_text_is_unchanged(raw: str) -> None:
    assert clean(raw) == raw
    assert clean(raw, multiline=True) == raw


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("abcdef", 10, "abcdef"),
        ("abcdef", 6, "abcdef"),
        ("abcdef", 5, "abcd…"),
        ("abcdef", 1, "…"),
        ("abcdef", 0, ""),
        ("abcdef", -1, ""),
        ("", 3, ""),
    ],
)
def test_shorten(text: str, width: int, expected: str) -> None:
    assert shorten(text, width) == expected


@given(st.text(max_size=50), st.integers(min_value=-2, max_value=60))
def test_shorten_never_exceeds_width(text: str, width: int) -> None:
    out = shorten(text, width)
    assert len(out) <= max(width, 0)
    assert out == text or out.endswith("…") or width <= 0


def test_error_code_already_in_the_message_is_not_repeated() -> None:
    from tui.core.model import TaskError
    from tui.core.text import code_and_message

    assert str(TaskError(message="connection refused", code="refused")) == "connection refused"
    assert str(TaskError(message="rate limited: slow down", code="APIG.0308", status=429)) == (
        "HTTP 429 APIG.0308: rate limited: slow down")
    assert code_and_message("E42", "") == "E42"
    assert code_and_message(None, "gone") == "gone"


def test_span_is_the_one_duration_format() -> None:
    """The table, `wait` and `history` all write a duration this way."""
    from tui.core.text import span

    assert [span(s) for s in (None, -1, 0, 45.9, 185, 7620, 86399, 3 * 86400 + 4 * 3600 + 5)] == [
        "", "", "0s", "45s", "3m05s", "2h07m", "23h59m", "3d04h"]
