"""`taskdeck provider add|list|test|remove`, `taskdeck instances` and `taskdeck add --follow`, against the
simulator over real HTTP: the project id looked up in IAM, credentials from the Huawei SDK's places, clear
exit statuses, comments in providers.toml kept, and no secret value in any output."""

from __future__ import annotations

import json
import socket
import tomllib
from pathlib import Path

import pytest

from tui.cli import main
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

WRONG_SK = "wrong-secret-key-4f9d2a7c1e"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TASKDECK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TASKDECK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_PROJECT_ID",
                 "HUAWEICLOUD_SDK_CREDENTIALS_FILE", "HUAWEICLOUD_SDK_IAM_ENDPOINT", "HUAWEICLOUD_SDK_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "config"


def sdk_env(monkeypatch: pytest.MonkeyPatch, sk: str = cred.SECRET_KEY) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_AK", cred.ACCESS_KEY)
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", sk)


def add_kafka(sim: SimulatorProcess, name: str = "kafka", *extra: str) -> int:
    return main(["provider", "add", name, "--kind", "huawei-dms", "--region", cred.REGION,
                 "--base-url", sim.base_url, "--iam-url", sim.base_url, *extra])


def profiles(config: Path) -> dict[str, dict[str, object]]:
    return tomllib.loads((config / "providers.toml").read_text())["providers"]


