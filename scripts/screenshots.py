"""Render the README's screenshots from the demo with the app's own `save_screenshot`.

    python scripts/screenshots.py            # writes screenshots/*.svg
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.app import TaskdeckApp  # noqa: E402
from tui.core.config import load_config  # noqa: E402
from tui.core.paths import resolve_paths  # noqa: E402
from tui.demo import start_demo  # noqa: E402

OUT = ROOT / "screenshots"
SIZE = (120, 40)  # a common terminal size; the layout folds the detail pane under the table here
EXPORT_ID = "d6e8834b6f0f4711a2fa5345e5b60833"  # the documented APIG export


async def wait_until(pilot, predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("the demo did not reach the expected state in time")
        await pilot.pause(0.1)


async def main() -> None:
    OUT.mkdir(exist_ok=True)
    demo = start_demo()
    try:
        demo.simulator.advance(90)  # let the demo's first tasks finish so every state is on screen
        app = TaskdeckApp(demo.config, demo=True)
        async with app.run_test(size=SIZE, notifications=False) as pilot:
            total = len(app.board.active_refs())
            await wait_until(pilot, lambda: sum(1 for s in app.board.snapshots.values()
                                                if s.fetched_at is not None) >= total - 2)
            await wait_until(pilot, lambda: "legacy" in app.board.health)
            await pilot.pause(0.5)
            app.save_screenshot("main.svg", str(OUT))

            export = next(r.key for r in app.board.active_refs() if r.id == EXPORT_ID)
            app.table.move_cursor_to_key(export)
            await wait_until(pilot, lambda: app.detail.snapshot is not None and not app.detail.busy)
            await pilot.pause(0.3)
            app.save_screenshot("detail-export.svg", str(OUT))

            await pilot.press("a")
            await pilot.pause(0.3)
            app.save_screenshot("add-task.svg", str(OUT))
            await pilot.press("escape")
            await pilot.pause(0.2)

            await pilot.press("question_mark")
            await pilot.pause(0.3)
            app.save_screenshot("help.svg", str(OUT))
    finally:
        demo.close()
    await first_run()
    for name in ("main", "detail-export", "add-task", "help", "welcome", "provider-setup"):
        print(OUT / f"{name}.svg")


async def first_run() -> None:
    """An empty config directory: the welcome panel, then the setup form (nothing is saved)."""
    from textual.widgets import Input

    with tempfile.TemporaryDirectory() as root:
        os.environ["TASKDECK_CONFIG_DIR"] = str(Path(root) / "taskdeck")
        os.environ["TASKDECK_STATE_DIR"] = str(Path(root) / "state")
        os.environ.setdefault("HUAWEICLOUD_SDK_AK", "example")  # names only: the panel never shows a value
        os.environ.setdefault("HUAWEICLOUD_SDK_SK", "example")
        app = TaskdeckApp(load_config(resolve_paths()), start_engine=False)
        async with app.run_test(size=SIZE, notifications=False) as pilot:
            sdk = app.dashboard.query_one("#welcome-sdk")
            await wait_until(pilot, lambda: not sdk.has_class("-hidden"))
            await pilot.pause(0.3)
            app.save_screenshot("welcome.svg", str(OUT))
            await pilot.click("#welcome-sdk")
            await wait_until(pilot, lambda: app.screen.id != "dashboard" and bool(app.screen.query("#setup-name")))
            app.screen.query_one("#setup-name", Input).value = "kafka-eu"
            region = app.screen.query_one("#setup-region", Input)
            region.value = "eu-west-101"
            region.focus()
            await pilot.pause(0.3)
            app.save_screenshot("provider-setup.svg", str(OUT))


if __name__ == "__main__":
    asyncio.run(main())
