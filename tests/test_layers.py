"""The engine layers never import textual or rich, so headless commands and the engine process start lean."""

from __future__ import annotations

import subprocess
import sys

import pytest

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