def test_add_looks_the_project_up_in_iam_and_writes_it(sim_reset: SimulatorProcess, env: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    sdk_env(monkeypatch)
    assert add_kafka(sim_reset) == 0
    out = capsys.readouterr().out
    assert f"project id {cred.PROJECT_ID} found in IAM for region {cred.REGION}" in out
    assert profiles(env)["kafka"] == {"kind": "huawei-dms", "region": cred.REGION, "base_url": sim_reset.base_url,
                                      "project_id": cred.PROJECT_ID, "auth": {"type": "aksk"},
                                      "iam_url": sim_reset.base_url}
    # The lookup was one signed GET /v3/projects?name=REGION.
    iam = [r for r in sim_reset.requests(family="iam") if r["path"] == "/v3/projects"]
    assert len(iam) == 1 and iam[0]["status"] == 200


@pytest.mark.parametrize(("args", "message"), [
    (["--kind", "huawei-dms"], "needs --region"),
    (["--kind", "smint"], "needs --base-url"),
    (["--kind", "smint", "--base-url", "https://t.example/frontend/v1"], "needs credentials"),
    (["--kind", "huawei-dms", "--region", "eu-west-1O1"], "knows no region 'eu-west-1O1'"),
    (["--kind", "huawei-dms", "--region", "eu-west-101", "--token-env", "my token"], "NAME of an environment"),
    (["--kind", "huawei-dms", "--region", "eu-west-101", "--access-key-env", "AK"], "give both"),
    (["--kind", "huawei-dms", "--region", "eu-west-101", "--auth", "bearer", "--token-env", "T"], "for smint"),
    (["--kind", "huawei-dms", "--region", "eu-west-101", "--interval", "0.2"], "at least 1"),
    (["--kind", "huawei-dms", "--region", "eu-west-101", "--auth", "iam-password"], "by hand"),
])
def test_add_refuses_bad_values_with_exit_2(env: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                            message: str) -> None:
    assert main(["provider", "add", "p", *args]) == 2
    assert message in capsys.readouterr().err
    assert not (env / "providers.toml").exists()


def test_add_never_takes_a_secret_value(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["provider", "add", "p", "--kind", "smint", "--base-url", "https://x", "--token", "abc"])
    assert exit_info.value.code == 2


def test_add_refuses_an_existing_name(sim_reset: SimulatorProcess, env: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    sdk_env(monkeypatch)
    assert add_kafka(sim_reset) == 0
    before = (env / "providers.toml").read_text()
    assert add_kafka(sim_reset) == 2
    assert "a profile named 'kafka' already exists" in capsys.readouterr().err
    assert (env / "providers.toml").read_text() == before


def test_region_without_a_project_or_with_several_is_refused(sim_reset: SimulatorProcess, env: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    sdk_env(monkeypatch)
    args = ["--kind", "huawei-dms", "--base-url", sim_reset.base_url, "--iam-url", sim_reset.base_url]
    assert main(["provider", "add", "none", "--region", "nowhere-1", *args]) == 2
    assert "no project named 'nowhere-1'" in capsys.readouterr().err
    sim_reset.call("POST", "/_sim/projects", {"name": "twice-1", "id": "a" * 32})
    sim_reset.call("POST", "/_sim/projects", {"name": "twice-1", "id": "b" * 32})
    assert main(["provider", "add", "two", "--region", "twice-1", *args]) == 2
    assert "2 projects named 'twice-1'" in capsys.readouterr().err
    assert not (env / "providers.toml").exists()


def test_project_is_looked_up_at_first_use_when_add_could_not(sim_reset: SimulatorProcess, env: Path,
                                                             monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    # No credentials when the profile is added: it is written without a project id ...
    assert add_kafka(sim_reset) == 0
    assert "looks it up at first use" in capsys.readouterr().err
    assert "project_id" not in profiles(env)["kafka"]
    # ... and the first real call finds it.
    sdk_env(monkeypatch)
    assert main(["instances", "kafka", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["name"] for r in rows} >= {"kafka-orders"} and set(rows[0]) == {"id", "name", "engine", "status"}


def test_sdk_credentials_file_is_used_and_named(sim_reset: SimulatorProcess, env: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    credentials = tmp_path / "home" / ".huaweicloud" / "credentials"
    credentials.parent.mkdir(parents=True)
    credentials.write_text(f"[basic]\nak = {cred.ACCESS_KEY}\nsk = {cred.SECRET_KEY}\nproject_id = {cred.PROJECT_ID}\n")
    assert add_kafka(sim_reset) == 0
    assert main(["provider", "test", "kafka"]) == 0
    assert main(["provider", "list", "--json"]) == 0
    out = capsys.readouterr().out
    assert "reachable, credentials accepted" in out
    row = json.loads(out.strip().splitlines()[-1])
    assert row["secrets"] == [{"field": "access_key, secret_key", "from": f"Huawei SDK: file {credentials}"}]
    assert cred.SECRET_KEY not in out and cred.ACCESS_KEY not in out


def test_provider_test_verdicts(sim_reset: SimulatorProcess, env: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    sdk_env(monkeypatch)
    assert add_kafka(sim_reset) == 0
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = probe.getsockname()[1]
    assert main(["provider", "add", "dead", "--kind", "huawei-apig", "--base-url", f"http://127.0.0.1:{dead}",
                 "--project-id", cred.PROJECT_ID, "--token-env", "HW_TOKEN"]) == 0
    monkeypatch.setenv("HW_TOKEN", cred.HW_TOKEN)
    capsys.readouterr()
    assert main(["provider", "test", "kafka"]) == 0
    assert "3 instances" in capsys.readouterr().out
    assert main(["provider", "test", "dead"]) == 3
    assert "unreachable" in capsys.readouterr().out
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", WRONG_SK)
    assert main(["provider", "test", "kafka"]) == 1
    out = capsys.readouterr().out
    assert "credentials refused" in out and "APIG.0301" in out and WRONG_SK not in out
    monkeypatch.delenv("HW_TOKEN")
    assert main(["provider", "test", "dead"]) == 2
    assert "HW_TOKEN is not set" in capsys.readouterr().out


def test_list_says_where_each_secret_comes_from(env: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GW_TOKEN", "a-token-value-that-must-not-show")
    assert main(["provider", "add", "gw", "--kind", "huawei-apig", "--region", "eu-west-101", "--project-id",
                 cred.PROJECT_ID, "--token-env", "GW_TOKEN"]) == 0
    assert main(["provider", "add", "acme", "--kind", "smint", "--base-url", "https://acme.example/frontend/v1",
                 "--token-env", "ACME_TOKEN"]) == 0
    capsys.readouterr()
    assert main(["provider", "list"]) == 0
    out = capsys.readouterr().out
    assert "gw  huawei-apig  region eu-west-101, https://apig.eu-west-101.myhuaweicloud.eu" in out
    assert "token: environment variable GW_TOKEN (set)" in out
    assert "token: environment variable ACME_TOKEN (not set)" in out
    assert "a-token-value-that-must-not-show" not in out


def test_remove_refuses_while_a_list_uses_it_and_keeps_comments(sim_reset: SimulatorProcess, env: Path,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sdk_env(monkeypatch)
    env.mkdir(parents=True)
    (env / "providers.toml").write_text("# my profiles\n[ui]  # look\nbell = true\n")
    assert add_kafka(sim_reset) == 0
    assert main(["provider", "add", "other", "--kind", "huawei-dms", "--region", "eu-west-101",
                 "--project-id", cred.PROJECT_ID]) == 0
    instance = sim_reset.scenario_info()["instances"][0]["id"]
    assert main(["add", "kafka", "--instance", instance, "--follow", "--list", "Ops"]) == 0
    assert f"now follows every task of instance {instance}" in capsys.readouterr().out
    assert main(["provider", "remove", "kafka"]) == 2
    assert "used by watch list(s) 'Ops' (1)" in capsys.readouterr().err
    assert "kafka" in profiles(env)
    assert main(["provider", "remove", "kafka", "--force"]) == 0
    text = (env / "providers.toml").read_text()
    assert "kafka" not in text and "[providers.other]" in text
    assert text.startswith("# my profiles\n[ui]  # look\nbell = true\n")
    assert main(["provider", "remove", "nothere"]) == 2


def test_add_follow_needs_a_dms_instance(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["provider", "add", "gw", "--kind", "huawei-apig", "--region", "eu-west-101", "--project-id",
                 cred.PROJECT_ID, "--token-env", "T"]) == 0
    assert main(["add", "gw", "--instance", "f" * 32, "--follow"]) == 2
    assert "--follow lists the tasks of a huawei-dms instance" in capsys.readouterr().err
    assert main(["add", "gw", "--instance", "f" * 32]) == 2
    assert "no task id given" in capsys.readouterr().err


def test_instances_of_apig_and_errors(sim_reset: SimulatorProcess, env: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    sdk_env(monkeypatch)
    assert main(["provider", "add", "gw", "--kind", "huawei-apig", "--base-url", sim_reset.base_url,
                 "--project-id", cred.PROJECT_ID]) == 0
    assert main(["provider", "add", "acme", "--kind", "smint", "--base-url", sim_reset.base_url + "/frontend/v1",
                 "--auth", "none"]) == 0
    capsys.readouterr()
    assert main(["instances", "gw"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "ENGINE", "STATUS"] and len(lines) >= 2
    assert main(["instances", "acme"]) == 2
    assert "has no instances" in capsys.readouterr().err
    monkeypatch.setenv("HUAWEICLOUD_SDK_SK", WRONG_SK)
    assert main(["instances", "gw"]) == 1


def test_iam_password_profile_with_only_a_region(sim_reset: SimulatorProcess, env: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """The token is scoped to the project named after the region and the project id comes from IAM."""
    env.mkdir(parents=True)
    (env / "providers.toml").write_text(
        f'[providers.gw]\nkind = "huawei-apig"\nregion = "{cred.REGION}"\nbase_url = "{sim_reset.base_url}"\n'
        f'iam_url = "{sim_reset.base_url}"\nauth = {{ type = "iam-password", domain = "{cred.IAM_DOMAIN}", '
        f'user = "{cred.IAM_USER}", password_env = "TD_IAM_PASSWORD" }}\n')
    monkeypatch.setenv("TD_IAM_PASSWORD", cred.IAM_PASSWORD)
    assert main(["provider", "test", "gw"]) == 0
    assert f"in project {cred.PROJECT_ID} (looked up in IAM)" in capsys.readouterr().out
