"""Everything the simulator knows: scenario, instances, tasks, clock, auth, faults and the request log."""

from __future__ import annotations

from typing import Any

from . import credentials
from . import scenario as sc
from .auth import AuthState
from .clock import SimClock
from .faults import FaultTable
from .logins import OidcState
from .plans import Instance, Plan
from .reqlog import RequestLog


class SimState:
    def __init__(self, scenario: str = "demo", seed: int = 1, count: int | None = None,
                 log_size: int = 10_000, clock_skew: float = 0.0) -> None:
        self.clock = SimClock(clock_skew)
        self.auth = AuthState(self.clock)
        self.faults = FaultTable()
        self.log = RequestLog(log_size)
        # Family -> task id -> plan. The dicts are cleared and refilled in place (handlers hold them).
        self.tasks: dict[str, dict[str, Plan]] = {"smint": {}, "dms": {}, "apig": {}}
        self.instances: dict[str, Instance] = {}
        self.order: list[Plan] = []
        self._by_instance: dict[str, list[Plan]] = {}
        self.reset(scenario, seed, count)

    def reset(self, scenario: str = "demo", seed: int = 1, count: int | None = None) -> None:
        """Reseed: scenario tasks, clock, auth, faults and the request log all start over."""
        built = sc.build(scenario, seed, count)
        self.scenario, self.seed = scenario, seed
        self.ids = sc.Ids(seed ^ 0x5EED)
        # IAM projects (iam.py): the region's one project; POST /_sim/projects adds more.
        self.projects = [{"id": credentials.PROJECT_ID, "name": credentials.REGION}]
        self.oidc = OidcState()  # login codes and rotating refresh tokens
        self.clock.reset()
        self.auth.reset()
        self.faults.clear()
        self.log.reset()
        for tasks in self.tasks.values():
            tasks.clear()
        self.instances.clear()
        self.order = []
        self._by_instance = {}
        for inst in built.instances:
            self.add_instance(inst)
        for plan in built.plans:
            self.add_plan(plan)

    def add_instance(self, inst: Instance) -> None:
        self.instances[inst.id] = inst
        self._by_instance.setdefault(inst.id, [])

    def add_plan(self, plan: Plan) -> None:
        old = self.tasks[plan.family].get(plan.id)
        if old is not None:
            self.order.remove(old)
            if old.instance in self._by_instance:
                self._by_instance[old.instance].remove(old)
        self.tasks[plan.family][plan.id] = plan
        self.order.append(plan)
        if plan.instance is not None:
            self._by_instance.setdefault(plan.instance, []).append(plan)

    def dms_tasks(self, instance_id: str) -> list[Plan]:
        return self._by_instance.get(instance_id, [])

    def summary(self) -> dict[str, Any]:
        out = sc.scenario_summary(self.scenario, self.seed, list(self.instances.values()), self.order)
        out["project_id"] = credentials.PROJECT_ID
        return out
