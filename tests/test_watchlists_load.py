"""watchlists.toml: bad files are reported (file, line, key, fix), kept, and never overwritten."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tui.core.model import TaskRef
from tui.core.problems import ERROR, INFO, WARNING, ConfigProblem
from tui.core.providers_config import parse_providers
from tui.core.watchlists import FollowedInstance, WatchList, WatchlistsFile, dumps, parse_watchlists
from tui.core.watchstore import SaveBlockedError, WatchStore


@pytest.fixture(autouse=True)
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


PROVIDERS, _ = parse_providers("""\
[providers.acme]
kind = "smint"
base_url = "https://acme.example/frontend/v1"

[providers.kafka-eu]
kind = "huawei-dms"
base_url = "https://dms.example"
project_id = "0123456789abcdef0123456789abcdef"
""")

UUID1 = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
UUID2 = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
HEX = "8abfa7b272adc5b40172b73130065ae7"

GOOD = f"""\
version = 1

[[watchlist]]
name = "Nightly"

[[watchlist.task]]
provider = "acme"
id = "{UUID1}"
label = "asset export"            # optional

[[watchlist.task]]
provider = "kafka-eu"
instance = "4f1c-e2"
id = "{HEX}"

[[watchlist.instance]]
provider = "kafka-eu"
instance = "4f1c-e2"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config" / "watchlists.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def keyed(problems: list[ConfigProblem], key: str) -> ConfigProblem:
    found = [p for p in problems if p.key == key]
    assert found, f"no problem for {key}: {[str(p) for p in problems]}"
    return found[0]


def test_good_file() -> None:
    doc, problems = parse_watchlists(GOOD, Path("watchlists.toml"), PROVIDERS)
    assert problems == []
    assert doc == WatchlistsFile(
        version=1,
        lists=[
            WatchList(
                "Nightly",
                tasks=[
                    TaskRef("acme", UUID1, label="asset export"),
                    TaskRef("kafka-eu", HEX, instance="4f1c-e2"),
                ],
                instances=[FollowedInstance("kafka-eu", "4f1c-e2")],
            )
        ],
    )
    assert parse_watchlists(dumps(doc), None, PROVIDERS)[0] == doc


def test_syntax_error(tmp_path: Path) -> None:
    broken = GOOD.replace('id = "8abf', "id = 8abf")
    path = write(tmp_path, broken)
    store = WatchStore.open(path, PROVIDERS)
    [problem] = store.problems
    assert problem.is_error and problem.line == 14 and problem.key == "id"
    assert str(problem).startswith("watchlists.toml:14: id: TOML syntax error")
    assert 'id = "8abf' in problem.suggestion
    assert store.blocked and store.lists == []


@pytest.mark.parametrize(
    ("replace", "key", "line"),
    [
        ('id = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"', "watchlist[0].task[0].id", 8),
        ('name = "Nightly"', "watchlist[0].name", 4),
    ],
)
def test_wrong_type(tmp_path: Path, replace: str, key: str, line: int) -> None:
    name = replace.split(" =")[0]
    path = write(tmp_path, GOOD.replace(replace, f"{name} = 42"))
    store = WatchStore.open(path, PROVIDERS)
    problem = keyed(store.problems, key)
    assert problem.is_error and problem.line == line
    assert "must be a string, found an integer" in problem.message
    assert "write it like" in problem.suggestion
    assert store.blocked


def test_table_instead_of_array_of_tables(tmp_path: Path) -> None:
    doc, problems = parse_watchlists('[watchlist]\nname = "x"\n', Path("watchlists.toml"))
    problem = keyed(problems, "watchlist")
    assert problem.is_error and problem.line == 1 and "[[watchlist]]" in problem.suggestion


def test_missing_required_keys() -> None:
    doc, problems = parse_watchlists('[[watchlist]]\nname = "A"\n[[watchlist.task]]\nprovider = "acme"\n',
                                     Path("watchlists.toml"), PROVIDERS)
    problem = keyed(problems, "watchlist[0].task[0].id")
    assert problem.is_error and problem.line == 3 and problem.message == "missing 'id'"
    assert doc.lists[0].tasks == []


