"""How much of the time a toast covers the demo: the first 90 s of `taskdeck --demo` at 120x40.

    .venv/bin/python bench/bench_toasts.py [--seconds 90] [--every 2] [--json]

The demo runs headless (Textual's test driver, notifications on) against its own simulator; every
`--every` seconds the screen is sampled: is a toast drawn, and how many. The issue's target is a toast
on screen in at most a quarter of the samples.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from textual.widgets._toast import Toast  # noqa: E402

from tui.app import TaskdeckApp  # noqa: E402
from tui.demo import start_demo  # noqa: E402


async def sample(seconds: float, every: float) -> dict[str, object]:
    demo = start_demo()
    try:
        app = TaskdeckApp(demo.config, demo=True)
        shown: list[int] = []
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            start = time.monotonic()
            next_at = start
            while time.monotonic() - start < seconds:
                await pilot.pause(0.1)
                if time.monotonic() >= next_at:
                    next_at += every
                    shown.append(len(list(app.screen.query(Toast))))
            app.deck.stop()
        with_toast = sum(1 for n in shown if n)
        return {"samples": len(shown), "with_toast": with_toast, "share": round(with_toast / len(shown), 3),
                "most_at_once": max(shown), "logged": len(app.notification_log)}
    finally:
        demo.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--every", type=float, default=2.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(sample(args.seconds, args.every))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"toast on screen in {result['with_toast']} of {result['samples']} samples "
              f"({result['share']:.0%}); at most {result['most_at_once']} at once; {result['logged']} logged")


if __name__ == "__main__":
    main()
