"""Which provider class serves which `kind`, and `create_provider`, which builds one from a profile.

The list of built-in families is written here once. It lives apart from `base` (which every family
imports) so that no module imports the families and is imported by them.
"""

from __future__ import annotations

from collections.abc import Mapping

from tui.core import regions
from tui.providers.apig import ApigProvider
from tui.providers.auth import build_auth
from tui.providers.base import Provider, ProviderSettings
from tui.providers.dms import DmsProvider
from tui.providers.smint import SmintProvider

REGISTRY: dict[str, type[Provider]] = {cls.family.kind: cls for cls in (SmintProvider, DmsProvider, ApigProvider)}


def provider_class(kind: str) -> type[Provider]:
    try:
        return REGISTRY[kind]
    except KeyError:
        raise ValueError(f"unknown provider kind {kind!r}; expected one of {', '.join(sorted(REGISTRY))}") from None


def create_provider(settings: ProviderSettings, *, env: Mapping[str, str] | None = None) -> Provider:
    """Build the provider and its auth from a profile. Raises ValueError/SecretError for bad profiles."""
    cls = provider_class(settings.kind)
    auth_spec = getattr(settings, "auth", None) or {"type": "none"}
    region = getattr(settings, "region", None)
    iam_url = getattr(settings, "iam_url", None) or (regions.iam_endpoint(region, env) if region else None)
    auth = build_auth(auth_spec, project_id=settings.project_id, env=env, profile=settings.name, region=region,
                      iam_url=iam_url)
    return cls(settings, auth=auth, env=env)
