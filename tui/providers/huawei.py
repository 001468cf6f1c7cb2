"""What DMS and APIG share: the project id, given in the profile or looked up in IAM at first use.

The SDK does the same (`BasicCredentials.process_auth_params`, apis.md §6b): with no project id it calls IAM
`GET /v3/projects?name={region}`, signed like every other call, and fails when none or several projects
match. The id is not a secret; `taskdeck provider add` writes it into the profile so later starts skip the
lookup.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from tui.core import regions
from tui.core.model import TaskRef, TaskSnapshot
from tui.core.text import clean
from tui.providers.base import Provider, ProviderSettings, as_text
from tui.providers.errors import ProviderError


def project_from_listing(data: Any, region: str) -> str:
    """The one project id in an IAM `/v3/projects` answer, or a ProviderError naming the region."""
    projects = data.get("projects") if isinstance(data, dict) else None
    if not isinstance(projects, list):
        raise ProviderError("unexpected IAM answer: no list of projects", code="bad-shape")
    ids = [clean(as_text(p.get("id"))) for p in projects
           if isinstance(p, dict) and p.get("id") and p.get("name", region) == region]
    if not ids:
        raise ProviderError(f"IAM knows no project named '{region}' for these credentials: check the region, "
                            "or set project_id in the profile", code="no-project")
    if len(ids) > 1:
        raise ProviderError(f"IAM has {len(ids)} projects named '{region}': set project_id in the profile "
                            f"to one of {', '.join(ids)}", code="several-projects")
    return ids[0]


class HuaweiProvider(Provider):
    """A DMS or APIG provider: its paths hold the project id, which may have to be looked up first."""

    def __init__(self, settings: ProviderSettings, *, auth: httpx.Auth | None = None,
                 client: httpx.AsyncClient | None = None, env: Mapping[str, str] | None = None) -> None:
        super().__init__(settings, auth=auth, client=client, env=env)
        # Given in the profile, else by the SDK's HUAWEICLOUD_SDK_PROJECT_ID or credentials file.
        self.project_id: str | None = settings.project_id or getattr(auth, "project_id", None)
        self._project_lock = asyncio.Lock()

    @property
    def region(self) -> str | None:
        return getattr(self.settings, "region", None)

    @property
    def iam_url(self) -> str:
        given = getattr(self.settings, "iam_url", None) or getattr(self.client.auth, "iam_url", None)
        return (given or regions.iam_endpoint(self.region)).rstrip("/")

    async def ensure_project(self) -> str:
        """The project id, looked up in IAM once when the profile names only a region."""
        if self.project_id:
            return self.project_id
        async with self._project_lock:
            if self.project_id:
                return self.project_id
            region = self.region
            if not region:
                raise ProviderError("no project: set project_id or region in the profile", code="no-project")
            data, _ = await self.get_json(f"{self.iam_url}/v3/projects", params={"name": region},
                                          gone_on_404=False)
            found = project_from_listing(data, region)
            self.project_id = found
            auth = self.client.auth
            if hasattr(auth, "project_id") and not getattr(auth, "project_id", None):
                setattr(auth, "project_id", found)  # noqa: B010 - AK/SK sends it as X-Project-Id
            return found

    async def fetch(self, ref: TaskRef) -> TaskSnapshot:
        await self.ensure_project()
        return await super().fetch(ref)
