"""Adding a provider profile end to end, for `taskdeck provider add` and the setup form alike.

Build the profile from the answers (profile_builder), look its project up in IAM when it names only a
region, append it to providers.toml (providers_write). The project lookup is the only network call: a
region with no project or several stops here (nothing is written); an unreachable IAM or credentials not
set yet do not (the profile is written, and the project is looked up at first use).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.core.profile_builder import ProfileAnswers, ProfileError, build_profile
from tui.core.providers_config import ProviderConfig, ProvidersFile
from tui.core.providers_write import add_provider
from tui.providers.probe import ProbeFailed, discover_project


@dataclass(frozen=True, slots=True)
class SetupResult:
    config: ProviderConfig
    message: str  # what was written where
    notes: list[str] = field(default_factory=list)  # what was found, or what still needs doing
    warnings: list[str] = field(default_factory=list)


async def set_up_profile(path: Path, answers: ProfileAnswers, existing: ProvidersFile,
                         env: Mapping[str, str] | None = None) -> SetupResult:
    """Write the new profile; ProfileError (a bad answer) or ConfigError (the file) when nothing was written."""
    environ = os.environ if env is None else env
    config = build_profile(answers, existing)
    notes: list[str] = []
    warnings: list[str] = []
    if config.region and not config.project_id:
        try:
            found = await discover_project(config, env)
        except ProbeFailed as failed:
            if failed.result.code in ("no-project", "several-projects"):  # writing it would not help
                raise ProfileError(f"{failed.result.message} (nothing was written)") from None
            warnings.append(f"the project id was not looked up now ({failed.result.message}); taskdeck looks it "
                            "up at first use")
        else:
            if found:
                config = replace(config, project_id=found)
                notes.append(f"project id {found} found in IAM for region {config.region} and written into the "
                             "profile")
    message = add_provider(path, config)
    for key, variable in sorted(config.auth.items()):
        if key.endswith("_env") and not environ.get(str(variable)):
            warnings.append(f"the environment variable {variable} is not set here; set it before taskdeck runs")
    if config.auth_type == "oidc":
        notes.append(f"log in once: taskdeck login {config.name}")
    return SetupResult(config, message, notes, warnings)
