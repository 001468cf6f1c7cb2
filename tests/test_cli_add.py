"""`taskdeck add`: adds tasks without the UI; exit 2 with a clear message for usage errors."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tui.cli import main

UUID1 = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
UUID2 = "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
HEX = "8abfa7b272adc5b40172b73130065ae7"

PROVIDERS = """\
[providers.acme]
kind = "smint"
base_url = "https://acme.example/frontend/v1"

[providers.kafka-eu]
kind = "huawei-dms"
base_url = "https://dms.example"
project_id = "0123456789abcdef0123456789abcdef"

[providers.gateway]
kind = "huawei-apig"
base_url = "https://apig.example"
project_id = "0123456789abcdef0123456789abcdef"

[providers.broken]
kind = "smint"
"""


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    directory = tmp_path / "config"
    directory.mkdir()
    (directory / "providers.toml").write_text(PROVIDERS)
    return directory


def saved(config_dir: Path) -> dict[str, list[dict[str, str]]]:
    data = tomllib.loads((config_dir / "watchlists.toml").read_text())
    return {w["name"]: w.get("task", []) for w in data.get("watchlist", [])}


def test_add_smint_tasks_creates_default_list(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", "acme", UUID1, UUID2, "--label", "export"]) == 0
    out = capsys.readouterr().out
    assert "created watch list 'Default'" in out
    assert "added 2 tasks to watch list 'Default'" in out
    assert UUID1 in out and UUID2 in out
    assert saved(config_dir) == {
        "Default": [
            {"provider": "acme", "id": UUID1, "label": "export"},
            {"provider": "acme", "id": UUID2, "label": "export"},
        ]
    }


def test_add_huawei_task_with_instance_to_named_list(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", "kafka-eu", "--instance", "4f1c-e2", HEX, "--list", "Nightly"]) == 0
    assert main(["add", "gateway", "--instance", "gw-1", "some_task.v2", "--list", "nightly"]) == 0
    assert saved(config_dir) == {
        "Nightly": [
            {"provider": "kafka-eu", "instance": "4f1c-e2", "id": HEX},
            {"provider": "gateway", "instance": "gw-1", "id": "some_task.v2"},
        ]
    }
    out = capsys.readouterr().out
    assert out.count("created watch list") == 1  # "nightly" matched the existing "Nightly"


def test_adding_again_reports_already_there(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["add", "acme", UUID1])
    capsys.readouterr()
    assert main(["add", "acme", UUID1]) == 0
    out = capsys.readouterr().out
    assert "already in the list" in out and "nothing new" in out
    assert len(saved(config_dir)["Default"]) == 1


def test_unknown_provider(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", "acme2", UUID1]) == 2
    err = capsys.readouterr().err
    assert "unknown provider 'acme2' — did you mean 'acme'?" in err
    assert "known providers: acme, broken, gateway, kafka-eu" in err
    assert "[providers.acme2]" in err
    assert not (config_dir / "watchlists.toml").exists()


def test_broken_provider(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", "broken", UUID1]) == 2
    err = capsys.readouterr().err
    assert "provider 'broken'" in err and "base_url" in err and "providers.toml:" in err


@pytest.mark.parametrize("provider", ["kafka-eu", "gateway"])
def test_missing_instance(config_dir: Path, capsys: pytest.CaptureFixture[str], provider: str) -> None:
    assert main(["add", provider, HEX]) == 2
    assert "belong to an instance" in capsys.readouterr().err
    assert not (config_dir / "watchlists.toml").exists()


def test_instance_for_smint_is_refused(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add", "acme", "--instance", "x", UUID1]) == 2
    assert "have no instance" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("provider", "bad", "says"),
    [
        ("acme", "not-a-uuid", "is not a UUID"),
        ("acme", HEX, "is not a UUID"),
        ("kafka-eu", "bad/id", "contains '/'"),
        ("kafka-eu", "a b", "contains ' '"),
        ("gateway", "x" * 200, "characters long"),
    ],
)
def test_malformed_ids_add_nothing(
    config_dir: Path, capsys: pytest.CaptureFixture[str], provider: str, bad: str, says: str
) -> None:
    good = UUID1 if provider == "acme" else HEX
    args = ["add", provider, good, bad]
    if provider != "acme":
        args += ["--instance", "i-1"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "malformed task id" in err and says in err and "nothing was added" in err
    assert not (config_dir / "watchlists.toml").exists()


def test_several_lists_need_a_choice(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["add", "acme", UUID1, "--list", "A"])
    main(["add", "acme", UUID1, "--list", "B"])
    capsys.readouterr()
    assert main(["add", "acme", UUID2]) == 2
    assert "several watch lists (A, B)" in capsys.readouterr().err


def test_only_list_is_the_default(config_dir: Path) -> None:
    main(["add", "acme", UUID1, "--list", "Only"])
    assert main(["add", "acme", UUID2]) == 0
    assert [t["id"] for t in saved(config_dir)["Only"]] == [UUID1, UUID2]


def test_broken_watchlists_file_is_left_alone(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = config_dir / "watchlists.toml"
    path.write_text("[[watchlist]\n")
    assert main(["add", "acme", UUID1]) == 1
    err = capsys.readouterr().err
    assert "will not rewrite it" in err and "watchlists.toml:1" in err
    assert path.read_text() == "[[watchlist]\n"


def test_broken_providers_file(config_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (config_dir / "providers.toml").write_text("[providers.acme\n")
    assert main(["add", "acme", UUID1]) == 1
    assert "providers.toml:1" in capsys.readouterr().err
