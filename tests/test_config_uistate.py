"""UI memory per watch list lives in the state dir, never in the hand-edited files."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from tui.core.config import load_config
from tui.core.paths import resolve_paths
from tui.core.problems import WARNING
from tui.core.uistate import ListUiState, UiStateStore


@pytest.fixture(autouse=True)
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


def test_state_round_trip_in_the_state_dir(tmp_path: Path) -> None:
    config = load_config()
    config.ui.update("Nightly", sort="state", sort_reverse=True, filter="export",
                     selected="acme//9b1d", intervals={"acme": 10})
    config.ui.set_last_list("Nightly")
    config.close()
    path = tmp_path / "state" / "state.toml"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not (tmp_path / "config").exists()  # nothing written next to the user's files

    again = UiStateStore.open(path)
    assert again.last_list == "Nightly"
    assert again.get("Nightly") == ListUiState("state", True, "export", "acme//9b1d", {"acme": 10.0})
    assert again.get("Other") == ListUiState()


def test_rename_and_forget_follow_the_lists(tmp_path: Path) -> None:
    store = UiStateStore(resolve_paths().state, save_delay=3600)
    store.update("A", filter="x")
    store.set_last_list("A")
    store.rename_list("A", "B")
    assert store.get("B").filter == "x" and store.last_list == "B"
    store.forget_list("B")
    assert store.get("B") == ListUiState() and store.last_list is None
    store.close()
    assert tomllib.loads(resolve_paths().state.read_text()) == {"version": 1}


def test_unknown_fields_are_refused_in_code_but_kept_from_the_file(tmp_path: Path) -> None:
    path = resolve_paths().state
    path.parent.mkdir(parents=True)
    path.write_text('version = 1\nnewer = true\n[lists.A]\ncolumns = ["id"]\nfilter = "f"\n')
    store = UiStateStore.open(path, save_delay=3600)
    with pytest.raises(TypeError, match="colour"):
        store.update("A", colour="red")
    store.update("A", sort="age")
    store.close()
    data = tomllib.loads(path.read_text())
    assert data["newer"] is True
    assert data["lists"]["A"] == {"columns": ["id"], "filter": "f", "sort": "age", "sort_reverse": False}


def test_broken_state_file_starts_fresh_and_is_kept_as_bak(tmp_path: Path) -> None:
    path = resolve_paths().state
    path.parent.mkdir(parents=True)
    path.write_text("[lists.A\n")
    store = UiStateStore.open(path, save_delay=3600)
    [problem] = store.problems
    assert problem.severity == WARNING and problem.line == 1 and "starts fresh" in problem.suggestion
    store.update("A", filter="x")
    store.close()
    assert path.with_name("state.toml.bak").read_text() == "[lists.A\n"
    assert UiStateStore.open(path).get("A").filter == "x"


def test_bad_values_are_ignored_with_a_warning(tmp_path: Path) -> None:
    path = resolve_paths().state
    path.parent.mkdir(parents=True)
    path.write_text('[lists.A]\nsort = 3\nintervals = { acme = -1, kafka = 2 }\n')
    store = UiStateStore.open(path)
    assert store.get("A").sort is None and store.get("A").intervals == {"kafka": 2.0}
    assert {p.key for p in store.problems} == {"lists.A.sort", "lists.A.intervals"}
    assert {p.line for p in store.problems} == {2, 3}
