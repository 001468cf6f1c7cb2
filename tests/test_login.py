"""`taskdeck login` end to end against the simulator's identity server, with the browser played by an HTTP
client and an in-memory keyring: PKCE, state, the timeout, rotated refresh tokens kept across a restart, a
refused refresh that says how to recover, and no keyring at all."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import keyring
import pytest
from helpers.login import MemoryKeyring, browser
from keyring.backends import fail as fail_backend

from tui.cli import main
from tui.core.providers_config import load_providers
from tui.core.secrets import Secret
from tui.providers.keyring_store import SERVICE, load_refresh_token
from tui.providers.oidc_login import login
from tui.providers.probe import probe
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess


@pytest.fixture
def ring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SIM_CLIENT_SECRET", cred.SMINT_CLIENT_SECRET)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def add_profile(sim: SimulatorProcess) -> None:
    assert main(["provider", "add", "acme", "--kind", "smint", "--base-url", f"{sim.base_url}/frontend/v1",
                 "--issuer", sim.base_url, "--client-id", cred.SMINT_CLIENT_ID,
                 "--client-secret-env", "SIM_CLIENT_SECRET"]) == 0


def stored(ring: MemoryKeyring) -> str | None:
    return ring.entries.get((SERVICE, "oidc-refresh-token:acme"))


def refresh_with(sim: SimulatorProcess, token: str) -> int:
    response = httpx.post(f"{sim.base_url}/connect/token", data={
        "grant_type": "refresh_token", "refresh_token": token, "client_id": cred.SMINT_CLIENT_ID,
        "client_secret": cred.SMINT_CLIENT_SECRET})
    return response.status_code


def test_login_stores_the_refresh_token_and_the_provider_uses_it(
        sim_reset: SimulatorProcess, ring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    add_profile(sim_reset)
    monkeypatch.setattr("webbrowser.open", browser())
    assert main(["login", "acme", "--timeout", "30"]) == 0
    out = capsys.readouterr().out
    assert "/connect/authorize?" in out and "code_challenge_method=S256" in out and "state=" in out
    first = stored(ring)
    assert first and first.startswith("sim-rt-") and first not in out
    # The provider refreshes with it; the identity server rotates it and the new one is stored at once.
    assert main(["provider", "test", "acme"]) == 0
    second = stored(ring)
    assert second and second != first
    assert refresh_with(sim_reset, first) == 400  # the old one is refused after use
    assert main(["provider", "list"]) == 0
    assert "OS keyring (logged in with taskdeck login)" in capsys.readouterr().out


async def test_rotated_refresh_token_survives_a_restart(sim_reset: SimulatorProcess, ring: MemoryKeyring) -> None:
    await asyncio.to_thread(add_profile, sim_reset)  # the command runs its own event loop
    ring.set_password(SERVICE, "oidc-refresh-token:acme", _login_token(sim_reset))
    providers, _ = load_providers(Path(os.environ["TASKDECK_CONFIG_DIR"]) / "providers.toml")
    config = providers.providers["acme"]
    for _ in range(3):  # three runs, each a fresh provider (a restart): each refresh rotates the token
        before = stored(ring)
        result = await probe(config)
        assert result.verdict == "ok", result.message
        assert stored(ring) != before


def _login_token(sim: SimulatorProcess) -> str:
    """A refresh token issued by a real code exchange, obtained the way `taskdeck login` does."""
    opener = browser()

    async def run() -> str:
        result = await login(sim.base_url, cred.SMINT_CLIENT_ID, Secret(cred.SMINT_CLIENT_SECRET),
                             show_url=lambda url: None, open_browser=opener, timeout=30)
        return result.refresh_token.reveal()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:  # the test's own loop is running
        return pool.submit(asyncio.run, run()).result()


def test_refused_refresh_says_log_in_again(sim_reset: SimulatorProcess, ring: MemoryKeyring,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    add_profile(sim_reset)
    token = _login_token(sim_reset)
    assert refresh_with(sim_reset, token) == 200  # someone used it: it is spent
    ring.set_password(SERVICE, "oidc-refresh-token:acme", token)
    assert main(["provider", "test", "acme"]) == 1
    out = capsys.readouterr().out
    assert "log in again: taskdeck login acme" in out and token not in out


def test_not_logged_in_says_how(sim_reset: SimulatorProcess, ring: MemoryKeyring,
                                capsys: pytest.CaptureFixture[str]) -> None:
    add_profile(sim_reset)
    assert main(["provider", "test", "acme"]) == 1
    assert "not logged in yet: taskdeck login acme" in capsys.readouterr().out


def test_wrong_state_is_refused_and_nothing_stored(sim_reset: SimulatorProcess, ring: MemoryKeyring,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    add_profile(sim_reset)
    monkeypatch.setattr("webbrowser.open", browser(lambda url: url.replace("state=", "state=forged")))
    assert main(["login", "acme", "--timeout", "30"]) == 2
    assert "wrong state" in capsys.readouterr().err
    assert stored(ring) is None


def test_timeout_ends_the_login_with_a_clear_message(sim_reset: SimulatorProcess, ring: MemoryKeyring,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    add_profile(sim_reset)
    monkeypatch.setattr("webbrowser.open", lambda url: True)  # nobody logs in
    assert main(["login", "acme", "--timeout", "0.5"]) == 124
    assert "no answer from the browser within 0.5 s" in capsys.readouterr().err
    assert stored(ring) is None


def test_no_keyring_backend_points_to_a_command(sim_reset: SimulatorProcess, ring: MemoryKeyring,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    add_profile(sim_reset)
    keyring.set_keyring(fail_backend.Keyring())
    assert main(["login", "acme", "--no-browser"]) == 2
    err = capsys.readouterr().err
    assert "no OS keyring is available" in err and "refresh_token_command" in err


def test_logout_forgets_the_login(sim_reset: SimulatorProcess, ring: MemoryKeyring,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    add_profile(sim_reset)
    ring.set_password(SERVICE, "oidc-refresh-token:acme", "sim-rt-something")
    assert main(["logout", "acme"]) == 0
    assert load_refresh_token("acme") is None
    assert main(["logout", "acme"]) == 0
    assert "was not logged in" in capsys.readouterr().out


def test_pkce_verifier_is_checked_by_the_simulator(sim_reset: SimulatorProcess) -> None:
    with httpx.Client() as client:
        r = client.get(f"{sim_reset.base_url}/connect/authorize", params={
            "response_type": "code", "client_id": cred.SMINT_CLIENT_ID, "redirect_uri": "http://127.0.0.1:9/callback",
            "state": "s", "code_challenge": "abc", "code_challenge_method": "S256"})
        assert r.status_code == 302
        code = httpx.URL(r.headers["location"]).params["code"]
        r = client.post(f"{sim_reset.base_url}/connect/token", data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": "http://127.0.0.1:9/callback",
            "code_verifier": "not-the-verifier", "client_id": cred.SMINT_CLIENT_ID})
        assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_refused_login_names_the_fix_in_the_health_and_a_new_login_heals(
        sim_reset: SimulatorProcess, ring: MemoryKeyring) -> None:
    from tui.core.model import TaskRef
    from tui.providers.errors import ProviderError
    from tui.providers.registry import create_provider

    await asyncio.to_thread(add_profile, sim_reset)  # the command runs its own event loop
    providers, _ = load_providers(Path(os.environ["TASKDECK_CONFIG_DIR"]) / "providers.toml")
    provider = create_provider(providers.providers["acme"])
    task = sim_reset.create_tasks("smint", outcome="never")[0]["id"]
    try:
        with pytest.raises(ProviderError) as refused:
            await provider.fetch(TaskRef("acme", task))
        assert refused.value.auth and provider.health_hint == "not logged in: taskdeck login acme"
        spent = _login_token(sim_reset)
        assert refresh_with(sim_reset, spent) == 200
        ring.set_password(SERVICE, "oidc-refresh-token:acme", spent)
        with pytest.raises(ProviderError) as refused:
            await provider.fetch(TaskRef("acme", task))
        assert "log in again: taskdeck login acme" in refused.value.message
        assert provider.health_hint == "log in again: taskdeck login acme"
        # Logging in again from another shell: the running provider picks the new token up.
        ring.set_password(SERVICE, "oidc-refresh-token:acme", _login_token(sim_reset))
        snapshot = await provider.fetch(TaskRef("acme", task))
        assert snapshot.error is None and provider.health_hint is None
    finally:
        await provider.aclose()
