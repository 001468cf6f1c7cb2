"""Secrets: resolve them from the environment or a command, keep them out of text.

A provider's auth table in providers.toml names where each secret lives:

    auth = { type = "bearer", token_env = "SMINT_TOKEN" }          # an environment variable
    auth = { type = "bearer", token_command = ["pass", "smint"] }  # a command's stdout
    auth = { type = "bearer", token = "..." }                      # inline (the config layer decides
                                                                   # whether the file may hold it)

`resolve_secret` turns such a table into a `Secret`, a wrapper whose repr and str never show the
value. Every resolved value is also added to a process-wide registry, so `redact()` and the
`RedactingFilter` for log files can blank it wherever it turns up in free text.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import subprocess
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NoReturn
from urllib.parse import quote, quote_plus

__all__ = [
    "MASK",
    "MIN_REDACT_LENGTH",
    "RedactingFilter",
    "Secret",
    "SecretError",
    "redact",
    "redact_values",
    "register_secret",
    "resolve_secret",
]

MASK = "***"
# Values shorter than this are not registered for redaction: blanking every "a" or "42" in a
# log would destroy the log without protecting anything worth protecting.
MIN_REDACT_LENGTH = 4
# Old tokens stay registered (they may still appear in text), but the registry is bounded.
_MAX_REGISTERED = 4096
COMMAND_TIMEOUT = 10.0


class SecretError(ValueError):
    """A secret could not be resolved. The message names the field and where it was looked for
    (environment variable, command), never a secret value."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(redact_values(message))
        self.field = field


class Secret:
    """A string that does not show itself.

    `reveal()` returns the value; repr/str/format give `Secret('***')`. Pickling is refused, so
    a Secret cannot end up in a cache file or a multiprocessing queue by accident; copies share
    the (immutable) object.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str | Secret, *, register: bool = True) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"Secret wraps a str, not {type(value).__name__}")
        self._value = value
        if register:
            register_secret(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    __str__ = __repr__

    def __format__(self, format_spec: str) -> str:
        return repr(self)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("Secret objects cannot be pickled")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self


# --------------------------------------------------------------------------- redaction registry

_lock = threading.Lock()
_registered: dict[str, None] = {}  # insertion-ordered set
_pattern: re.Pattern[str] | None = None


def _variants(value: str) -> set[str]:
    """The value and the forms it takes inside URLs and form bodies."""
    return {value, quote(value, safe=""), quote_plus(value, safe="")}


def register_secret(value: str) -> None:
    """Add a value to the redaction registry (values shorter than MIN_REDACT_LENGTH are ignored)."""
    global _pattern
    if len(value) < MIN_REDACT_LENGTH:
        return
    with _lock:
        added = False
        for v in _variants(value):
            if v not in _registered:
                _registered[v] = None
                added = True
        while len(_registered) > _MAX_REGISTERED:
            del _registered[next(iter(_registered))]
        if added:
            _pattern = None


def _registry_pattern() -> re.Pattern[str] | None:
    global _pattern
    with _lock:
        if _pattern is None and _registered:
            # Longest first, so a secret that contains another is blanked as a whole.
            values = sorted(_registered, key=len, reverse=True)
            _pattern = re.compile("|".join(re.escape(v) for v in values))
        return _pattern


# Header lines and dict/JSON renderings of credential headers, e.g.
#   Authorization: Bearer abc       'x-auth-token': 'abc'       "X-Subject-Token": "abc"
# The auth scheme word is kept ("Authorization: Bearer ***") because it helps diagnosis.
_HEADER_NAMES = r"(?:proxy-)?authorization|x-auth-token|x-subject-token|x-security-token|cookie|set-cookie"
_HEADER = re.compile(
    r"(?P<name>(?<![\w-])(?:" + _HEADER_NAMES + r"))(?P<q1>['\"]?)(?P<sep>[ \t]*[:=][ \t]*)"
    r"(?:(?P<q2>['\"])(?P<scheme1>(?:bearer|basic|digest|sdk-hmac-sha256)[ \t]+)?(?P<v1>[^'\"\r\n]*)(?P=q2)"
    r"|(?P<scheme2>(?:bearer|basic|digest|sdk-hmac-sha256)[ \t]+)?(?P<v2>[^\r\n'\"{}\[\]]*))",
    re.IGNORECASE,
)
# key=value / "key": "value" forms of well-known credential fields (form bodies, JSON, query strings).
_FIELD_NAMES = r"access_token|refresh_token|id_token|client_secret|password|secret_key|security_token"
_FIELD = re.compile(
    r"(?P<name>(?<![\w-])(?:" + _FIELD_NAMES + r")(?![\w-]))"
    r"(?:(?P<q1>['\"])(?P<sep>[ \t]*:[ \t]*)|(?P<eq>[ \t]*=[ \t]*))"
    r"(?:(?P<q2>['\"])(?P<v1>(?:\\.|[^'\"\\\r\n])*)(?P=q2)|(?P<v2>[^\s&,;'\"}\]]+))",
    re.IGNORECASE,
)


def _mask_header(m: re.Match[str]) -> str:
    if m.group("q2") is not None:
        scheme = m.group("scheme1") or ""
        value = f"{m.group('q2')}{scheme}{MASK}{m.group('q2')}"
    else:
        scheme = m.group("scheme2") or ""
        value = f"{scheme}{MASK}" if (scheme or m.group("v2")) else ""
    return f"{m.group('name')}{m.group('q1')}{m.group('sep')}{value}"


def _mask_field(m: re.Match[str]) -> str:
    q2 = m.group("q2")
    value = f"{q2}{MASK}{q2}" if q2 is not None else MASK
    return f"{m.group('name')}{m.group('q1') or ''}{m.group('sep') or m.group('eq')}{value}"


def redact_values(text: str, extra: Iterable[str] = ()) -> str:
    """Blank every registered secret and every value in `extra` (values shorter than
    MIN_REDACT_LENGTH are left alone)."""
    if not text:
        return text
    pattern = _registry_pattern()
    if pattern is not None:
        text = pattern.sub(MASK, text)
    values = {v for e in extra if len(e) >= MIN_REDACT_LENGTH for v in _variants(e)}
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


def redact(text: str, extra: Iterable[str] = ()) -> str:
    """`redact_values`, then blank credential headers (`Authorization: ...`, `X-Auth-Token: ...`,
    `X-Subject-Token: ...`) and credential fields (`"password": "..."`, `refresh_token=...`)."""
    if not text:
        return text
    text = _HEADER.sub(_mask_header, redact_values(text, extra))
    return _FIELD.sub(_mask_field, text)


class RedactingFilter(logging.Filter):
    """A logging filter that renders each record's message, redacts it, and freezes the result.

    Attach it to the *handler* (e.g. the --log-file handler): filters on a logger do not see
    records propagated from child loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what we have, still redacted
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


