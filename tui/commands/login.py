"""`taskdeck login NAME` and `taskdeck logout NAME`: a Smint.io login kept in the OS keyring.

Exit statuses: 0 logged in (or out); 1 the identity server refused; 2 usage or config error (unknown
profile, not an oidc profile, no keyring backend, wrong state); 3 the identity server is unreachable;
124 no answer from the browser in time; 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import webbrowser

from tui.commands.selection import CommandError, fail, find_provider, read_providers, report
from tui.core.paths import resolve_paths
from tui.core.providers_config import ProviderConfig
from tui.core.secrets import SecretError, resolve_secret

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_TIMEOUT, EXIT_INTERRUPTED = 0, 1, 2, 3, 124, 130
CODES = {"refused": EXIT_REFUSED, "unreachable": EXIT_UNREACHABLE, "timeout": EXIT_TIMEOUT}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="a profile with auth type oidc")
    if parser.prog.endswith("login"):
        parser.add_argument("--no-browser", action="store_true", help="only print the URL to open")
        parser.add_argument("--timeout", type=float, default=300.0, metavar="S",
                            help="seconds to wait for the browser (default 300)")
        parser.add_argument("--port", type=int, default=0, metavar="P",
                            help="loopback port of the redirect (default: any free one)")


def _profile(name: str, command: str) -> ProviderConfig:
    paths = resolve_paths()
    providers, problems = read_providers(paths)
    config = find_provider(name, providers, problems, paths.providers)
    if config.auth_type != "oidc":
        raise CommandError(f"profile '{name}' uses auth type '{config.auth_type}'; {command} is for profiles "
                           f"with auth = {{ type = \"oidc\", issuer = ..., client_id = ... }} "
                           f"(taskdeck provider add {name} --kind smint --issuer URL --client-id ID)")
    return config


def run(args: argparse.Namespace) -> int:
    command = "logout" if getattr(args, "timeout", None) is None else "login"
    try:
        config = _profile(args.name, command)
    except CommandError as exc:
        return report(command, exc)
    return _logout(config) if command == "logout" else _login(config, args)


def _logout(config: ProviderConfig) -> int:
    from tui.providers.keyring_store import KeyringUnavailable, forget_refresh_token

    try:
        forgotten = forget_refresh_token(config.name)
    except KeyringUnavailable as exc:
        return fail("logout", EXIT_USAGE, str(exc))
    print(f"{config.name}: logged out" if forgotten else f"{config.name}: was not logged in")
    return EXIT_OK


def _login(config: ProviderConfig, args: argparse.Namespace) -> int:
    from tui.providers.keyring_store import KeyringUnavailable, load_refresh_token, store_refresh_token
    from tui.providers.oidc_login import SMINT_SCOPE, LoginError, LoginResult, login

    try:
        load_refresh_token(config.name)  # fails early when there is no keyring to keep the login in
        secret = resolve_secret(config.auth, "client_secret", required=False)
    except (KeyringUnavailable, SecretError) as exc:
        return fail("login", EXIT_USAGE, str(exc))

    def show(url: str) -> None:
        print(f"Open this URL to log in to '{config.name}' (taskdeck waits up to {args.timeout:g} s):\n{url}",
              flush=True)

    def browse(url: str) -> None:
        if not args.no_browser:
            try:
                webbrowser.open(url)
            except webbrowser.Error:
                pass

    scope = config.auth.get("scope") or SMINT_SCOPE

    async def run_login() -> LoginResult:
        # The profile's own transport: its proxy and trust store apply to the login as to every request.
        from tui.providers.transport import make_client

        client = make_client(config, None)
        try:
            return await login(str(config.auth["issuer"]), str(config.auth["client_id"]), secret, scope=scope,
                               show_url=show, open_browser=browse, timeout=args.timeout, port=args.port,
                               client=client)
        finally:
            await client.aclose()

    try:
        result = asyncio.run(run_login())
    except LoginError as exc:
        return fail("login", CODES.get(exc.kind, EXIT_USAGE), str(exc))
    except KeyboardInterrupt:
        print("taskdeck login: interrupted; nothing was stored", file=sys.stderr)
        return EXIT_INTERRUPTED
    try:
        store_refresh_token(config.name, result.refresh_token.reveal())
    except KeyringUnavailable as exc:
        return fail("login", EXIT_USAGE, str(exc))
    print(f"{config.name}: logged in; the refresh token is in the OS keyring (taskdeck logout {config.name} "
          "forgets it)")
    return EXIT_OK
