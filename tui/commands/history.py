"""`taskdeck history [selection] [--since 24h] [--json]`: what happened to the tasks in a period.

Prints the state transitions the history store remembers ("what finished overnight"), oldest
first, each with the time spent in the state it left. Selection as for `status` (see
selection.py), except that no selection means every task the store remembers.
`taskdeck history --clear` forgets them (the selected tasks, or everything).

Exit codes: 0 done (also when nothing happened in the period), 2 usage or config error.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import time
from collections.abc import Callable

from tui.commands.selection import CommandError, add_selection_arguments, report, resolve_selection, say
from tui.commands.status import silence_stdout
from tui.core.headless import json_line, task_name
from tui.core.model import TaskRef
from tui.core.paths import resolve_paths
from tui.core.store import Store, Transition
from tui.core.text import clean, span

COMMAND = "history"
EXIT_OK, EXIT_USAGE, EXIT_BROKEN_PIPE = 0, 2, 141
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)


def period(text: str) -> float | None:
    """`90s`, `30m`, `24h`, `7d`, `2w` (a bare number is hours) in seconds; `all` is None."""
    if text.strip().lower() == "all":
        return None
    match = _DURATION.match(text)
    if match is None or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"not a period: {text!r} (examples: 90m, 24h, 7d, all)")
    return float(match.group(1)) * _UNITS[(match.group(2) or "h").lower()]


def configure(parser: argparse.ArgumentParser) -> None:
    add_selection_arguments(parser)
    parser.add_argument("--since", metavar="PERIOD", type=period, default=24 * 3600.0,
                        help="how far back: 90m, 24h (default), 7d, all")
    parser.add_argument("--json", action="store_true", help="one JSON object per transition")
    parser.add_argument("--clear", action="store_true",
                        help="forget the selected tasks (all, without a selection) and their history")
    parser.epilog = "exit status: 0 done, 2 usage or config error"


def _selected(args: argparse.Namespace) -> Callable[[TaskRef], bool] | None:
    """Which remembered tasks the selection names (None: all of them)."""
    if args.watchlist is None and args.provider is None and not args.follow_instance:
        if args.instance is not None:
            raise CommandError(f"--instance goes with PROVIDER ID...: taskdeck {COMMAND} PROVIDER --instance I ID...")
        return None
    selection = resolve_selection(args, COMMAND)
    for warning in selection.warnings:
        say(COMMAND, warning.describe())
    keys = {ref.key for ref in selection.refs}
    instances = {(f.provider, f.instance) for f in selection.follows}
    return lambda ref: ref.key in keys or (ref.provider, ref.instance) in instances


def transition_line(item: Transition) -> str:
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(item.at))
    change = f"{clean(item.from_state)} → {clean(item.to_state)}" if item.from_state else f"first seen {item.to_state}"
    stay = span(item.duration)
    tail = f"  after {stay} {clean(item.from_state)}" if stay and item.from_state else ""
    return f"{when}  {task_name(item.ref)}  {change}{tail}"


def transition_record(item: Transition) -> dict[str, object]:
    ref = item.ref
    at = datetime.datetime.fromtimestamp(item.at, tz=datetime.UTC)
    return {"event": "transition", "provider": ref.provider, "instance": ref.instance, "id": ref.id,
            "label": ref.label, "from": item.from_state, "to": item.to_state,
            "at": at.isoformat(timespec="seconds").replace("+00:00", "Z"), "at_epoch": round(item.at, 3),
            "duration": None if item.duration is None else round(item.duration, 3)}


def run(args: argparse.Namespace) -> int:
    try:
        wanted = _selected(args)
        path = resolve_paths().history
        if not path.exists():
            say(COMMAND, f"nothing remembered yet ({path} does not exist)")
            return EXIT_OK
        store = Store.open(str(path))
        if store.notice:
            say(COMMAND, store.notice)
        try:
            if args.clear:
                keys = None if wanted is None else [k for k, s in store.load().items() if wanted(s.ref)]
                count = store.clear(keys)
                say(COMMAND, f"forgot {count} task(s) and their history in {path}")
                return EXIT_OK
            since = None if args.since is None else time.time() - args.since
            items = [t for t in store.transitions(since=since) if wanted is None or wanted(t.ref)]
        finally:
            store.close()
        for item in items:
            print(json_line(transition_record(item)) if args.json else transition_line(item))
        sys.stdout.flush()
        if not items and not args.json:
            say(COMMAND, "no state changes in that period")
    except CommandError as exc:
        return report(COMMAND, exc)
    except BrokenPipeError:
        silence_stdout()
        return EXIT_BROKEN_PIPE
    return EXIT_OK
