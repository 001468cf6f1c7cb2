"""Make untrusted strings safe to put on a terminal.

Rich `Text` and Textual `Content` stop markup from being parsed, but they let ESC,
NUL, DEL and the C1 range through to the terminal, where an OSC sequence can
retitle the window and a CSI sequence can clear it. Every string that came from a
server goes through `clean()` before it is shown.
"""

from __future__ import annotations

import re

# C0 controls, DEL and C1 controls; tab and newline are handled separately.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Unicode line/paragraph separators and bidi overrides can also rearrange what a user sees.
_INVISIBLE = re.compile(r"[\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Lone surrogates (JSON "\ud800" decodes to one) cannot be encoded for the terminal at all.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: U+241B for ESC
    if code == 0x7F:
        return "\u2421"
    return f"\\x{code:02x}"


def clean(text: object, *, multiline: bool = False, limit: int | None = None) -> str:
    """Replace control characters with visible stand-ins.

    Tabs become spaces. Newlines are kept only when `multiline` is true; otherwise
    they become the visible U+2424 so one-line cells stay one line.
    """
    s = text if isinstance(text, str) else str(text)
    if limit is not None and len(s) > max(limit, 0):
        s = s[: max(limit, 0)] + "…"
    s = s.replace("\t", " ").replace("\r\n", "\n")
    if not multiline:
        s = s.replace("\n", "\u2424")
    s = _CONTROL.sub(_stand_in, s)
    s = _SURROGATE.sub("\ufffd", s)
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", s)


def shorten(text: str, width: int) -> str:
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def code_and_message(code: str | None, message: str | None) -> str:
    """`CODE: message`, or just one of them when the other is empty or already says it.

    Error codes and messages come from different fields (and from the network error mapping, where
    the code "refused" goes with "connection refused"): run together they read as one garbled
    sentence, and a code the message already contains is said twice.
    """
    code = (code or "").strip()
    message = (message or "").strip()
    if not code or not message:
        return code or message
    low, said = code.lower(), message.lower().rstrip(").")
    if said.startswith(low) or said.endswith(low):
        return message
    return f"{code}: {message}"


def span(seconds: float | None) -> str:
    """A duration as the table, `wait` and `history` show it: 45s, 3m05s, 2h07m, 3d04h; "" when unknown."""
    if seconds is None or seconds < 0:
        return ""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    if seconds < 86400:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 86400}d{seconds % 86400 // 3600:02d}h"
