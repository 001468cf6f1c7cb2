"""Who may call: static demo tokens, issued tokens with a lifetime on the simulated clock, AK/SK signatures."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from aiohttp import web

from . import credentials as cred
from . import signing
from .clock import SimClock

SMINT_TOKEN_LIFETIME = 3600.0
IAM_TOKEN_LIFETIME = 86400.0
MAX_CLOCK_SKEW = 15 * 60.0


@dataclass(frozen=True, slots=True)
class AuthFailure:
    code: str  # Huawei front-door code: APIG.1002 (token), APIG.0301 (signature), APIG.0303 (expired)
    message: str


MISSING = AuthFailure("APIG.1002", "Incorrect token or token resolution failed")


class AuthState:
    """Auth switches per family, and the tokens issued by /connect/token and /v3/auth/tokens."""

    def __init__(self, clock: SimClock) -> None:
        self.clock = clock
        self.enabled = {"smint": True, "dms": True, "apig": True}
        self.token_lifetime: float | None = None  # None: the per-API default
        self._smint: dict[str, float] = {}  # token -> simulated expiry
        self._huawei: dict[str, float] = {}

    def reset(self) -> None:
        self.enabled = {"smint": True, "dms": True, "apig": True}
        self.token_lifetime = None
        self._smint.clear()
        self._huawei.clear()

    def describe(self) -> dict[str, object]:
        return {
            **self.enabled,
            "token_lifetime": self.token_lifetime,
            "issued_smint": len(self._smint),
            "issued_huawei": len(self._huawei),
        }

    def expire_issued(self) -> None:
        """Every issued token stops working (the static demo tokens keep working)."""
        self._smint.clear()
        self._huawei.clear()

    def issue_smint(self) -> tuple[str, float]:
        life = self.token_lifetime if self.token_lifetime is not None else SMINT_TOKEN_LIFETIME
        token = "sim-smint-at-" + secrets.token_hex(16)
        self._smint[token] = self.clock.now() + life
        return token, life

    def issue_huawei(self) -> tuple[str, float]:
        life = self.token_lifetime if self.token_lifetime is not None else IAM_TOKEN_LIFETIME
        token = "MIIsim" + secrets.token_urlsafe(48)
        self._huawei[token] = self.clock.now() + life
        return token, life

    def smint_ok(self, authorization: str | None) -> bool:
        if not authorization or authorization[:7].lower() != "bearer ":
            return False
        token = authorization[7:].strip()
        if token == cred.SMINT_TOKEN:
            return True
        expiry = self._smint.get(token)
        return expiry is not None and self.clock.now() < expiry

    def huawei_token_ok(self, token: str) -> bool:
        if token == cred.HW_TOKEN:
            return True
        expiry = self._huawei.get(token)
        return expiry is not None and self.clock.now() < expiry

    async def check_huawei(self, request: web.Request) -> AuthFailure | None:
        """X-Auth-Token or an AK/SK signature; None when the caller is let in."""
        token = request.headers.get("X-Auth-Token")
        if token is not None:
            return None if self.huawei_token_ok(token) else MISSING
        authorization = request.headers.get("Authorization")
        if authorization and authorization.startswith(signing.ALGORITHM):
            return await self.check_signature(request, authorization)
        return MISSING

    async def check_signature(self, request: web.Request, authorization: str) -> AuthFailure | None:
        parsed = signing.parse_authorization(authorization)
        if parsed is None:
            return AuthFailure("APIG.0301", "Incorrect IAM authentication information: malformed Authorization header")
        access, signed, given = parsed
        if access != cred.ACCESS_KEY:
            return AuthFailure("APIG.0301", "Incorrect IAM authentication information: unknown access key")
        date = request.headers.get("X-Sdk-Date")
        if date is None or "x-sdk-date" not in signed:
            return AuthFailure("APIG.0301", "Incorrect IAM authentication information: X-Sdk-Date must be signed")
        stamp = signing.parse_sdk_date(date)
        if stamp is None:
            return AuthFailure("APIG.0301", "Incorrect IAM authentication information: bad X-Sdk-Date")
        if abs(stamp - self.clock.wall()) > MAX_CLOCK_SKEW:
            return AuthFailure("APIG.0303", "Incorrect app authentication information: signature expired")
        missing = [h for h in signed if h not in request.headers]
        if missing:
            return AuthFailure("APIG.0301", f"Incorrect IAM authentication information: header {missing[0]} missing")
        url = request.rel_url
        expected = signing.expected_signature(request.method, url.raw_path, url.query.items(), request.headers,
                                              signed, await request.read(), cred.SECRET_KEY)
        if not signing.signatures_match(expected, given):
            return AuthFailure("APIG.0301", "Incorrect IAM authentication information: verify aksk signature fail")
        return None
