"""Certificates for TLS tests, made with the `openssl` command (skip the test when it is missing).

`make_certs(directory)` writes a private CA, a server certificate for 127.0.0.1/localhost signed by
it, and an unrelated self-signed certificate for the same names, and returns their paths.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tui.simulator.process import SimulatorProcess

SAN = "subjectAltName=IP:127.0.0.1,DNS:localhost"


def have_openssl() -> bool:
    return shutil.which("openssl") is not None


@dataclass(frozen=True)
class Certs:
    ca_cert: Path  # the private CA (what a ca_bundle points at)
    server_cert: Path  # for 127.0.0.1, signed by the CA
    server_key: Path
    self_signed_cert: Path  # for 127.0.0.1, signed by nobody the client knows
    self_signed_key: Path

    def server_context(self, *, self_signed: bool = False) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if self_signed:
            context.load_cert_chain(self.self_signed_cert, self.self_signed_key)
        else:
            context.load_cert_chain(self.server_cert, self.server_key)
        return context


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_certs(directory: Path) -> Certs:
    d = directory
    d.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=taskdeck test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    (d / "server.ext").write_text(f"{SAN}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
             "-out", "server.pem", "-days", "2", "-extfile", "server.ext", cwd=d)
    _openssl("req", "-x509", *ec, "-keyout", "self.key", "-out", "self.pem", "-days", "2",
             "-subj", "/CN=127.0.0.1", "-addext", SAN, cwd=d)
    return Certs(d / "ca.pem", d / "server.pem", d / "server.key", d / "self.pem", d / "self.key")


# Module-scoped fixtures for tests that need them (import them by name into the test module).


@pytest.fixture(scope="module", name="certs")
def certs_fixture(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    if not have_openssl():
        pytest.skip("the openssl command is not installed: no certificates for the TLS tests")
    return make_certs(tmp_path_factory.mktemp("certs"))


@pytest.fixture(scope="module", name="tls_sim")
def tls_sim_fixture(certs: Certs) -> Iterator[SimulatorProcess]:
    """The simulator over HTTPS, its certificate signed by the private CA."""
    with SimulatorProcess(extra_args=["--tls-cert", str(certs.server_cert), "--tls-key", str(certs.server_key)],
                          cafile=str(certs.ca_cert)) as sim:
        yield sim
