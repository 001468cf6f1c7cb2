"""TOML parsing at compiled speed, for the one file that gets big: watchlists.toml.

A 10,000-task watch list is 10,000 inline tables; the standard library's pure-Python
tomllib needs about 0.2 s for it at every start. tomli, the library tomllib was taken
from, ships compiled wheels that read the same file about four times faster. Errors
are raised by tomllib all the same (the file is parsed again), so messages and
positions are the ones `problems.syntax_problem` knows; without tomli this is tomllib.
"""

from __future__ import annotations

import tomllib
from types import ModuleType
from typing import Any

_fast: ModuleType | None
try:
    import tomli as _fast
except ImportError:  # pragma: no cover - tomli is a dependency; tomllib is the same, slower
    _fast = None

TOMLDecodeError = tomllib.TOMLDecodeError


def loads(text: str) -> dict[str, Any]:
    """Parse `text`; a bad document raises tomllib.TOMLDecodeError, as tomllib.loads does."""
    if _fast is not None:
        try:
            data: dict[str, Any] = _fast.loads(text)
            return data
        except _fast.TOMLDecodeError:
            pass  # the error, as tomllib words it
    return tomllib.loads(text)
