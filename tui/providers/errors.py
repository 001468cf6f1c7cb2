"""Turn every way a request can fail into one `ProviderError`.

Error bodies come in several shapes (apis.md §5): `{error_code, error_msg}`,
`{error_code, error_message, error_details}`, `{error: {code, message}}`,
`{code, message}`, or not JSON at all. The parser is tolerant of all of them and
of wrong types inside them; it never raises.
"""

from __future__ import annotations

import json
import re
import ssl
import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from tui.core.model import TaskError, TaskRef
from tui.core.secrets import redact
from tui.core.taskids import check_safe_id, is_url_safe
from tui.core.text import clean

BODY_EXCERPT = 200
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


class ProviderError(Exception):
    """A failed read of a task. The message is plain text, cleaned and redacted."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        gone: bool = False,
        retry_after: float | None = None,
        network: bool = False,
        auth: bool = False,
        hint: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.message = clean(redact(message), limit=400)
        self.request_id = clean(redact(request_id), limit=120) or None if request_id else None
        self.status = status
        self.code = clean(redact(code), limit=80) if code else None
        self.gone = gone
        self.retry_after = retry_after
        self.network = network
        self.auth = auth
        # What is probably behind the error, when taskdeck can tell (a wrong clock behind APIG.0303).
        self.hint = hint
        super().__init__(str(self.to_task_error()))

    def to_task_error(self) -> TaskError:
        return TaskError(message=self.message, code=self.code, status=self.status, gone=self.gone, hint=self.hint,
                         request_id=self.request_id)


def refuse_unsafe_ids(ref: TaskRef) -> None:
    """A task or instance id that a URL would change ("." or "..", "/ ? # %", whitespace, controls)
    is never sent: it would read another resource (id "." reads the task list)."""
    for what, value in (("task id", ref.id), ("instance id", ref.instance)):
        if value is not None and not is_url_safe(value):
            raise ProviderError(check_safe_id(value, what) or f"{what} {value!r} cannot be used in a URL",
                                code="bad-id")


def other_task_error(requested: str, answered: str) -> ProviderError:
    """A show-task answer about another task than the one asked for. Never shown as the requested
    task's data: an id the URL layer rewrote (".", "..") once made the task list answer instead."""
    shown = f" ({answered!r})" if answered else ""
    return ProviderError(f"the server answered for another task{shown} than {requested!r}",
                         status=200, code="other-task")


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)


_CODE_KEYS = ("error_code", "errorCode", "code")
_MESSAGE_KEYS = ("error_msg", "error_message", "errorMsg", "message")


def _find_code_message(data: Any, depth: int = 0) -> tuple[str | None, str | None]:
    if not isinstance(data, dict) or depth > 4:
        return None, None
    # Code and message are looked up separately: Smint pairs error_code with error_message,
    # Huawei with error_msg.
    code = next((c for c in (_text(data.get(k)) for k in _CODE_KEYS) if c), None)
    msg = next((m for m in (_text(data.get(k)) for k in _MESSAGE_KEYS) if m), None)
    if code or msg:
        details = data.get("error_details")
        if msg and isinstance(details, dict) and details:
            extra = ", ".join(f"{k}={v}" for k, v in details.items() if _text(v))
            if extra:
                msg = f"{msg} ({extra})"
        return code, msg
    for value in data.values():
        if isinstance(value, dict):
            code, msg = _find_code_message(value, depth + 1)
            if code or msg:
                return code, msg
    return None, None


def excerpt(body: bytes, content_type: str = "") -> str:
    """A short, readable, single-line description of a non-JSON body."""
    if not body.strip():
        return "empty response body"
    if "html" in content_type.lower() or body.lstrip()[:1] == b"<":
        title = _TITLE.search(body[:65536])
        if title:
            text = title.group(1).decode("utf-8", "replace")
        else:
            text = _TAGS.sub(" ", body[:4096].decode("utf-8", "replace"))
    else:
        text = body[: BODY_EXCERPT * 4].decode("utf-8", "replace")
    text = _SPACES.sub(" ", text).strip()
    return clean(text[:BODY_EXCERPT]) or "unreadable response body"


