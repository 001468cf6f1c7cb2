"""Task plans and instances: what a simulated task will do, and its phase at a given simulated time.

A task's phase is a pure function of its plan and the simulated clock, so the same seed and the same
clock give the same answers (in any process).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FAMILIES = ("smint", "dms", "apig")
DMS_ENGINES = ("kafka", "rabbitmq", "rocketmq")
OUTCOMES = ("succeed", "fail", "cancel", "delete", "never")

# Phases, independent of any API's vocabulary.
WAITING = "waiting"
RUNNING = "running"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
DELETED = "deleted"

_OUTCOME_PHASE = {"succeed": SUCCEEDED, "fail": FAILED, "cancel": CANCELLED, "delete": DELETED}


@dataclass(slots=True)
class Instance:
    """A DMS instance or an APIG gateway."""

    family: str
    id: str
    name: str
    engine: str | None = None
    engine_version: str = ""
    status: str = "RUNNING"
    # DMS task list paging (PAGING_MODES): "offset" or "start" honour that name and ignore the other,
    # as a server ignores a parameter it does not know; "both" honours either; "strict" honours
    # `offset` and answers 400 to any query parameter it does not know (`start` included).
    paging: str = "both"
    created: float = -30 * 86400.0

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"family": self.family, "id": self.id, "name": self.name}
        if self.engine:
            out["engine"] = self.engine
        if self.family == "dms":
            out["paging"] = self.paging
        return out


PAGING_MODES = ("offset", "start", "both", "strict")


@dataclass(slots=True, eq=False)
class Plan:
    """What one task does: wait, run, then end with `outcome` (or run forever with "never")."""

    family: str
    id: str
    instance: str | None = None
    engine: str | None = None
    name: str = ""  # smint: method name; dms: task name; apig: task_type
    label: str | None = None
    created: float = 0.0  # simulated seconds at which the task was created
    wait: float = 0.0
    run: float = 30.0
    outcome: str = "succeed"
    steps: int = 1
    failed_steps: int = 1
    result: str | None = None  # result string once succeeded
    error: str | None = None  # result string once failed
    params: str = "{}"  # dms
    user_name: str = "paas_dms"
    user_id: str = "3df5acbc24a54fadb62a043c9000a307"
    overrides: dict[str, Any] = field(default_factory=dict)  # merged into the task object
    body_overrides: dict[str, Any] = field(default_factory=dict)  # merged into the top-level body
    remove: list[str] = field(default_factory=list)  # keys dropped from the task object
    # Rendering cache (key, parsed object, body bytes); see families.
    cache_key: Any = None
    cache_obj: Any = None
    cache_body: bytes = b""

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"family": self.family, "id": self.id}
        if self.engine:
            out["engine"] = self.engine
        if self.instance:
            out["instance"] = self.instance
        if self.label:
            out["label"] = self.label
        return out

    def describe(self) -> dict[str, Any]:
        """The plan itself (for the admin API), without cached bodies and without huge strings."""
        out = self.summary()
        out.update(name=self.name, created=self.created, wait=self.wait, run=self.run, outcome=self.outcome,
                   steps=self.steps)
        return out


def phase_at(plan: Plan, now: float) -> tuple[str, float, float]:
    """(phase, fraction done 0..1, simulated time the phase began) at simulated time `now`."""
    start = plan.created + plan.wait
    if now < start:
        return WAITING, 0.0, plan.created
    elapsed = now - start
    if plan.outcome == "never":
        frac = elapsed / plan.run if plan.run > 0 else 0.5
        return RUNNING, min(frac, 0.99), start
    if elapsed < plan.run:
        return RUNNING, elapsed / plan.run, start
    return _OUTCOME_PHASE.get(plan.outcome, SUCCEEDED), 1.0, start + plan.run
