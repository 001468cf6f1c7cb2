"""Huawei SDK-HMAC-SHA256 signing against the published test vectors (apis.md §4.2)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import unquote

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.providers.huawei_auth import (
    UNSIGNED_PAYLOAD,
    AkSkAuth,
    canonical_query,
    canonical_request,
    canonical_uri,
    format_sdk_date,
    sign,
    signed_header_names,
    string_to_sign,
)

EMPTY = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

# Vector A: the official signing guide.
A_AK = "QTWAOYTTINDUT2QVKYUC"
A_SK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
A_URL = (
    "https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs"
    "?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0"
)
A_DATE = "20191115T033655Z"
A_CANONICAL = (
    "GET\n"
    "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/\n"
    "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0\n"
    "content-type:application/json\n"
    "host:service.region.example.com\n"
    "x-sdk-date:20191115T033655Z\n"
    "\n"
    "content-type;host;x-sdk-date\n"
    f"{EMPTY}"
)
A_AUTH = (
    "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, "
    "Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
)

# Vectors B and C: the SDK's signer tests.
B_URL = "https://service.endpoint.myhuaweicloud.com/resources?size=1"
B_DATE = "20200608T023900Z"
B_HEADERS = {"X-Sdk-Date": B_DATE, "TEST_UNDERSCORE": "TEST_VALUE"}
B_AUTH = (
    "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, "
    "Signature=cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
)
C_BODY = b'{"name":"test","id":1}'
C_AUTH = (
    "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, "
    "Signature=436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"
)


def hmac_hex(key: str, text: str) -> str:
    return hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()


def fixed(date: str):
    moment = datetime.strptime(date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return lambda: moment


def run_auth(auth: httpx.Auth, request: httpx.Request) -> httpx.Request:
    flow = auth.sync_auth_flow(request)
    signed = next(flow)
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(200))
    return signed


# ---------------------------------------------------------------- pure functions


def test_vector_a_canonical_request_and_hash() -> None:
    headers = {"content-type": "application/json", "host": "service.region.example.com", "x-sdk-date": A_DATE}
    request = canonical_request(
        "GET",
        "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
        "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
        headers,
        ["content-type", "host", "x-sdk-date"],
        EMPTY,
    )
    assert request == A_CANONICAL
    assert hashlib.sha256(request.encode()).hexdigest() == (
        "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
    )
    assert string_to_sign(request, A_DATE) == (
        "SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"
    )


def test_vector_a_sign() -> None:
    assert sign(A_AK, A_SK, "GET", A_URL, {"Content-Type": "application/json"}, b"", date=A_DATE) == A_AUTH


def test_vector_b_canonical_request() -> None:
    headers = {"host": "service.endpoint.myhuaweicloud.com", "x-sdk-date": B_DATE}
    assert canonical_request("GET", "/resources", "size=1", headers, ["host", "x-sdk-date"], EMPTY) == (
        "GET\n/resources/\nsize=1\nhost:service.endpoint.myhuaweicloud.com\nx-sdk-date:20200608T023900Z\n\n"
        f"host;x-sdk-date\n{EMPTY}"
    )


def test_vector_b_and_c_sign() -> None:
    assert sign("AccessKey", "SecretKey", "GET", B_URL, B_HEADERS, b"", date=B_DATE) == B_AUTH
    assert sign("AccessKey", "SecretKey", "POST", B_URL, B_HEADERS, C_BODY, date=B_DATE) == C_AUTH
    # str bodies are UTF-8 encoded; None is the empty body.
    assert sign("AccessKey", "SecretKey", "POST", B_URL, B_HEADERS, C_BODY.decode(), date=B_DATE) == C_AUTH
    assert sign("AccessKey", "SecretKey", "GET", B_URL, B_HEADERS, None, date=B_DATE) == B_AUTH


def test_sdk_canonical_query_vector() -> None:
    params = [
        ("limit", 1),
        ("enable", True),
        ("test", "一 (&=?!#%.*)"),
        ("path", "/tmp/123"),
        ("multi", [1, 2, 3]),
    ]
    expected = "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
    assert canonical_query(params) == expected
    assert canonical_query(dict(params)) == expected
    # the same query as it appears in a URL, unsorted and loosely encoded
    raw = "limit=1&enable=true&test=%E4%B8%80+(%26%3D%3F!%23%25.*)&path=/tmp/123&multi=3&multi=1&multi=2"
    assert canonical_query(raw) == expected
    assert canonical_query(httpx.URL("https://h/x?" + raw).query) == expected


def test_canonical_query_edge_cases() -> None:
    assert canonical_query(None) == ""
    assert canonical_query("") == ""
    assert canonical_query({}) == ""
    assert canonical_query("b=&a") == "a=&b="
    assert canonical_query({"k": None, "e": ""}) == "e=&k="
    assert canonical_query({"f": False}) == "f=false"
    assert canonical_query("x=a%20b&x=a+c") == "x=a%20b&x=a%20c"
    assert canonical_query(b"tilde=~&slash=a/b") == "slash=a%2Fb&tilde=~"


def test_canonical_uri() -> None:
    assert canonical_uri("") == "/"
    assert canonical_uri("/") == "/"
    assert canonical_uri("/v2/p/instances/i/tasks/t") == "/v2/p/instances/i/tasks/t/"
    assert canonical_uri("/already/") == "/already/"
    assert canonical_uri("/a%20b/c d/~x/é") == "/a%20b/c%20d/~x/%C3%A9/"
    assert canonical_uri("/a%2Fb") == "/a/b/"  # decoded first, as the SDK does


def test_signed_header_names() -> None:
    names = signed_header_names(
        [
            "Host",
            "X-Sdk-Date",
            "TEST_UNDERSCORE",
            "Content-Length",
            "Authorization",
            "Content-Type",
            "Connection",
        ]
    )
    assert names == ["content-type", "host", "x-sdk-date"]


def test_format_sdk_date() -> None:
    assert format_sdk_date(datetime(2019, 11, 15, 3, 36, 55, tzinfo=UTC)) == A_DATE
    plus8 = timezone(timedelta(hours=8))
    assert format_sdk_date(datetime(2019, 11, 15, 11, 36, 55, tzinfo=plus8)) == A_DATE
    assert format_sdk_date(datetime(2019, 11, 15, 3, 36, 55)) == A_DATE  # naive = UTC


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=6))
def test_canonical_query_round_trips(pairs: list[tuple[str, str]]) -> None:
    text = canonical_query(pairs)
    assert all(c.isalnum() and c.isascii() or c in "-_.~%=&" for c in text)
    items = text.split("&") if text else []
    decoded = [tuple(unquote(part) for part in item.split("=", 1)) for item in items]
    # Sorted on the raw pairs, then encoded (the SDK's order), not sorted on the encoded text.
    assert decoded == sorted(pairs)


def test_canonical_query_sorts_raw_pairs_before_encoding() -> None:
    # Encoded first, "a%2Fb" < "a.b" and "a%C3%A9" < "az"; raw, "." < "/" and "z" < "é".
    assert canonical_query([("a/b", "1"), ("a.b", "2")]) == "a.b=2&a%2Fb=1"
    assert canonical_query([("aé", "1"), ("az", "2")]) == "az=2&a%C3%A9=1"
    assert canonical_query([("k", "é"), ("k", "z")]) == "k=z&k=%C3%A9"


def test_empty_body_is_hashed_whatever_the_content_type() -> None:
    auth = AkSkAuth("AccessKey", "SecretKey", now=fixed(B_DATE))
    request = run_auth(auth, httpx.Request("GET", B_URL, headers={"Content-Type": "text/plain"}))
    # The header is added and signed (as the SDK does), but an empty body hashes to e3b0c442...
    assert request.headers["X-Sdk-Content-Sha256"] == UNSIGNED_PAYLOAD
    headers = {"Content-Type": "text/plain", "X-Sdk-Content-Sha256": UNSIGNED_PAYLOAD}
    signed = ["content-type", "host", "x-sdk-content-sha256", "x-sdk-date"]
    lower = {"content-type": "text/plain", "host": "service.endpoint.myhuaweicloud.com",
             "x-sdk-content-sha256": UNSIGNED_PAYLOAD, "x-sdk-date": B_DATE}
    canonical = canonical_request("GET", "/resources", "size=1", lower, signed, EMPTY)
    expected = sign("AccessKey", "SecretKey", "GET", B_URL, headers, b"", date=B_DATE)
    assert canonical.endswith("\n" + EMPTY)
    assert expected.endswith(hmac_hex("SecretKey", string_to_sign(canonical, B_DATE)))
    assert request.headers["Authorization"] == expected


# ---------------------------------------------------------------- AkSkAuth reproduces the vectors


def test_aksk_auth_vector_a() -> None:
    auth = AkSkAuth(A_AK, A_SK, now=fixed(A_DATE))
    request = run_auth(auth, httpx.Request("GET", A_URL, headers={"Content-Type": "application/json"}))
    assert request.headers["X-Sdk-Date"] == A_DATE
    assert request.headers["Authorization"] == A_AUTH
    assert "X-Project-Id" not in request.headers


def test_aksk_auth_vector_b() -> None:
    auth = AkSkAuth("AccessKey", "SecretKey", now=fixed(B_DATE))
    request = run_auth(auth, httpx.Request("GET", B_URL, headers={"TEST_UNDERSCORE": "TEST_VALUE"}))
    assert request.headers["Authorization"] == B_AUTH
    assert request.headers["TEST_UNDERSCORE"] == "TEST_VALUE"


def test_aksk_auth_vector_c() -> None:
    auth = AkSkAuth("AccessKey", "SecretKey", now=fixed(B_DATE))
    request = httpx.Request("POST", B_URL, headers={"TEST_UNDERSCORE": "TEST_VALUE"}, content=C_BODY)
    assert run_auth(auth, request).headers["Authorization"] == C_AUTH


async def test_aksk_auth_async_flow_reproduces_vector_c() -> None:
    auth = AkSkAuth("AccessKey", "SecretKey", now=fixed(B_DATE))

    async def body():
        yield C_BODY[:5]
        yield C_BODY[5:]

    request = httpx.Request("POST", B_URL, headers={"TEST_UNDERSCORE": "TEST_VALUE"}, content=body())
    flow = auth.async_auth_flow(request)
    signed = await flow.__anext__()
    assert signed.headers["Authorization"] == C_AUTH


def test_aksk_project_and_security_token_are_signed() -> None:
    auth = AkSkAuth(
        "AccessKey", "SecretKey", project_id="p123", security_token="tmp-token", now=fixed(B_DATE)
    )
    request = run_auth(auth, httpx.Request("GET", B_URL))
    assert request.headers["X-Project-Id"] == "p123"
    assert request.headers["X-Security-Token"] == "tmp-token"
    headers = {"X-Project-Id": "p123", "X-Security-Token": "tmp-token"}
    expected = sign("AccessKey", "SecretKey", "GET", B_URL, headers, b"", date=B_DATE)
    assert "SignedHeaders=host;x-project-id;x-sdk-date;x-security-token," in expected
    assert request.headers["Authorization"] == expected


def test_aksk_json_body_is_hashed() -> None:
    auth = AkSkAuth("AccessKey", "SecretKey", now=fixed(B_DATE))
    request = run_auth(auth, httpx.Request("POST", B_URL, json={"name": "test", "id": 1}))
    assert "X-Sdk-Content-Sha256" not in request.headers
    expected = sign(
        "AccessKey",
        "SecretKey",
        "POST",
        B_URL,
        {"Content-Type": "application/json"},
        request.content,
        date=B_DATE,
    )
    assert request.headers["Authorization"] == expected


def test_aksk_multipart_body_is_unsigned_payload() -> None:
    auth = AkSkAuth("AccessKey", "SecretKey", now=fixed(B_DATE))
    request = httpx.Request(
        "POST",
        B_URL,
        data={"is_create_group": "true"},
        files={"file_name": ("api.json", b"{}", "application/json")},
    )
    request = run_auth(auth, request)
    assert request.headers["X-Sdk-Content-Sha256"] == UNSIGNED_PAYLOAD
    headers = {"Content-Type": request.headers["Content-Type"], "X-Sdk-Content-Sha256": UNSIGNED_PAYLOAD}
    # The body does not enter the signature: any body gives the same header.
    expected = sign("AccessKey", "SecretKey", "POST", B_URL, headers, b"whatever", date=B_DATE)
    assert "x-sdk-content-sha256" in expected
    assert request.headers["Authorization"] == expected


def test_aksk_resigning_replaces_authorization() -> None:
    auth = AkSkAuth("AccessKey", "SecretKey", now=fixed(B_DATE))
    request = run_auth(auth, httpx.Request("GET", B_URL, headers={"TEST_UNDERSCORE": "TEST_VALUE"}))
    request = run_auth(auth, request)  # e.g. a retry: the old Authorization must not be signed
    assert request.headers["Authorization"] == B_AUTH


def test_aksk_uses_current_utc_time() -> None:
    auth = AkSkAuth("AccessKey", "SecretKey")
    before = datetime.now(UTC).replace(microsecond=0)
    request = run_auth(auth, httpx.Request("GET", B_URL))
    stamped = datetime.strptime(request.headers["X-Sdk-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= stamped <= datetime.now(UTC)


def test_aksk_non_default_port_host_is_signed_as_sent() -> None:
    auth = AkSkAuth("AccessKey", "SecretKey", now=fixed(B_DATE))
    url = "http://127.0.0.1:8123/resources?size=1"
    request = run_auth(auth, httpx.Request("GET", url))
    assert request.headers["Host"] == "127.0.0.1:8123"
    assert request.headers["Authorization"] == sign(
        "AccessKey", "SecretKey", "GET", url, {}, b"", date=B_DATE
    )
