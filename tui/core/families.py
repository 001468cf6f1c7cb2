"""One declaration per API family: everything taskdeck needs to know about a kind of provider but its client.

Config validation (providers_config), task id checks (taskids), the summaries (summary), the provider
registry (tui.providers) and `taskdeck add` read these values, so a family is described in one place.
The declarations live in core, below the provider clients: config files and task ids are checked
without loading an HTTP client, and core never imports tui.providers. A provider class points at its
declaration (`family = SMINT_FAMILY`).

A new family is one `Family(...)` value here (with a summary format in summary_formats if its results
need one), its provider file, its simulator file, and their tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from tui.core.model import TaskState
from tui.core.summary_formats import apig_summary, dms_summary, smint_summary

# (kind, state, decoded result, steps, params) -> one line; may raise, `summarize` guards it.
Summariser = Callable[[str, str, Any, Any, Any], str]

_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
EXAMPLE_UUID = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
EXAMPLE_HEX = "8abfa7b272adc5b40172b73130065ae7"
_HUAWEI_ID_HINT = f"Huawei task ids usually are 32 hex digits, like {EXAMPLE_HEX}"


@dataclass(frozen=True, slots=True, eq=False)  # one value per family: identity is equality
class Family:
    kind: str  # the `kind` of a providers.toml profile
    name: str  # the short name summaries and logs use
    label: str  # how people call the API
    needs_instance: bool  # tasks belong to an instance (and the profile needs a project_id)
    min_interval: float  # the fastest the API may be polled, in seconds
    auth_types: tuple[str, ...]  # the auth types (tui.core.auth_schema) a profile of this kind may use
    states: Mapping[str, TaskState]  # the API's status words
    summariser: Summariser
    task_id: re.Pattern[str] | None = None  # None: any id of letters, digits, '.', '_' and '-'
    task_id_shape: str = ""  # what `task_id` matches, for messages ("a UUID")
    task_id_hint: str = ""  # what ids of this family look like, for messages
    lists_tasks: bool = False  # an instance's tasks can be listed (so an instance can be followed)
    result_label: str = "Result"  # what the detail pane calls a task's result (DMS tasks have parameters)
    service: str = ""  # the Huawei service whose regional endpoint serves it (tui.core.regions), if any
    instance_word: str = "instance"  # what the API calls an instance, for messages

    def map_state(self, raw: str) -> TaskState:
        return self.states.get(raw, TaskState.UNKNOWN)


SMINT_FAMILY = Family(
    kind="smint",
    name="smint",
    label="Smint.io",
    needs_instance=False,
    # Smint's docs: at least 1 s between polls, 5-10 s recommended, no exponential backoff.
    min_interval=1.0,
    auth_types=("none", "bearer", "oauth-refresh", "oidc"),
    states=MappingProxyType({
        "created": TaskState.PENDING,
        "in_progress": TaskState.RUNNING,
        "completed": TaskState.SUCCEEDED,
        "error": TaskState.FAILED,
    }),
    summariser=smint_summary,
    task_id=_UUID,
    task_id_shape="a UUID",
    task_id_hint=f"Smint.io task ids look like {EXAMPLE_UUID}",
)

DMS_FAMILY = Family(
    kind="huawei-dms",
    name="dms",
    label="Huawei Cloud DMS",
    needs_instance=True,
    min_interval=1.0,  # the same floor as Smint.io
    auth_types=("none", "token", "iam-password", "aksk"),
    states=MappingProxyType({
        "CREATED": TaskState.PENDING,
        "EXECUTING": TaskState.RUNNING,
        "SUCCESS": TaskState.SUCCEEDED,
        "FAILED": TaskState.FAILED,
        "DELETED": TaskState.CANCELLED,
        "CANCELLED": TaskState.CANCELLED,
    }),
    summariser=dms_summary,
    task_id_hint=_HUAWEI_ID_HINT,
    result_label="Parameters",
    lists_tasks=True,
    service="dms",
)

APIG_FAMILY = Family(
    kind="huawei-apig",
    name="apig",
    label="Huawei Cloud APIG",
    needs_instance=True,
    min_interval=1.0,  # the same floor as Smint.io
    auth_types=("none", "token", "iam-password", "aksk"),
    states=MappingProxyType({
        "waiting": TaskState.PENDING,
        "processing": TaskState.RUNNING,
        "succeed": TaskState.SUCCEEDED,
        "failed": TaskState.FAILED,
    }),
    summariser=apig_summary,
    task_id_hint=_HUAWEI_ID_HINT,
    service="apig",
    instance_word="gateway",
)

# Keyed by kind, in the order messages list them.
FAMILIES: Mapping[str, Family] = MappingProxyType({f.kind: f for f in (SMINT_FAMILY, DMS_FAMILY, APIG_FAMILY)})
KINDS: tuple[str, ...] = tuple(FAMILIES)
KINDS_WITH_INSTANCE: frozenset[str] = frozenset(k for k, f in FAMILIES.items() if f.needs_instance)
_BY_NAME: dict[str, Family] = {f.name: f for f in FAMILIES.values()}


def family_of(kind: object) -> Family | None:
    """The declaration for a providers.toml `kind`, or None if taskdeck has no such family."""
    return FAMILIES.get(kind) if isinstance(kind, str) else None


def family_named(name: str) -> Family | None:
    """The declaration with this short name ("smint", "dms", "apig"), or None."""
    return _BY_NAME.get(name)
