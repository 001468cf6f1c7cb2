"""taskdeck's signer and the simulator's verifier against the official SDK's signer (the referee).

For random requests (methods, paths with unicode and reserved characters, repeated, empty and
non-ASCII query keys, bodies empty or not, JSON and other content types, temporary credentials),
taskdeck's `Authorization` header must equal the one `huaweicloudsdkcore`'s `Signer` computes, byte
for byte, and the simulator's verifier must accept exactly the requests the SDK signed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import httpx
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yarl import URL

from tui.providers.huawei_auth import AkSkAuth
from tui.simulator import signing

AK = "SIGNTESTACCESSKEY000"
SK = "SignTestSecretKey0000000000000000000000"
HOST = "dms.sim-region-1.example.com:8443"
DATE = "20261129T120000Z"

# Characters a path or query may carry: letters, unicode, reserved and unreserved punctuation, space.
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("abcXYZ019-_.~ !$&'()*+,;=:@/?#%[]\"<>{}|\\^`"),
        st.characters(min_codepoint=0xA0, max_codepoint=0x2FFF, exclude_categories=("Cs",)),
        st.sampled_from("éüß一二中文😀"),
    ),
    max_size=10,
)
# Segments the URL layer keeps as they are: never empty, never "." or ".." (those are refused ids).
_SEGMENT = _TEXT.filter(lambda s: s not in ("", ".", ".."))
_KEYS = st.one_of(st.sampled_from(["limit", "offset", "start", "a.b", "a/b", "az", "aé", "", "k"]), _TEXT)
_CONTENT_TYPES = st.sampled_from([
    None,
    "application/json",
    "application/json;charset=UTF-8",
    "application/bson",
    "text/plain",
    "application/octet-stream",
    "multipart/form-data; boundary=abc",
    "application/x-www-form-urlencoded",
])
_METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"])


@st.composite
def requests(draw: st.DrawFn) -> dict[str, object]:
    segments = draw(st.lists(_SEGMENT, min_size=1, max_size=4))
    trailing = draw(st.booleans())
    path = "/" + "/".join(quote(s, safe="") for s in segments) + ("/" if trailing else "")
    keys = draw(st.lists(_KEYS, min_size=0, max_size=3, unique=True))
    pairs = [(k, draw(st.one_of(st.just(""), _TEXT))) for k in keys for _ in range(draw(st.integers(1, 3)))]
    body = draw(st.one_of(st.just(b""), st.binary(min_size=1, max_size=40),
                          st.just(b'{"name":"test","id":1}')))
    return {
        "method": draw(_METHODS),
        "path": path,
        "pairs": draw(st.permutations(pairs)) if pairs else [],
        "content_type": draw(_CONTENT_TYPES),
        "body": body,
        "project_id": draw(st.sampled_from([None, "0123456789abcdef0123456789abcdef"])),
        "token": draw(st.sampled_from([None, "temporary-security-token"])),
        "extra": draw(st.sampled_from([{}, {"X-Custom": "  padded value  "}, {"X_Underscore": "not signed"}])),
    }


def _sdk_sign(r: dict[str, object]) -> SdkRequest:
    """The SDK's own signing path: BasicCredentials adds X-Project-Id / X-Security-Token, Signer the rest."""
    headers: dict[str, str] = {"X-Sdk-Date": DATE, **r["extra"]}  # type: ignore[dict-item]
    if r["content_type"] is not None:
        headers["Content-Type"] = r["content_type"]  # type: ignore[assignment]
    request = SdkRequest(method=r["method"], schema="http", host=HOST, resource_path=r["path"],
                         query_params=list(r["pairs"]), header_params=headers, body=r["body"])  # type: ignore[arg-type]
    credentials = BasicCredentials(AK, SK, r["project_id"])  # type: ignore[arg-type]
    if r["token"] is not None:
        credentials.with_security_token(r["token"])  # type: ignore[arg-type]
    return credentials.sign_request(request)


def _taskdeck_sign(r: dict[str, object]) -> httpx.Request:
    headers = dict(r["extra"])  # type: ignore[call-overload]
    if r["content_type"] is not None:
        headers["Content-Type"] = r["content_type"]
    request = httpx.Request(r["method"], f"http://{HOST}{r['path']}", params=r["pairs"],  # type: ignore[arg-type]
                            headers=headers, content=r["body"])  # type: ignore[arg-type]
    moment = datetime.strptime(DATE, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    auth = AkSkAuth(AK, SK, project_id=r["project_id"], security_token=r["token"],  # type: ignore[arg-type]
                    now=lambda: moment)
    auth.sign_request(request)
    return request


def _server_accepts(method: str, target: str, headers: dict[str, str], body: bytes) -> bool:
    """What the simulator's verifier says of a request with this request target, as aiohttp parses it."""
    parsed = signing.parse_authorization(headers["Authorization"])
    assert parsed is not None
    _, signed, given = parsed
    url = URL(target, encoded=True)
    expected = signing.expected_signature(method, url.raw_path, url.query.items(), headers, signed, body, SK)
    return signing.signatures_match(expected, given)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_taskdeck_signs_byte_for_byte_like_the_sdk(r: dict[str, object]) -> None:
    sdk = _sdk_sign(r)
    ours = _taskdeck_sign(r)
    assert ours.headers["Authorization"] == sdk.header_params["Authorization"]
    # The headers the SDK adds are the ones taskdeck adds.
    for name in ("X-Project-Id", "X-Security-Token", "X-Sdk-Content-Sha256"):
        assert ours.headers.get(name) == sdk.header_params.get(name), name


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(requests())
def test_simulator_accepts_exactly_what_the_sdk_signs(r: dict[str, object]) -> None:
    sdk = _sdk_sign(r)
    headers = {k: str(v) for k, v in sdk.header_params.items()}
    body: bytes = r["body"]  # type: ignore[assignment]
    # sdk.uri is the path and the query exactly as the SDK sends them.
    assert _server_accepts(sdk.method, sdk.uri, headers, body)
    # ... and nothing else: another query, another body or another date is refused.
    assert not _server_accepts(sdk.method, sdk.uri + ("&" if "?" in sdk.uri else "?") + "extra=1", headers, body)
    assert not _server_accepts(sdk.method, sdk.uri, {**headers, "X-Sdk-Date": "20261129T120001Z"}, body)
    if body and headers.get("X-Sdk-Content-Sha256") is None:
        assert not _server_accepts(sdk.method, sdk.uri, headers, body + b" ")


def test_the_two_documented_differences_are_gone() -> None:
    """The cases issue 11 found: an empty body under a non-JSON type, and the raw-then-encode order."""
    for r in (
        {"method": "GET", "path": "/v2/p/instances/i/tasks", "pairs": [], "content_type": "text/plain",
         "body": b"", "project_id": None, "token": None, "extra": {}},
        {"method": "GET", "path": "/x", "pairs": [("a/b", "1"), ("a.b", "2"), ("aé", "3"), ("az", "4")],
         "content_type": None, "body": b"", "project_id": None, "token": None, "extra": {}},
    ):
        sdk = _sdk_sign(r)
        assert _taskdeck_sign(r).headers["Authorization"] == sdk.header_params["Authorization"]
        assert _server_accepts(sdk.method, sdk.uri, {k: str(v) for k, v in sdk.header_params.items()}, b"")
