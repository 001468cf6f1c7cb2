"""`taskdeck status` as a real subprocess against the simulator: table, JSON lines, exit codes, secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

GATEWAY = "35bf992dc9e9c616612e7696a6cecc1b"  # an APIG gateway of the "demo" scenario
KAFKA = "cd613e30-d8f1-4adf-91b7-584a2265b1f5"  # a DMS instance of the "demo" scenario
RECORD_KEYS = {"provider", "kind", "instance", "id", "label", "state", "raw_state", "progress", "steps", "title",
               "summary", "result", "error", "failures", "warnings"}
STATES = {"pending", "running", "succeeded", "failed", "cancelled", "unknown"}
RUN_TIMEOUT = 60.0

PROVIDERS = """\
[providers.gw]
kind = "huawei-apig"
base_url = "{base}"
project_id = "{project}"
interval = 1
auth = {{ type = "token", token_env = "TD_TEST_HW_TOKEN" }}

[providers.dms]
kind = "huawei-dms"
base_url = "{base}"
project_id = "{project}"
interval = 1
auth = {{ type = "token", token_env = "TD_TEST_HW_TOKEN" }}

[providers.acme]
kind = "smint"
base_url = "{base}/frontend/v1"
interval = 1
auth = {{ type = "bearer", token_env = "TD_TEST_SMINT_TOKEN" }}
"""


@dataclass
class Result:
    code: int
    out: str
    err: str

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines()]


@dataclass
class Deck:
    """A config dir pointing at the simulator, and a way to run `taskdeck` on it in a child process."""

    sim: SimulatorProcess
    config_dir: Path
    env: dict[str, str]

    def watchlists(self, text: str) -> None:
        (self.config_dir / "watchlists.toml").write_text(text)

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "tui", *args]

    def run(self, *args: str, timeout: float = RUN_TIMEOUT, env: dict[str, str] | None = None) -> Result:
        proc = subprocess.run(self.command(*args), env=env or self.env, capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def apig(self, count: int = 1, **plan: Any) -> list[str]:
        return [t["id"] for t in self.sim.create_tasks("apig", count=count, instance=GATEWAY, **plan)]


def make_deck(tmp_path: Path, sim: SimulatorProcess) -> Deck:
    """providers.toml for the simulator (secrets from the environment) in a fresh config dir."""
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "providers.toml").write_text(PROVIDERS.format(base=sim.base_url, project=cred.PROJECT_ID))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TASKDECK_", "XDG_"))}
    env.update(
        TASKDECK_CONFIG_DIR=str(config_dir),
        TASKDECK_STATE_DIR=str(tmp_path / "state"),
        TD_TEST_HW_TOKEN=cred.HW_TOKEN,
        TD_TEST_SMINT_TOKEN=cred.SMINT_TOKEN,
        NO_PROXY="127.0.0.1,localhost",
        COLUMNS="200",
    )
    return Deck(sim, config_dir, env)


@pytest.fixture
def deck(tmp_path: Path, sim_reset: SimulatorProcess) -> Deck:
    return make_deck(tmp_path, sim_reset)


def check_record(record: dict[str, Any]) -> None:
    """One line of `status --json` (and the task fields of `wait --json`) has exactly the documented shape."""
    assert set(record) - {"event"} == RECORD_KEYS
    assert record["kind"] in ("smint", "huawei-dms", "huawei-apig")
    assert record["state"] in STATES
    for key in ("provider", "id"):
        assert isinstance(record[key], str) and record[key]
    for key in ("instance", "label", "raw_state", "title", "summary"):
        assert record[key] is None or isinstance(record[key], str)
    assert record["progress"] is None or 0 <= record["progress"] <= 100
    steps = record["steps"]
    assert steps is None or (set(steps) == {"done", "failed", "total"} and all(isinstance(v, int) for v in
                                                                               steps.values()))
    assert isinstance(record["failures"], int) and record["failures"] >= 0
    error = record["error"]
    assert error is None or (set(error) == {"status", "code", "message", "hint", "request_id"}
                             and isinstance(error["message"], str))


# --- reading -------------------------------------------------------------------------------------------------------


def test_json_lines_for_finished_exports(deck: Deck) -> None:
    ids = deck.apig(2, wait=0, run=0, outcome="succeed")
    failed = deck.apig(1, wait=0, run=0, outcome="fail")
    result = deck.run("status", "gw", "--instance", GATEWAY, *ids, *failed, "--json")
    assert result.code == 0, result.err
    records = result.records()
    assert [r["id"] for r in records] == ids + failed
    for record in records:
        check_record(record)
        assert record["provider"] == "gw" and record["kind"] == "huawei-apig" and record["instance"] == GATEWAY
        assert record["title"] == "export_api"
        assert record["error"] is None
    assert [r["state"] for r in records] == ["succeeded", "succeeded", "failed"]
    assert records[0]["raw_state"] == "succeed"
    # The export's Swagger document is decoded all the way: `jq '.result.Comment'` is the document.
    exported = records[0]["result"]
    assert exported["FileName"].startswith("test8") and exported["FileType"] == ".json"
    assert exported["Comment"]["swagger"] == "2.0" and "/test1" in exported["Comment"]["paths"]
    assert records[2]["result"] is not None and records[2]["summary"]


def test_an_import_that_succeeded_with_failures_keeps_its_state_and_counts_them(deck: Deck) -> None:
    from tui.simulator import samples

    partial = deck.apig(1, wait=0, run=0, outcome="succeed", name="import_api", result=samples.IMPORT_PARTIAL_RESULT)
    clean = deck.apig(1, wait=0, run=0, outcome="succeed", name="import_api", result=samples.IMPORT_SUCCESS_RESULT)
    result = deck.run("status", "gw", "--instance", GATEWAY, *partial, *clean, "--json")
    assert result.code == 0, result.err
    records = result.records()
    for record in records:
        check_record(record)
    # `state` keeps its word (scripts test it); `failures` says the import was partial.
    assert [(r["state"], r["failures"]) for r in records] == [("succeeded", 1), ("succeeded", 0)]


def test_unknown_config_keys_are_warned_about_on_stderr(deck: Deck) -> None:
    path = deck.config_dir / "providers.toml"
    path.write_text(path.read_text().replace("interval = 1\n", "interval = 1\ncolour = \"blue\"\n", 1))
    ids = deck.apig(1, wait=0, run=0, outcome="succeed")
    result = deck.run("status", "gw", "--instance", GATEWAY, *ids, "--json")
    assert result.code == 0, result.err
    assert "unknown key 'colour'" in result.err and "providers.toml:" in result.err
    assert [r["state"] for r in result.records()] == ["succeeded"]


def test_each_task_is_read_once_and_concurrently(deck: Deck) -> None:
    ids = deck.apig(4, wait=0, run=0)
    deck.sim.add_fault("latency", family="apig", seconds=0.5)
    deck.sim.clear_log()
    result = deck.run("status", "gw", "--instance", GATEWAY, *ids)
    assert result.code == 0, result.err
    requested = [r["task_id"] for r in deck.sim.requests(family="apig")]
    assert sorted(requested) == sorted(ids)
    assert deck.sim.stats()["max_in_flight"] >= 2


def test_table_when_stdout_is_not_a_terminal(deck: Deck) -> None:
    ids = deck.apig(1, wait=0, run=0, label="nightly export")
    smint = [t["id"] for t in deck.sim.create_tasks("smint", count=1, wait=0, run=1000, steps=10)]
    deck.watchlists(f"""\
