"""Shared fixtures: the API simulator as a child process on 127.0.0.1."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tui.simulator.process import SimulatorProcess

# The tests talk to servers on 127.0.0.1, and a proxy in the developer's environment would carry
# that traffic too (loopback is not exempt unless NO_PROXY says so): the proxy tests set their own.
for _name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
    os.environ.pop(_name, None)
    os.environ.pop(_name.upper(), None)

SIM_SCENARIO = "demo"
SIM_SEED = 1


@pytest.fixture(scope="session")
def sim() -> Iterator[SimulatorProcess]:
    """One simulator for the whole session (scenario "demo", seed 1). Use `sim_reset` for a clean start."""
    with SimulatorProcess(scenario=SIM_SCENARIO, seed=SIM_SEED) as process:
        yield process


@pytest.fixture
def sim_reset(sim: SimulatorProcess) -> SimulatorProcess:
    """The session simulator, reseeded: tasks, clock, auth switches, tokens, faults and request log start over."""
    sim.reset(SIM_SCENARIO, SIM_SEED)
    return sim