def test_unknown_keys_warn_and_survive_a_rewrite(tmp_path: Path) -> None:
    text = GOOD.replace('name = "Nightly"', 'name = "Nightly"\ncolour = "blue"')
    text = text.replace('label = "asset export"', 'label = "asset export"\npriority = 3')
    text = "future_setting = { a = 1 }\n" + text + '\n[[watchlist.instance]]\nprovider = "kafka-eu"\ninstance = "x"\nnote = "n"\n'
    path = write(tmp_path, text)
    store = WatchStore.open(path, PROVIDERS)
    assert not store.blocked
    colour = keyed(store.problems, "watchlist[0].colour")
    assert colour.severity == WARNING and colour.line == 6 and "kept" in colour.suggestion
    assert keyed(store.problems, "watchlist[0].task[0].priority").line == 12
    assert keyed(store.problems, "future_setting").line == 1
    store.add_tasks("Nightly", [TaskRef("acme", UUID2)])
    store.save()
    data = tomllib.loads(path.read_text())
    assert data["future_setting"] == {"a": 1}
    assert data["watchlist"][0]["colour"] == "blue"
    assert data["watchlist"][0]["task"][0]["priority"] == 3
    assert data["watchlist"][0]["instance"][1]["note"] == "n"
    assert data["watchlist"][0]["task"][2]["id"] == UUID2


def test_unknown_provider_suggests_a_fix(tmp_path: Path) -> None:
    text = GOOD.replace('provider = "acme"', 'provider = "acme2"')
    path = write(tmp_path, text)
    store = WatchStore.open(path, PROVIDERS)
    problem = keyed(store.problems, "watchlist[0].task[0].provider")
    assert str(problem) == (
        "watchlists.toml:7: watchlist[0].task[0].provider: unknown provider 'acme2' — did you mean 'acme'? "
        "(add [providers.acme2] to providers.toml or fix the name)"
    )
    assert problem.severity == WARNING
    # The task is kept (nothing the user wrote is dropped) and saving stays possible.
    assert store.lists[0].tasks[0].provider == "acme2"
    assert not store.blocked


def test_unknown_provider_is_not_checked_when_providers_toml_is_broken() -> None:
    broken, _ = parse_providers("[providers\n")
    _, problems = parse_watchlists(GOOD.replace('"acme"', '"zzz"'), None, broken)
    assert problems == []


def test_task_checks_against_its_provider() -> None:
    text = GOOD.replace(UUID1, "not-a-uuid").replace('instance = "4f1c-e2"\nid', "id")
    _, problems = parse_watchlists(text, Path("watchlists.toml"), PROVIDERS)
    assert "is not a UUID" in keyed(problems, "watchlist[0].task[0].id").message
    assert "belong to an instance" in keyed(problems, "watchlist[0].task[1].instance").message
    assert all(p.severity == WARNING for p in problems)


def test_duplicate_task_is_dropped_with_a_warning(tmp_path: Path) -> None:
    text = GOOD + f'\n[[watchlist.task]]\nprovider = "acme"\nid = "{UUID1}"\n'
    path = write(tmp_path, text)
    store = WatchStore.open(path, PROVIDERS)
    problem = keyed(store.problems, "watchlist[0].task[2]")
    assert problem.severity == WARNING and problem.line == 20 and "twice" in problem.message
    assert [t.id for t in store.lists[0].tasks] == [UUID1, HEX]
    assert store.lists[0].tasks[0].label == "asset export"  # the first one wins


def test_duplicate_lists_are_merged_with_a_warning(tmp_path: Path) -> None:
    text = GOOD + f'\n[[watchlist]]\nname = "Nightly"\n[[watchlist.task]]\nprovider = "acme"\nid = "{UUID2}"\n'
    path = write(tmp_path, text)
    store = WatchStore.open(path, PROVIDERS)
    problem = keyed(store.problems, "watchlist[1].name")
    assert problem.severity == WARNING and problem.line == 21
    assert "line 3" in problem.message and "merged" in problem.suggestion
    assert store.names == ["Nightly"]
    assert [t.id for t in store.lists[0].tasks] == [UUID1, HEX, UUID2]


