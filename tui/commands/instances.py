"""`taskdeck instances NAME [--json]`: the DMS instances or APIG gateways of a profile, to pick one by name.

Exit statuses: 0 listed; 1 credentials refused; 2 usage or config error; 3 the listing could not be read.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from tui.commands.selection import CommandError, fail, find_provider, read_providers, report
from tui.core.paths import resolve_paths
from tui.core.text import clean

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
COLUMNS = ("id", "name", "engine", "status")


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="a huawei-dms or huawei-apig profile")
    parser.add_argument("--json", action="store_true", help="one JSON object per instance: id, name, engine, status")


def run(args: argparse.Namespace) -> int:
    from tui.providers.probe import CONFIG, REFUSED, ProbeFailed, list_instances

    paths = resolve_paths()
    try:
        providers, problems = read_providers(paths)
        config = find_provider(args.name, providers, problems, paths.providers)
    except CommandError as exc:
        return report("instances", exc)
    try:
        found = asyncio.run(list_instances(config))
    except ProbeFailed as failed:
        code = {REFUSED: EXIT_REFUSED, CONFIG: EXIT_USAGE}.get(failed.result.verdict, EXIT_PARTIAL)
        return fail("instances", code, f"{config.name}: {failed.result.message}")
    rows = [{key: clean(str(item.get(key) or "")) for key in COLUMNS} for item in found]
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print(f"{config.name}: no instances in this project")
        return EXIT_OK
    widths = [max(len(c), *(len(r[c]) for r in rows)) for c in COLUMNS]
    print("  ".join(c.upper().ljust(w) for c, w in zip(COLUMNS, widths, strict=True)).rstrip())
    for row in rows:
        print("  ".join(row[c].ljust(w) for c, w in zip(COLUMNS, widths, strict=True)).rstrip())
    return EXIT_OK
