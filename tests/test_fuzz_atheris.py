"""A short run of the atheris harness (tests/fuzz/atheris_parsers.py); skipped without atheris,
which is not a dependency of the project (`pip install atheris` to run it, and longer by hand)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

HARNESS = Path(__file__).parent / "fuzz" / "atheris_parsers.py"


@pytest.mark.skipif(importlib.util.find_spec("atheris") is None, reason="atheris is not installed")
def test_atheris_harness_short_run(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for n, seed in enumerate([b'\x00\x00{"state": "in_progress", "finished_percentage": 250}',
                              b'\x01\x01{"error_code": "APIG.0201", "error_msg": "x"}',
                              b"\x02\x00<html><title>\x1b]2;x\x07</title></html>"]):
        (corpus / f"seed{n}").write_bytes(seed)
    result = subprocess.run([sys.executable, str(HARNESS), str(corpus), "-runs=3000", "-max_len=2048",
                             "-timeout=20"], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Done 3000 runs" in result.stderr
