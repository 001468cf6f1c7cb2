"""Choosing tasks on the command line, shared by `taskdeck add`, `status` and `wait`.

`status` and `wait` select tasks the same way, one of:

- `--watchlist NAME`: the tasks (and followed instances) of one saved list;
- nothing: every saved list;
- `PROVIDER [--instance I] ID...`: tasks named on the command line;
- `--follow-instance PROVIDER I`: every background task of a DMS instance (its list API).

Every problem is a `CommandError` carrying the exit code and a message that says what to fix.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tui.core.families import FAMILIES, family_of
from tui.core.model import TaskRef
from tui.core.paths import Paths, resolve_paths
from tui.core.problems import ConfigProblem, did_you_mean, join_key
from tui.core.providers_config import ProviderConfig, ProvidersFile, load_providers
from tui.core.secrets import redact
from tui.core.taskids import check_instance, check_task_id
from tui.core.text import clean
from tui.core.watchlists import FollowedInstance
from tui.core.watchstore import UnknownListError, WatchStore

EXIT_USAGE = 2


class CommandError(Exception):
    """A usage or config error: `message` (and `problems`) go to stderr, `code` is the exit status."""

    def __init__(self, message: str, problems: Iterable[ConfigProblem] = (), *, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)
        self.code = code


# The kinds whose instances can be followed (their task lists can be read), for messages.
LISTING_KINDS = " or ".join(kind for kind, family in FAMILIES.items() if family.lists_tasks)


def _lists_tasks(kind: str) -> bool:
    family = family_of(kind)
    return family is not None and family.lists_tasks

def say(command: str, message: str) -> None:
    """One message on stderr, prefixed with the command, free of secrets and control characters."""
    print(f"taskdeck {command}: {clean(redact(message), multiline=True)}", file=sys.stderr, flush=True)


def fail(command: str, code: int, message: str, problems: Iterable[ConfigProblem] = ()) -> int:
    """Print the message (and the problems, one per line) on stderr; return `code`."""
    say(command, message)
    for problem in problems:
        print(f"  {clean(redact(problem.describe()))}", file=sys.stderr)
    return code


def report(command: str, error: CommandError) -> int:
    return fail(command, error.code, error.message, error.problems)


def engine_stopped(command: str, exc: BaseException) -> int:
    """The polling engine ended with an error nobody foresaw: say what it was, exit 2 (not a traceback,
    and never a clean-looking 0)."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return fail(command, EXIT_USAGE, f"the polling engine stopped: {detail}")


# --- providers and task ids -------------------------------------------------------------------------------


def read_providers(paths: Paths, *, code: int = EXIT_USAGE) -> tuple[ProvidersFile, list[ConfigProblem]]:
    """providers.toml, or a CommandError (with `code`) when the file cannot be read at all."""
    providers, problems = load_providers(paths.providers)
    if not providers.parsed:
        raise CommandError(f"{paths.providers} cannot be read; fix it first:", problems, code=code)
    return providers, problems


def find_provider(name: str, providers: ProvidersFile, problems: Sequence[ConfigProblem],
                  path: Path) -> ProviderConfig:
    """The usable profile called `name`; else a CommandError saying what exists or what is wrong."""
    if name not in providers.names:
        guess = did_you_mean(name, providers.names)
        message = f"unknown provider '{name}'"
        if guess:
            message += f" — did you mean '{guess}'?"
        known = ", ".join(sorted(providers.names))
        message += f"\n  known providers: {known}" if known else f"\n  {path} defines no providers yet"
        message += (f"\n  to add one: taskdeck provider add {name} --kind KIND ... "
                    f"(or write a [providers.{name}] table in {path})")
        raise CommandError(message)
    config = providers.providers.get(name)
    if config is None:
        prefix = join_key("providers", name)
        own = [p for p in problems if p.is_error and p.key.startswith(prefix)]
        raise CommandError(f"provider '{name}' in {path} has errors; fix them first:", own)
    return config


def checked_instance(config: ProviderConfig, instance: str | None) -> str | None:
    """The instance id, stripped, if it suits the profile's kind; else a CommandError."""
    instance = instance.strip() if instance is not None else None
    problem = check_instance(config.kind, instance)
    if problem:
        raise CommandError(f"provider '{config.name}': {problem}")
    return instance


def task_refs(config: ProviderConfig, instance: str | None, ids: Iterable[str], *, label: str | None = None,
              refusal: str = "malformed task id(s)") -> list[TaskRef]:
    """One TaskRef per id; a CommandError listing every malformed id (nothing is half done)."""
    refs: list[TaskRef] = []
    bad: list[str] = []
    for raw in ids:
        task_id = raw.strip()
        problem = check_task_id(config.kind, task_id)
        if problem:
            bad.append(problem)
        else:
            refs.append(TaskRef(provider=config.name, id=task_id, instance=instance, label=label))
    if bad:
        raise CommandError(f"{refusal}:\n" + "\n".join(f"  {b}" for b in bad))
    return refs


# --- the selection of `status` and `wait` -----------------------------------------------------------------


