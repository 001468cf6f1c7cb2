"""`taskdeck logout NAME`: forget the profile's login (see login.py)."""

from tui.commands.login import configure, run

__all__ = ["configure", "run"]
