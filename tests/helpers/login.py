"""What a login test plays: an in-memory keyring backend (the real `keyring` API, nothing written anywhere) and
the browser, an HTTP client that approves at once and follows the redirect to the loopback listener."""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}
        self.writes = 0

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password
        self.writes += 1

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


def browser(transform: Callable[[str], str] = lambda url: url) -> Callable[[str], bool]:
    """A stand-in for webbrowser.open: fetch the URL in a thread and follow the redirect to the loopback
    (`transform` may change each URL on the way, e.g. to forge the state)."""

    def open_url(url: str) -> bool:
        def visit() -> None:
            with httpx.Client(timeout=10) as client:
                first = client.get(transform(url), follow_redirects=False)
                if first.status_code == 302:
                    client.get(transform(first.headers["location"]))

        threading.Thread(target=visit, daemon=True).start()
        return True

    return open_url