@dataclass
class Selection:
    """The tasks to poll, the instances to list, and the profiles they use."""

    refs: list[TaskRef] = field(default_factory=list)
    follows: list[FollowedInstance] = field(default_factory=list)
    providers: dict[str, ProviderConfig] = field(default_factory=dict)
    warnings: list[ConfigProblem] = field(default_factory=list)

    def kind_of(self, provider: str) -> str:
        config = self.providers.get(provider)
        return config.kind if config is not None else ""


def add_selection_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("provider", metavar="PROVIDER", nargs="?",
                        help="a profile name from providers.toml, followed by task ids")
    parser.add_argument("ids", metavar="ID", nargs="*", help="task id(s) of that provider")
    parser.add_argument("--instance", metavar="I", help="the instance id (required for huawei-dms and huawei-apig)")
    parser.add_argument("--watchlist", metavar="NAME", help="the tasks of this saved list (default: all lists)")
    parser.add_argument("--follow-instance", metavar=("PROVIDER", "I"), nargs=2, action="append",
                        dest="follow_instance", help="every background task of a huawei-dms instance (repeatable)")
    # `PROVIDER --instance I ID...`: ids after an option belong to the positionals too.
    parser.parse_args = parser.parse_intermixed_args  # type: ignore[method-assign]


def resolve_selection(args: argparse.Namespace, command: str, paths: Paths | None = None) -> Selection:
    """Turn the parsed arguments into a Selection; a CommandError for any usage or config error."""
    paths = paths or resolve_paths()
    follow_args: list[list[str]] = args.follow_instance or []
    modes = [m for m, given in (("--watchlist NAME", args.watchlist is not None),
                                ("PROVIDER ID...", args.provider is not None),
                                ("--follow-instance PROVIDER I", bool(follow_args))) if given]
    if len(modes) > 1:
        raise CommandError(f"choose one way to select tasks, not {' and '.join(modes)}")
    if args.instance is not None and args.provider is None:
        raise CommandError("--instance goes with PROVIDER ID...: taskdeck "
                           f"{command} PROVIDER --instance I ID...")
    if args.provider is not None and not args.ids:
        raise CommandError(f"no task id given after '{args.provider}': taskdeck {command} PROVIDER "
                           "[--instance I] ID... (to read a saved list, use --watchlist NAME)")

    providers, provider_problems = read_providers(paths)

    def provider(name: str) -> ProviderConfig:
        return find_provider(name, providers, provider_problems, paths.providers)

    selection = Selection()
    if args.provider is not None:
        config = provider(args.provider)
        instance = checked_instance(config, args.instance)
        selection.refs = task_refs(config, instance, args.ids)
    elif follow_args:
        for name, raw_instance in follow_args:
            config = provider(name)
            if not _lists_tasks(config.kind):
                raise CommandError(f"--follow-instance lists the tasks of a {LISTING_KINDS} instance; "
                                   f"provider '{name}' is {config.kind}")
            instance = checked_instance(config, raw_instance)
            assert instance is not None
            followed = FollowedInstance(name, instance)
            if followed not in selection.follows:
                selection.follows.append(followed)
    else:
        _from_watchlists(selection, args.watchlist, providers, paths)
        for name in sorted({r.provider for r in selection.refs} | {f.provider for f in selection.follows}):
            provider(name)
        for followed in selection.follows:
            if not _lists_tasks(provider(followed.provider).kind):
                raise CommandError(f"{paths.watchlists} follows instance {followed.instance} of provider "
                                   f"'{followed.provider}', which is not {LISTING_KINDS}; fix the list first")

    names = {r.provider for r in selection.refs} | {f.provider for f in selection.follows}
    selection.providers = {name: provider(name) for name in sorted(names)}
    # Unknown keys and other warnings in providers.toml: said on stderr, as the dashboard says them.
    selection.warnings = [p for p in provider_problems if not p.is_error] + selection.warnings
    return selection


def _from_watchlists(selection: Selection, name: str | None, providers: ProvidersFile, paths: Paths) -> None:
    store = WatchStore(paths.watchlists, providers, autosave=False)
    problems = store.load()
    errors = [p for p in problems if p.is_error]
    if errors:
        raise CommandError(f"{paths.watchlists} has errors; fix them first:", errors)
    selection.warnings = problems
    if name is not None:
        try:
            lists = [store.find_list(name)]
        except UnknownListError as exc:
            raise CommandError(str(exc)) from None
    else:
        lists = store.lists
    seen: set[str] = set()
    for watchlist in lists:
        for ref in watchlist.tasks:
            if ref.key not in seen:
                seen.add(ref.key)
                selection.refs.append(ref)
        for followed in watchlist.instances:
            if followed not in selection.follows:
                selection.follows.append(followed)
    if selection.refs or selection.follows:
        return
    hint = "add tasks with `taskdeck add`, or name them: PROVIDER [--instance I] ID..."
    if name is not None:
        raise CommandError(f"watch list '{lists[0].name}' is empty; {hint}")
    if lists:
        raise CommandError(f"the watch lists in {paths.watchlists} are empty; {hint}")
    raise CommandError(f"there are no saved watch lists ({paths.watchlists}); {hint}")
