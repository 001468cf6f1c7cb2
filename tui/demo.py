"""`taskdeck --demo`: the built-in simulator plus an in-memory config that writes nothing."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

from tui.core.config import Config, FollowedInstance, ProviderConfig, WatchList
from tui.core.model import TaskRef
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

DEMO_LIST = "Demo"


def closed_port() -> int:
    """A loopback port nothing listens on (for the demo's unreachable provider)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def demo_providers(base_url: str, dead_port: int) -> list[ProviderConfig]:
    return [
        ProviderConfig(name="acme", kind="smint", base_url=f"{base_url}/frontend/v1", interval=2,
                       auth={"type": "oauth-refresh", "token_url": f"{base_url}/connect/token",
                             "client_id": cred.SMINT_CLIENT_ID, "client_secret": cred.SMINT_CLIENT_SECRET,
                             "refresh_token": cred.SMINT_REFRESH_TOKEN}),
        ProviderConfig(name="dms-eu", kind="huawei-dms", base_url=base_url, project_id=cred.PROJECT_ID,
                       interval=3, auth={"type": "aksk", "access_key": cred.ACCESS_KEY,
                                         "secret_key": cred.SECRET_KEY}),
        ProviderConfig(name="gateway", kind="huawei-apig", base_url=base_url, project_id=cred.PROJECT_ID,
                       interval=3, auth={"type": "iam-password", "iam_url": base_url, "domain": cred.IAM_DOMAIN,
                                         "user": cred.IAM_USER, "password": cred.IAM_PASSWORD,
                                         "project_id": cred.PROJECT_ID}),
        ProviderConfig(name="legacy", kind="smint", base_url=f"http://127.0.0.1:{dead_port}/frontend/v1",
                       interval=5, timeout_connect=2.0, auth={"type": "bearer", "token": cred.SMINT_TOKEN}),
    ]


_PROVIDER_OF_FAMILY = {"smint": "acme", "dms": "dms-eu", "apig": "gateway"}


def demo_lists(scenario: dict[str, Any]) -> list[WatchList]:
    tasks = [
        TaskRef(provider=_PROVIDER_OF_FAMILY[t["family"]], id=t["id"], instance=t.get("instance"),
                label=t.get("label"))
        for t in scenario.get("tasks", [])
        if t.get("family") in _PROVIDER_OF_FAMILY
    ]
    tasks += [
        TaskRef(provider="legacy", id="0f8e2d4c-1b3a-4c5d-9e6f-7a8b9c0d1e2f", label="old tenant export"),
        TaskRef(provider="legacy", id="5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f", label="old tenant sync"),
    ]
    exports = [t for t in tasks if t.provider == "gateway"]
    followed = [FollowedInstance(provider="dms-eu", instance=i["id"])
                for i in scenario.get("instances", []) if i.get("engine") == "rocketmq"]
    return [WatchList(name=DEMO_LIST, tasks=tasks),
            WatchList(name="APIG exports", tasks=exports),
            WatchList(name="RocketMQ (followed)", tasks=[], instances=followed)]


@dataclass
class Demo:
    simulator: SimulatorProcess
    config: Config

    def close(self) -> None:
        self.simulator.stop()


def start_demo(seed: int = 1) -> Demo:
    """Start the simulator as a child process and build a config that never touches disk."""
    simulator = SimulatorProcess(scenario="demo", seed=seed).start()
    try:
        scenario = simulator.scenario_info()
        config = Config.in_memory(demo_providers(simulator.base_url, closed_port()), demo_lists(scenario))
    except BaseException:
        simulator.stop()
        raise
    return Demo(simulator, config)
