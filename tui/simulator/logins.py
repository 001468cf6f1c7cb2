"""What the simulated identity server remembers between requests: login codes and refresh tokens (oidc.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class OidcState:
    codes: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> the authorize request
    live: set[str] = field(default_factory=set)  # refresh tokens that may be used (once)
    used: set[str] = field(default_factory=set)  # refresh tokens already used: refused
    logins: int = 0  # codes exchanged

    def describe(self) -> dict[str, int]:
        return {"codes": len(self.codes), "live_refresh_tokens": len(self.live), "used_refresh_tokens": len(self.used),
                "logins": self.logins}
