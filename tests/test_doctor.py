"""`taskdeck doctor`: every check passes against the simulator, and each check is made to fail for its
own reason (and says so, with a fix); the command's text, JSON and exit statuses."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.deck import huawei_profile, smint_profile, write_config_dir
from helpers.proxy import ForwardProxy
from helpers.tls import Certs, certs_fixture, tls_sim_fixture  # noqa: F401 - fixtures "certs", "tls_sim"

from tui.core.providers_config import parse_providers
from tui.demo import closed_port
from tui.providers.doctor import STEPS, Check, Report, as_info, diagnose, render
from tui.simulator import credentials as cred
from tui.simulator.process import SimulatorProcess

INSTANCE = "d" * 32
TOKEN_ENV = {"SMINT_TOKEN": cred.SMINT_TOKEN, "HWC_TOKEN": cred.HW_TOKEN}
SMINT_AUTH = {"type": "bearer", "token_env": "SMINT_TOKEN"}


def by_step(report: Report) -> dict[str, Check]:
    assert [c.step for c in report.checks] == list(STEPS)  # every step, always in this order
    return {c.step: c for c in report.checks}


def failed(report: Report) -> list[str]:
    return [c.step for c in report.checks if c.ok is False]


@pytest.fixture(scope="module")
def proxies() -> Iterator[dict[str, ForwardProxy]]:
    with ForwardProxy() as open_, ForwardProxy(user="bob", password="d0ct0r-pw") as auth, \
            ForwardProxy(refuse=True) as refusing:
        yield {"open": open_, "auth": auth, "refusing": refusing}


async def test_everything_passes_and_no_secret_is_shown(sim_reset: SimulatorProcess) -> None:
    report = await diagnose("acme", smint_profile("acme", sim_reset.base_url, auth=SMINT_AUTH), env=TOKEN_ENV)
    checks = by_step(report)
    assert report.ok and not failed(report)
    assert checks["credentials"].detail == "token from $SMINT_TOKEN"
    assert checks["proxy"].detail == "none, direct (no proxy configured)"
    assert checks["tls"].ok is None  # http:// base_url
    assert checks["clock"].ok and checks["api"].ok
    assert cred.SMINT_TOKEN not in render([report]) and cred.SMINT_TOKEN not in json.dumps(report.as_dict())


async def test_huawei_api_check_lists_instances(sim_reset: SimulatorProcess) -> None:
    for kind, what in (("huawei-dms", " instance"), ("huawei-apig", " gateway")):
        profile = huawei_profile("hw", kind, sim_reset.base_url, auth={"type": "token", "token_env": "HWC_TOKEN"})
        report = await diagnose("hw", profile, env=TOKEN_ENV)
        assert report.ok, render([report])
        api = by_step(report)["api"].detail
        assert api.startswith("reachable, credentials accepted: ") and what in api


async def test_config_check_fails_for_a_broken_profile() -> None:
    text = '[providers.acme]\nkind = "smint"\nauth = { type = "bearer", token_env = "T" }\n'
    parsed, problems = parse_providers(text, Path("providers.toml"))
    report = await diagnose("acme", parsed.providers.get("acme"), problems, env={})
    checks = by_step(report)
    assert failed(report) == ["config"] and report.config_error
    assert "base_url" in checks["config"].detail and "base_url" in checks["config"].fix
    assert all(c.ok is None for c in report.checks[1:])
    # What the debug screen shows: the same lines under the profile's name.
    (section,) = as_info([report]).items()
    assert section[0] == "acme (?)" and section[1].startswith("  ✖ config") and "    fix: " in section[1]


async def test_credentials_check_fails_for_a_missing_variable(sim_reset: SimulatorProcess) -> None:
    report = await diagnose("acme", smint_profile("acme", sim_reset.base_url, auth=SMINT_AUTH), env={})
    checks = by_step(report)
    assert failed(report) == ["credentials"]
    assert checks["credentials"].detail == "token: environment variable SMINT_TOKEN is not set"
    assert checks["api"].ok is None and checks["dns"].ok  # the network steps still ran


async def test_dns_check_fails_when_the_name_does_not_resolve(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def no_such_host(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host == "doctor.taskdeck.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    report = await diagnose("acme", smint_profile("acme", "http://doctor.taskdeck.test:8765", auth=SMINT_AUTH),
                            env=TOKEN_ENV)
    checks = by_step(report)
    assert failed(report) == ["dns"]
    assert checks["dns"].detail == "doctor.taskdeck.test: Name or service not known"
    assert "base_url" in checks["dns"].fix


async def test_tcp_check_fails_on_a_closed_port() -> None:
    port = closed_port()
    report = await diagnose("acme", smint_profile("acme", f"http://127.0.0.1:{port}", auth=SMINT_AUTH),
                            env=TOKEN_ENV)
    assert failed(report) == ["tcp"]
    assert by_step(report)["tcp"].detail == f"127.0.0.1:{port}: connection refused"


async def test_proxy_check_names_the_proxy_and_sees_it_answer(tls_sim: SimulatorProcess, certs: Certs,
                                                              proxies: dict[str, ForwardProxy]) -> None:
    proxy = proxies["open"]
    before = len(proxy.forwarded_to(tls_sim.port))
    profile = smint_profile("acme", tls_sim.base_url, auth=SMINT_AUTH, ca_bundle=str(certs.ca_cert))
    report = await diagnose("acme", profile, env={**TOKEN_ENV, "HTTPS_PROXY": proxy.url})
    checks = by_step(report)
    assert report.ok, render([report])
    assert checks["proxy"].detail == f"{proxy.url} from HTTPS_PROXY answered 200 Connection established"
    assert checks["tcp"].detail == f"the proxy 127.0.0.1:{proxy.port} connected"
    proxy.wait_for(rf"-> 127\.0\.0\.1:{tls_sim.port}\b", at_least=before + 1)  # the proxy's own log


async def test_proxy_check_fails_when_the_proxy_wants_credentials(tls_sim: SimulatorProcess, certs: Certs,
                                                                  proxies: dict[str, ForwardProxy]) -> None:
    proxy = proxies["auth"]
    profile = smint_profile("acme", tls_sim.base_url, auth=SMINT_AUTH, ca_bundle=str(certs.ca_cert))
    report = await diagnose("acme", profile, env={**TOKEN_ENV, "HTTPS_PROXY": proxy.url})
    checks = by_step(report)
    assert failed(report) == ["proxy"]
    assert "answered 407" in checks["proxy"].detail and "proxy_env" in checks["proxy"].fix
    # With the credentials from proxy_env it passes, and the password is never shown.
    with_pw = smint_profile("acme", tls_sim.base_url, auth=SMINT_AUTH, ca_bundle=str(certs.ca_cert),
                            proxy_env="CORP_PROXY")
    report = await diagnose("acme", with_pw, env={**TOKEN_ENV, "CORP_PROXY": proxy.url_with_credentials})
    assert report.ok, render([report])
    assert "http://***@127.0.0.1" in by_step(report)["proxy"].detail and proxy.password not in render([report])


async def test_proxy_check_fails_when_the_proxy_refuses(tls_sim: SimulatorProcess, certs: Certs,
                                                        proxies: dict[str, ForwardProxy]) -> None:
    proxy = proxies["refusing"]
    blocked = len(proxy.seen("BLOCK"))
    profile = smint_profile("acme", tls_sim.base_url, auth=SMINT_AUTH, ca_bundle=str(certs.ca_cert))
    report = await diagnose("acme", profile, env={**TOKEN_ENV, "ALL_PROXY": proxy.url})
    checks = by_step(report)
    assert failed(report) == ["proxy"]
    assert checks["proxy"].detail.endswith("the proxy closed the connection without answering")
    assert "NO_PROXY" in checks["proxy"].fix
    proxy.wait_for("BLOCK", at_least=blocked + 1)


async def test_tls_check_fails_for_an_untrusted_ca_and_names_the_source_that_verifies(
        tls_sim: SimulatorProcess, certs: Certs) -> None:
    profile = smint_profile("acme", tls_sim.base_url, auth=SMINT_AUTH)
    report = await diagnose("acme", profile, env=TOKEN_ENV)
    checks = by_step(report)
    assert failed(report) == ["tls"]
    assert checks["tls"].detail == "certificate not trusted (unable to get local issuer certificate)"
    assert "ca_bundle" in checks["tls"].fix
    report = await diagnose("acme", profile, env={**TOKEN_ENV, "SSL_CERT_FILE": str(certs.ca_cert)})
    assert report.ok, render([report])
    assert by_step(report)["tls"].detail == (
        f"issued by CN=taskdeck test CA; verified by SSL_CERT_FILE {certs.ca_cert}")


async def test_clock_and_api_checks_fail_on_a_skewed_clock(sim_reset: SimulatorProcess) -> None:
    sim_reset.set_clock_skew(17 * 60 + 20)
    profile = huawei_profile("kafka", "huawei-dms", sim_reset.base_url,
                             auth={"type": "aksk", "access_key_env": "AK", "secret_key_env": "SK"})
    report = await diagnose("kafka", profile, env={"AK": cred.ACCESS_KEY, "SK": cred.SECRET_KEY})
    checks = by_step(report)
    assert failed(report) == ["clock", "api"]
    assert checks["clock"].detail == "your clock is 17 min behind the server's; AK/SK signatures fail past 15 min"
    assert "APIG.0303" in checks["api"].detail and checks["api"].fix == checks["clock"].detail


async def test_api_check_fails_when_the_credentials_are_refused(sim_reset: SimulatorProcess) -> None:
    report = await diagnose("acme", smint_profile("acme", sim_reset.base_url, auth=SMINT_AUTH),
                            env={"SMINT_TOKEN": "not-the-right-token"})
    checks = by_step(report)
    assert failed(report) == ["api"]
    assert checks["api"].detail.startswith("credentials refused: HTTP 401") and "credentials" in checks["api"].fix


# -- the debug screen (F12) ---------------------------------------------------------------------------------------


async def test_debug_screen_shows_the_doctor_report(monkeypatch: pytest.MonkeyPatch,
                                                    sim_reset: SimulatorProcess) -> None:
    from helpers.deck import deck_config, run_app, screen_text, wait_until

    from tui.app import TaskdeckApp

    monkeypatch.setenv("SMINT_TOKEN", cred.SMINT_TOKEN)
    dead = closed_port()
    profiles = [smint_profile("acme", sim_reset.base_url, auth=SMINT_AUTH),
                smint_profile("dead", f"http://127.0.0.1:{dead}", auth=SMINT_AUTH)]
    app = TaskdeckApp(deck_config(profiles, {"All": []}))
    async with run_app(app, size=(160, 60)) as pilot:
        await pilot.press("f12")
        await wait_until(pilot, lambda: f"127.0.0.1:{dead}: connection refused" in screen_text(app), timeout=30,
                         what="the doctor's report on the debug screen", show=lambda: screen_text(app))
        text = screen_text(app)
        assert "acme (smint)" in text and "✔ api" in text and "✖ tcp" in text
        assert cred.SMINT_TOKEN not in text


# -- the command -----------------------------------------------------------------------------------------------


def doctor(tmp_path: Path, profiles: list[Any], *args: str, extra: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    paths = write_config_dir(tmp_path, profiles, {})
    if extra:
        with open(paths.providers, "a", encoding="utf-8") as handle:
            handle.write(extra)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TASKDECK_", "XDG_"))}
    environ.update(TASKDECK_CONFIG_DIR=str(paths.config_dir), TASKDECK_STATE_DIR=str(paths.state_dir), **env)
    return subprocess.run([sys.executable, "-m", "tui", "doctor", *args], env=environ, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_command_text_json_and_exit_statuses(tmp_path: Path, sim_reset: SimulatorProcess) -> None:
    good = smint_profile("acme", sim_reset.base_url, auth=SMINT_AUTH)
    dead = smint_profile("dead", f"http://127.0.0.1:{closed_port()}", auth=SMINT_AUTH)

    result = doctor(tmp_path / "a", [good], **TOKEN_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == "acme (smint)" and "  ✔ api" in result.stdout

    result = doctor(tmp_path / "b", [good, dead], "--json", **TOKEN_ENV)
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["provider"], r["ok"]) for r in records] == [("acme", True), ("dead", False)]
    tcp = next(c for c in records[1]["checks"] if c["step"] == "tcp")
    assert tcp["ok"] is False and tcp["fix"] and set(tcp) == {"step", "ok", "detail", "fix"}

    result = doctor(tmp_path / "c", [good], "dead", **TOKEN_ENV)
    assert result.returncode == 2 and "unknown provider 'dead'" in result.stderr

    broken = '\n[providers.broken]\nkind = "smint"\n'
    result = doctor(tmp_path / "d", [good], extra=broken, **TOKEN_ENV)
    assert result.returncode == 2 and "broken (?)\n  ✖ config" in result.stdout
