"""What a valid task id (and instance id) looks like for each provider kind (see tui.core.families)."""

from __future__ import annotations

import re
import unicodedata

from tui.core.families import (
    APIG_FAMILY,
    DMS_FAMILY,
    EXAMPLE_HEX,
    EXAMPLE_UUID,
    KINDS,
    KINDS_WITH_INSTANCE,
    SMINT_FAMILY,
    family_of,
)

__all__ = [
    "EXAMPLE_HEX",
    "EXAMPLE_UUID",
    "HUAWEI_APIG",
    "HUAWEI_DMS",
    "KINDS",
    "KINDS_WITH_INSTANCE",
    "MAX_ID_LENGTH",
    "SMINT",
    "check_instance",
    "check_safe_id",
    "check_task_id",
    "is_url_safe",
]

SMINT = SMINT_FAMILY.kind
HUAWEI_DMS = DMS_FAMILY.kind
HUAWEI_APIG = APIG_FAMILY.kind

_SAFE = re.compile(r"[A-Za-z0-9._-]+")
MAX_ID_LENGTH = 128
# Path segments a URL layer resolves ("/tasks/." is "/tasks/", "/tasks/.." is "/instances/I/").
DOT_SEGMENTS = frozenset({".", ".."})
# Characters that end or change a path segment: separators, query, fragment, escapes, whitespace.
_URL_BREAKING = re.compile(r"[/?#%\s]")


def _bad_characters(value: str) -> str:
    bad = sorted({c for c in value if not _SAFE.fullmatch(c)})
    shown = ", ".join(repr(c) for c in bad[:5])
    return f"contains {shown}; allowed are letters, digits, '.', '_' and '-'"


def check_safe_id(value: str, what: str = "id") -> str | None:
    """None if `value` is a non-empty id of [A-Za-z0-9._-]; else what is wrong with it."""
    if not value:
        return f"the {what} is empty"
    if len(value) > MAX_ID_LENGTH:
        return f"the {what} is {len(value)} characters long (at most {MAX_ID_LENGTH})"
    if not _SAFE.fullmatch(value):
        return f"{what} {value!r} {_bad_characters(value)}"
    if value in DOT_SEGMENTS:
        return (f"{what} {value!r} is a path step that URLs rewrite ({value!r} would read "
                f"{'the list' if value == '.' else 'the level above'} instead of one task)")
    return None


def is_url_safe(value: str) -> bool:
    """Whether `value` stays one path segment, unchanged, in a URL: no "/ ? # %", whitespace or
    control (or other invisible format) characters, and not "." or ".." (which the URL layer resolves
    away). Other odd characters are only unusual (check_task_id warns), not dangerous."""
    if not value or value in DOT_SEGMENTS or _URL_BREAKING.search(value) is not None:
        return False
    if value.isascii():  # the usual id: the only ASCII "C" characters are controls, which isprintable sees
        return value.isprintable()
    return not any(unicodedata.category(c).startswith("C") for c in value)


def check_task_id(kind: str, task_id: str) -> str | None:
    """None if `task_id` is well-formed for a provider of `kind`; else a sentence saying what is wrong."""
    family = family_of(kind)
    if family is not None and family.task_id is not None:
        if family.task_id.fullmatch(task_id):
            return None
        return f"{task_id!r} is not {family.task_id_shape} ({family.task_id_hint})"
    problem = check_safe_id(task_id, "task id")
    if problem is None or family is None or not family.task_id_hint:
        return problem
    return f"{problem} ({family.task_id_hint})"


def check_instance(kind: str, instance: str | None) -> str | None:
    """None if `instance` is right for `kind` (required where the family needs one, else absent)."""
    family = family_of(kind)
    if family is not None and family.needs_instance:
        if instance is None or instance == "":
            return f"{kind} tasks belong to an instance: give its id (--instance / instance = \"...\")"
        return check_safe_id(instance, "instance id")
    if instance:
        return f"{kind} tasks have no instance; leave it out"
    return None
