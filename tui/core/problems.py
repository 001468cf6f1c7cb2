"""What is wrong with a config file, said so a person can fix it.

A load never raises for bad content: it returns the usable data plus a list of
`ConfigProblem`s naming the file, the line, the key and a suggested fix. Lines are
found by scanning the text (`KeyLines`), since tomllib does not report positions
of valid keys.
"""

from __future__ import annotations

import difflib
import json
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ERROR = "error"  # the data could not be read as written: the file is not rewritten until fixed
WARNING = "warning"  # the data was read (maybe adjusted); saving is safe
INFO = "info"


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    path: Path | None
    line: int | None
    key: str
    message: str
    suggestion: str = ""
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        where = self.path.name if self.path is not None else "<memory>"
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        if self.suggestion:
            text += f" — {self.suggestion}"
        return text

    def describe(self) -> str:
        """Like str(), with the full path and the severity: for logs and `taskdeck` stderr."""
        text = str(self)
        if self.path is not None:
            text = str(self.path.parent / text)
        return f"{self.severity}: {text}"


class ConfigError(Exception):
    """An operation on config files could not be done; the message says why and what to do."""

    def __init__(self, message: str, problems: Iterable[ConfigProblem] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)


def type_name(value: object) -> str:
    """How a TOML user would call the type of `value`: "a string", "a table", ..."""
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def key_part(name: str) -> str:
    """One key as TOML would spell it: bare if possible, else quoted."""
    return name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def join_key(prefix: str, name: str) -> str:
    return f"{prefix}.{key_part(name)}" if prefix else key_part(name)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """The closest choice to `word` (case-insensitive), or None."""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    if word.lower() in lowered and lowered[word.lower()] != word:
        return lowered[word.lower()]
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def unknown_key_problem(
    path: Path | None,
    lines: KeyLines,
    prefix: str,
    key: str,
    known: Iterable[str],
    where: str,
    *,
    kept: bool = True,
) -> ConfigProblem:
    """An unknown key: a warning when it is kept for the next rewrite, an error when it makes the entry unusable."""
    full = join_key(prefix, key)
    known = sorted(known)
    guess = did_you_mean(key, known)
    suggestion = f"did you mean '{guess}'?" if guess else f"known keys {where}: {', '.join(known)}"
    if kept:
        suggestion += " (it is kept as is; rename it if it is a typo)" if guess else " (it is kept as is)"
    severity = WARNING if kept else ERROR
    return ConfigProblem(path, lines.line_of(full), full, f"unknown key '{key}'", suggestion, severity)



class ProblemLog:
    """What a reader of one config file collects: problems placed at the line of their key."""

    def __init__(self, path: Path | None, text: str) -> None:
        self.path = path
        self.lines = KeyLines(text)
        self.problems: list[ConfigProblem] = []

    def problem(self, key: str, message: str, suggestion: str = "", severity: str = ERROR) -> None:
        self.problems.append(ConfigProblem(self.path, self.lines.line_of(key), key, message, suggestion, severity))

    def wrong_type(self, key: str, value: object, expected: str, example: str, severity: str = ERROR) -> None:
        self.problem(key, f"expected {expected}, found {type_name(value)}", f"write it like {example}", severity)

    def unknown_key(self, prefix: str, key: str, known: Iterable[str], where: str, *, kept: bool = True) -> None:
        self.problems.append(unknown_key_problem(self.path, self.lines, prefix, key, known, where, kept=kept))

# --- TOML syntax errors ----------------------------------------------------------------------------------

_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")
_KEY_VALUE = re.compile(r"^\s*([A-Za-z0-9_.\"' -]+?)\s*=\s*(.*)$")


def syntax_problem(path: Path | None, text: str, error: tomllib.TOMLDecodeError) -> ConfigProblem:
    """Turn tomllib's error ("Invalid value (at line 3, column 7)") into a problem with a hint."""
    message = str(error)
    match = _POSITION.search(message)
    line = int(match.group(1)) if match else None
    column = int(match.group(2)) if match else None
    short = _POSITION.sub("", message).strip()
    lines = text.splitlines()
    source = lines[line - 1] if line is not None and 0 < line <= len(lines) else ""
    key = ""
    kv = _KEY_VALUE.match(source)
    if kv and not source.lstrip().startswith("["):
        key = kv.group(1).strip()
    if column is not None:
        short += f" at column {column}"
    suggestion = _syntax_hint(short, source, kv)
    return ConfigProblem(path, line, key, f"TOML syntax error: {short}", suggestion, ERROR)


