"""`taskdeck add PROVIDER [--instance I] ID... [--list NAME] [--label L]`: add tasks without the UI.
`taskdeck add PROVIDER --instance I --follow`: follow every background task of a DMS instance.

Exit codes: 0 added (or already there), 1 a config file is broken or cannot be written,
2 a usage error (unknown provider, missing instance, malformed id, ambiguous list).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from tui.commands.selection import (
    CommandError,
    checked_instance,
    fail,
    find_provider,
    read_providers,
    report,
    task_refs,
)
from tui.core.families import FAMILIES
from tui.core.model import TaskRef
from tui.core.paths import resolve_paths
from tui.core.problems import ConfigError, ConfigProblem
from tui.core.taskids import HUAWEI_DMS
from tui.core.watchstore import UnknownListError, WatchStore

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_LIST = "Default"
_INSTANCE_KINDS = " and ".join(kind for kind, family in FAMILIES.items() if family.needs_instance)


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("provider", metavar="PROVIDER", help="a profile name from providers.toml")
    parser.add_argument("ids", metavar="ID", nargs="*", help="task id(s) to watch")
    parser.add_argument("--instance", metavar="I", help=f"the instance id (required for {_INSTANCE_KINDS})")
    parser.add_argument("--list", metavar="NAME", dest="list_name",
                        help="the watch list to add to (created if missing; default: the only list, or 'Default')")
    parser.add_argument("--label", metavar="L", help="a label shown next to the task(s)")
    parser.add_argument("--follow", action="store_true",
                        help="follow every background task of the --instance (huawei-dms; see taskdeck instances)")
    parser.parse_args = parser.parse_intermixed_args  # type: ignore[method-assign]


def _fail(code: int, message: str, problems: Iterable[ConfigProblem] = ()) -> int:
    return fail("add", code, message, problems)


def run(args: argparse.Namespace) -> int:
    paths = resolve_paths()
    try:
        providers, provider_problems = read_providers(paths, code=EXIT_FAILED)
        config = find_provider(args.provider, providers, provider_problems, paths.providers)
        instance = checked_instance(config, args.instance)
        family = FAMILIES.get(config.kind)
        if args.follow and (family is None or not family.lists_tasks or instance is None):
            raise CommandError(f"--follow lists the tasks of a {HUAWEI_DMS} instance: taskdeck add PROVIDER "
                               f"--instance I --follow (provider '{config.name}' is {config.kind})")
        if not args.ids and not args.follow:
            raise CommandError("no task id given: taskdeck add PROVIDER [--instance I] ID..., or follow a whole "
                               "instance with --instance I --follow")
        refs = task_refs(config, instance, args.ids, label=args.label,
                         refusal="malformed task id(s), nothing was added")
    except CommandError as exc:
        return report("add", exc)

    store = WatchStore(paths.watchlists, providers, autosave=False)
    problems = store.load()
    if store.blocked:
        return _fail(EXIT_FAILED, f"{paths.watchlists} has errors; taskdeck will not rewrite it until they are fixed:",
                     [p for p in problems if p.is_error])
    for warning in problems:
        print(f"taskdeck add: {warning.describe()}", file=sys.stderr)

    names = store.names
    if args.list_name is not None:
        try:
            list_name = store.resolve_name(args.list_name)
        except UnknownListError:
            list_name = args.list_name
    elif not names:
        list_name = DEFAULT_LIST
    elif len(names) == 1:
        list_name = names[0]
    else:
        return _fail(EXIT_USAGE, f"there are several watch lists ({', '.join(names)}); choose one with --list NAME")

    created = list_name not in names
    try:
        added = store.add_tasks(list_name, refs) if refs else []
        followed = args.follow and store.follow_instance(list_name, config.name, str(instance))
        store.save()
    except (ConfigError, ValueError, OSError) as exc:
        return _fail(EXIT_FAILED, f"could not save {paths.watchlists}: {exc}")

    if created:
        print(f"created watch list '{list_name}'")
    where = f"watch list '{list_name}' ({paths.watchlists})"
    if args.follow:
        verb = "now follows" if followed else "already follows"
        print(f"{where} {verb} every task of instance {instance} of '{config.name}'")
        if not refs:
            return EXIT_OK
    if added:
        print(f"added {len(added)} task{'s' if len(added) != 1 else ''} to {where}:")
        for ref in added:
            print(f"  + {_describe(ref)}")
    added_keys = {r.key for r in added}
    for ref in {r.key: r for r in refs if r.key not in added_keys}.values():
        print(f"  = {_describe(ref)} (already in the list)")
    if not added:
        print(f"nothing new to add to {where}")
    return EXIT_OK


def _describe(ref: TaskRef) -> str:
    parts = [ref.provider]
    if ref.instance:
        parts.append(f"instance {ref.instance}")
    parts.append(ref.id)
    text = "  ".join(parts)
    if ref.label:
        text += f'  "{ref.label}"'
    return text
