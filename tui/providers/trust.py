"""Which certificate authorities taskdeck trusts. Verification is never turned off.

By default: the operating system's trust store (through `truststore`, as pip does, so a company
root CA installed in the OS is trusted), plus certifi's list, plus `SSL_CERT_FILE` / `SSL_CERT_DIR`
when set. A profile's `ca_bundle` wins over all of them: only that file is trusted for the profile.

`trust_sources` lists the same sources one by one, so `taskdeck doctor` can say which of them
verified a server's certificate.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping

import certifi

try:  # truststore is a dependency; a broken install still verifies with certifi
    import truststore
except ImportError:  # pragma: no cover
    truststore = None  # type: ignore[assignment]


def _env(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _plain_context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED and check_hostname
    return context


def _os_context() -> ssl.SSLContext:
    if truststore is not None:
        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context = _plain_context()
    context.load_default_certs()
    return context


def _load_env_locations(context: ssl.SSLContext, env: Mapping[str, str]) -> None:
    cafile = env.get("SSL_CERT_FILE")
    capath = env.get("SSL_CERT_DIR")
    if cafile and os.path.isfile(cafile):
        context.load_verify_locations(cafile=cafile)
    if capath:
        for directory in capath.split(os.pathsep):
            if os.path.isdir(directory):
                context.load_verify_locations(capath=directory)


def verify_context(ca_bundle: str | None = None, env: Mapping[str, str] | None = None) -> ssl.SSLContext:
    """The context every connection of a profile verifies with (see the module doc)."""
    if ca_bundle:
        return ssl.create_default_context(cafile=ca_bundle)
    context = _os_context()
    context.load_verify_locations(cafile=certifi.where())
    _load_env_locations(context, _env(env))
    return context


def trust_sources(ca_bundle: str | None = None,
                  env: Mapping[str, str] | None = None) -> list[tuple[str, ssl.SSLContext]]:
    """(name, context trusting only that source), in the order a user would want them named."""
    if ca_bundle:
        return [(f"ca_bundle {ca_bundle}", ssl.create_default_context(cafile=ca_bundle))]
    environ = _env(env)
    sources: list[tuple[str, ssl.SSLContext]] = []
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        if environ.get(name):
            context = _plain_context()
            _load_env_locations(context, {name: environ[name]})
            sources.append((f"{name} {environ[name]}", context))
    sources.append(("the operating system's trust store", _os_context()))
    certifi_context = _plain_context()
    certifi_context.load_verify_locations(cafile=certifi.where())
    sources.append(("certifi", certifi_context))
    return sources


def env_trust_problem(env: Mapping[str, str] | None = None) -> str | None:
    """A trust setting in the environment that points nowhere (it would be ignored), or None."""
    environ = _env(env)
    cafile = environ.get("SSL_CERT_FILE")
    if cafile and not os.path.isfile(cafile):
        return f"SSL_CERT_FILE points at {cafile}, which is not a file"
    capath = environ.get("SSL_CERT_DIR")
    if capath and not any(os.path.isdir(d) for d in capath.split(os.pathsep)):
        return f"SSL_CERT_DIR points at {capath}, which is not a directory"
    return None