[[watchlist]]
name = "Nightly"
task = [
  {{ provider = "gw", instance = "{GATEWAY}", id = "{ids[0]}", label = "the export" }},
  {{ provider = "acme", id = "{smint[0]}" }},
]
""")
    result = deck.run("status")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0].split() == ["PROVIDER", "INSTANCE", "ID", "STATE", "PROGRESS", "TITLE", "SUMMARY"]
    assert len(lines) == 3
    assert lines[1].split()[:4] == ["gw", GATEWAY, ids[0], "succeeded"]
    assert "the export" in lines[1] and "test8" in lines[1]
    assert lines[2].split()[:4] == ["acme", smint[0], "running", "0%"] and "steps" in lines[2]
    assert "\x1b" not in result.out and "\r" not in result.out


def test_watchlist_selection_and_followed_instance(deck: Deck) -> None:
    exports = deck.apig(2, wait=0, run=0)
    dms = [t["id"] for t in deck.sim.create_tasks("dms", count=2, instance="kafka-new", wait=0, run=0)]
    deck.watchlists(f"""\
[[watchlist]]
name = "Exports"
task = [{{ provider = "gw", instance = "{GATEWAY}", id = "{exports[0]}" }}]

[[watchlist]]
name = "Kafka"
task = [{{ provider = "gw", instance = "{GATEWAY}", id = "{exports[1]}" }}]
instance = [{{ provider = "dms", instance = "kafka-new" }}]
""")
    one = deck.run("status", "--watchlist", "exports", "--json")  # list names match case-insensitively
    assert one.code == 0, one.err
    assert [r["id"] for r in one.records()] == [exports[0]]

    every = deck.run("status", "--json")
    assert every.code == 0, every.err
    records = every.records()
    assert [r["id"] for r in records[:2]] == exports
    assert sorted(r["id"] for r in records[2:]) == sorted(dms)
    for record in records[2:]:
        check_record(record)
        assert record["kind"] == "huawei-dms" and record["instance"] == "kafka-new"
        assert record["title"] == "restartInstance" and record["state"] == "succeeded"


def test_follow_instance_lists_the_tasks(deck: Deck) -> None:
    result = deck.run("status", "--follow-instance", "dms", KAFKA, "--json")
    assert result.code == 0, result.err
    records = result.records()
    assert len(records) > 5
    assert {r["instance"] for r in records} == {KAFKA}
    for record in records:
        check_record(record)
    assert "bindInstancePublicIp" in {r["title"] for r in records}


# --- exit 3: some tasks could not be read -------------------------------------------------------------------------


def test_an_instance_that_cannot_be_listed_gives_exit_3(deck: Deck) -> None:
    result = deck.run("status", "--follow-instance", "dms", "no-such-instance", "--json")
    assert result.code == 3
    assert result.out == ""
    assert "could not list the tasks of dms instance no-such-instance: HTTP 404" in result.err


def test_a_task_that_is_gone_gives_exit_3(deck: Deck) -> None:
    ids = deck.apig(1, wait=0, run=0)
    missing = "0" * 32
    result = deck.run("status", "gw", "--instance", GATEWAY, ids[0], missing, "--json")
    assert result.code == 3
    good, gone = result.records()
    check_record(good)
    check_record(gone)
    assert good["error"] is None
    assert gone["id"] == missing and gone["state"] == "unknown"
    assert gone["error"]["status"] == 404 and gone["error"]["code"] == "APIG.3093"
    assert "could not be read" in result.err


def test_unreachable_provider_gives_exit_3(deck: Deck) -> None:
    text = (deck.config_dir / "providers.toml").read_text()
    (deck.config_dir / "providers.toml").write_text(text.replace(deck.sim.base_url, "http://127.0.0.1:9"))
    result = deck.run("status", "gw", "--instance", GATEWAY, "a" * 32)
    assert result.code == 3
    assert "connection refused" in result.out or "could not connect" in result.out


def test_a_secret_never_reaches_the_output_even_when_auth_fails(deck: Deck) -> None:
    secret = "td-secret-3f9a0c77e1b24d5a"
    ids = deck.apig(1, wait=0, run=0)
    # A server that repeats the credentials it refused, in the message and in a header-like line.
    body = json.dumps({"error_code": "APIG.1002",
                       "error_msg": f"token {secret} refused; X-Auth-Token: {secret}"})
    deck.sim.add_fault("raw", family="apig", status=401, raw_body=body, content_type="application/json")
    env = {**deck.env, "TD_TEST_HW_TOKEN": secret}
    for args in (("--json",), ()):
        result = deck.run("status", "gw", "--instance", GATEWAY, *ids, *args, env=env)
        assert result.code == 3
        assert secret not in result.out and secret not in result.err
        assert "401" in result.out and "***" in result.out


# --- exit 2: usage and config errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["gww", "--instance", GATEWAY, "a" * 32], "unknown provider 'gww' — did you mean 'gw'?"),
        (["gw", "a" * 32], "belong to an instance"),
        (["gw", "--instance", GATEWAY, "bad/id"], "malformed task id(s)"),
        (["acme", "not-a-uuid"], "is not a UUID"),
        (["gw"], "no task id given after 'gw'"),
        (["--instance", GATEWAY], "--instance goes with PROVIDER ID"),
        (["--watchlist", "Nope"], "no watch list named 'Nope'"),
        (["--watchlist", "X", "gw", "a" * 32], "choose one way to select tasks"),
        (["--follow-instance", "gw", GATEWAY], "lists the tasks of a huawei-dms instance"),
        ([], "there are no saved watch lists"),
    ],
)
def test_usage_errors_give_exit_2(deck: Deck, args: list[str], says: str) -> None:
    result = deck.run("status", *args)
    assert result.code == 2
    assert says in result.err
    assert result.out == ""
    assert "Traceback" not in result.err


def test_a_profile_without_its_secret_gives_exit_2(deck: Deck) -> None:
    env = {k: v for k, v in deck.env.items() if k != "TD_TEST_HW_TOKEN"}
    result = deck.run("status", "gw", "--instance", GATEWAY, "a" * 32, env=env)
    assert result.code == 2
    assert "provider 'gw'" in result.err and "TD_TEST_HW_TOKEN" in result.err and "not set" in result.err


def test_a_watchlist_with_an_unknown_provider_gives_exit_2(deck: Deck) -> None:
    deck.watchlists(f"""\
