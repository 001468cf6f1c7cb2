"""What a user action changed, as plain data the dashboard draws.

The controller never touches a widget: each action returns an `Outcome` and the
screen turns it into row updates, a cursor move and toasts. That keeps the order
"change the model, tell the engine, then draw" in one place (the controller) and
lets tests check an action without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INFO = "information"
WARNING = "warning"
ERROR = "error"


@dataclass(frozen=True, slots=True)
class Note:
    """A message for the user. `text` is plain text (never markup) and already cleaned.

    Notes with the same `key` replace each other on screen (pressing `-` five times
    shows one toast with the newest interval, not five).
    """

    text: str
    title: str = ""
    severity: str = INFO
    timeout: float | None = None
    key: str | None = None


@dataclass
class Outcome:
    rows: set[str] = field(default_factory=set)  # rows of the active list to draw again (task keys)
    removed: set[str] = field(default_factory=set)  # rows to take out of the table
    reload: bool = False  # the active list changed: fill the table again and restore its view
    cursor: str | None = None  # move the cursor to this task
    notes: list[Note] = field(default_factory=list)
    error: str | None = None  # the action was refused; a dialog may show this inline

    @classmethod
    def refused(cls, message: str) -> Outcome:
        return cls(notes=[Note(message, severity=ERROR)], error=message)

    def note(self, text: str, **kwargs: object) -> Outcome:
        self.notes.append(Note(text, **kwargs))  # type: ignore[arg-type]
        return self