def _syntax_hint(message: str, source: str, kv: re.Match[str] | None) -> str:
    lowered = message.lower()
    if "cannot overwrite" in lowered or "cannot declare" in lowered:
        return "this key or table is defined twice; remove or rename one of them"
    if kv is not None:
        value = kv.group(2).strip()
        if value and value[0] not in "\"'[{":
            try:
                tomllib.loads(f"v = {value}")
            except tomllib.TOMLDecodeError:
                return f'text values need quotes: {kv.group(1).strip()} = "{value.strip(chr(34) + chr(39))}"'
        if value.count('"') % 2 == 1:
            return "a string is missing its closing quote"
        if value.startswith("[") and value.count("[") > value.count("]"):
            return "an array is missing its closing ']'"
        if value.startswith("{") and value.count("{") > value.count("}"):
            return "an inline table must close with '}' on the same line"
    if source.lstrip().startswith("[") and "]" not in source:
        return "a table header needs its closing ']' (e.g. [providers.name])"
    return "fix the line, then restart taskdeck (or reload); the file is left untouched until then"


# --- where keys are ----------------------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[|\[)\s*(.+?)\s*(\]\]|\])\s*(#.*)?$")
_KEY_PART = re.compile(r"\s*(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[A-Za-z0-9_-]+)\s*")
_INLINE_KEY = re.compile(r"(?:^|[{,])\s*(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")


def _split_key(text: str) -> list[str] | None:
    parts: list[str] = []
    pos = 0
    while pos < len(text):
        match = _KEY_PART.match(text, pos)
        if not match:
            return None
        raw = match.group(1)
        if raw.startswith('"'):
            try:
                parts.append(json.loads(raw))
            except ValueError:
                return None
        elif raw.startswith("'"):
            parts.append(raw[1:-1])
        else:
            parts.append(raw)
        pos = match.end()
        if pos < len(text):
            if text[pos] != ".":
                return None
            pos += 1
    return parts or None


def _scan_key_lines(text: str) -> dict[str, int]:
    found: dict[str, int] = {}

    def record(path: str, line: int) -> None:
        found.setdefault(path, line)

    counts: dict[str, int] = {}
    table = ""
    multiline: str | None = None
    array: tuple[str, int] | None = None  # (path, index of the last element seen)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if multiline is not None:
            if multiline in line:
                multiline = None
            continue
        if not line or line.startswith("#"):
            continue
        if array is not None:
            path, index = array
            if line.startswith("{"):
                index += 1
                element = f"{path}[{index}]"
                record(element, number)
                for match in _INLINE_KEY.finditer(line):
                    inline = _split_key(match.group(1))
                    if inline:
                        record(f"{element}.{'.'.join(key_part(p) for p in inline)}", number)
                array = (path, index)
            if line.startswith("]") or (line.endswith("]") and not line.startswith("{")):
                array = None
            continue
        header = _HEADER.match(line)
        if header and header.group(1) == header.group(3)[::-1].replace("]", "["):
            names = _split_key(header.group(2))
            if names is None:
                continue
            path = ""
            for name in names[:-1]:
                path = join_key(path, name)
                if path in counts:
                    path += f"[{counts[path] - 1}]"
            path = join_key(path, names[-1])
            if header.group(1) == "[[":
                counts[path] = counts.get(path, 0) + 1
                record(path, number)
                path += f"[{counts[path] - 1}]"
            table = path
            record(path, number)
            continue
        equals = _find_equals(line)
        if equals is None:
            continue
        names = _split_key(line[:equals].strip())
        if names is None:
            continue
        path = table
        for name in names:
            path = join_key(path, name)
        record(path, number)
        value = line[equals + 1 :].strip()
        if value.startswith("{"):
            for match in _INLINE_KEY.finditer(value):
                inner = _split_key(match.group(1))
                if inner:
                    record(f"{path}.{'.'.join(key_part(p) for p in inner)}", number)
        for quote in ('"""', "'''"):
            if value.startswith(quote) and value.count(quote) == 1:
                multiline = quote
        if value.startswith("[") and value.count("[") > value.count("]"):
            array = (path, -1)
    return found


class KeyLines:
    """Maps key paths (`watchlist[0].task[3].provider`, `providers.acme.interval`) to 1-based lines.

    A best-effort scan of the text: handles tables, arrays of tables, dotted keys, one-line
    inline tables and one-inline-table-per-line arrays (what tomli-w writes). Lookups fall
    back to the nearest enclosing key that was found. The scan runs on the first lookup:
    most loads have no problems to place.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: dict[str, int] | None = None

    def line_of(self, path: str) -> int | None:
        """The line of `path`, or of its nearest enclosing key; None if nothing matched."""
        if self._lines is None:
            self._lines = _scan_key_lines(self._text)
        while path:
            if path in self._lines:
                return self._lines[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                return None
            path = path[:cut]
        return None


def _find_equals(line: str) -> int | None:
    quote: str | None = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "=":
            return index
    return None
