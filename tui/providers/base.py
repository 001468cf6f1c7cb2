"""What every provider shares: the HTTP client, JSON reading, and the registry by `kind`."""

from __future__ import annotations

import json
import logging
import re
import ssl
import time
from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

import httpx

from tui.core.families import Family
from tui.core.model import TaskRef, TaskSnapshot, TaskState
from tui.providers.auth_flows import AuthError
from tui.providers.clock import EXPIRED_SIGNATURE, ClockWatch, expired_signature_hint
from tui.providers.errors import (
    ProviderError,
    error_from_auth,
    error_from_exception,
    error_from_response,
    excerpt,
    request_id_of,
)
from tui.providers.proxy import ProxyChoice
from tui.providers.transport import ProxyTransport, make_client

# A result bigger than this is kept as text and not unwrapped: json.loads holds the
# GIL for the whole call, and a 20 MB body would stall every other thread.
DECODE_LIMIT = 4_000_000
# Bodies beyond this are refused rather than held in memory.
MAX_BODY = 64_000_000

log = logging.getLogger("taskdeck.providers")
# Query parameters whose values are never logged (a token in a query string is still a token).
_SECRET_PARAM = re.compile(r"token|key|secret|sig|pass|auth|cred|session|code", re.IGNORECASE)


def loggable_url(url: httpx.URL | str) -> str:
    """A URL fit for a log: no user info, and the values of query parameters that might carry a
    credential replaced by ***."""
    parsed = httpx.URL(str(url))
    shown = parsed.copy_with(username=None, password=None, query=None)
    params = [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parsed.params.multi_items()]
    if not params:
        return str(shown)
    return str(shown) + "?" + "&".join(f"{k}={v}" for k, v in params)


