"""Huawei Cloud "SDK-HMAC-SHA256" request signing, server side (apis.md section 4.2).

Pure functions over strings; `auth.py` feeds them the pieces of a received request.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"

_AUTH_RE = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=([^,\s]+)\s*,\s*SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-fA-F]+)\s*$"
)


def rfc3986(s: str) -> str:
    """Percent-encode everything except A-Z a-z 0-9 - _ . ~ (uppercase hex, space as %20)."""
    return quote(s, safe="~")


def canonical_uri(path: str) -> str:
    """Each segment URI-encoded, and always a trailing slash."""
    segments = unquote(path).split("/")
    uri = "/".join(rfc3986(seg) for seg in segments)
    return uri if uri.endswith("/") else uri + "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """`k=v` pairs (decoded input), sorted by raw key then raw value, then RFC 3986 encoded, joined
    with `&`. Sorting before encoding is the SDK's order (`signer.py` `_process_canonical_query_string`)."""
    return "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in sorted(pairs))


def canonical_headers(headers: Mapping[str, str], signed: list[str]) -> str:
    """`name:value\\n` for each signed header (lowercase names, trimmed values), in signed order."""
    lower = {k.lower(): v for k, v in headers.items()}
    return "".join(f"{name}:{lower[name].strip()}\n" for name in signed)


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed: list[str],
    body_hash: str,
) -> str:
    """METHOD, URI, query, headers, an empty line, signed header names, body hash; joined by newlines."""
    return "\n".join([
        method.upper(),
        canonical_uri(path),
        canonical_query(query),
        canonical_headers(headers, signed),
        ";".join(signed),
        body_hash,
    ])


def string_to_sign(date: str, canonical: str) -> str:
    return f"{ALGORITHM}\n{date}\n{hashlib.sha256(canonical.encode()).hexdigest()}"


def signature(secret_key: str, to_sign: str) -> str:
    return hmac.new(secret_key.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def payload_hash(declared: str | None, body: bytes) -> str:
    """The body hash a signer used: the empty hash for an empty body whatever the headers say,
    else the declared `X-Sdk-Content-Sha256` (UNSIGNED-PAYLOAD), else the body's SHA-256
    (SDK `signer.py` `_process_hash_payload`, in that order)."""
    if not body:
        return EMPTY_BODY_SHA256
    if declared:
        return declared
    return body_sha256(body)


def expected_signature(
    method: str,
    raw_path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed: list[str],
    body: bytes,
    secret_key: str,
) -> str:
    """The signature a request must carry, from its pieces as the server received them
    (encoded path, decoded query pairs, headers, raw body). `X-Sdk-Date` is among the headers."""
    lower = {k.lower(): v for k, v in headers.items()}
    body_hash = payload_hash(lower.get("x-sdk-content-sha256"), body)
    canonical = canonical_request(method, raw_path, query, headers, signed, body_hash)
    return signature(secret_key, string_to_sign(lower["x-sdk-date"], canonical))


def parse_authorization(value: str) -> tuple[str, list[str], str] | None:
    """(access key, signed header names, signature) from an Authorization header, or None."""
    m = _AUTH_RE.match(value.strip())
    if not m:
        return None
    return m.group(1), m.group(2).lower().split(";"), m.group(3).lower()


def parse_sdk_date(value: str) -> float | None:
    """Epoch seconds of an `X-Sdk-Date` value (`20191115T033655Z`), or None if malformed."""
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None


def signatures_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected, given)
