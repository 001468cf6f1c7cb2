"""Proxies as users have them: HTTPS_PROXY / HTTP_PROXY / ALL_PROXY / NO_PROXY, a profile's own proxy,
a proxy that wants credentials and one that refuses — on both transports, through a real forward
proxy (pproxy) on 127.0.0.1. What went through the proxy is read from the proxy's own log.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
from helpers.deck import deck_config, run_app, smint_profile, wait_rows, write_config_dir
from helpers.proxy import ForwardProxy
from helpers.tls import Certs, certs_fixture, tls_sim_fixture  # noqa: F401 - fixtures "certs", "tls_sim"

from tui.core.config import ProviderConfig
from tui.core.model import TaskRef
from tui.core.providers_config import parse_providers
from tui.providers.base import Provider
from tui.providers.errors import ProviderError
from tui.providers.proxy import ProxyError, env_proxy_for, mask_userinfo, no_proxy_match
from tui.providers.registry import create_provider
from tui.simulator.process import SimulatorProcess

TRANSPORTS = ["aiohttp", "httpx"]


# -- reading the environment the way curl and httpx do --------------------------------------------------


def choice(url: str, **env: str) -> tuple[str | None, str]:
    picked = env_proxy_for(httpx.URL(url), env)
    return picked.url, picked.source


def test_scheme_specific_then_all_proxy_either_case() -> None:
    assert choice("https://a.example", HTTPS_PROXY="p:3128") == ("http://p:3128", "HTTPS_PROXY")
    assert choice("https://a.example", https_proxy="http://low:1", HTTPS_PROXY="http://up:1") == (
        "http://low:1", "https_proxy")
    assert choice("http://a.example", HTTPS_PROXY="http://p:1") == (None, "no proxy configured")
    assert choice("http://a.example", http_proxy="http://h:1", ALL_PROXY="http://all:1") == (
        "http://h:1", "http_proxy")
    assert choice("http://a.example", all_proxy="http://all:1") == ("http://all:1", "all_proxy")


def test_loopback_goes_through_the_proxy_unless_no_proxy_names_it() -> None:
    assert choice("http://127.0.0.1:8765", HTTP_PROXY="http://p:1")[0] == "http://p:1"
    assert choice("http://localhost:8765", HTTP_PROXY="http://p:1")[0] == "http://p:1"
    assert choice("http://127.0.0.1:8765", HTTP_PROXY="http://p:1", NO_PROXY="127.0.0.1") == (
        None, "NO_PROXY entry 127.0.0.1")


@pytest.mark.parametrize(("host", "port", "no_proxy", "bypassed"), [
    ("example.com", 443, "example.com", True),
    ("api.example.com", 443, "example.com", True),
    ("api.example.com", 443, ".example.com", True),
    ("example.com", 443, ".example.com", True),  # curl: a leading dot changes nothing
    ("badexample.com", 443, "example.com", False),
    ("example.com", 443, "*", True),
    ("10.1.2.3", 443, "10.0.0.0/8", True),
    ("11.1.2.3", 443, "10.0.0.0/8", False),
    ("::1", 443, "::1", True),
    ("example.com", 443, "example.com:8443", False),
    ("example.com", 8443, "example.com:8443", True),
    ("example.com", 443, " other.org , EXAMPLE.com ", True),
])
def test_no_proxy_entries(host: str, port: int, no_proxy: str, bypassed: bool) -> None:
    assert (no_proxy_match(host, port, no_proxy) is not None) is bypassed


def test_userinfo_is_masked() -> None:
    assert mask_userinfo("http://alice:pw@proxy:3128") == "http://***@proxy:3128"
    assert mask_userinfo("http://proxy:3128") == "http://proxy:3128"


def test_a_profile_proxy_with_inline_credentials_is_refused() -> None:
    profile = smint_profile("p", "https://x.example", proxy="http://alice:pw@proxy:3128")
    with pytest.raises(ProxyError, match="proxy_env"):
        create_provider(profile, env={})


def test_a_socks_proxy_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ProxyError, match="not supported"):
        create_provider(smint_profile("p", "https://x.example", proxy="socks5://proxy:1080"), env={})


PROFILE = """\
[providers.acme]
kind = "smint"
base_url = "https://acme.example/frontend/v1"
{line}
"""


@pytest.mark.parametrize(("line", "key", "says"), [
    ('proxy = "http://alice:pw123@proxy:3128"', "proxy", "not accepted inline"),
    ('proxy = "proxy:3128"', "proxy", "expected a proxy URL"),
    ('proxy = "none"\nproxy_env = "P"', "proxy_env", "set only one of"),
    ("proxy_env = 3", "proxy_env", "expected the name of an environment variable"),
])
def test_providers_toml_proxy_problems(line: str, key: str, says: str) -> None:
    parsed, problems = parse_providers(PROFILE.format(line=line), Path("providers.toml"))
    assert "acme" not in parsed.providers
    (problem,) = problems
    assert problem.key == f"providers.acme.{key}" and says in problem.message and problem.line is not None
    assert "pw123" not in str(problem)


def test_providers_toml_proxy_keys_are_read() -> None:
    parsed, problems = parse_providers(PROFILE.format(line='proxy_command = ["pass", "proxy"]'))
    assert not problems and parsed.providers["acme"].proxy_command == ["pass", "proxy"]
    parsed, problems = parse_providers(PROFILE.format(line='proxy = "NONE"'))
    assert not problems and parsed.providers["acme"].proxy == "none"


# -- a real proxy --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy() as running:
        yield running


@pytest.fixture(scope="module")
def auth_proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy(user="alice", password="pr0xy-s3cret") as running:
        yield running


@pytest.fixture(scope="module")
def refusing_proxy() -> Iterator[ForwardProxy]:
    with ForwardProxy(refuse=True) as running:
        yield running


@pytest.fixture
async def make() -> AsyncIterator[Callable[..., Provider]]:
    made: list[Provider] = []

    def build(config: ProviderConfig, env: dict[str, str]) -> Provider:
        made.append(create_provider(config, env=env))
        return made[-1]

    yield build
    for provider in made:
        await provider.aclose()


def tls_profile(sim: SimulatorProcess, certs: Certs, transport: str, **settings: object) -> ProviderConfig:
    return smint_profile("p", sim.base_url, transport=transport, ca_bundle=str(certs.ca_cert),
                         **settings)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_https_proxy_carries_https_through_connect_and_no_proxy_takes_it_out(
        make, transport: str, tls_sim: SimulatorProcess, certs: Certs, proxy: ForwardProxy) -> None:
    task = tls_sim.create_tasks("smint", outcome="never")[0]["id"]
    before = len(proxy.forwarded_to(tls_sim.port))
    through = make(tls_profile(tls_sim, certs, transport), {"HTTPS_PROXY": proxy.url})
    snap = await through.fetch(TaskRef("p", task))
    assert snap.error is None and snap.progress is not None
    assert len(proxy.forwarded_to(tls_sim.port)) == before + 1  # one CONNECT tunnel, seen by the proxy

    direct = make(tls_profile(tls_sim, certs, transport),
                  {"HTTPS_PROXY": proxy.url, "NO_PROXY": "localhost,127.0.0.1"})
    for _ in range(3):
        assert (await direct.fetch(TaskRef("p", task))).error is None
    assert len(proxy.forwarded_to(tls_sim.port)) == before + 1  # nothing more went through the proxy


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_http_proxy_forwards_plain_http(make, transport: str, sim_reset: SimulatorProcess,
                                              proxy: ForwardProxy) -> None:
    task = sim_reset.create_tasks("smint", outcome="never")[0]["id"]
    before = len(proxy.forwarded_to(sim_reset.port))
    provider = make(smint_profile("p", sim_reset.base_url, transport=transport),
                    {"http_proxy": proxy.url, "HTTPS_PROXY": "http://127.0.0.1:9"})
    assert (await provider.fetch(TaskRef("p", task))).error is None
    assert len(proxy.forwarded_to(sim_reset.port)) > before


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_profile_proxy_none_and_profile_proxy_url(make, transport: str, tls_sim: SimulatorProcess,
                                                        certs: Certs, proxy: ForwardProxy) -> None:
    task = tls_sim.create_tasks("smint", outcome="never")[0]["id"]
    before = len(proxy.forwarded_to(tls_sim.port))
    # proxy = "none" beats the environment.
    none = make(tls_profile(tls_sim, certs, transport, proxy="none"), {"HTTPS_PROXY": proxy.url})
    assert (await none.fetch(TaskRef("p", task))).error is None
    assert len(proxy.forwarded_to(tls_sim.port)) == before
    # proxy = URL works with nothing in the environment.
    own = make(tls_profile(tls_sim, certs, transport, proxy=proxy.url), {})
    assert (await own.fetch(TaskRef("p", task))).error is None
    assert len(proxy.forwarded_to(tls_sim.port)) == before + 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_proxy_that_wants_credentials(make, transport: str, tls_sim: SimulatorProcess, certs: Certs,
                                              auth_proxy: ForwardProxy, caplog: pytest.LogCaptureFixture) -> None:
    task = tls_sim.create_tasks("smint", outcome="never")[0]["id"]
    refused_before = len(auth_proxy.seen("Unauthorized"))
    without = make(tls_profile(tls_sim, certs, transport), {"HTTPS_PROXY": auth_proxy.url})
    with pytest.raises(ProviderError) as caught:
        await without.fetch(TaskRef("p", task))
    assert caught.value.code == "proxy-auth" and "proxy_env" in caught.value.message
    assert auth_proxy.url in caught.value.message and "HTTPS_PROXY" in caught.value.message
    auth_proxy.wait_for("Unauthorized", at_least=refused_before + 1)  # the proxy itself said no

    forwarded_before = len(auth_proxy.forwarded_to(tls_sim.port))
    caplog.set_level(logging.DEBUG, logger="taskdeck")
    env = {"CORP_PROXY": auth_proxy.url_with_credentials}
    with_credentials = make(tls_profile(tls_sim, certs, transport, proxy_env="CORP_PROXY"), env)
    assert (await with_credentials.fetch(TaskRef("p", task))).error is None
    assert len(auth_proxy.forwarded_to(tls_sim.port)) == forwarded_before + 1
    assert f"through proxy http://***@127.0.0.1:{auth_proxy.port}" in caplog.text
    assert auth_proxy.password not in caplog.text


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_proxy_that_refuses(make, transport: str, tls_sim: SimulatorProcess, certs: Certs,
                                    refusing_proxy: ForwardProxy) -> None:
    task = tls_sim.create_tasks("smint", outcome="never")[0]["id"]
    blocked_before = len(refusing_proxy.seen("BLOCK"))
    provider = make(tls_profile(tls_sim, certs, transport), {"ALL_PROXY": refusing_proxy.url})
    with pytest.raises(ProviderError) as caught:
        await provider.fetch(TaskRef("p", task))
    assert caught.value.network
    assert f"[through proxy {refusing_proxy.url} from ALL_PROXY]" in caught.value.message
    refusing_proxy.wait_for("BLOCK", at_least=blocked_before + 1)


# -- done when: `taskdeck status` and the dashboard, with only HTTPS_PROXY set ---------------------------------


def status_env(tmp_path: Path, sim: SimulatorProcess, certs: Certs, transport: str, **extra: str) -> dict[str, str]:
    profile = smint_profile("acme", sim.base_url, transport=transport, ca_bundle=str(certs.ca_cert))
    paths = write_config_dir(tmp_path / transport, [profile], {})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKDECK_", "XDG_"))}
    env.update(TASKDECK_CONFIG_DIR=str(paths.config_dir), TASKDECK_STATE_DIR=str(paths.state_dir), **extra)
    return env


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_status_command_goes_through_https_proxy(tmp_path: Path, transport: str, tls_sim: SimulatorProcess,
                                                 certs: Certs, proxy: ForwardProxy) -> None:
    task = tls_sim.create_tasks("smint", outcome="never")[0]["id"]

    def status(**env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tui", "status", "acme", task, "--json"],
                              env=status_env(tmp_path, tls_sim, certs, transport, **env), capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)

    before = len(proxy.forwarded_to(tls_sim.port))
    result = status(HTTPS_PROXY=proxy.url)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["state"] == "running"
    assert len(proxy.forwarded_to(tls_sim.port)) == before + 1

    result = status(HTTPS_PROXY=proxy.url, NO_PROXY="127.0.0.1")
    assert result.returncode == 0, result.stderr
    assert len(proxy.forwarded_to(tls_sim.port)) == before + 1


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_dashboard_goes_through_https_proxy(monkeypatch: pytest.MonkeyPatch, transport: str,
                                                  tls_sim: SimulatorProcess, certs: Certs,
                                                  proxy: ForwardProxy) -> None:
    from tui.app import TaskdeckApp

    task = tls_sim.create_tasks("smint", outcome="never")[0]["id"]
    before = len(proxy.forwarded_to(tls_sim.port))
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    profile = smint_profile("acme", tls_sim.base_url, transport=transport,
                            ca_bundle=str(certs.ca_cert), interval=1)
    app = TaskdeckApp(deck_config([profile], {"All": [TaskRef("acme", task)]}))
    async with run_app(app) as pilot:
        await wait_rows(pilot, app, [TaskRef("acme", task).key], "running")
    assert len(proxy.forwarded_to(tls_sim.port)) > before
