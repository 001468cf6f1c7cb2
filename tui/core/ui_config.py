"""The app-wide sections of providers.toml: `[keymap]`, `[ui]` and `[settings]`.

Split from tui.core.providers_config, which reads the file and its `[providers.NAME]` profiles.
"""

from __future__ import annotations

from typing import Any

from tui.core.notify import MODES as NOTIFY_MODES
from tui.core.problems import WARNING, ProblemLog, join_key, key_part


def read_app_sections(log: ProblemLog, data: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
    """(keymap, ui, settings) as far as they can be used; what cannot is reported and left out."""
    keymap: dict[str, str] = {}
    raw_keymap = data.get("keymap", {})
    if not isinstance(raw_keymap, dict):
        log.wrong_type("keymap", raw_keymap, "a table", '[keymap] with lines like quit = "q"', WARNING)
    else:
        for binding, keys in raw_keymap.items():
            if isinstance(keys, str):
                keymap[binding] = keys
            else:
                log.wrong_type(join_key("keymap", binding), keys, "a string of keys", f'{key_part(binding)} = "ctrl+r"', WARNING)

    sections: dict[str, dict[str, Any]] = {}
    for section in ("ui", "settings"):
        value = data.get(section, {})
        if not isinstance(value, dict):
            log.wrong_type(section, value, "a table", f"[{section}]", WARNING)
            value = {}
        sections[section] = value
    if "bell" in sections["ui"] and not isinstance(sections["ui"]["bell"], bool):
        log.wrong_type("ui.bell", sections["ui"]["bell"], "true or false", "bell = true", WARNING)
        sections["ui"] = {k: v for k, v in sections["ui"].items() if k != "bell"}
    sections["ui"] = memory_settings(log, sections["ui"])
    return keymap, sections["ui"], sections["settings"]


def memory_settings(log: ProblemLog, ui: dict[str, Any]) -> dict[str, Any]:
    """`[ui] notify` and `[ui] remember_days` (tui.core.notify, tui.core.store); a bad value is dropped."""
    notify = ui.get("notify")
    if notify is not None and not isinstance(notify, bool) and not (
            isinstance(notify, str) and notify.strip().lower() in NOTIFY_MODES):
        log.problem("ui.notify", f"{notify!r} is not one of {', '.join(NOTIFY_MODES)}",
                     'write it like notify = "auto"', WARNING)
        ui = {k: v for k, v in ui.items() if k != "notify"}
    days = ui.get("remember_days")
    if days is not None and (isinstance(days, bool) or not isinstance(days, int | float) or not 0 < days <= 3650):
        log.problem("ui.remember_days", f"{days!r} is not a number of days from 1 to 3650",
                     "write it like remember_days = 30", WARNING)
        ui = {k: v for k, v in ui.items() if k != "remember_days"}
    return ui