def request_id_of(response: httpx.Response) -> str | None:
    """The request id of a response: the X-Request-Id header (what the SDK's exception handler reads),
    else a `request_id` in a JSON error body (the API gateway's front door puts it there)."""
    header = response.headers.get("x-request-id", "").strip()
    if header:
        return header
    # Only error bodies are read for it: a success body can be large, and it was parsed already.
    if response.status_code < 400 or not response.content.lstrip().startswith(b"{"):
        return None
    try:
        data = json.loads(response.content)
    except (ValueError, RecursionError):
        return None
    value = data.get("request_id") if isinstance(data, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def parse_error_body(body: bytes, content_type: str = "") -> tuple[str | None, str]:
    """(code, message) from any error body."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None, excerpt(body, content_type)
    code, msg = _find_code_message(data)
    if code or msg:
        return code, msg or ""
    return None, excerpt(body, content_type)


# A Retry-After longer than this is taken as this: a broken or hostile server must not be able
# to stop a provider for days (or forever, with "inf").
MAX_RETRY_AFTER = 3600.0


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError, OverflowError, IndexError):
            return None
    if seconds != seconds:  # NaN
        return None
    return min(MAX_RETRY_AFTER, max(0.0, seconds))


_STATUS_WORDS = {
    401: "authentication failed",
    403: "access denied",
    404: "task not found",
    407: "the proxy asks for credentials (put the proxy URL with user:password in an environment "
         "variable and set proxy_env)",
    429: "rate limited",
}


def error_from_response(response: httpx.Response, *, task_gone_on_404: bool = True) -> ProviderError:
    status = response.status_code
    code, msg = parse_error_body(response.content, response.headers.get("content-type", ""))
    prefix = _STATUS_WORDS.get(status) or ("server error" if status >= 500 else "request rejected")
    message = f"{prefix}: {msg}" if msg else prefix
    if status == 404 and task_gone_on_404:
        message = f"task is gone (the server no longer knows it): {msg}" if msg else "task is gone"
    return ProviderError(
        message,
        status=status,
        code=code,
        gone=status == 404 and task_gone_on_404,
        retry_after=_retry_after(response) if status in (429, 503) else None,
        auth=status == 401,
        request_id=request_id_of(response),
    )


def error_from_auth(exc: BaseException, status: int | None = None) -> ProviderError:
    """The auth flow could not get a token (refresh refused, wrong password, ...).

    Refused credentials stop the provider (auth=True: one probe per interval); a token
    endpoint that is itself failing (5xx, 429) is a server error like any other.
    """
    transient = status is not None and (status >= 500 or status == 429)
    prefix = "token endpoint failed" if transient else "authentication failed"
    return ProviderError(f"{prefix}: {exc}", code="auth", auth=not transient)


def tls_message(chain: list[BaseException]) -> str:
    """What is wrong with the certificate, in OpenSSL's words, and what to do about it."""
    verify: BaseException | None = None
    for e in chain:
        # aiohttp wraps OpenSSL's error: ClientConnectorCertificateError(certificate_error=...).
        inner = getattr(e, "certificate_error", e)
        if isinstance(inner, ssl.SSLCertVerificationError):
            verify = inner
            break
    reason = str(getattr(verify, "verify_message", "") or "").rstrip(".")
    low = reason.lower()
    if "hostname mismatch" in low or "ip address mismatch" in low:
        fix = "use the host name the certificate was issued for in base_url"
    elif "expired" in low or "not yet valid" in low:
        fix = "check this machine's clock; if it is right, the server's certificate must be renewed"
    elif verify is not None:
        fix = ("if your network uses a private or TLS-inspecting CA, point ca_bundle for this provider "
               "(or SSL_CERT_FILE) at its PEM file, or install it in the operating system's trust store")
    else:
        return "TLS handshake failed (the server or a proxy in between does not speak TLS as expected)"
    return f"TLS: certificate not trusted ({reason or 'verify failed'}); {fix}"


def error_from_exception(exc: BaseException, via: str | None = None) -> ProviderError:
    """Network-level failures: refused, DNS, TLS, timeouts, resets. `via` names the proxy the
    request went through (behind a proxy, "connection refused" may be the proxy's doing)."""
    chain = [exc]
    cause = exc.__cause__ or exc.__context__
    while cause is not None and len(chain) < 6:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    detail = " ".join(str(e) for e in chain if str(e))
    low = detail.lower()
    tls_names = ("SSLError", "ClientSSLError", "ClientConnectorCertificateError", "ClientConnectorSSLError")
    proxy_names = ("ProxyError", "ClientProxyConnectionError", "ClientHttpProxyError")
    if any(type(e).__name__ in proxy_names for e in chain):
        if "407" in low:
            message, code = ("the proxy asks for credentials (407): put the proxy URL with user:password in an "
                             "environment variable and set proxy_env for this provider"), "proxy-auth"
        else:
            message, code = f"the proxy refused the connection ({clean(str(chain[0]), limit=120)})", "proxy"
    elif any(isinstance(e, ssl.SSLError) or type(e).__name__ in tls_names for e in chain) or (
        "certificate verify failed" in low
    ):
        message, code = tls_message(chain), "tls"
    elif "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low or (
        "temporary failure in name resolution" in low
    ):
        message, code = "host name could not be resolved", "dns"
    elif "refused" in low or any(isinstance(e, ConnectionRefusedError) for e in chain):
        message, code = "connection refused", "refused"
    elif isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        # Checked before the causes: aiohttp's read timeout is caused by a TimeoutError too.
        message, code = "server did not answer in time (read timeout)", "timeout"
    elif isinstance(exc, httpx.ConnectTimeout) or any(isinstance(e, TimeoutError) for e in chain[1:]):
        message, code = "connection timed out", "connect-timeout"
    elif isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)) or "reset" in low or "disconnect" in low:
        message, code = "connection dropped before the response was complete", "reset"
    elif isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        message, code = "could not connect", "connect"
    else:
        message, code = f"request failed ({type(exc).__name__})", "network"
    if via:
        message = f"{message} [through proxy {via}]"
    return ProviderError(message, code=code, network=True)