# --------------------------------------------------------------------------- resolution


def _describe_command(command: object) -> str:
    if isinstance(command, str):
        return redact(command)
    if isinstance(command, Sequence):
        return redact(" ".join(str(part) for part in command))
    return repr(type(command))


def _run_command(field: str, key: str, command: object, timeout: float) -> str:
    shown = _describe_command(command)
    if isinstance(command, str):
        if not command.strip():
            raise SecretError(f"{key} is empty", field=field)
        argv: str | list[str] = command
        shell = True
    elif isinstance(command, Sequence) and command and all(isinstance(p, str) for p in command):
        argv = list(command)
        shell = False
    else:
        raise SecretError(f"{key} must be a string or a non-empty list of strings", field=field)
    try:
        proc = subprocess.run(
            argv,
            shell=shell,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SecretError(f"{key} ({shown}) timed out after {timeout:g} s", field=field) from None
    except OSError as exc:
        raise SecretError(f"{key} ({shown}) could not be run: {exc.strerror or exc}", field=field) from None
    stdout = proc.stdout.decode("utf-8", errors="replace").strip()
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", errors="replace").strip()
        # stdout is never shown; anything it held is blanked from stderr too.
        extra = [stdout, *stdout.splitlines()]
        # Redact before cutting, so no fragment of a secret survives at the cut.
        stderr = redact(stderr, extra=extra)
        if len(stderr) > 500:
            stderr = "…" + stderr[-500:]
        detail = f": {stderr}" if stderr else ""
        message = f"{key} ({redact(shown, extra=extra)}) failed with exit status {proc.returncode}{detail}"
        raise SecretError(message, field=field)
    if not stdout:
        raise SecretError(f"{key} ({shown}) printed nothing", field=field)
    return stdout


def resolve_secret(
    spec: Mapping[str, Any],
    field: str,
    *,
    env: Mapping[str, str] | None = None,
    required: bool = True,
    timeout: float = COMMAND_TIMEOUT,
) -> Secret | None:
    """Resolve `field` from `spec[field + "_env"]`, `spec[field + "_command"]` or `spec[field]`.

    A list command runs without a shell; a string command runs through the shell. Its stdout,
    stripped, is the secret. Returns None when nothing is configured and `required` is false.
    """
    env_key, command_key = f"{field}_env", f"{field}_command"
    given = [k for k in (env_key, command_key, field) if spec.get(k) is not None]
    if len(given) > 1:
        raise SecretError(f"{field}: set only one of {', '.join(given)}", field=field)
    if not given:
        if not required:
            return None
        raise SecretError(
            f"missing {field}: set {env_key} (name of an environment variable), "
            f"{command_key} (a command that prints it) or {field}",
            field=field,
        )
    key = given[0]
    raw = spec[key]
    if key == env_key:
        if not isinstance(raw, str) or not raw:
            raise SecretError(f"{env_key} must be the name of an environment variable", field=field)
        environ = os.environ if env is None else env
        value = environ.get(raw)
        if value is None:
            raise SecretError(f"{field}: environment variable {raw} is not set", field=field)
        value = value.strip()
        if not value:
            raise SecretError(f"{field}: environment variable {raw} is empty", field=field)
        return Secret(value)
    if key == command_key:
        return Secret(_run_command(field, command_key, raw, timeout))
    if isinstance(raw, Secret):
        return raw
    if not isinstance(raw, str) or not raw:
        raise SecretError(f"{field} must be a non-empty string", field=field)
    return Secret(raw)
