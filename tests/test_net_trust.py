"""Trust: the simulator over TLS with a private CA, reached by each route a user has to trust that CA —
a profile's ca_bundle, SSL_CERT_FILE, SSL_CERT_DIR, the trust store OpenSSL and truststore find — and a
wrong CA failing with a message that names the certificate problem and the fix. No network needed."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path

import certifi
import pytest
from helpers.deck import smint_profile
from helpers.tls import Certs, certs_fixture, tls_sim_fixture  # noqa: F401 - fixtures "certs", "tls_sim"

from tui.core.config import ProviderConfig
from tui.core.model import TaskRef
from tui.providers.base import Provider
from tui.providers.errors import ProviderError
from tui.providers.registry import create_provider
from tui.providers.trust import env_trust_problem, trust_sources, verify_context
from tui.simulator.process import SimulatorProcess

TRANSPORTS = ["aiohttp", "httpx"]


@pytest.fixture
async def make() -> AsyncIterator[Callable[..., Provider]]:
    made: list[Provider] = []

    def build(config: ProviderConfig, env: Mapping[str, str]) -> Provider:
        made.append(create_provider(config, env=env))
        return made[-1]

    yield build
    for provider in made:
        await provider.aclose()


@pytest.fixture(scope="module")
def hashed_dir(certs: Certs, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory in OpenSSL's c_rehash layout holding the private CA (what SSL_CERT_DIR points at)."""
    directory = tmp_path_factory.mktemp("capath")
    subject_hash = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in", str(certs.ca_cert)],
                                  capture_output=True, text=True, check=True, timeout=30).stdout.strip()
    shutil.copy(certs.ca_cert, directory / f"{subject_hash}.0")
    return directory


async def read_one(make: Callable[..., Provider], sim: SimulatorProcess, transport: str,
                   env: Mapping[str, str], **settings: object) -> None:
    task = sim.create_tasks("smint", outcome="never")[0]["id"]
    provider = make(smint_profile("p", sim.base_url, transport=transport, **settings), env)
    snap = await provider.fetch(TaskRef("p", task))
    assert snap.error is None and snap.progress is not None


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_untrusted_private_ca_names_the_problem_and_the_fix(make, transport: str,
                                                                  tls_sim: SimulatorProcess) -> None:
    task = tls_sim.create_tasks("smint", outcome="never")[0]["id"]
    provider = make(smint_profile("p", tls_sim.base_url, transport=transport), {})
    with pytest.raises(ProviderError) as caught:
        await provider.fetch(TaskRef("p", task))
    error = caught.value
    assert error.network and error.code == "tls"
    assert "unable to get local issuer certificate" in error.message  # OpenSSL's own words
    assert "ca_bundle" in error.message and "SSL_CERT_FILE" in error.message  # and what to do


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_a_wrong_ca_bundle_fails_even_with_the_right_ca_elsewhere(make, transport: str, certs: Certs,
                                                                        tls_sim: SimulatorProcess) -> None:
    # ca_bundle wins: the right CA in SSL_CERT_FILE does not rescue a profile pointing at the wrong one.
    task = tls_sim.create_tasks("smint", outcome="never")[0]["id"]
    provider = make(smint_profile("p", tls_sim.base_url, transport=transport,
                                  ca_bundle=str(certs.self_signed_cert)), {"SSL_CERT_FILE": str(certs.ca_cert)})
    with pytest.raises(ProviderError) as caught:
        await provider.fetch(TaskRef("p", task))
    assert caught.value.code == "tls" and "certificate not trusted (" in caught.value.message


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_ca_bundle_route(make, transport: str, certs: Certs, tls_sim: SimulatorProcess) -> None:
    await read_one(make, tls_sim, transport, {}, ca_bundle=str(certs.ca_cert))


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_ssl_cert_file_route(make, transport: str, certs: Certs, tls_sim: SimulatorProcess) -> None:
    await read_one(make, tls_sim, transport, {"SSL_CERT_FILE": str(certs.ca_cert)})


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_ssl_cert_dir_route(make, transport: str, tls_sim: SimulatorProcess, hashed_dir: Path) -> None:
    await read_one(make, tls_sim, transport, {"SSL_CERT_DIR": str(hashed_dir)})


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_os_trust_store_route(make, monkeypatch: pytest.MonkeyPatch, transport: str, certs: Certs,
                                    tls_sim: SimulatorProcess) -> None:
    # The process's own environment is where OpenSSL (and so truststore on Linux) finds the system
    # store; the provider is given an empty environment, so only that route can have trusted the CA.
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_cert))
    await read_one(make, tls_sim, transport, {})


def test_certifi_is_trusted_as_well() -> None:
    certifi_subjects = {str(c["subject"]) for c in _certs_in(certifi.where())}
    context = verify_context(None, {})
    inner = getattr(context, "_ctx", context)  # truststore's context wraps an ssl.SSLContext
    loaded = {str(c["subject"]) for c in inner.get_ca_certs()}
    assert certifi_subjects and certifi_subjects <= loaded


def _certs_in(path: str) -> list[dict[str, object]]:
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=path)
    return context.get_ca_certs()  # type: ignore[return-value]


def test_trust_sources_are_named_in_order(certs: Certs, hashed_dir: Path) -> None:
    env = {"SSL_CERT_FILE": str(certs.ca_cert), "SSL_CERT_DIR": str(hashed_dir)}
    names = [name for name, _ in trust_sources(None, env)]
    assert names == [f"SSL_CERT_FILE {certs.ca_cert}", f"SSL_CERT_DIR {hashed_dir}",
                     "the operating system's trust store", "certifi"]
    assert [name for name, _ in trust_sources(str(certs.ca_cert), env)] == [f"ca_bundle {certs.ca_cert}"]


def test_a_trust_variable_pointing_nowhere_is_reported(tmp_path: Path) -> None:
    assert env_trust_problem({"SSL_CERT_FILE": str(tmp_path / "missing.pem")}) == (
        f"SSL_CERT_FILE points at {tmp_path / 'missing.pem'}, which is not a file")
    assert env_trust_problem({}) is None
