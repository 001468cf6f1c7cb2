"""The auth table schema: which keys each `auth = { type = ... }` takes, written once.

Read by config validation (tui.core.providers_config, which reports problems with file and line) and by
auth construction (tui.providers.auth.build_auth, which refuses what the schema does not allow), so the
two can never disagree about a key. Which auth types a provider kind accepts is part of the kind's
declaration (tui.core.families).

Every secret field `<f>` may be given as `<f>_env`, `<f>_command` or (in a private file) inline `<f>`.
"""

from __future__ import annotations

from dataclasses import dataclass

# Auth fields that hold a secret; each also has a `<field>_env` and a `<field>_command` form.
SECRET_FIELDS = frozenset(
    {"token", "client_secret", "refresh_token", "password", "access_key", "secret_key", "security_token"}
)


@dataclass(frozen=True, slots=True)
class AuthSpec:
    secrets: tuple[str, ...] = ()  # required secrets
    optional_secrets: tuple[str, ...] = ()
    plain: tuple[str, ...] = ()  # required non-secret fields
    optional: tuple[str, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        """Every key an auth table of this type may hold, `type` included."""
        known = {"type", *self.plain, *self.optional}
        for secret in (*self.secrets, *self.optional_secrets):
            known.update({secret, f"{secret}_env", f"{secret}_command"})
        return frozenset(known)


AUTH_SCHEMA: dict[str, AuthSpec] = {
    "none": AuthSpec(),
    "bearer": AuthSpec(secrets=("token",)),
    "oauth-refresh": AuthSpec(
        secrets=("refresh_token",),
        optional_secrets=("client_secret",),
        plain=("token_url", "client_id"),
        optional=("scope",),
    ),
    "token": AuthSpec(secrets=("token",)),
    "iam-password": AuthSpec(
        secrets=("password",), plain=("domain", "user"), optional=("iam_url", "project", "project_id")
    ),
    "aksk": AuthSpec(secrets=("access_key", "secret_key"), optional_secrets=("security_token",)),
    # Authorization-code login (`taskdeck login NAME`); the refresh token lives in the OS keyring.
    "oidc": AuthSpec(optional_secrets=("client_secret",), plain=("issuer", "client_id"), optional=("scope",)),
}
AUTH_TYPES = tuple(AUTH_SCHEMA)
