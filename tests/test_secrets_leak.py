"""After a run full of authentication failures, no secret appears anywhere: not on the screen
(rows, detail pane, sidebar, debug screen), not in the --log-file log, not in the files left in the
config and state directories, not in what the program printed when it ended.

The real `taskdeck` runs in tmux against the simulator. Every secret comes from an environment
variable with a unique random value (or a known simulator credential, searched for just the same);
the failures: a wrong bearer token, a refused OAuth client, a wrong IAM password, a wrong AK/SK
secret, and issued tokens that expire and then cannot be refreshed. Tokens the simulator issues
are unknown to the test, so their distinctive prefixes are searched for instead.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from helpers.deck import env_for, huawei_profile, smint_profile, write_config_dir
from helpers.hostile import GATEWAY
from helpers.tmux import Tmux, have_tmux, taskdeck_command

from tui.core.model import TaskRef
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")

ISSUED_TOKEN_PREFIXES = ("sim-smint-at-", "MIIsim")  # what the simulator's token endpoints hand out


def random_secret(kind: str) -> str:
    return f"{kind}-{secrets.token_urlsafe(18)}"


def test_no_secret_leaks_after_failures(sim_reset: SimulatorProcess, tmp_path: Path) -> None:
    sim = sim_reset
    env_secrets = {
        "TD_BEARER": random_secret("bearer"),
        "TD_OAUTH_REFRESH": cred.SMINT_REFRESH_TOKEN,
        "TD_OAUTH_CLIENT_SECRET": cred.SMINT_CLIENT_SECRET,
        "TD_WRONG_REFRESH": random_secret("refresh"),
        "TD_WRONG_CLIENT_SECRET": random_secret("client"),
        "TD_IAM_PASSWORD": cred.IAM_PASSWORD,
        "TD_WRONG_PASSWORD": random_secret("password"),
        "TD_AK": cred.ACCESS_KEY,
        "TD_WRONG_SK": random_secret("sk"),
    }
    token_url = f"{sim.base_url}/connect/token"
    smint_ids = [t["id"] for t in sim.create_tasks("smint", count=3, outcome="never")]
    apig_ids = [t["id"] for t in sim.create_tasks("apig", count=2, instance=GATEWAY, outcome="never")]
    dms_ids = [t["id"] for t in sim.create_tasks("dms", count=2, instance="f" * 32, engine="kafka",
                                                  outcome="never")]
    profiles = [
        smint_profile("bearer", sim.base_url, interval=1, auth={"type": "bearer", "token_env": "TD_BEARER"}),
        smint_profile("oauth", sim.base_url, interval=1, auth={
            "type": "oauth-refresh", "token_url": token_url, "client_id": cred.SMINT_CLIENT_ID,
            "refresh_token_env": "TD_OAUTH_REFRESH", "client_secret_env": "TD_OAUTH_CLIENT_SECRET"}),
        smint_profile("oauth-wrong", sim.base_url, interval=1, auth={
            "type": "oauth-refresh", "token_url": token_url, "client_id": cred.SMINT_CLIENT_ID,
            "refresh_token_env": "TD_WRONG_REFRESH", "client_secret_env": "TD_WRONG_CLIENT_SECRET"}),
        huawei_profile("iam", "huawei-apig", sim.base_url, interval=1, auth={
            "type": "iam-password", "iam_url": sim.base_url, "domain": cred.IAM_DOMAIN, "user": cred.IAM_USER,
            "password_env": "TD_IAM_PASSWORD", "project_id": cred.PROJECT_ID}),
        huawei_profile("iam-wrong", "huawei-apig", sim.base_url, interval=1, auth={
            "type": "iam-password", "iam_url": sim.base_url, "domain": cred.IAM_DOMAIN, "user": cred.IAM_USER,
            "password_env": "TD_WRONG_PASSWORD", "project_id": cred.PROJECT_ID}),
        huawei_profile("aksk", "huawei-dms", sim.base_url, interval=1, auth={
            "type": "aksk", "access_key_env": "TD_AK", "secret_key_env": "TD_WRONG_SK"}),
    ]
    refs = ([TaskRef(p, i) for p in ("bearer", "oauth", "oauth-wrong") for i in smint_ids]
            + [TaskRef(p, i, instance=GATEWAY) for p in ("iam", "iam-wrong") for i in apig_ids]
            + [TaskRef("aksk", i, instance="f" * 32) for i in dms_ids])
    paths = write_config_dir(tmp_path, profiles, {"Secrets": refs})
    log_file = tmp_path / "debug.log"
    screens: list[str] = []
    with Tmux(width=200, height=50) as term:
        term.start(taskdeck_command("--log-file", str(log_file)), env={**env_for(paths), **env_secrets},
                   cwd=tmp_path)
        # The good credentials work first (tokens are issued), the wrong ones fail.
        screens.append(term.wait_for(lambda s: s.count("✗") >= 4 and s.count("authentication failed") >= 4,
                                     timeout=30))
        # Issued tokens expire; the IAM one is renewed, the OAuth refresh is now refused.
        sim.add_fault("status", path="/connect/token", status=400, body="json")
        sim.set_auth(expire_issued=True)
        screens.append(term.wait_for(lambda s: s.count("✗") >= 5, timeout=30))
        for _ in refs:  # every row's detail pane, with its error
            term.send("Down")
            screens.append(term.capture())
        term.send("F12")
        screens.append(term.wait_for("Debug information"))

        def errors_shown(screen: str) -> bool:
            return "authentication failed" in screen.partition("Recent errors")[2]

        if not errors_shown(screens[-1]):  # the section may be below the dialog's fold: scroll to it
            screens.append(term.press_until("Down", errors_shown, timeout=30, retry_after=0.3))
        term.send("Escape")
        term.wait_for(lambda s: "Debug information" not in s)
        term.send("q")
        assert term.wait_exit() == 0
        screens.append(term.capture(history=True))  # anything printed at exit (a crash would be here)

    log = log_file.read_text()
    assert "authentication failed" in log and " GET " in log  # the log is not empty of substance
    files = {str(p): p.read_text(errors="replace") for d in (paths.config_dir, paths.state_dir)
             for p in d.rglob("*") if p.is_file()}
    assert str(paths.watchlists) in files
    places = {"screen": "\n".join(screens), "log file": log, **files}
    for where, text in places.items():
        for name, value in env_secrets.items():
            assert value not in text, f"{name} leaked into the {where}"
        for prefix in ISSUED_TOKEN_PREFIXES:
            assert prefix not in text, f"an issued token ({prefix}…) leaked into the {where}"


def test_no_secret_leaks_from_the_setup_commands(sim_reset: SimulatorProcess, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """provider add/list/test/remove, instances, add --follow, login and logout: their output, the files they
    leave, and the refresh tokens of a login (kept only in the keyring) never show a secret."""
    import keyring
    from helpers.login import MemoryKeyring, browser

    from tui.cli import main

    sim = sim_reset
    wrong_sk, token = random_secret("sk"), random_secret("hwtoken")
    config, state = tmp_path / "config", tmp_path / "state"
    env = {"TASKDECK_CONFIG_DIR": str(config), "TASKDECK_STATE_DIR": str(state), "HOME": str(tmp_path),
           "HUAWEICLOUD_SDK_AK": cred.ACCESS_KEY, "HUAWEICLOUD_SDK_SK": cred.SECRET_KEY,
           "TD_TOKEN": token, "TD_CLIENT_SECRET": cred.SMINT_CLIENT_SECRET}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    codes: list[int] = []
    try:
        codes.append(main(["provider", "add", "kafka", "--kind", "huawei-dms", "--region", cred.REGION,
                           "--base-url", sim.base_url, "--iam-url", sim.base_url]))
        codes.append(main(["provider", "add", "gw", "--kind", "huawei-apig", "--base-url", sim.base_url,
                           "--project-id", cred.PROJECT_ID, "--token-env", "TD_TOKEN"]))
        codes.append(main(["provider", "add", "acme", "--kind", "smint", "--base-url", f"{sim.base_url}/frontend/v1",
                           "--issuer", sim.base_url, "--client-id", cred.SMINT_CLIENT_ID,
                           "--client-secret-env", "TD_CLIENT_SECRET"]))
        codes.append(main(["provider", "list"]))
        codes.append(main(["provider", "list", "--json"]))
        codes.append(main(["provider", "test", "kafka"]))
        codes.append(main(["provider", "test", "gw"]))  # a token the simulator refuses
        codes.append(main(["instances", "kafka", "--json"]))
        instance = sim.scenario_info()["instances"][0]["id"]
        codes.append(main(["add", "kafka", "--instance", instance, "--follow"]))
        monkeypatch.setattr("webbrowser.open", browser())
        codes.append(main(["login", "acme", "--timeout", "30"]))
        codes.append(main(["provider", "test", "acme"]))  # refreshes: the token rotates
        refresh_tokens = list(ring.entries.values())
        codes.append(main(["logout", "acme"]))
        monkeypatch.setenv("HUAWEICLOUD_SDK_SK", wrong_sk)
        codes.append(main(["provider", "test", "kafka"]))  # a wrong SK: refused
        codes.append(main(["provider", "remove", "gw"]))
    finally:
        keyring.set_keyring(previous)
    assert codes == [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0]
    assert refresh_tokens and ring.writes >= 2
    captured = capsys.readouterr()
    files = {str(p): p.read_text(errors="replace") for d in (config, state) if d.exists()
             for p in d.rglob("*") if p.is_file()}
    places = {"stdout": captured.out, "stderr": captured.err, **files}
    for where, text in places.items():
        for value in (wrong_sk, token, cred.SECRET_KEY, cred.SMINT_CLIENT_SECRET, *refresh_tokens):
            assert value not in text, f"a secret leaked into {where}"
        for prefix in (*ISSUED_TOKEN_PREFIXES, "sim-rt-", "sim-code-"):
            assert prefix not in text, f"an issued token ({prefix}…) leaked into {where}"


def test_no_secret_leaks_from_the_setup_form(sim_reset: SimulatorProcess, tmp_path: Path) -> None:
    """The welcome panel and the setup form with Huawei SDK credentials the simulator refuses: the screens
    (form, warning, debug screen), the debug log and the files written never show the keys."""
    from test_e2e_onboarding import press_then_wait, type_then_wait

    sim = sim_reset
    wrong_sk = random_secret("sdk-sk")
    config, state = tmp_path / "config", tmp_path / "state"
    log_file = tmp_path / "debug.log"
    env = {"TASKDECK_CONFIG_DIR": str(config), "TASKDECK_STATE_DIR": str(state), "HOME": str(tmp_path),
           "HUAWEICLOUD_SDK_AK": cred.ACCESS_KEY, "HUAWEICLOUD_SDK_SK": wrong_sk}
    screens: list[str] = []
    with Tmux(width=160, height=50) as term:
        term.start(taskdeck_command("--log-file", str(log_file)), env=env, cwd=tmp_path)
        screens.append(term.wait_for("Use your Huawei SDK credentials"))
        term.send("Right")
        term.send("Enter")
        term.wait_for("Name: how watch lists")
        type_then_wait(term, "kafka")
        press_then_wait(term, "Tab", "Kind: which API")
        press_then_wait(term, "Tab", "Region: e.g. eu-west-101")
        type_then_wait(term, cred.REGION)
        press_then_wait(term, "Tab", "Base URL: only to override")
        type_then_wait(term, sim.base_url)
        press_then_wait(term, "Tab", "IAM URL: only to override")
        term.send(sim.base_url, literal=True)
        screens.append(term.wait_for(lambda s: s.count(sim.base_url) == 2))
        term.send("C-s")
        # IAM refuses the keys: the profile is written anyway and the warning says the lookup waits.
        screens.append(term.wait_for(lambda s: "Provider kafka added" in s and "credentials refused" in s, timeout=30))
        term.press_until("F12", "Debug information")
        screens.append(term.wait_for(lambda s: "Huawei SDK: environment" in s))
        term.send("Escape")
        term.wait_for(lambda s: "Debug information" not in s)
        term.press_until("q", lambda s: term.dead(), timeout=30, retry_after=8)
        screens.append(term.capture(history=True))
    files = {str(p): p.read_text(errors="replace") for d in (config, state) if d.exists()
             for p in d.rglob("*") if p.is_file()}
    assert str(config / "providers.toml") in files
    places = {"screen": "\n".join(screens), "log file": log_file.read_text(), **files}
    for where, text in places.items():
        assert wrong_sk not in text, f"the SDK secret key leaked into the {where}"
        assert cred.SECRET_KEY not in text