class ProviderSettings(Protocol):
    """The fields of a provider profile (providers.toml) a provider reads."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def project_id(self) -> str | None: ...
    @property
    def interval(self) -> float: ...
    @property
    def transport(self) -> str: ...
    @property
    def ca_bundle(self) -> str | None: ...
    @property
    def concurrency(self) -> int: ...
    @property
    def timeout_connect(self) -> float: ...
    @property
    def timeout_read(self) -> float: ...


def clamp_progress(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if number != number:  # NaN
        return None
    return min(100.0, max(0.0, number))


def coarse_progress(state: TaskState) -> float | None:
    """For APIs without a percentage: 0 while waiting, 100 once succeeded, unknown otherwise.

    A failed or cancelled task did not get to 100 %, and how far it got is not known.
    """
    if state is TaskState.SUCCEEDED:
        return 100.0
    return 0.0 if state is TaskState.PENDING else None


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def as_count(value: Any) -> int | None:
    """A number of things: an int >= 0, or None (a negative count from a server means nothing)."""
    number = as_int(value)
    return number if number is not None and number >= 0 else None


def as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)


class Provider:
    """Base class: subclasses implement `_snapshot_from_body` and the paths."""

    family: ClassVar[Family]  # the declaration: kind, minimum interval, state map, summariser, ...

    def __init__(self, settings: ProviderSettings, *, auth: httpx.Auth | None = None,
                 client: httpx.AsyncClient | None = None, env: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.name = settings.name
        self.client = client or make_client(settings, auth, env)
        # AK/SK signatures depend on the clock: watch the server's on every response (clock.py).
        self.clock = ClockWatch()
        if "aksk" in self.family.auth_types:
            self.client.event_hooks.setdefault("response", []).append(self.clock.hook)

    @property
    def health_hint(self) -> str | None:
        """What the provider's health should say even while requests succeed (a wrong clock), or what to do
        about refused credentials (an expired login)."""
        return self.clock.hint or getattr(self.client.auth, "health_hint", None)

    @property
    def kind(self) -> str:
        return self.family.kind

    @property
    def min_interval(self) -> float:
        return self.family.min_interval

    @property
    def interval(self) -> float:
        return max(self.min_interval, float(self.settings.interval))

    def map_state(self, raw: Any) -> TaskState:
        return self.family.map_state(as_text(raw))

    def task_path(self, ref: TaskRef) -> str:
        raise NotImplementedError

    async def get_json(self, path: str, *, params: Mapping[str, Any] | None = None,
                       gone_on_404: bool = True) -> tuple[Any, str]:
        """GET a path; return (parsed JSON, body text). Raise ProviderError for anything else."""
        data, text, _ = await self.get_json_id(path, params=params, gone_on_404=gone_on_404)
        return data, text

    async def get_json_id(self, path: str, *, params: Mapping[str, Any] | None = None,
                          gone_on_404: bool = True) -> tuple[Any, str, str | None]:
        """`get_json`, plus the response's X-Request-Id, so an answer found wrong later (another
        task's, a wrong shape) can still be reported with the id support will ask for."""
        started = time.monotonic()
        try:
            try:
                response = await self._get(path, params)
            except AuthError as exc:  # raised by the auth flow: no token could be had
                raise error_from_auth(exc, exc.status) from None
            except httpx.HTTPError as exc:
                raise error_from_exception(exc, self._proxy_shown(path)) from None
            except (OSError, ssl.SSLError) as exc:
                raise error_from_exception(exc, self._proxy_shown(path)) from None
        except ProviderError as error:
            if log.isEnabledFor(logging.DEBUG):
                log.debug("%s: GET %s failed after %.0f ms: %s (%s)", self.name, self._log_target(path, params),
                          (time.monotonic() - started) * 1000, error, type(error.__context__ or error).__name__)
            raise
        body = response.content
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s: GET %s -> %d, %d bytes, %.0f ms", self.name, loggable_url(response.request.url),
                      response.status_code, len(body), (time.monotonic() - started) * 1000)
        if response.status_code >= 400:
            refused = error_from_response(response, task_gone_on_404=gone_on_404)
            if refused.code == EXPIRED_SIGNATURE:
                refused.hint = expired_signature_hint(self.clock.skew)
            log.debug("%s: %s", self.name, refused)
            raise refused
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            ctype = response.headers.get("content-type", "")
            what = "an HTML page" if "html" in ctype.lower() else "invalid JSON"
            raise ProviderError(f"expected JSON, got {what}: {excerpt(body, ctype)}",
                                status=response.status_code, code="bad-body",
                                request_id=request_id_of(response)) from None
        return data, body.decode("utf-8", "replace"), request_id_of(response)

    async def _get(self, path: str, params: Mapping[str, Any] | None) -> httpx.Response:
        """GET, reading at most MAX_BODY bytes: a longer (or endless) body is abandoned, not held."""
        async with self.client.stream("GET", path, params=params) as streamed:
            length = streamed.headers.get("content-length", "")
            if length.isdigit() and int(length) <= MAX_BODY:
                # The common case: the size is announced and acceptable, so read it in one go.
                await streamed.aread()
                return streamed
            chunks: list[bytes] = []
            size = 0
            async for chunk in streamed.aiter_bytes():
                size += len(chunk)
                if size > MAX_BODY:
                    raise ProviderError(f"response too large (more than {MAX_BODY // 1_000_000} MB)",
                                        status=streamed.status_code, code="too-large")
                chunks.append(chunk)
        # The body is decoded already (gzip and the like): the new response must not decode it again.
        headers = [(k, v) for k, v in streamed.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(streamed.status_code, headers=headers, content=b"".join(chunks),
                              request=streamed.request)

    def proxy_for(self, url: str) -> ProxyChoice | None:
        """The proxy a request to `url` (absolute, or a path under base_url) goes through; None
        when the client was not built here (tests hand some in)."""
        transport = getattr(self.client, "_transport", None)
        if not isinstance(transport, ProxyTransport):
            return None
        target = httpx.URL(url) if "://" in url else httpx.URL(str(self.client.base_url).rstrip("/") + url)
        return transport.router.choose(target)

    def _proxy_shown(self, path: str) -> str | None:
        try:
            choice = self.proxy_for(path)
        except Exception:  # noqa: BLE001 - only for the message
            return None
        return f"{choice.shown} from {choice.source}" if choice is not None and choice.url else None

    def _log_target(self, path: str, params: Mapping[str, Any] | None) -> str:
        try:
            url = httpx.URL(str(self.client.base_url).rstrip("/") + path)
            return loggable_url(url.copy_merge_params(dict(params or {})) if params else url)
        except Exception:  # noqa: BLE001 - only for the log
            return path

    async def fetch(self, ref: TaskRef) -> TaskSnapshot:
        data, text, request_id = await self.get_json_id(self.task_path(ref))
        try:
            return self.snapshot_from_body(ref, data, text)
        except ProviderError as exc:
            exc.request_id = exc.request_id or request_id
            raise

    def snapshot_from_body(self, ref: TaskRef, data: Any, text: str) -> TaskSnapshot:
        raise NotImplementedError

    def wrong_shape(self, what: str, data: Any, status: int | None = 200) -> ProviderError:
        return ProviderError(f"unexpected response: {what} (got {type(data).__name__})",
                             status=status, code="bad-shape")

    async def aclose(self) -> None:
        await self.client.aclose()


def now() -> float:
    return time.time()
