"""Paths, atomic writes, the cross-process lock, and `taskdeck locate`."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tui.cli import main
from tui.core.atomic import (
    LockTimeout,
    atomic_write,
    backup_path,
    file_lock,
    read_with_stamp,
    remove_stale_temps,
)
from tui.core.paths import ensure_dir, resolve_paths


@pytest.fixture(autouse=True)
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# --- paths -------------------------------------------------------------------------------------------------


def test_env_override_wins(tmp_path: Path) -> None:
    paths = resolve_paths()
    assert paths.config_dir == tmp_path / "config"
    assert paths.providers == tmp_path / "config" / "providers.toml"
    assert paths.watchlists == tmp_path / "config" / "watchlists.toml"
    assert paths.state == tmp_path / "state" / "state.toml"
    assert paths.config_source == "TASKDECK_CONFIG_DIR"


def test_xdg_dirs_are_honoured(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path / "xc"), "XDG_STATE_HOME": str(tmp_path / "xs")}
    paths = resolve_paths(env)
    assert paths.config_dir == tmp_path / "xc" / "taskdeck"
    assert paths.state_dir == tmp_path / "xs" / "taskdeck"
    assert (paths.config_source, paths.state_source) == ("XDG_CONFIG_HOME", "XDG_STATE_HOME")


def test_relative_xdg_is_ignored_and_platformdirs_used() -> None:
    paths = resolve_paths({"XDG_CONFIG_HOME": "relative/dir"})
    assert paths.config_source == "platformdirs"
    assert paths.config_dir.name == "taskdeck"


def test_resolving_creates_nothing(tmp_path: Path) -> None:
    resolve_paths()
    assert not (tmp_path / "config").exists()


def test_ensure_dir_makes_private_dirs(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    ensure_dir(target)
    assert mode(tmp_path / "a") == 0o700 and mode(target) == 0o700


# --- atomic writes --------------------------------------------------------------------------------------


def test_new_file_is_0600_in_a_0700_dir(tmp_path: Path) -> None:
    path = tmp_path / "new" / "f.toml"
    assert atomic_write(path, b"one")
    assert path.read_bytes() == b"one"
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert not backup_path(path).exists()


def test_rewrite_keeps_previous_version_as_bak(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    atomic_write(path, b"one")
    atomic_write(path, b"two")
    atomic_write(path, b"three")
    assert path.read_bytes() == b"three"
    assert backup_path(path).read_bytes() == b"two"
    assert mode(backup_path(path)) == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_same_content_is_not_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    atomic_write(path, b"one")
    before = os.stat(path).st_ino
    assert atomic_write(path, b"one") is False
    assert os.stat(path).st_ino == before


def test_existing_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    path.write_bytes(b"x")
    os.chmod(path, 0o640)
    atomic_write(path, b"y")
    assert mode(path) == 0o640


def test_stale_temps_are_removed(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    (tmp_path / ".f.toml.abc.tmp").write_bytes(b"half")
    (tmp_path / ".f.toml.bak.xyz.tmp").write_bytes(b"half")
    (tmp_path / ".other.toml.abc.tmp").write_bytes(b"not ours")
    with file_lock(path):
        assert remove_stale_temps(path) == 2
    assert (tmp_path / ".other.toml.abc.tmp").exists()


def test_stamp_changes_with_content(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    assert read_with_stamp(path) is None
    atomic_write(path, b"one")
    found = read_with_stamp(path)
    assert found is not None and found[0] == b"one" and found[1].size == 3
    atomic_write(path, b"two")
    again = read_with_stamp(path)
    assert again is not None and again[1].sha256 != found[1].sha256


def test_lock_is_exclusive_and_times_out(tmp_path: Path) -> None:
    path = tmp_path / "f.toml"
    with file_lock(path):
        assert mode(tmp_path / "f.toml.lock") == 0o600
        with pytest.raises(LockTimeout, match="another taskdeck process"), file_lock(path, timeout=0.05):
            pass
    with file_lock(path, timeout=0.05):
        pass


# --- taskdeck locate ------------------------------------------------------------------------------------


def test_locate_prints_paths_and_existence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "providers.toml").write_text("")
    assert main(["locate"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert str(tmp_path / "config") in lines["config"] and "exists" in lines["config"]
    assert "TASKDECK_CONFIG_DIR" in lines["config"]
    assert "(exists)" in lines["providers.toml"]
    assert "(missing)" in lines["watchlists.toml"]
    assert str(tmp_path / "state" / "state.toml") in out


def test_locate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["locate", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["watchlists"] == {"path": str(tmp_path / "config" / "watchlists.toml"), "exists": False}
    assert data["config_dir"]["source"] == "TASKDECK_CONFIG_DIR"
    assert data["state"]["path"] == str(tmp_path / "state" / "state.toml")
    assert data["history"]["path"] == str(tmp_path / "state" / "history.sqlite3")
    assert set(data) == {"config_dir", "providers", "watchlists", "state_dir", "state", "history"}
