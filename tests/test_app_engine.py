"""An engine that dies is shown (header, toast, F12 with the traceback) and restarts by itself."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tests.helpers.deck import screen_text
from tests.test_app import demo_config, wait_for
from tui.app import TaskdeckApp
from tui.screens.debug import DebugScreen
from tui.simulator.process import SimulatorProcess
from tui.sources import build_sources


class SourcesBroke(RuntimeError):
    pass


async def test_a_dying_engine_is_shown_and_restarted(sim_reset: SimulatorProcess) -> None:
    config = demo_config(sim_reset)
    profiles = tuple(config.providers.providers.values())
    calls = {"n": 0}

    def factory() -> Mapping[str, Any]:
        calls["n"] += 1
        if calls["n"] == 1:
            raise SourcesBroke("cannot build the providers")
        return build_sources(profiles)

    app = TaskdeckApp(config, demo=True, sources_factory=factory, restart_every=8.0)
    async with app.run_test(size=(160, 50), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.deck.engine_failure is not None)
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "polling stopped: SourcesBroke: cannot build the providers" in text
        await wait_for(pilot, lambda: "Polling stopped" in screen_text(app))  # the toast
        await pilot.press("f12")
        assert isinstance(app.screen, DebugScreen)
        await pilot.pause(0.1)
        assert "SourcesBroke: cannot build the providers" in screen_text(app)  # stopped, or restarted since
        trace = "\n".join(app.debug_info()["Engine traceback"])
        assert "Traceback" in trace and 'raise SourcesBroke("cannot build the providers")' in trace
        await pilot.press("escape")
        # at most one restart per restart_every; then rows fill in and the mark goes away
        await wait_for(pilot, lambda: any(s.fetched_at for s in app.board.snapshots.values()), timeout=40)
        assert app.deck.engine_failure is None and app.deck.supervisor.restarts == 1
        await pilot.pause(0.3)
        assert "polling stopped" not in screen_text(app)
