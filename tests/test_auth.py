"""Auth flows (bearer, OAuth refresh, X-Auth-Token, IAM password, AK/SK) and build_auth.

Flow tests run over real HTTP, through an httpx.AsyncClient on both the default transport and the
httpx-aiohttp transport: first against a small aiohttp server on 127.0.0.1 with knobs for each
case, then against the full API simulator (the `sim_reset` fixture).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from aiohttp import web
from httpx_aiohttp import AiohttpTransport

from tui.core.secrets import RedactingFilter, Secret, SecretError
from tui.providers.auth import (
    AUTH_TYPES,
    AuthError,
    BearerAuth,
    OAuthRefreshAuth,
    build_auth,
)
from tui.providers.huawei_auth import (
    UNSIGNED_PAYLOAD,
    AkSkAuth,
    IamPasswordAuth,
    XAuthTokenAuth,
    canonical_request,
    signature,
    string_to_sign,
)
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

CLIENT_ID = "td-client"
CLIENT_SECRET = "client-secret-" + secrets.token_hex(4)
REFRESH_TOKEN = "refresh-token-" + secrets.token_hex(4)
IAM_DOMAIN, IAM_USER = "acme-domain", "acme-user"
IAM_PASSWORD = "iam-password-" + secrets.token_hex(4)
AK = "AKTEST" + secrets.token_hex(4).upper()
SK = "sk-secret-" + secrets.token_hex(8)
PROJECT_ID = "0123456789abcdef0123456789abcdef"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class AuthServer:
    """Token endpoints and protected resources, with knobs for the tests."""

    def __init__(self) -> None:
        self.url = ""
        self.refresh_tokens = {REFRESH_TOKEN}
        self.rotate = False
        self.access_tokens: set[str] = set()
        self.iam_tokens: set[str] = set()
        self.expires_in: Any = 3600
        self.iam_lifetime = timedelta(hours=24)
        self.token_calls = 0
        self.iam_calls = 0
        self.iam_bodies: list[dict[str, Any]] = []
        self.iam_queries: list[str] = []
        self.protected_calls = 0
        self.reject_all = False
        self.gate: asyncio.Event | None = None  # when set, token endpoints wait for it
        self.token_entered = asyncio.Event()
        self.signed: list[dict[str, str]] = []

    async def _wait_gate(self) -> None:
        self.token_entered.set()
        if self.gate is not None:
            await self.gate.wait()

    async def oauth_token(self, request: web.Request) -> web.Response:
        self.token_calls += 1
        await self._wait_gate()
        form = await request.post()
        if form.get("grant_type") != "refresh_token":
            return web.json_response({"error": "unsupported_grant_type"}, status=400)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return web.json_response({"error": "invalid_client"}, status=401)
        rt = str(form.get("refresh_token"))
        if rt not in self.refresh_tokens:
            # A careless server echoing the token back: it must not reach our error text.
            return web.json_response(
                {"error": "invalid_grant", "error_description": f"refresh token {rt} is not valid"},
                status=400,
            )
        token = "at-" + secrets.token_hex(8)
        self.access_tokens.add(token)
        body: dict[str, Any] = {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        if self.rotate:
            self.refresh_tokens.discard(rt)
            new = "rt-" + secrets.token_hex(8)
            self.refresh_tokens.add(new)
            body["refresh_token"] = new
        return web.json_response(body)

    async def iam_token(self, request: web.Request) -> web.Response:
        self.iam_calls += 1
        await self._wait_gate()
        body = await request.json()
        self.iam_bodies.append(body)
        self.iam_queries.append(request.query_string)
        user = body["auth"]["identity"]["password"]["user"]
        if (user["domain"]["name"], user["name"], user["password"]) != (IAM_DOMAIN, IAM_USER, IAM_PASSWORD):
            return web.json_response(
                {
                    "error": {
                        "code": 401,
                        "message": "The username or password is wrong.",
                        "title": "Unauthorized",
                    }
                },
                status=401,
            )
        token = "MII" + secrets.token_hex(16)
        self.iam_tokens.add(token)
        issued = datetime(2024, 1, 1, tzinfo=UTC)
        info = {
            "issued_at": issued.isoformat().replace("+00:00", ".000000Z"),
            "expires_at": (issued + self.iam_lifetime).isoformat().replace("+00:00", ".000000Z"),
        }
        return web.json_response({"token": info}, status=201, headers={"X-Subject-Token": token})

    async def bearer_resource(self, request: web.Request) -> web.Response:
        self.protected_calls += 1
        header = request.headers.get("Authorization", "")
        if self.reject_all or not header.startswith("Bearer ") or header[7:] not in self.access_tokens:
            return web.json_response({"error_code": "401", "error_message": "unauthorized"}, status=401)
        return web.json_response({"ok": True})

    async def huawei_resource(self, request: web.Request) -> web.Response:
        self.protected_calls += 1
        if self.reject_all or request.headers.get("X-Auth-Token") not in self.iam_tokens:
            return web.json_response({"error_code": "APIG.1002", "error_msg": "Incorrect token"}, status=401)
        return web.json_response({"ok": True})

    async def signed_resource(self, request: web.Request) -> web.Response:
        """Verify SDK-HMAC-SHA256 from what actually arrived on the wire."""
        header = request.headers.get("Authorization", "")
        fields = dict(
            part.strip().split("=", 1) for part in header.removeprefix("SDK-HMAC-SHA256 ").split(",")
        )
        signed = fields["SignedHeaders"].split(";")
        body = await request.read()
        if request.headers.get("X-Sdk-Content-Sha256") == UNSIGNED_PAYLOAD:
            body_hash = UNSIGNED_PAYLOAD
        else:
            body_hash = hashlib.sha256(body).hexdigest()
        headers = {k.lower(): v for k, v in request.headers.items()}
        canonical = canonical_request(
            request.method, request.raw_path.split("?")[0], request.query_string, headers, signed, body_hash
        )
        expected = signature(SK, string_to_sign(canonical, headers["x-sdk-date"]))
        self.signed.append({**headers, "_signed": ";".join(signed)})
        if fields["Access"] != AK or fields["Signature"] != expected:
            return web.json_response(
                {"error_code": "APIG.0301", "error_msg": "Incorrect IAM authentication"}, status=401
            )
        return web.json_response({"ok": True, "size": len(body)})


@pytest.fixture
async def server() -> AsyncIterator[AuthServer]:
    state = AuthServer()
    app = web.Application()
    app.router.add_post("/connect/token", state.oauth_token)
    app.router.add_post("/v3/auth/tokens", state.iam_token)
    app.router.add_get("/smint/backgroundTasks/{id}", state.bearer_resource)
    app.router.add_get("/huawei/tasks/{id}", state.huawei_resource)
    app.router.add_route("*", "/signed/{tail:.*}", state.signed_resource)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    state.url = f"http://{host}:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()


@pytest.fixture(params=["httpx", "aiohttp"])
def make_client(request: pytest.FixtureRequest) -> Callable[..., httpx.AsyncClient]:
    def make(**kwargs: Any) -> httpx.AsyncClient:
        if request.param == "aiohttp":
            kwargs["transport"] = AiohttpTransport()
        return httpx.AsyncClient(timeout=10, **kwargs)

    return make


def oauth(server: AuthServer, clock: Callable[[], float] | None = None, **kwargs: Any) -> OAuthRefreshAuth:
    return OAuthRefreshAuth(
        f"{server.url}/connect/token",
        CLIENT_ID,
        kwargs.pop("refresh_token", REFRESH_TOKEN),
        kwargs.pop("client_secret", CLIENT_SECRET),
        clock=clock or FakeClock(),
        **kwargs,
    )


def iam(server: AuthServer, clock: Callable[[], float] | None = None, **kwargs: Any) -> IamPasswordAuth:
    kwargs.setdefault("project", "eu-west-101")
    return IamPasswordAuth(
        server.url,
        IAM_DOMAIN,
        IAM_USER,
        kwargs.pop("password", IAM_PASSWORD),
        clock=clock or FakeClock(),
        **kwargs,
    )


SECRET_VALUES = (CLIENT_SECRET, REFRESH_TOKEN, IAM_PASSWORD, SK)


def assert_no_secret(text: str) -> None:
    for value in SECRET_VALUES:
        assert value not in text


# ---------------------------------------------------------------- OAuth refresh


async def test_oauth_fetches_once_and_reuses(server: AuthServer, make_client) -> None:
    auth = oauth(server)
    async with make_client(auth=auth) as client:
        for _ in range(3):
            r = await client.get(f"{server.url}/smint/backgroundTasks/1")
            assert r.status_code == 200
    assert server.token_calls == 1
    assert server.protected_calls == 3


async def test_oauth_concurrent_requests_share_one_fetch(server: AuthServer, make_client) -> None:
    server.gate = asyncio.Event()
    auth = oauth(server)
    async with make_client(auth=auth) as client:
        tasks = [
            asyncio.create_task(client.get(f"{server.url}/smint/backgroundTasks/{i}")) for i in range(10)
        ]
        await server.token_entered.wait()
        server.gate.set()
        responses = await asyncio.gather(*tasks)
    assert [r.status_code for r in responses] == [200] * 10
    assert server.token_calls == 1
    assert auth.fetch_count == 1


async def test_oauth_refreshes_before_expiry(server: AuthServer, make_client) -> None:
    clock = FakeClock()
    server.expires_in = 100  # refreshed 10 s (10%) before it expires
    auth = oauth(server, clock)
    async with make_client(auth=auth) as client:
        url = f"{server.url}/smint/backgroundTasks/1"
        assert (await client.get(url)).status_code == 200
        clock.now += 89
        assert (await client.get(url)).status_code == 200
        assert server.token_calls == 1
        clock.now += 2
        assert (await client.get(url)).status_code == 200
        assert server.token_calls == 2


async def test_oauth_expires_in_as_string_or_missing(server: AuthServer, make_client) -> None:
    clock = FakeClock()
    server.expires_in = "7200"
    auth = oauth(server, clock)
    async with make_client(auth=auth) as client:
        await client.get(f"{server.url}/smint/backgroundTasks/1")
        clock.now += 7200 - 301
        await client.get(f"{server.url}/smint/backgroundTasks/1")
        assert server.token_calls == 1


async def test_oauth_refreshes_once_on_401(server: AuthServer, make_client) -> None:
    auth = oauth(server)
    async with make_client(auth=auth) as client:
        url = f"{server.url}/smint/backgroundTasks/1"
        assert (await client.get(url)).status_code == 200
        server.access_tokens.clear()  # revoked server-side
        r = await client.get(url)
    assert r.status_code == 200
    assert server.token_calls == 2
    assert server.protected_calls == 3


async def test_oauth_gives_up_after_one_refresh(server: AuthServer, make_client) -> None:
    server.reject_all = True
    auth = oauth(server)
    async with make_client(auth=auth) as client:
        r = await client.get(f"{server.url}/smint/backgroundTasks/1")
    assert r.status_code == 401
    assert server.token_calls == 2
    assert server.protected_calls == 2


async def test_oauth_keeps_rotated_refresh_token_in_memory(server: AuthServer, make_client) -> None:
    server.rotate = True
    auth = oauth(server)
    async with make_client(auth=auth) as client:
        url = f"{server.url}/smint/backgroundTasks/1"
        for _ in range(3):
            server.access_tokens.clear()
            assert (await client.get(url)).status_code == 200
    assert REFRESH_TOKEN not in server.refresh_tokens  # the original was used up
    assert server.token_calls == 3


async def test_oauth_invalid_grant_is_an_auth_error_without_secrets(server: AuthServer, make_client) -> None:
    server.refresh_tokens.clear()
    auth = oauth(server)
    async with make_client(auth=auth) as client:
        with pytest.raises(AuthError) as err:
            await client.get(f"{server.url}/smint/backgroundTasks/1")
    assert str(err.value).startswith("token refresh failed: HTTP 400 invalid_grant")
    assert err.value.status == 400
    assert_no_secret(str(err.value))
    assert_no_secret(repr(err.value))


async def test_oauth_wrong_client_secret(server: AuthServer, make_client) -> None:
    auth = oauth(server, client_secret="wrong-" + CLIENT_SECRET)
    async with make_client(auth=auth) as client:
        with pytest.raises(AuthError, match="HTTP 401 invalid_client") as err:
            await client.get(f"{server.url}/smint/backgroundTasks/1")
    assert "wrong-" not in str(err.value)
    assert_no_secret(str(err.value))


async def test_concurrent_requests_share_one_failure(server: AuthServer, make_client) -> None:
    server.refresh_tokens.clear()
    server.gate = asyncio.Event()
    auth = oauth(server)
    async with make_client(auth=auth) as client:
        tasks = [asyncio.create_task(client.get(f"{server.url}/smint/backgroundTasks/{i}")) for i in range(5)]
        await server.token_entered.wait()
        server.gate.set()
        results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, AuthError) for r in results)
    assert server.token_calls == 1


async def test_oauth_token_endpoint_unreachable(make_client) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    auth = OAuthRefreshAuth(f"http://127.0.0.1:{port}/connect/token", CLIENT_ID, REFRESH_TOKEN, CLIENT_SECRET)
    async with make_client(auth=auth) as client:
        with pytest.raises(httpx.TransportError) as err:
            await client.get(f"http://127.0.0.1:{port}/smint/backgroundTasks/1")
    assert err.value.request.url.path == "/connect/token"
    assert_no_secret(str(err.value))
    assert_no_secret(repr(err.value))


async def test_oauth_nonsense_token_response() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            return httpx.Response(200, text="<html>login</html>")
        return httpx.Response(200)

    auth = OAuthRefreshAuth("https://idp.example/token", CLIENT_ID, REFRESH_TOKEN)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        with pytest.raises(AuthError, match="no access_token"):
            await client.get("https://api.example/x")


async def test_oauth_form_fields_and_scope() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/token":
            return httpx.Response(200, json={"access_token": "at-123456", "expires_in": 60})
        return httpx.Response(200)

    auth = OAuthRefreshAuth(
        "https://idp.example/token", CLIENT_ID, Secret(REFRESH_TOKEN), scope="smintio.full"
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        await client.get("https://api.example/x")
    token_request, api_request = seen
    form = dict(httpx.QueryParams(token_request.content.decode()))
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": REFRESH_TOKEN,
        "client_id": CLIENT_ID,
        "scope": "smintio.full",
    }  # no client_secret when none is configured
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert api_request.headers["authorization"] == "Bearer at-123456"


def test_oauth_sync_client() -> None:
    calls = {"token": 0, "api": 0}
    valid: set[str] = set()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/token":
            calls["token"] += 1
            token = f"at-{calls['token']}-sync"
            valid.add(token)
            return httpx.Response(200, json={"access_token": token, "expires_in": 3600})
        calls["api"] += 1
        ok = request.headers.get("authorization", "")[7:] in valid
        return httpx.Response(200 if ok else 401)

    auth = OAuthRefreshAuth("https://idp.example/token", CLIENT_ID, REFRESH_TOKEN, CLIENT_SECRET)
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        assert client.get("https://api.example/a").status_code == 200
        assert client.get("https://api.example/a").status_code == 200
        valid.clear()
        assert client.post("https://api.example/a", json={"x": 1}).status_code == 200
    assert calls == {"token": 2, "api": 4}


# ---------------------------------------------------------------- IAM password


async def test_iam_password_token_flow(server: AuthServer, make_client) -> None:
    auth = iam(server)
    async with make_client(auth=auth) as client:
        for _ in range(2):
            assert (await client.get(f"{server.url}/huawei/tasks/1")).status_code == 200
    assert server.iam_calls == 1
    assert server.iam_queries == ["nocatalog=true"]
    assert server.iam_bodies[0] == {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"domain": {"name": IAM_DOMAIN}, "name": IAM_USER, "password": IAM_PASSWORD}
                },
            },
            "scope": {"project": {"name": "eu-west-101"}},
        }
    }


async def test_iam_scope_by_project_id(server: AuthServer, make_client) -> None:
    auth = iam(server, project=None, project_id=PROJECT_ID)
    async with make_client(auth=auth) as client:
        assert (await client.get(f"{server.url}/huawei/tasks/1")).status_code == 200
    assert server.iam_bodies[0]["auth"]["scope"] == {"project": {"id": PROJECT_ID}}


async def test_iam_token_cached_for_its_lifetime(server: AuthServer, make_client) -> None:
    clock = FakeClock()
    auth = iam(server, clock)
    async with make_client(auth=auth) as client:
        url = f"{server.url}/huawei/tasks/1"
        await client.get(url)
        clock.now += 24 * 3600 - 301  # a 24 h token is refreshed 5 minutes early
        await client.get(url)
        assert server.iam_calls == 1
        clock.now += 2
        await client.get(url)
        assert server.iam_calls == 2


async def test_iam_refreshes_once_on_401_then_gives_up(server: AuthServer, make_client) -> None:
    auth = iam(server)
    async with make_client(auth=auth) as client:
        url = f"{server.url}/huawei/tasks/1"
        assert (await client.get(url)).status_code == 200
        server.iam_tokens.clear()
        assert (await client.get(url)).status_code == 200
        assert server.iam_calls == 2
        server.reject_all = True
        r = await client.get(url)
    assert r.status_code == 401
    assert server.iam_calls == 3


async def test_iam_concurrent_requests_share_one_fetch(server: AuthServer, make_client) -> None:
    server.gate = asyncio.Event()
    auth = iam(server)
    async with make_client(auth=auth) as client:
        tasks = [asyncio.create_task(client.get(f"{server.url}/huawei/tasks/{i}")) for i in range(8)]
        await server.token_entered.wait()
        server.gate.set()
        responses = await asyncio.gather(*tasks)
    assert {r.status_code for r in responses} == {200}
    assert server.iam_calls == 1


async def test_iam_wrong_password(server: AuthServer, make_client) -> None:
    wrong = "not-" + IAM_PASSWORD
    auth = iam(server, password=wrong)
    async with make_client(auth=auth) as client:
        with pytest.raises(AuthError) as err:
            await client.get(f"{server.url}/huawei/tasks/1")
    assert str(err.value) == "IAM token request failed: HTTP 401 401: The username or password is wrong."
    assert err.value.status == 401
    assert wrong not in str(err.value) and wrong not in repr(err.value)


async def test_iam_response_without_subject_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, json={"token": {}})

    auth = IamPasswordAuth("https://iam.example", IAM_DOMAIN, IAM_USER, IAM_PASSWORD, project="r")
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler), auth=auth) as client:
        with pytest.raises(AuthError, match="without an X-Subject-Token"):
            await client.get("https://dms.example/x")


# ---------------------------------------------------------------- static tokens and AK/SK


async def test_static_token_headers() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    transport = httpx.MockTransport(handler)
    async with httpx.AsyncClient(transport=transport, auth=BearerAuth(Secret("bearer-tok"))) as client:
        await client.get("https://smint.example/x")
    async with httpx.AsyncClient(transport=transport, auth=XAuthTokenAuth("static-xauth-value")) as client:
        await client.get("https://apig.example/x")
    assert seen[0].headers["Authorization"] == "Bearer bearer-tok"
    assert seen[1].headers["X-Auth-Token"] == "static-xauth-value"
    assert "authorization" not in seen[1].headers


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("GET", {"params": {"limit": 10, "q": "a b/c", "multi": ["2", "1"], "empty": ""}}),
        ("DELETE", {}),
        ("POST", {"json": {"env_id": "DEFAULT_ENVIRONMENT_RELEASE_ID", "define": "all", "name": "ünïcode"}}),
        ("POST", {"files": {"file_name": ("api.yaml", b"swagger: '2.0'\n", "application/yaml")}}),
    ],
)
async def test_aksk_signature_survives_the_wire(server: AuthServer, make_client, method, kwargs) -> None:
    auth = AkSkAuth(AK, SK, project_id=PROJECT_ID, security_token=Secret("temp-security-token"))
    async with make_client(auth=auth) as client:
        r = await client.request(
            method, f"{server.url}/signed/v2/{PROJECT_ID}/instances/i-1/tasks/t %1", **kwargs
        )
    assert r.status_code == 200, r.text
    got = server.signed[-1]
    assert got["x-project-id"] == PROJECT_ID
    assert got["x-security-token"] == "temp-security-token"
    assert {"host", "x-sdk-date", "x-project-id", "x-security-token"} <= set(got["_signed"].split(";"))


async def test_aksk_wrong_secret_is_rejected(server: AuthServer, make_client) -> None:
    auth = AkSkAuth(AK, "wrong-" + SK)
    async with make_client(auth=auth) as client:
        r = await client.get(f"{server.url}/signed/x")
    assert r.status_code == 401


# ---------------------------------------------------------------- build_auth

ENV = {
    "TOKEN": "env-token-value",
    "RT": REFRESH_TOKEN,
    "CS": CLIENT_SECRET,
    "PW": IAM_PASSWORD,
    "AK": AK,
    "SK": SK,
    "STS": "env-security-token",
}


def test_build_auth_none() -> None:
    assert build_auth({"type": "none"}) is None
    assert build_auth({}) is None
    assert build_auth(None) is None


def test_build_auth_each_type() -> None:
    bearer = build_auth({"type": "bearer", "token_env": "TOKEN"}, env=ENV)
    assert isinstance(bearer, BearerAuth)
    token = build_auth({"type": "token", "token": "inline-token"}, env=ENV)
    assert isinstance(token, XAuthTokenAuth)
    refresh = build_auth(
        {
            "type": "oauth-refresh",
            "token_url": "https://acme.smint.io/connect/token",
            "client_id": CLIENT_ID,
            "client_secret_env": "CS",
            "refresh_token_env": "RT",
            "scope": "smintio.full openid profile offline_access",
        },
        env=ENV,
    )
    assert isinstance(refresh, OAuthRefreshAuth)
    assert refresh.scope == "smintio.full openid profile offline_access"
    password = build_auth(
        {"type": "iam-password", "domain": IAM_DOMAIN, "user": IAM_USER, "password_env": "PW"},
        project_id=PROJECT_ID,
        env=ENV,
    )
    assert isinstance(password, IamPasswordAuth)
    assert password.iam_url == "https://iam.myhuaweicloud.com"
    assert password.project_id == PROJECT_ID  # scoped by the provider's project when none is named
    named = build_auth(
        {
            "type": "iam-password",
            "iam_url": "https://iam.eu-west-101.myhuaweicloud.eu/",
            "domain": IAM_DOMAIN,
            "user": IAM_USER,
            "password_env": "PW",
            "project": "eu-west-101",
        },
        project_id=PROJECT_ID,
        env=ENV,
    )
    assert isinstance(named, IamPasswordAuth)
    assert (named.iam_url, named.project, named.project_id) == (
        "https://iam.eu-west-101.myhuaweicloud.eu",
        "eu-west-101",
        None,
    )
    aksk = build_auth(
        {"type": "aksk", "access_key_env": "AK", "secret_key_env": "SK", "security_token_env": "STS"},
        project_id=PROJECT_ID,
        env=ENV,
    )
    assert isinstance(aksk, AkSkAuth)
    assert aksk.project_id == PROJECT_ID


def test_build_auth_command_secret() -> None:
    import sys

    auth = build_auth({"type": "bearer", "token_command": [sys.executable, "-c", "print('cmd-token')"]})
    request = httpx.Request("GET", "https://x/")
    assert isinstance(auth, BearerAuth)
    next(auth.auth_flow(request))
    assert request.headers["Authorization"] == "Bearer cmd-token"


def test_build_auth_errors() -> None:
    with pytest.raises(ValueError, match="unknown auth type 'basic'") as err:
        build_auth({"type": "basic"})
    for kind in AUTH_TYPES:
        assert kind in str(err.value)
    with pytest.raises(ValueError, match="needs a type"):
        build_auth({"token_env": "X"})
    with pytest.raises(ValueError, match="does not take token_evn"):
        build_auth({"type": "bearer", "token_evn": "X"})
    with pytest.raises(SecretError, match="environment variable NOPE is not set"):
        build_auth({"type": "bearer", "token_env": "NOPE"}, env={})
    with pytest.raises(SecretError, match="missing secret_key"):
        build_auth({"type": "aksk", "access_key_env": "AK"}, env=ENV)
    with pytest.raises(ValueError, match="needs token_url"):
        build_auth({"type": "oauth-refresh", "client_id": "c", "refresh_token_env": "RT"}, env=ENV)
    with pytest.raises(ValueError, match="needs project"):
        build_auth({"type": "iam-password", "domain": "d", "user": "u", "password_env": "PW"}, env=ENV)
    with pytest.raises(ValueError, match="not both"):
        build_auth(
            {
                "type": "iam-password",
                "domain": "d",
                "user": "u",
                "password_env": "PW",
                "project": "r",
                "project_id": "p",
            },
            env=ENV,
        )


# ---------------------------------------------------------------- nothing leaks


def all_auth_objects() -> list[httpx.Auth]:
    return [
        BearerAuth("bearer-" + SK),
        XAuthTokenAuth("xauth-" + SK),
        OAuthRefreshAuth("https://idp/token", CLIENT_ID, REFRESH_TOKEN, CLIENT_SECRET),
        IamPasswordAuth("https://iam", IAM_DOMAIN, IAM_USER, IAM_PASSWORD, project="r"),
        AkSkAuth(AK, SK, project_id=PROJECT_ID, security_token="sts-" + SK),
    ]


@pytest.mark.parametrize("auth", all_auth_objects(), ids=lambda a: type(a).__name__)
def test_reprs_hold_no_secrets(auth: httpx.Auth) -> None:
    for text in (repr(auth), str(auth), repr(vars(auth)), repr(httpx.AsyncClient(auth=auth)._auth)):
        assert_no_secret(text)
    assert "Secret('***')" in repr(auth)


async def test_failures_logged_through_the_filter_hold_no_secrets(server: AuthServer, make_client) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("taskdeck.test.auth")
    logger.handlers[:] = [handler]
    logger.propagate = False
    server.refresh_tokens.clear()
    auth = build_auth(
        {
            "type": "oauth-refresh",
            "token_url": f"{server.url}/connect/token",
            "client_id": CLIENT_ID,
            "client_secret_env": "CS",
            "refresh_token_env": "RT",
        },
        env=ENV,
    )
    async with make_client(auth=auth) as client:
        try:
            await client.get(f"{server.url}/smint/backgroundTasks/1")
        except AuthError:
            logger.exception("poll failed for %r with %s", auth, REFRESH_TOKEN)
        logger.warning("request headers: Authorization: Bearer %s", "at-whatever-token")
    out = stream.getvalue()
    assert "token refresh failed: HTTP 400 invalid_grant" in out
    assert "Bearer ***" in out
    assert_no_secret(out)


# ---------------------------------------------------------------- against the full simulator

SIM_ENV = {
    "SMINT_RT": cred.SMINT_REFRESH_TOKEN,
    "SMINT_CS": cred.SMINT_CLIENT_SECRET,
    "HWC_PW": cred.IAM_PASSWORD,
    "HWC_AK": cred.ACCESS_KEY,
    "HWC_SK": cred.SECRET_KEY,
}


def sim_urls(sim: SimulatorProcess) -> dict[str, str]:
    info = sim.scenario_info()
    smint_id = next(t["id"] for t in info["tasks"] if t["family"] == "smint")
    dms = next(t for t in info["tasks"] if t["family"] == "dms")
    apig = next(t for t in info["tasks"] if t["family"] == "apig")
    base, p = sim.base_url, cred.PROJECT_ID
    return {
        "smint": f"{base}/frontend/v1/backgroundTasks/{smint_id}",
        "dms": f"{base}/v2/{p}/instances/{dms['instance']}/tasks/{dms['id']}",
        "apig": f"{base}/v2/{p}/apigw/instances/{apig['instance']}/async-tasks/{apig['id']}",
        "dms_list": f"{base}/v2/{p}/instances/{dms['instance']}/tasks",
    }


def token_calls(sim: SimulatorProcess, path: str) -> int:
    return sum(1 for e in sim.requests() if e["path"] == path)


async def test_sim_oauth_refresh(sim_reset: SimulatorProcess, make_client) -> None:
    urls = sim_urls(sim_reset)
    clock = FakeClock()
    auth = OAuthRefreshAuth(
        f"{sim_reset.base_url}/connect/token",
        cred.SMINT_CLIENT_ID,
        cred.SMINT_REFRESH_TOKEN,
        cred.SMINT_CLIENT_SECRET,
        clock=clock,
    )
    async with make_client(auth=auth, trust_env=False) as client:
        responses = await asyncio.gather(*(client.get(urls["smint"]) for _ in range(5)))
        assert {r.status_code for r in responses} == {200}
        assert token_calls(sim_reset, "/connect/token") == 1
        sim_reset.set_auth(expire_issued=True)  # the server forgets the token: one 401, one refresh
        assert (await client.get(urls["smint"])).status_code == 200
        assert token_calls(sim_reset, "/connect/token") == 2
        sim_reset.set_auth(token_lifetime=10)
        clock.now += 3600  # our copy is past its refresh time: refreshed before use, no 401
        assert (await client.get(urls["smint"])).status_code == 200
        assert token_calls(sim_reset, "/connect/token") == 3
        sim_reset.advance(11)  # the 10 s token expires on the server first
        assert (await client.get(urls["smint"])).status_code == 200
        assert token_calls(sim_reset, "/connect/token") == 4
    statuses = [
        e["status"] for e in sim_reset.requests() if e["family"] == "smint" and e["path"] != "/connect/token"
    ]
    assert statuses.count(401) == 2


async def test_sim_oauth_wrong_secret(sim_reset: SimulatorProcess, make_client) -> None:
    urls = sim_urls(sim_reset)
    auth = OAuthRefreshAuth(
        f"{sim_reset.base_url}/connect/token",
        cred.SMINT_CLIENT_ID,
        cred.SMINT_REFRESH_TOKEN,
        "wrong-client-secret",
    )
    async with make_client(auth=auth, trust_env=False) as client:
        with pytest.raises(AuthError) as err:
            await client.get(urls["smint"])
    assert str(err.value) == "token refresh failed: HTTP 400 invalid_client"
    assert "wrong-client-secret" not in repr(err.value)


async def test_sim_iam_password(sim_reset: SimulatorProcess, make_client) -> None:
    urls = sim_urls(sim_reset)
    auth = build_auth(
        {
            "type": "iam-password",
            "iam_url": sim_reset.base_url,
            "domain": cred.IAM_DOMAIN,
            "user": cred.IAM_USER,
            "password_env": "HWC_PW",
        },
        project_id=cred.PROJECT_ID,
        env=SIM_ENV,
    )
    async with make_client(auth=auth, trust_env=False) as client:
        for key in ("dms", "apig", "dms", "apig"):
            r = await client.get(urls[key])
            assert r.status_code == 200, r.text
        assert token_calls(sim_reset, "/v3/auth/tokens") == 1
        sim_reset.set_auth(expire_issued=True)
        assert (await client.get(urls["dms"])).status_code == 200
        assert token_calls(sim_reset, "/v3/auth/tokens") == 2


async def test_sim_iam_wrong_password(sim_reset: SimulatorProcess, make_client) -> None:
    urls = sim_urls(sim_reset)
    auth = IamPasswordAuth(
        sim_reset.base_url, cred.IAM_DOMAIN, cred.IAM_USER, "wrong-iam-password", project_id=cred.PROJECT_ID
    )
    async with make_client(auth=auth, trust_env=False) as client:
        with pytest.raises(AuthError, match="HTTP 401") as err:
            await client.get(urls["dms"])
    assert err.value.status == 401
    assert "wrong-iam-password" not in str(err.value)


async def test_sim_aksk(sim_reset: SimulatorProcess, make_client) -> None:
    urls = sim_urls(sim_reset)
    auth = build_auth(
        {"type": "aksk", "access_key_env": "HWC_AK", "secret_key_env": "HWC_SK"},
        project_id=cred.PROJECT_ID,
        env=SIM_ENV,
    )
    async with make_client(auth=auth, trust_env=False) as client:
        for key in ("dms", "apig"):
            r = await client.get(urls[key])
            assert r.status_code == 200, r.text
        r = await client.get(urls["dms_list"], params={"limit": 2, "offset": 0, "note": "a b/c&é"})
        assert r.status_code == 200, r.text
    bad = AkSkAuth(cred.ACCESS_KEY, "wrong-" + cred.SECRET_KEY, project_id=cred.PROJECT_ID)
    async with make_client(auth=bad, trust_env=False) as client:
        r = await client.get(urls["dms"])
    assert r.status_code == 401 and r.json()["error_code"] == "APIG.0301"


async def test_sim_static_tokens(sim_reset: SimulatorProcess, make_client) -> None:
    urls = sim_urls(sim_reset)
    async with make_client(auth=BearerAuth(cred.SMINT_TOKEN), trust_env=False) as client:
        assert (await client.get(urls["smint"])).status_code == 200
    async with make_client(auth=XAuthTokenAuth(cred.HW_TOKEN), trust_env=False) as client:
        assert (await client.get(urls["apig"])).status_code == 200
    async with make_client(auth=XAuthTokenAuth("not-the-token"), trust_env=False) as client:
        assert (await client.get(urls["apig"])).status_code == 401
