"""The dashboard's way from nothing to a watched instance: the welcome panel's buttons, the provider setup
form and the instance lister of the add dialog.

Everything that touches the network or the disk runs in worker threads (the form's save, the listing, the
look for the Huawei SDK's credentials); this module only moves their answers to the screen. The form
writes through `set_up_profile`, the code behind `taskdeck provider add`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen

from tui.core.config import ProvidersFile
from tui.core.profile_builder import ProfileAnswers
from tui.core.providers_config import load_providers
from tui.core.taskids import HUAWEI_DMS
from tui.core.text import clean
from tui.deck.controller import Deck
from tui.providers.probe import ProbeFailed, list_instances
from tui.providers.profile_setup import SetupResult, set_up_profile
from tui.providers.sdk_credentials import describe_source, sdk_credentials_present
from tui.screens.provider_setup import ProviderSetupScreen

__all__ = ["Onboarding", "SetupDone"]


@dataclass(frozen=True, slots=True)
class SetupDone:
    result: SetupResult
    providers: ProvidersFile  # providers.toml as it is now, with the new profile


class Onboarding:
    def __init__(self, screen: Screen[Any], deck: Deck, providers_changed: Callable[[ProvidersFile], None]) -> None:
        self.screen = screen
        self.deck = deck
        self.providers_changed = providers_changed

    @property
    def needed(self) -> bool:
        """No profile at all (not even a broken one) in a file that could be read: the welcome panel shows.
        A providers.toml with a syntax error is not empty: its problem is reported instead."""
        providers = self.deck.config.providers
        return providers.parsed and not providers.names

    # -- the Huawei SDK's credentials (a stat and the environment: off the UI thread) ---------------------

    def find_sdk_credentials(self, found: Callable[[str], None]) -> None:
        def look() -> None:
            if sdk_credentials_present():
                self.screen.app.call_from_thread(found, describe_source())

        self.screen.run_worker(look, thread=True, group="sdk-credentials", exit_on_error=False)

    # -- the setup form --------------------------------------------------------------------------------

    def open_setup(self, sdk: bool = False) -> None:
        if self.deck.config.paths is None:
            self.screen.app.notify("The demo writes nothing: quit and run taskdeck without --demo to add a "
                                   "provider.", severity="warning", markup=False)
            return
        form = ProviderSetupScreen(self.run_setup, kind=HUAWEI_DMS, credentials="sdk" if sdk else None)
        self.screen.app.push_screen(form, self._set_up)

    def run_setup(self, answers: ProfileAnswers) -> SetupDone:
        """Blocking (the form's worker thread): write the profile, then read providers.toml again."""
        paths = self.deck.config.paths
        assert paths is not None
        existing, _ = load_providers(paths.providers)
        result = asyncio.run(set_up_profile(paths.providers, answers, existing))
        providers, _ = load_providers(paths.providers)
        return SetupDone(result, providers)

    def _set_up(self, done: object) -> None:
        if not isinstance(done, SetupDone):
            return
        self.providers_changed(done.providers)
        result = done.result
        lines = [result.message, *result.notes, *result.warnings]
        if result.config.needs_instance:
            lines.append("Next: a to add tasks, or to follow an instance picked by name.")
        self.screen.app.notify(clean("\n".join(lines), multiline=True, limit=2000),
                               title=f"Provider {clean(result.config.name)} added",
                               severity="warning" if result.warnings else "information", timeout=15, markup=False)

    # -- the add dialog's instance list ------------------------------------------------------------------

    def list_instances(self, name: str) -> Sequence[Mapping[str, str]]:
        """Blocking (the add dialog's worker thread): the profile's instances or gateways, by name."""
        config = self.deck.config.providers.providers.get(name)
        if config is None:
            raise LookupError(f"no usable profile named {name}")
        try:
            return asyncio.run(list_instances(config))
        except ProbeFailed as failed:
            raise RuntimeError(failed.result.message) from None

    def fetch_instance_names(self, found: Callable[[str, dict[str, str]], None]) -> None:
        """In worker threads: the names of each instance-based profile's instances or gateways (their list
        APIs), handed to `found(profile, {id: name})` on the UI thread. A profile whose list cannot be read
        keeps showing ids; nothing else depends on the names."""
        for name, config in self.deck.config.providers.providers.items():
            if not config.needs_instance:
                continue

            def look(name: str = name) -> None:
                try:
                    listed = self.list_instances(name)
                except Exception:  # noqa: BLE001 - names are a nicety; ids remain
                    return
                names = {clean(str(i.get("id"))): clean(str(i.get("name")), limit=60)
                         for i in listed if i.get("id") and i.get("name")}
                if names:
                    self.screen.app.call_from_thread(found, name, names)
            self.screen.run_worker(look, thread=True, group="instance-names", exit_on_error=False,
                                   description=f"list the instances of {name}")
