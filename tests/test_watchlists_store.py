"""WatchStore: editing lists, merging with changes made by another process, debounced saving."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from tui.core.atomic import backup_path
from tui.core.config import Config, load_config
from tui.core.model import TaskRef
from tui.core.paths import resolve_paths
from tui.core.providers_config import ProviderConfig
from tui.core.saver import DebouncedSaver
from tui.core.watchlists import FollowedInstance, WatchList, parse_watchlists
from tui.core.watchstore import SaveResult, UnknownListError, WatchStore


@pytest.fixture(autouse=True)
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "watchlists.toml"


def ref(n: int, provider: str = "acme", label: str | None = None) -> TaskRef:
    return TaskRef(provider, f"task-{n}", label=label)


def ids(store: WatchStore, name: str) -> list[str]:
    found = store.get(name)
    assert found is not None
    return [t.id for t in found.tasks]


def on_disk(path: Path) -> dict[str, list[str]]:
    doc, problems = parse_watchlists(path.read_text(), path)
    assert not [p for p in problems if p.is_error]
    return {w.name: [t.id for t in w.tasks] for w in doc.lists}


def manual(path: Path) -> WatchStore:
    return WatchStore.open(path, autosave=False)


# --- editing -------------------------------------------------------------------------------------------


def test_first_save_creates_dir_and_private_file(path: Path) -> None:
    store = manual(path)
    assert store.lists == [] and not path.exists()
    assert store.add_tasks("Nightly", [ref(1), ref(2)]) == [ref(1), ref(2)]
    result = store.save()
    assert result == SaveResult(path, written=True, merged=False)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert on_disk(path) == {"Nightly": ["task-1", "task-2"]}
    assert not store.dirty


def test_add_skips_tasks_already_listed(path: Path) -> None:
    store = manual(path)
    store.add_tasks("A", [ref(1)])
    assert store.add_tasks("A", [ref(1, label="other label"), ref(2), ref(2)]) == [ref(2)]
    assert ids(store, "A") == ["task-1", "task-2"]
    assert store.add_tasks("A", [ref(1)]) == []


def test_list_operations(path: Path) -> None:
    store = manual(path)
    store.create_list("A")
    with pytest.raises(ValueError, match="already exists"):
        store.create_list("A")
    with pytest.raises(ValueError, match="needs a name"):
        store.create_list("  ")
    store.add_tasks("A", [ref(1), ref(2)])
    assert store.remove_task("A", ref(1)) and not store.remove_task("A", "acme//task-1")
    assert store.set_label("A", ref(2), "hello")
    assert store.get("A").tasks == [ref(2, label="hello")]  # type: ignore[union-attr]
    store.rename_list("A", "B")
    assert store.names == ["B"]
    with pytest.raises(UnknownListError):
        store.remove_task("A", ref(2))
    assert store.follow_instance("B", "kafka", "i-1") and not store.follow_instance("B", "kafka", "i-1")
    assert store.get("B").instances == [FollowedInstance("kafka", "i-1")]  # type: ignore[union-attr]
    assert store.unfollow_instance("B", "kafka", "i-1")
    store.create_list("C")
    with pytest.raises(ValueError, match="already exists"):
        store.rename_list("B", "C")
    assert store.delete_list("C") and not store.delete_list("C")
    store.save()
    assert on_disk(path) == {"B": ["task-2"]}


def test_readers_get_copies(path: Path) -> None:
    store = manual(path)
    store.add_tasks("A", [ref(1)])
    store.lists[0].tasks.append(ref(9))
    store.get("A").tasks.clear()  # type: ignore[union-attr]
    assert ids(store, "A") == ["task-1"]


def test_resolve_and_find_list(path: Path) -> None:
    store = manual(path)
    store.create_list("Nightly")
    store.create_list("Weekly")
    assert store.resolve_name("nightly") == "Nightly"
    assert store.find_list("Weekly").name == "Weekly"
    with pytest.raises(UnknownListError) as info:
        store.find_list("Nighty")
    assert str(info.value) == "no watch list named 'Nighty' — did you mean 'Nightly'? (lists: Nightly, Weekly)"


# --- two writers -----------------------------------------------------------------------------------------


def test_two_stores_adding_different_tasks_both_survive(path: Path) -> None:
    one, two = manual(path), manual(path)
    one.add_tasks("Shared", [ref(1)])
    two.add_tasks("Shared", [ref(2)])
    two.add_tasks("Only two", [ref(3)])
    assert one.save().merged is False
    result = two.save()
    assert result.merged is True
    assert on_disk(path) == {"Shared": ["task-1", "task-2"], "Only two": ["task-3"]}
    # The store that merged now shows the other's task too.
    assert ids(two, "Shared") == ["task-1", "task-2"]
    # ... and the other picks ours up on its next save.
    one.add_tasks("Shared", [ref(4)])
    assert one.save().merged is True
    assert on_disk(path) == {"Shared": ["task-1", "task-2", "task-4"], "Only two": ["task-3"]}


def test_deletions_are_kept_on_merge(path: Path) -> None:
    seed = manual(path)
    seed.add_tasks("A", [ref(1), ref(2), ref(3)])
    seed.add_tasks("Doomed", [ref(5)])
    seed.save()
    one, two = manual(path), manual(path)
    one.remove_task("A", ref(1))
    one.delete_list("Doomed")
    one.save()
    two.remove_task("A", ref(3))
    two.add_tasks("A", [ref(4)])
    two.save()
    # Neither process resurrects what the other removed; the deleted list stays deleted.
    assert on_disk(path) == {"A": ["task-2", "task-4"]}
    assert two.names == ["A"]


def test_rename_merges_with_a_list_created_meanwhile(path: Path) -> None:
    seed = manual(path)
    seed.add_tasks("Old", [ref(1)])
    seed.save()
    one, two = manual(path), manual(path)
    two.add_tasks("New", [ref(2)])
    two.save()
    one.rename_list("Old", "New")
    one.save()
    assert on_disk(path) == {"New": ["task-2", "task-1"]}


def test_hand_edit_while_running_is_merged_not_clobbered(path: Path) -> None:
    store = manual(path)
    store.add_tasks("A", [ref(1)])
    store.save()
    path.write_text(path.read_text() + '\n[[watchlist]]\nname = "Typed by hand"\n')
    store.add_tasks("A", [ref(2)])
    assert store.save().merged
    assert on_disk(path) == {"A": ["task-1", "task-2"], "Typed by hand": []}
    assert backup_path(path).read_text().endswith('name = "Typed by hand"\n')


def test_file_deleted_while_running_is_written_again(path: Path) -> None:
    store = manual(path)
    store.add_tasks("A", [ref(1)])
    store.save()
    path.unlink()
    store.add_tasks("A", [ref(2)])
    store.save()
    assert on_disk(path) == {"A": ["task-1", "task-2"]}


def test_changes_made_during_a_save_are_kept(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tui.core.watch_ops as ws  # where the store's file writes happen

    store = manual(path)
    store.add_tasks("A", [ref(1)])
    real = ws.atomic_write

    def write_while_editing(target: Path, data: bytes, **kwargs: bool) -> bool:
        store.add_tasks("A", [ref(2)])  # an edit landing while the save is in its I/O phase
        return real(target, data, **kwargs)

    monkeypatch.setattr(ws, "atomic_write", write_while_editing)
    store.save()
    assert on_disk(path) == {"A": ["task-1"]}
    assert store.dirty and ids(store, "A") == ["task-1", "task-2"]
    store.save()
    assert on_disk(path) == {"A": ["task-1", "task-2"]}


# --- debounced background saving ------------------------------------------------------------------------


def test_edits_are_coalesced_into_one_background_write(path: Path) -> None:
    done = threading.Event()
    results: list[SaveResult | None] = []

    def on_saved(result: SaveResult | None, error: BaseException | None) -> None:
        assert error is None
        results.append(result)
        done.set()

    store = WatchStore(path, save_delay=0.2, on_saved=on_saved)
    store.load()
    for n in range(50):
        store.add_tasks("A", [ref(n)])
    assert done.wait(10)
    assert store.saver.wait_idle(10)
    assert len(results) == 1 and results[0] is not None and results[0].written
    assert store.saver.saves == 1
    assert len(on_disk(path)["A"]) == 50
    store.close()


def test_flush_writes_pending_changes_now(path: Path) -> None:
    store = WatchStore(path, save_delay=3600)
    store.load()
    store.add_tasks("A", [ref(1)])
    assert not path.exists()
    result = store.flush()
    assert result is not None and result.written
    assert on_disk(path) == {"A": ["task-1"]}
    assert store.flush() is None  # nothing pending
    store.close()


def test_close_on_quit_saves(path: Path) -> None:
    store = WatchStore(path, save_delay=3600)
    store.load()
    store.add_tasks("A", [ref(1)])
    store.close()
    assert on_disk(path) == {"A": ["task-1"]}


def test_saver_reports_errors_and_keeps_working() -> None:
    calls: list[int] = []
    errors: list[BaseException | None] = []
    finished = threading.Event()

    def save() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("disk full")
        return len(calls)

    def on_result(result: int | None, error: BaseException | None) -> None:
        errors.append(error)
        finished.set()

    saver: DebouncedSaver[int] = DebouncedSaver(save, delay=0.0, on_result=on_result)
    saver.schedule()
    assert finished.wait(10) and saver.wait_idle(10)
    assert isinstance(errors[0], OSError) and isinstance(saver.last_error, OSError)
    saver.schedule()
    assert saver.close(10) == 2


# --- memory-only stores (demo mode) ------------------------------------------------------------------------


def test_in_memory_store_writes_nothing(tmp_path: Path) -> None:
    provider = ProviderConfig(name="demo", kind="smint", base_url="http://127.0.0.1:1")
    config = Config.in_memory([provider], [WatchList("Demo", tasks=[ref(1, "demo")])])
    assert config.watch.names == ["Demo"] and not config.watch.saving_enabled
    config.watch.add_tasks("Demo", [ref(2, "demo")])
    config.ui.update("Demo", sort="state")
    assert config.watch.save() == SaveResult(None, written=False)
    config.close()
    assert list(tmp_path.iterdir()) == []


def test_load_config_reads_everything(tmp_path: Path) -> None:
    paths = resolve_paths()
    paths.config_dir.mkdir()
    paths.providers.write_text('[providers.acme]\nkind = "smint"\nbase_url = "https://x"\n')
    paths.watchlists.write_text('[[watchlist]]\nname = "A"\n[[watchlist.task]]\nprovider = "acme2"\nid = "1"\n')
    config = load_config()
    assert set(config.providers.providers) == {"acme"}
    assert config.watch.names == ["A"]
    assert [p.key for p in config.problems] == ["watchlist[0].task[0].provider"]
    config.close()
