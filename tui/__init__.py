"""taskdeck: watch long-running cloud tasks from the terminal."""

__version__ = "0.1.0"