[[watchlist]]
name = "Old"
task = [{{ provider = "retired", instance = "{GATEWAY}", id = "{"a" * 32}" }}]
""")
    result = deck.run("status")
    assert result.code == 2
    assert "unknown provider 'retired'" in result.err


def test_a_broken_providers_file_gives_exit_2(deck: Deck) -> None:
    (deck.config_dir / "providers.toml").write_text("[providers.gw\n")
    result = deck.run("status", "gw", "--instance", GATEWAY, "a" * 32)
    assert result.code == 2
    assert "providers.toml cannot be read" in result.err


# --- no dashboard code on the way -------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["status", "wait"])
def test_headless_commands_do_not_import_textual(deck: Deck, command: str) -> None:
    ids = deck.apig(1, wait=0, run=0)
    code = (
        "import sys\n"
        "from tui.cli import main\n"
        f"status = main([{command!r}, 'gw', '--instance', {GATEWAY!r}, {ids[0]!r}])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "assert not loaded, loaded\n"
        "sys.exit(status)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=deck.env, capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    assert ids[0] in proc.stdout


@pytest.mark.parametrize("command", ["status", "wait"])
def test_an_engine_that_dies_gives_exit_2_with_its_message(deck: Deck, command: str, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    import importlib

    from tui.cli import main

    module = importlib.import_module(f"tui.commands.{command}")

    def broken(selection: Any) -> dict[str, Any]:
        raise RuntimeError("the providers could not be built")

    monkeypatch.setattr(module, "open_sources", broken)
    for key in ("TASKDECK_CONFIG_DIR", "TASKDECK_STATE_DIR"):
        monkeypatch.setenv(key, deck.env[key])
    task = deck.apig(1, wait=0, run=5, outcome="succeed")[0]
    code = main([command, "gw", "--instance", GATEWAY, task])
    err = capsys.readouterr().err
    assert code == 2
    assert f"taskdeck {command}: the polling engine stopped: RuntimeError: the providers could not be built" in err
    assert "Traceback" not in err
