"""`taskdeck add PROVIDER [--instance I] ID... [--list NAME] [--label L]`: add tasks without the UI.

Exit codes: 0 added (or already there), 1 a config file is broken or cannot be written,
2 a usage error (unknown provider, missing instance, malformed id, ambiguous list).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from tui.core.model import TaskRef
from tui.core.paths import resolve_paths
from tui.core.problems import ConfigError, ConfigProblem, did_you_mean, join_key
from tui.core.providers_config import load_providers
from tui.core.taskids import check_instance, check_task_id
from tui.core.watchstore import UnknownListError, WatchStore

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_LIST = "Default"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("provider", metavar="PROVIDER", help="a profile name from providers.toml")
    parser.add_argument("ids", metavar="ID", nargs="+", help="task id(s) to watch")
    parser.add_argument("--instance", metavar="I", help="the instance id (required for huawei-dms and huawei-apig)")
    parser.add_argument("--list", metavar="NAME", dest="list_name",
                        help="the watch list to add to (created if missing; default: the only list, or 'Default')")
    parser.add_argument("--label", metavar="L", help="a label shown next to the task(s)")


def _fail(code: int, message: str, problems: Iterable[ConfigProblem] = ()) -> int:
    print(f"taskdeck add: {message}", file=sys.stderr)
    for problem in problems:
        print(f"  {problem.describe()}", file=sys.stderr)
    return code


def run(args: argparse.Namespace) -> int:
    paths = resolve_paths()
    providers, provider_problems = load_providers(paths.providers)
    if not providers.parsed:
        return _fail(EXIT_FAILED, f"{paths.providers} cannot be read; fix it first:", provider_problems)

    name = args.provider
    if name not in providers.names:
        guess = did_you_mean(name, providers.names)
        message = f"unknown provider '{name}'"
        if guess:
            message += f" — did you mean '{guess}'?"
        known = ", ".join(sorted(providers.names))
        message += f"\n  known providers: {known}" if known else f"\n  {paths.providers} defines no providers yet"
        message += f"\n  to add one, write a [providers.{name}] table in {paths.providers}"
        return _fail(EXIT_USAGE, message)
    config = providers.providers.get(name)
    if config is None:
        prefix = join_key("providers", name)
        own = [p for p in provider_problems if p.is_error and p.key.startswith(prefix)]
        return _fail(EXIT_USAGE, f"provider '{name}' in {paths.providers} has errors; fix them first:", own)

    instance = args.instance.strip() if args.instance is not None else None
    problem = check_instance(config.kind, instance)
    if problem:
        return _fail(EXIT_USAGE, f"provider '{name}': {problem}")

    refs: list[TaskRef] = []
    bad: list[str] = []
    for raw in args.ids:
        task_id = raw.strip()
        problem = check_task_id(config.kind, task_id)
        if problem:
            bad.append(problem)
        else:
            refs.append(TaskRef(provider=name, id=task_id, instance=instance, label=args.label))
    if bad:
        return _fail(EXIT_USAGE, "malformed task id(s), nothing was added:\n" + "\n".join(f"  {b}" for b in bad))

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
        added = store.add_tasks(list_name, refs)
        store.save()
    except (ConfigError, ValueError, OSError) as exc:
        return _fail(EXIT_FAILED, f"could not save {paths.watchlists}: {exc}")

    if created:
        print(f"created watch list '{list_name}'")
    where = f"watch list '{list_name}' ({paths.watchlists})"
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
