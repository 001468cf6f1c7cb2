"""Huawei Cloud's AK/SK "SDK-HMAC-SHA256" request signing, as plain functions (AkSkAuth in huawei_auth uses them).

The signing follows Huawei's published algorithm (API signing guide, "SDK-HMAC-SHA256"):

    CanonicalRequest = METHOD \\n CanonicalURI \\n CanonicalQuery \\n CanonicalHeaders \\n SignedHeaders \\n BodyHash
    StringToSign     = "SDK-HMAC-SHA256" \\n X-Sdk-Date \\n hex(sha256(CanonicalRequest))
    Authorization    = SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=hex(hmac_sha256(SK, StringToSign))

The canonical URI always ends in "/" (the request itself is sent as it is); the canonical query is
sorted on the raw pairs and then RFC 3986 encoded; CanonicalHeaders is `name:value\\n` per signed
header, followed by an empty line. Header names containing "_" are never signed. An empty body is
hashed (e3b0c442…) whatever its Content-Type. The official SDK's `huaweicloudsdkcore/signer/signer.py`
is the referee (tests/test_sdk_signing.py compares the two byte for byte).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

import httpx

from tui.core.secrets import Secret

ALGORITHM = "SDK-HMAC-SHA256"
SDK_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
# Bodies whose Content-Type starts with one of these are hashed; any other Content-Type is sent as
# UNSIGNED-PAYLOAD. A prefix test, case-sensitive, as the SDK's `_process_content_header` does.
HASHED_MEDIA_TYPES = ("application/json", "application/bson")
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
# Headers left out of the signature even though they are sent: Authorization itself, hop-by-hop
# headers, and headers a transport or proxy may set or rewrite after signing. The signature only
# has to cover what the server will see unchanged; host and x-sdk-date are always covered.
UNSIGNED_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "content-length",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
        "expect",
        "user-agent",
        "accept-encoding",
    }
)

QueryInput = str | bytes | Mapping[str, Any] | Iterable[tuple[str, Any]] | None


def _encode(text: str) -> str:
    """RFC 3986: keep A-Z a-z 0-9 - _ . ~, percent-encode the rest (UTF-8, uppercase hex)."""
    return quote(text, safe="~")


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def format_sdk_date(moment: datetime) -> str:
    """X-Sdk-Date form of a moment: YYYYMMDDTHHMMSSZ in UTC (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime(SDK_DATE_FORMAT)


def canonical_uri(path: str) -> str:
    """Decode the path, encode each segment, and make sure it ends with "/"."""
    uri = "/".join(_encode(segment) for segment in unquote(path).split("/"))
    return uri if uri.endswith("/") else uri + "/"


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _query_pairs(query: QueryInput) -> list[tuple[str, str]]:
    if query is None:
        return []
    if isinstance(query, bytes):
        query = query.decode("utf-8", errors="replace")
    if isinstance(query, str):
        return parse_qsl(query.lstrip("?"), keep_blank_values=True)
    items = query.items() if isinstance(query, Mapping) else query
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        if isinstance(value, list | tuple | set | frozenset):
            pairs.extend((str(key), _value_text(v)) for v in value)
        else:
            pairs.append((str(key), _value_text(value)))
    return pairs


def canonical_query(params: QueryInput) -> str:
    """Canonical query string: `k=v` pairs sorted by raw key then raw value, then RFC 3986 encoded,
    joined by `&`.

    Sorting before encoding is what the SDK does (`_process_canonical_query_string`); encoding first
    orders `a.b`/`a/b` or `az`/`aé` the other way round, and the server would compute another
    signature. `params` may be a raw query string (as it appears in a URL), a mapping, or
    (key, value) pairs; list values become repeated keys, booleans `true`/`false`, empty values `k=`.
    """
    pairs = [(_encode(k), _encode(v)) for k, v in sorted(_query_pairs(params))]
    return "&".join(f"{k}={v}" for k, v in pairs)


def signed_header_names(headers: Iterable[str]) -> list[str]:
    """The lowercase, sorted names to sign: every header except names with "_" and UNSIGNED_HEADERS."""
    names = {name.lower() for name in headers}
    return sorted(n for n in names if "_" not in n and n not in UNSIGNED_HEADERS)


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def canonical_headers(headers: Mapping[str, str], signed_headers: Sequence[str]) -> str:
    """`name:trimmed value\\n` for each signed header (in the given order)."""
    lower = _lower(headers)
    return "".join(f"{name}:{lower[name].strip()}\n" for name in signed_headers)


def canonical_request(
    method: str,
    path: str,
    query: QueryInput,
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body_hash: str,
) -> str:
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query),
            canonical_headers(headers, signed_headers),
            ";".join(signed_headers),
            body_hash,
        ]
    )


def string_to_sign(canonical_request: str, date: str) -> str:
    return f"{ALGORITHM}\n{date}\n{_sha256_hex(canonical_request.encode('utf-8'))}"


def signature(secret_key: Secret | str, string_to_sign: str) -> str:
    key = secret_key.reveal() if isinstance(secret_key, Secret) else secret_key
    return hmac.new(key.encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def is_hashed_content_type(content_type: str | None) -> bool:
    if not content_type:
        return True
    return content_type.startswith(HASHED_MEDIA_TYPES)


def body_hash(headers: Mapping[str, str], body: bytes | str | None) -> str:
    """Hex SHA-256 of an empty body, always; else UNSIGNED-PAYLOAD when the headers say so
    (X-Sdk-Content-Sha256), else hex SHA-256 of the body (SDK `_process_hash_payload`, in that order)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not body:
        return EMPTY_BODY_SHA256
    declared = _lower(headers).get("x-sdk-content-sha256", "").strip()
    if declared:
        return declared
    return _sha256_hex(body)


def authorize(
    access_key: Secret | str,
    secret_key: Secret | str,
    method: str,
    url: httpx.URL,
    headers: dict[str, str],
    body: bytes | str | None,
) -> str:
    signed = signed_header_names(headers)
    path = url.raw_path.split(b"?", 1)[0].decode("ascii")
    request = canonical_request(method, path, url.query, headers, signed, body_hash(headers, body))
    sig = signature(secret_key, string_to_sign(request, headers["x-sdk-date"]))
    ak = access_key.reveal() if isinstance(access_key, Secret) else access_key
    return f"{ALGORITHM} Access={ak}, SignedHeaders={';'.join(signed)}, Signature={sig}"


def sign(
    access_key: Secret | str,
    secret_key: Secret | str,
    method: str,
    url: str | httpx.URL,
    headers: Mapping[str, str],
    body: bytes | str | None,
    *,
    date: str,
) -> str:
    """The Authorization header value for a request.

    `date` (YYYYMMDDTHHMMSSZ) is the X-Sdk-Date the request carries; `host` is taken from the
    URL unless `headers` has one. The caller must send exactly the headers passed here.
    """
    u = url if isinstance(url, httpx.URL) else httpx.URL(url)
    lower = _lower(headers)
    lower["x-sdk-date"] = date
    lower.setdefault("host", u.netloc.decode("ascii"))
    return authorize(access_key, secret_key, method, u, lower, body)
