"""One-off calls on a profile, outside the poller: is it reachable and accepted, which instances has it,
which project does its region name. `taskdeck provider test`, `taskdeck instances`, `provider add` and the
setup form use these; each builds its own provider and closes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tui.core.secrets import redact
from tui.providers.base import Provider, ProviderSettings
from tui.providers.errors import ProviderError
from tui.providers.huawei import HuaweiProvider
from tui.providers.registry import create_provider

OK, REFUSED, UNREACHABLE, CONFIG = "ok", "refused", "unreachable", "config"
# A well-formed id no task has: the Smint API checks the token before it looks the task up.
SMINT_PROBE_ID = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    verdict: str  # ok | refused | unreachable | config
    message: str
    status: int | None = None
    code: str | None = None
    hint: str | None = None  # what is probably behind a failure (a wrong clock behind APIG.0303)


class ProbeFailed(Exception):
    def __init__(self, result: ProbeResult) -> None:
        super().__init__(result.message)
        self.result = result


def classify(error: ProviderError) -> ProbeResult:
    """Refused credentials, an unreachable endpoint, or a profile that cannot work as written."""
    status_code = f"HTTP {error.status}" if error.status else ""
    where = " ".join(x for x in (status_code, error.code or "") if x)
    text = f"{where}: {error.message}" if where else error.message
    if error.auth or error.status == 403:
        return ProbeResult(REFUSED, f"credentials refused: {text}", error.status, error.code, error.hint)
    if error.code in ("no-project", "several-projects"):
        return ProbeResult(CONFIG, error.message, error.status, error.code)
    if error.network:
        return ProbeResult(UNREACHABLE, f"unreachable: {text}", error.status, error.code)
    return ProbeResult(UNREACHABLE, f"the server did not answer as expected: {text}", error.status, error.code)


def open_provider(settings: ProviderSettings, env: Mapping[str, str] | None = None) -> Provider:
    """The profile's provider, or ProbeFailed(config) when its auth cannot be built (a missing variable...)."""
    try:
        return create_provider(settings, env=env)
    except ValueError as exc:  # SecretError included: names the variable, never a value
        raise ProbeFailed(ProbeResult(CONFIG, redact(str(exc)))) from None


async def _call(provider: Provider) -> str:
    if isinstance(provider, HuaweiProvider):
        looked_up = provider.project_id is None
        project = await provider.ensure_project()
        found = await provider.list_instances()  # type: ignore[attr-defined]
        what = provider.family.instance_word
        origin = " (looked up in IAM)" if looked_up else ""
        return f"{len(found)} {what}{'s' if len(found) != 1 else ''} in project {project}{origin}"
    try:
        await provider.get_json(f"/backgroundTasks/{SMINT_PROBE_ID}", gone_on_404=False)
    except ProviderError as error:
        if error.status == 404:  # past the token check: the credentials were accepted
            return "the API accepted the credentials"
        raise
    return "the API accepted the credentials"


async def probe(settings: ProviderSettings, env: Mapping[str, str] | None = None) -> ProbeResult:
    """One real, read-only call: DMS/APIG list instances or gateways; Smint GETs a task no one has."""
    try:
        provider = open_provider(settings, env)
    except ProbeFailed as failed:
        return failed.result
    try:
        detail = await _call(provider)
    except ProviderError as error:
        return classify(error)
    finally:
        await provider.aclose()
    return ProbeResult(OK, f"reachable, credentials accepted: {detail}")


async def list_instances(settings: ProviderSettings, env: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """DMS instances or APIG gateways [{id, name, engine, status}]; ProbeFailed when they cannot be listed."""
    provider = open_provider(settings, env)
    try:
        if not isinstance(provider, HuaweiProvider):
            raise ProbeFailed(ProbeResult(CONFIG, f"{settings.kind} has no instances to list"))
        try:
            found: list[dict[str, Any]] = await provider.list_instances()  # type: ignore[attr-defined]
        except ProviderError as error:
            raise ProbeFailed(classify(error)) from None
    finally:
        await provider.aclose()
    for item in found:
        item.setdefault("engine", "apig" if settings.kind == "huawei-apig" else "")
    return found


async def discover_project(settings: ProviderSettings, env: Mapping[str, str] | None = None) -> str | None:
    """The project id IAM gives for the profile's region; None when the profile or the SDK already names one.
    ProbeFailed when the lookup fails."""
    provider = open_provider(settings, env)
    try:
        if not isinstance(provider, HuaweiProvider) or provider.project_id:
            return None
        try:
            return await provider.ensure_project()
        except ProviderError as error:
            raise ProbeFailed(classify(error)) from None
    finally:
        await provider.aclose()
