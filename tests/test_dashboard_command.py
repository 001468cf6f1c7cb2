"""What `taskdeck` does around the app: a broken watchlists.toml is never overwritten, nothing is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.commands.dashboard import _save_elsewhere
from tui.core.config import SaveBlockedError, load_config
from tui.core.model import TaskRef


def test_blocked_save_goes_beside_the_broken_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "providers.toml").write_text(
        '[providers.acme]\nkind = "smint"\nbase_url = "http://127.0.0.1:9/frontend/v1"\n')
    broken = '[[watchlist]]\nname = "Nightly"\ntask = [ { provider = "acme", id = \n'
    (config_dir / "watchlists.toml").write_text(broken)
    config = load_config()
    assert config.watch.blocked
    config.watch.add_tasks("Nightly", [TaskRef("acme", "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d")])
    with pytest.raises(SaveBlockedError) as info:
        config.close()
    assert _save_elsewhere(config, info.value) == 1
    assert (config_dir / "watchlists.toml").read_text() == broken  # untouched
    recovered = (config_dir / "watchlists.recovered.toml").read_text()
    assert "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d" in recovered
    assert "watchlists.recovered.toml" in capsys.readouterr().err
