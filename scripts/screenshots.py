"""Render the README's screenshots from the demo with the app's own `save_screenshot`.

    python scripts/screenshots.py            # writes screenshots/*.svg
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tui.app import TaskdeckApp  # noqa: E402
from tui.demo import start_demo  # noqa: E402

OUT = ROOT / "screenshots"
SIZE = (160, 50)
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
    for name in ("main", "detail-export", "add-task", "help"):
        print(OUT / f"{name}.svg")


if __name__ == "__main__":
    asyncio.run(main())
