"""Desktop notifications while the user looks elsewhere (the terminal has lost focus).

The screen reports focus changes (Textual's AppBlur/AppFocus) and hands over each batch's
changes; finishes and provider outages seen while unfocused gather into one burst and go out
as one note through tui.core.notify (the terminal's escape sequence or the system's tool).
While the terminal has focus the toasts on screen are enough. No textual imports here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from tui.core.notify import BURST_WINDOW, Burst, Event, Notifier, notify_mode
from tui.deck.board import Changes
from tui.deck.health import health_text


class Nudger:
    def __init__(self, ui: Mapping[str, object], write: Callable[[str], None] | None, *,
                 notifier: Notifier | None = None, window: float = BURST_WINDOW) -> None:
        mode, _ = notify_mode(ui)  # a bad value was reported with providers.toml
        self.notifier = notifier or Notifier(mode, write=write)
        self.burst = Burst(window)
        self.focused = True
        self.sent: list[str] = []  # the routes taken, newest last (tests and the debug screen read it)

    def observe(self, changes: Changes, now: float) -> None:
        if self.focused or self.notifier.mode == "off":
            return
        for snap in changes.finished:
            name = snap.ref.label or snap.title or snap.kind or snap.ref.id
            self.burst.add(Event("gone" if snap.gone else snap.state.value, f"{snap.ref.provider}: {name}",
                                 snap.summary), now)
        for health in changes.went_down:
            self.burst.add(Event("down", health.provider, health_text(health)), now)
        for health in changes.came_back:
            self.burst.add(Event("back", health.provider), now)

    def tick(self, now: float) -> str | None:
        """Send the burst once its window has passed; returns the route taken, if any."""
        if not self.burst.due(now):
            return None
        route = self.notifier.send(self.burst.take())
        self.sent.append(route)
        return route
