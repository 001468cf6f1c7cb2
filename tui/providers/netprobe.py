"""Low-level network probes for `taskdeck doctor`: name lookup, TCP connect, a proxy's answer to
CONNECT (or to a forwarded GET), and a TLS handshake — one step at a time, so a failure names the
step. Each probe raises `ProbeError` with a short reason; nothing here knows about profiles.
"""

from __future__ import annotations

import asyncio
import base64
import socket
import ssl
from dataclasses import dataclass

import httpx

from tui.core.text import clean


class ProbeError(Exception):
    """One probe failed; `str()` says how, in a few words."""


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, url: str | httpx.URL) -> Target:
        parsed = httpx.URL(str(url))
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        return cls(parsed.scheme, parsed.host, port)

    @property
    def authority(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


async def resolve(host: str, port: int, timeout: float) -> list[str]:
    """The addresses of `host` (a literal IP address resolves to itself)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
    except TimeoutError:
        raise ProbeError(f"no answer from the resolver within {timeout:g} s") from None
    except OSError as exc:
        raise ProbeError(clean(str(exc.strerror or exc), limit=120)) from None
    return sorted({str(info[4][0]) for info in infos})


async def connect(host: str, port: int, timeout: float) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    try:
        return await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except TimeoutError:
        raise ProbeError(f"no answer within {timeout:g} s") from None
    except ConnectionRefusedError:
        raise ProbeError("connection refused") from None
    except OSError as exc:
        raise ProbeError(clean(str(exc.strerror or exc), limit=120)) from None


async def close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), 2)
    except (OSError, TimeoutError, ssl.SSLError):
        pass


def _proxy_authorization(proxy_url: str) -> str:
    parsed = httpx.URL(proxy_url)
    if not parsed.username:
        return ""
    token = base64.b64encode(f"{parsed.username}:{parsed.password}".encode()).decode()
    return f"Proxy-Authorization: Basic {token}\r\n"


async def _status_line(reader: asyncio.StreamReader, timeout: float) -> tuple[int, str]:
    """Read a response head; (status, reason). ProbeError when the peer hangs up without one."""
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    except TimeoutError:
        raise ProbeError(f"the proxy did not answer within {timeout:g} s") from None
    except asyncio.IncompleteReadError:
        raise ProbeError("the proxy closed the connection without answering") from None
    except (OSError, asyncio.LimitOverrunError) as exc:
        raise ProbeError(f"the proxy's answer could not be read ({type(exc).__name__})") from None
    first = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = first.split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ProbeError(f"the proxy answered something that is not HTTP: {clean(first, limit=60)!r}")
    return int(parts[1]), clean(parts[2] if len(parts) > 2 else "", limit=80)


async def ask_proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, proxy_url: str, target: Target,
                    timeout: float) -> tuple[int, str]:
    """CONNECT to an https target, or a GET of the target's root for an http one; the proxy's status."""
    auth = _proxy_authorization(proxy_url)
    if target.scheme == "https":
        request = f"CONNECT {target.authority} HTTP/1.1\r\nHost: {target.authority}\r\n{auth}\r\n"
    else:
        request = (f"GET http://{target.authority}/ HTTP/1.1\r\nHost: {target.authority}\r\n{auth}"
                   f"Connection: close\r\n\r\n")
    writer.write(request.encode())
    try:
        await writer.drain()
    except OSError:
        raise ProbeError("the proxy closed the connection without answering") from None
    return await _status_line(reader, timeout)


async def handshake(writer: asyncio.StreamWriter, context: ssl.SSLContext, host: str, timeout: float) -> dict:
    """TLS over an open connection (direct or a CONNECT tunnel); the server's certificate as Python
    decodes it. ProbeError with OpenSSL's reason when it is not trusted."""
    try:
        await asyncio.wait_for(writer.start_tls(context, server_hostname=host), timeout)
    except TimeoutError:
        raise ProbeError(f"no TLS handshake within {timeout:g} s") from None
    except ssl.SSLCertVerificationError as exc:
        raise ProbeError(f"certificate not trusted ({exc.verify_message or exc.reason})") from None
    except (ssl.SSLError, OSError) as exc:
        raise ProbeError(f"handshake failed ({clean(str(exc), limit=120)})") from None
    cert = writer.get_extra_info("peercert") or {}
    return cert if isinstance(cert, dict) else {}


def name_of(cert_names: object) -> str:
    """'CN=taskdeck test CA, O=...' from getpeercert()'s nested tuples."""
    parts: list[str] = []
    if isinstance(cert_names, tuple):
        for rdn in cert_names:
            for pair in rdn if isinstance(rdn, tuple) else ():
                if isinstance(pair, tuple) and len(pair) == 2:
                    key = {"commonName": "CN", "organizationName": "O", "countryName": "C"}.get(pair[0])
                    if key:
                        parts.append(f"{key}={pair[1]}")
    return clean(", ".join(parts), limit=120) or "unknown"
