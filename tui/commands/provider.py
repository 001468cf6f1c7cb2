"""`taskdeck provider add|list|test|remove`: set up provider profiles without editing providers.toml.

Exit statuses: 0 ok; 1 credentials refused (test); 2 a usage or config error (bad value, existing or
unknown name, missing field, profile still in use); 3 unreachable (test).
No command here takes or prints a secret value: secrets are named by where they live.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from tui.commands.selection import CommandError, fail, find_provider, read_providers, report
from tui.core.families import family_of
from tui.core.paths import Paths, resolve_paths
from tui.core.problems import ConfigError
from tui.core.profile_builder import FORM_AUTH_TYPES, ProfileAnswers, ProfileError
from tui.core.providers_config import ProviderConfig, ProvidersFile
from tui.core.providers_edit import remove_provider
from tui.core.taskids import KINDS
from tui.core.text import clean
from tui.core.watchstore import WatchStore

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    # No abbreviations: `--token VALUE` must not be taken for `--token-env` and end up in the file.
    add = actions.add_parser("add", help="add a profile to providers.toml (never takes a secret value)",
                             allow_abbrev=False)
    add.add_argument("name", metavar="NAME")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--region", metavar="R", help="Huawei region, e.g. eu-west-101: endpoints and project from it")
    add.add_argument("--base-url", metavar="URL", help="the API root (Huawei: overrides the region's endpoint)")
    add.add_argument("--iam-url", metavar="URL", help="Huawei IAM endpoint for the project lookup")
    add.add_argument("--project-id", metavar="P", help="Huawei project id (looked up from the region if missing)")
    add.add_argument("--auth", metavar="TYPE", help=f"one of {', '.join(FORM_AUTH_TYPES)} (guessed from the flags)")
    add.add_argument("--token-env", metavar="VAR", help="the environment variable holding the token")
    add.add_argument("--access-key-env", metavar="VAR", help="AK variable (default: the Huawei SDK's own)")
    add.add_argument("--secret-key-env", metavar="VAR", help="SK variable (default: the Huawei SDK's own)")
    add.add_argument("--issuer", metavar="URL", help="Smint.io login: the identity server (then taskdeck login NAME)")
    add.add_argument("--client-id", metavar="ID", help="Smint.io login: the OAuth client id")
    add.add_argument("--client-secret-env", metavar="VAR", help="Smint.io login: variable holding the client secret")
    add.add_argument("--interval", metavar="S", type=float, help="seconds between two polls of a task")
    listing = actions.add_parser("list", help="profiles, endpoints, auth and where each secret comes from")
    listing.add_argument("--json", action="store_true", help="one JSON object per profile")
    test = actions.add_parser("test", help="one real read-only call: 0 ok, 1 refused, 3 unreachable, 2 config")
    test.add_argument("name", metavar="NAME")
    remove = actions.add_parser("remove", help="remove a profile (refused while a watch list uses it)")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--force", action="store_true", help="remove it even though watch lists use it")


def run(args: argparse.Namespace) -> int:
    paths = resolve_paths()
    action = {"add": _add, "list": _list, "test": _test, "remove": _remove}[args.action]
    command = f"provider {args.action}"
    try:
        return action(args, paths)
    except CommandError as exc:
        return report(command, exc)
    except (ConfigError, ProfileError) as exc:
        return fail(command, EXIT_USAGE, str(exc))


# --- add --------------------------------------------------------------------------------------------------


def _add(args: argparse.Namespace, paths: Paths) -> int:
    from tui.providers.profile_setup import set_up_profile

    providers, _ = read_providers(paths)
    answers = ProfileAnswers(
        name=args.name, kind=args.kind, region=args.region, base_url=args.base_url, iam_url=args.iam_url,
        project_id=args.project_id, auth=args.auth, token_env=args.token_env, access_key_env=args.access_key_env,
        secret_key_env=args.secret_key_env, issuer=args.issuer, client_id=args.client_id,
        client_secret_env=args.client_secret_env, interval=args.interval)
    result = asyncio.run(set_up_profile(paths.providers, answers, providers))
    print(result.message)
    for note in result.notes:
        print(clean(note))
    for warning in result.warnings:
        print(f"note: {clean(warning)}", file=sys.stderr)
    print(f"next: taskdeck provider test {result.config.name}")
    return EXIT_OK


# --- list -------------------------------------------------------------------------------------------------


def describe(config: ProviderConfig) -> dict[str, Any]:
    """A profile as `provider list --json` prints it: no secret value, only where each one comes from."""
    from tui.providers.secret_sources import secret_sources

    return {
        "name": config.name,
        "kind": config.kind,
        "endpoint": config.base_url,
        "region": config.region,
        "project_id": config.project_id,
        "auth": config.auth_type,
        "secrets": secret_sources(config.name, config.auth),
        "usable": True,
    }


def _list(args: argparse.Namespace, paths: Paths) -> int:
    providers, problems = read_providers(paths)
    rows = [describe(c) for _, c in sorted(providers.providers.items())]
    for name in sorted(providers.broken):
        own = [clean(p.describe()) for p in problems if p.is_error and p.key.startswith(f"providers.{name}")]
        rows.append({"name": name, "usable": False, "problems": own})
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    if not rows:
        print(f"no provider profiles in {paths.providers}\n"
              "add one: taskdeck provider add NAME --kind huawei-dms --region eu-west-101")
        return EXIT_OK
    for row in rows:
        if not row["usable"]:
            print(f"{row['name']}: has errors")
            for problem in row["problems"]:
                print(f"  {problem}")
            continue
        where = f"region {row['region']}, " if row["region"] else ""
        project = row["project_id"] or ("looked up at first use" if _needs_project(row["kind"]) else None)
        print(f"{row['name']}  {row['kind']}  {where}{row['endpoint']}")
        if project:
            print(f"  project: {project}")
        print(f"  auth: {row['auth']}")
        for source in row["secrets"]:
            print(f"    {source['field']}: {clean(source['from'])}")
    return EXIT_OK


# --- test -------------------------------------------------------------------------------------------------


def _test(args: argparse.Namespace, paths: Paths) -> int:
    from tui.providers.probe import CONFIG, OK, REFUSED, probe

    providers, problems = read_providers(paths)
    config = find_provider(args.name, providers, problems, paths.providers)
    result = asyncio.run(probe(config))
    codes = {OK: EXIT_OK, REFUSED: EXIT_REFUSED, CONFIG: EXIT_USAGE}
    print(f"{config.name}: {clean(result.message)}")
    return codes.get(result.verdict, EXIT_UNREACHABLE)


# --- remove -----------------------------------------------------------------------------------------------


def users_of(name: str, providers: ProvidersFile, paths: Paths) -> dict[str, int]:
    """Watch list -> how many of its tasks and followed instances use the profile."""
    store = WatchStore(paths.watchlists, providers, autosave=False)
    store.load()
    counts: dict[str, int] = {}
    for watch_list in store.lists:
        used = sum(r.provider == name for r in watch_list.tasks) + sum(
            f.provider == name for f in watch_list.instances)
        if used:
            counts[watch_list.name] = used
    return counts


def _remove(args: argparse.Namespace, paths: Paths) -> int:
    providers, problems = read_providers(paths)
    if args.name not in providers.names:
        find_provider(args.name, providers, problems, paths.providers)  # raises with the known names
    users = users_of(args.name, providers, paths)
    if users and not args.force:
        lists = ", ".join(f"'{k}' ({v})" for k, v in users.items())
        raise CommandError(f"profile '{args.name}' is used by watch list(s) {lists}; remove those tasks first, "
                           f"or run taskdeck provider remove {args.name} --force (the tasks stay in the lists)")
    print(remove_provider(paths.providers, args.name))
    if users:
        print(f"the watch lists still name '{args.name}'; their tasks show an unknown provider until it is "
              "added again", file=sys.stderr)
    if providers.providers.get(args.name) is not None and providers.providers[args.name].auth_type == "oidc":
        print(f"its login stays in the OS keyring until taskdeck logout {args.name}")
    return EXIT_OK


def _needs_project(kind: str) -> bool:
    """Profiles of kinds whose tasks belong to instances live in a Huawei project (see providers_config)."""
    family = family_of(kind)
    return family is not None and family.needs_instance
