"""`taskdeck` (no subcommand): open the dashboard on the saved config, or on the demo."""

from __future__ import annotations

import argparse
import gc
import sys

from tui.core import gcpolicy
from tui.core.config import Config, SaveBlockedError, load_config
from tui.core.problems import ConfigError
from tui.core.store import memory_location
from tui.deck.board import watched_refs
from tui.deck.memory import SessionMemory
from tui.logfile import setup_log_file


def run(args: argparse.Namespace) -> int:
    if args.log_file:
        setup_log_file(args.log_file)
    gcpolicy.hold()  # until the first rows are on screen (tui/core/gcpolicy.py)
    try:
        return _run(args)
    finally:
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    demo = None
    if args.demo:
        from tui.demo import start_demo

        demo = start_demo()
        config = demo.config
    else:
        config = load_config()
        if args.watchlist:
            try:
                args.watchlist = config.watch.resolve_name(args.watchlist)
            except (ConfigError, KeyError, ValueError) as exc:
                print(f"taskdeck: {exc}", file=sys.stderr)
                return 2
    # The demo writes nothing: its memory lives as long as the process.
    store = str(config.paths.history) if config.paths is not None and not args.demo else memory_location()
    # What earlier runs remember is read while the app's modules are imported and its screen is built,
    # so that the first rows can open with it without waiting.
    memory = SessionMemory(store, config.providers.ui)
    memory.start([ref.key for ref in watched_refs(config.watch.lists)])
    from tui.app import TaskdeckApp

    app = TaskdeckApp(config, watchlist=args.watchlist, demo=args.demo, store=store, memory=memory)
    try:
        app.run()
    finally:
        app.engine.stop()
        if demo is not None:
            demo.close()
        try:
            config.close()
        except SaveBlockedError as exc:
            return _save_elsewhere(config, exc)
    return 0


def _save_elsewhere(config: Config, reason: SaveBlockedError) -> int:
    """watchlists.toml is broken and stays untouched; this session's lists go beside it instead."""
    if config.paths is None:
        return 0
    target = config.paths.watchlists.with_name("watchlists.recovered.toml")
    try:
        config.watch.save_as(target)
    except (OSError, ConfigError) as exc:
        print(f"taskdeck: watch lists not saved: {reason}; saving to {target} failed too: {exc}", file=sys.stderr)
        return 1
    print(f"taskdeck: {config.paths.watchlists} has errors and was left as it is: {reason}\n"
          f"taskdeck: this session's watch lists were saved to {target}; fix the file "
          f"or replace it with that one", file=sys.stderr)
    return 1
