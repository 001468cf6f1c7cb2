"""Refresh tokens from `taskdeck login`, kept in the OS keyring and nowhere else.

The `keyring` library picks the platform's store (Secret Service, macOS Keychain, Windows Credential
Locker). Smint.io's identity server rotates refresh tokens, so every new one replaces the old entry at once:
a token that only lived in memory would be lost at the next start and the old one is refused after use.
Without a usable backend taskdeck says so and points to `refresh_token_command`; it never falls back to a file.
"""

from __future__ import annotations

from typing import Any

from tui.core.secrets import Secret, register_secret

SERVICE = "taskdeck"
NO_BACKEND = ("no OS keyring is available (keyring found no backend), so taskdeck cannot keep a login; "
              "use auth type oauth-refresh with refresh_token_command = \"...\" (a command that prints the token) "
              "instead; taskdeck never writes a token to a file")


class KeyringUnavailable(Exception):
    """No usable keyring backend, or the backend failed; the message says what to do instead."""


def _entry(profile: str) -> str:
    return f"oidc-refresh-token:{profile}"


def _backend() -> Any:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        raise KeyringUnavailable(NO_BACKEND) from None
    try:
        backend = keyring.get_keyring()
    except KeyringError as exc:
        raise KeyringUnavailable(f"{NO_BACKEND} ({type(exc).__name__})") from None
    if type(backend).__module__ in ("keyring.backends.fail", "keyring.backends.null"):
        raise KeyringUnavailable(NO_BACKEND)
    return backend


def _call(action: str, function: Any, *args: str) -> Any:
    from keyring.errors import KeyringError

    try:
        return function(*args)
    except KeyringError as exc:
        raise KeyringUnavailable(f"the OS keyring refused to {action} the login ({type(exc).__name__}); "
                                 "unlock it, or see `taskdeck login --help`") from None


def load_refresh_token(profile: str) -> Secret | None:
    """The stored refresh token of the profile, None when not logged in; KeyringUnavailable without a keyring."""
    backend = _backend()
    value = _call("read", backend.get_password, SERVICE, _entry(profile))
    return Secret(value) if value else None


def store_refresh_token(profile: str, token: str) -> None:
    """Keep (or replace) the profile's refresh token; KeyringUnavailable when it cannot be kept."""
    register_secret(token)
    backend = _backend()
    _call("store", backend.set_password, SERVICE, _entry(profile), token)


def forget_refresh_token(profile: str) -> bool:
    """Delete the stored token; False when there was none."""
    from keyring.errors import KeyringError, PasswordDeleteError

    backend = _backend()
    try:
        backend.delete_password(SERVICE, _entry(profile))
    except PasswordDeleteError:
        return False
    except KeyringError as exc:
        raise KeyringUnavailable(f"the OS keyring refused to delete the login ({type(exc).__name__})") from None
    return True


def login_state(profile: str) -> str:
    """Where the refresh token comes from, in words, for `provider list` and the debug screen."""
    try:
        token = load_refresh_token(profile)
    except KeyringUnavailable as exc:
        return str(exc)
    if token is None:
        return f"OS keyring: not logged in yet (taskdeck login {profile})"
    return "OS keyring (logged in with taskdeck login)"
