"""The `taskdeck` command line.

Subcommands live in `tui.commands.<name>` and are imported only when used, so the
headless commands start without importing textual.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> one-line help; each module has `configure(parser)` and `run(args) -> int`.
SUBCOMMANDS: dict[str, str] = {
    "simulator": "run the built-in API simulator on 127.0.0.1 (try it with curl)",
    "locate": "print where taskdeck keeps its files",
    "add": "add tasks to a watch list without opening the dashboard",
    "status": "poll selected tasks once and print their state",
    "wait": "block until selected tasks finish",
    "provider": "add, list, test or remove provider profiles",
    "instances": "list the instances (DMS) or gateways (APIG) of a profile",
    "login": "log in to a Smint.io profile in the browser; the refresh token goes to the OS keyring",
    "logout": "forget a profile's login",
    "history": "print what happened to the tasks in a period (state changes remembered between runs)",
    "doctor": "check each provider profile step by step (config, DNS, proxy, TLS, clock, credentials)",
}

EXIT_USAGE = 2


def _dashboard_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="taskdeck",
        description="A terminal dashboard for long-running cloud tasks.",
        epilog="subcommands: " + "; ".join(f"{k}: {v}" for k, v in SUBCOMMANDS.items()),
    )
    parser.add_argument("--demo", action="store_true", help="run against the built-in simulator; writes nothing")
    parser.add_argument("--watchlist", metavar="NAME", help="open this watch list")
    parser.add_argument("--log-file", metavar="PATH", help="write a redacted debug log here")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    return parser


def _subcommand_parser(name: str) -> tuple[argparse.ArgumentParser, object]:
    module = importlib.import_module(f"tui.commands.{name}")
    parser = argparse.ArgumentParser(prog=f"taskdeck {name}", description=SUBCOMMANDS[name])
    module.configure(parser)
    return parser, module


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in SUBCOMMANDS:
        parser, module = _subcommand_parser(args_list[0])
        args = parser.parse_args(args_list[1:])
        return int(module.run(args))  # type: ignore[attr-defined]

    args = _dashboard_parser().parse_args(args_list)
    if args.version:
        from tui import __version__

        print(f"taskdeck {__version__}")
        return 0
    from tui.commands import dashboard

    return dashboard.run(args)


if __name__ == "__main__":
    raise SystemExit(main())
