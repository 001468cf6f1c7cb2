"""`taskdeck simulator`: run the built-in API simulator on 127.0.0.1 (try it with curl)."""

from __future__ import annotations

import argparse

from tui.simulator import cli


def configure(parser: argparse.ArgumentParser) -> None:
    cli.configure(parser)


def run(args: argparse.Namespace) -> int:
    return cli.run(args)
