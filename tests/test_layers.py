"""The engine layers never import textual or rich, so headless commands and the engine process start lean."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers.imports import import_graph

HEADLESS = ["tui.core", "tui.providers", "tui.simulator", "tui.deck"]


@pytest.mark.parametrize("package", HEADLESS)
def test_package_and_its_modules_import_without_textual(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({package!r})\n"
        "for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    if not info.name.endswith('__main__'):\n"
        "        importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(' '.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "", f"{package} pulls in: {out.stdout.strip()}"


# Arrows point down only (DESIGN.md "Owners"): each layer and what it may import from taskdeck.
ALLOWED = {
    "tui.core": {"tui.core"},
    "tui.providers": {"tui.core", "tui.providers"},
    "tui.simulator": {"tui.simulator"},  # the other side of the wire: never the client
    "tui.deck": {"tui.core", "tui.providers", "tui.deck", "tui.sources"},
}


def _layer(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_arrows_point_down_only() -> None:
    """Function-level and TYPE_CHECKING imports count too: tui.core never reaches up to a provider, a command
    or a widget, even lazily (the family declarations live in core for that reason)."""
    graph = import_graph()
    upward = sorted(
        f"{source} imports {target}"
        for source, targets in graph.items()
        if _layer(source) in ALLOWED
        for target in targets
        if _layer(target) not in ALLOWED[_layer(source)]
    )
    assert not upward, "\n".join(upward)
