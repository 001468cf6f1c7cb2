"""`taskdeck doctor [PROVIDER] [--json]`: check each provider profile step by step and say what to fix.

The checks themselves are tui/providers/doctor.py (shared with the dashboard's debug screen and with
`provider test`). Exit codes: 0 every check passed, 1 some check failed, 2 a usage or config error
(providers.toml unreadable, an unknown provider, a profile that is not valid), 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio

from tui.commands.selection import CommandError, read_providers, report, say
from tui.core.headless import json_line
from tui.core.paths import resolve_paths
from tui.core.problems import did_you_mean
from tui.core.providers_config import ProvidersFile

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
COMMAND = "doctor"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("provider", nargs="?", help="check only this profile (default: every profile)")
    parser.add_argument("--json", action="store_true", help="one JSON object per profile instead of text")
    parser.epilog = "exit status: 0 all checks passed, 1 some failed, 2 usage or config error"


def _names(providers: ProvidersFile, wanted: str | None) -> list[str]:
    from tui.providers.doctor import profile_names

    if wanted is None:
        names = profile_names(providers)
        if not names:
            raise CommandError("providers.toml defines no providers yet; add a [providers.NAME] table")
        return names
    if wanted not in providers.names:
        guess = did_you_mean(wanted, providers.names)
        known = ", ".join(sorted(providers.names)) or "none"
        raise CommandError(f"unknown provider '{wanted}'" + (f" — did you mean '{guess}'?" if guess else "")
                           + f"\n  known providers: {known}")
    return [wanted]


def run(args: argparse.Namespace) -> int:
    from tui.providers.doctor import diagnose_all, render

    try:
        paths = resolve_paths()
        providers, problems = read_providers(paths)
        names = _names(providers, args.provider)
        reports = asyncio.run(diagnose_all(names, providers.providers, problems))
    except CommandError as exc:
        return report(COMMAND, exc)
    except KeyboardInterrupt:
        say(COMMAND, "interrupted")
        return EXIT_INTERRUPTED
    if args.json:
        for one in reports:
            print(json_line(one.as_dict()))
    else:
        print(render(reports))
    if any(r.config_error for r in reports):
        return EXIT_USAGE
    return EXIT_OK if all(r.ok for r in reports) else EXIT_FAILED
