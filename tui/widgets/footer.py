"""The key bar: Textual's `Footer`, rebuilt only when what it shows changes.

Why: the Footer rebuilds all its keys (~15 widgets, then two or three layouts of the
whole screen, 15-50 ms each under load on this project's VM) whenever the bindings
*may* have changed: every focus change, every screen pushed or popped. Opening the
filter, leaving it, or closing a dialog whose screen shows the same keys rebuilt it
all the same. Here the shown keys are compared first.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyBar(Footer):
    """A `Footer` that skips the rebuild when the keys it would show are the ones it shows."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[object, ...] | None = None

    def _keys(self, screen: Screen[Any]) -> tuple[object, ...]:
        app = self.app
        active = screen.active_bindings
        shown = tuple((binding.key, app.get_key_display(binding), binding.description, binding.action,
                       binding.group, enabled, tooltip)
                      for _, binding, enabled, tooltip in active.values() if binding.show)
        palette = active.get(app.COMMAND_PALETTE_BINDING)
        return shown, self.show_command_palette, app.ENABLE_COMMAND_PALETTE, palette[1:] if palette else None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            keys = self._keys(screen)
            if keys == self._shown:
                self._bindings_ready = True
                return
            self._shown = keys  # the rebuild below shows these
        super().bindings_changed(screen)