def test_newer_version_is_read_but_never_rewritten(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("version = 1", "version = 7"))
    store = WatchStore.open(path, PROVIDERS)
    assert store.blocked and len(store.lists[0].tasks) == 2
    assert "newer taskdeck" in keyed(store.problems, "version").message


def test_migration_from_an_older_version(monkeypatch: pytest.MonkeyPatch) -> None:
    from tui.core import watchlists

    def v1_to_v2(data: dict[str, object]) -> dict[str, object]:
        lists = data.pop("list")
        assert isinstance(lists, list)
        return {**data, "watchlist": [{"name": item["title"]} for item in lists]}

    monkeypatch.setattr(watchlists, "CURRENT_VERSION", 2)
    monkeypatch.setitem(watchlists.MIGRATIONS, 1, v1_to_v2)
    doc, problems = parse_watchlists('version = 1\n[[list]]\ntitle = "A"\n', Path("watchlists.toml"))
    assert doc.version == 2 and [w.name for w in doc.lists] == ["A"]
    [problem] = problems
    assert problem.severity == INFO and "migrated from format version 1 to 2" in problem.message

    monkeypatch.delitem(watchlists.MIGRATIONS, 1)
    _, problems = parse_watchlists('version = 1\n', Path("watchlists.toml"))
    assert problems[0].is_error and "no migration" in problems[0].message


def test_broken_file_is_not_overwritten_until_fixed(tmp_path: Path) -> None:
    broken = GOOD.replace('name = "Nightly"', 'name = "Nightly')
    path = write(tmp_path, broken)
    store = WatchStore.open(path, PROVIDERS)
    assert store.blocked
    store.add_tasks("Later", [TaskRef("acme", UUID2)])  # works in memory
    with pytest.raises(SaveBlockedError, match="not saving .*watchlists.toml: the file has errors"):
        store.save()
    with pytest.raises(SaveBlockedError):
        store.flush()
    assert path.read_text() == broken

    # The user fixes the file; a reload unblocks and the change made meanwhile is kept.
    path.write_text(GOOD)
    assert [p for p in store.load() if p.is_error] == []
    assert not store.blocked
    store.save()
    saved = parse_watchlists(path.read_text(), path, PROVIDERS)[0]
    assert saved.get("Nightly") is not None and saved.get("Later") is not None


def test_save_elsewhere_when_broken(tmp_path: Path) -> None:
    broken = "[[watchlist]\n"
    path = write(tmp_path, broken)
    store = WatchStore.open(path, PROVIDERS)
    store.add_tasks("Mine", [TaskRef("acme", UUID1)])
    other = tmp_path / "elsewhere.toml"
    store.save_as(other)
    assert path.read_text() == broken
    assert parse_watchlists(other.read_text())[0].get("Mine") is not None
    assert store.path == other and not store.blocked


def test_file_broken_on_disk_after_load_blocks_the_save(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    store = WatchStore.open(path, PROVIDERS, autosave=False)
    store.add_tasks("Nightly", [TaskRef("acme", UUID2)])
    path.write_text(GOOD + "oops =\n")  # a hand edit gone wrong while the app runs
    with pytest.raises(SaveBlockedError):
        store.save()
    assert path.read_text().endswith("oops =\n")
    assert store.blocked and store.problems[0].line == 19


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config" / "watchlists.toml"
    path.parent.mkdir()
    path.write_bytes(b'version = 1\n# caf\xe9\n')
    store = WatchStore.open(path, PROVIDERS)
    assert store.blocked and store.problems[0].line == 2 and "UTF-8" in store.problems[0].message


def test_severity_constants() -> None:
    assert {ERROR, WARNING, INFO} == {"error", "warning", "info"}
