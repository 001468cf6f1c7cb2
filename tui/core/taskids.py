"""What a valid task id (and instance id) looks like for each provider kind."""

from __future__ import annotations

import re

SMINT = "smint"
HUAWEI_DMS = "huawei-dms"
HUAWEI_APIG = "huawei-apig"
KINDS = (SMINT, HUAWEI_DMS, HUAWEI_APIG)
KINDS_WITH_INSTANCE = frozenset({HUAWEI_DMS, HUAWEI_APIG})

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SAFE = re.compile(r"[A-Za-z0-9._-]+")
MAX_ID_LENGTH = 128
EXAMPLE_UUID = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
EXAMPLE_HEX = "8abfa7b272adc5b40172b73130065ae7"


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
    return None


def check_task_id(kind: str, task_id: str) -> str | None:
    """None if `task_id` is well-formed for a provider of `kind`; else a sentence saying what is wrong."""
    if kind == SMINT:
        if _UUID.fullmatch(task_id):
            return None
        return f"{task_id!r} is not a UUID (Smint.io task ids look like {EXAMPLE_UUID})"
    problem = check_safe_id(task_id, "task id")
    if problem is None:
        return None
    return f"{problem} (Huawei task ids usually are 32 hex digits, like {EXAMPLE_HEX})"


def check_instance(kind: str, instance: str | None) -> str | None:
    """None if `instance` is right for `kind` (required for DMS/APIG, absent for Smint.io)."""
    if kind in KINDS_WITH_INSTANCE:
        if instance is None or instance == "":
            return f"{kind} tasks belong to an instance: give its id (--instance / instance = \"...\")"
        return check_safe_id(instance, "instance id")
    if instance:
        return f"{kind} tasks have no instance; leave it out"
    return None

