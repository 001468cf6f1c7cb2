"""`taskdeck doctor`: why a provider cannot be reached, one step at a time.

`diagnose(name, config, problems)` runs the checks for one profile, in order — config valid,
credentials found (where from, never the value), DNS, TCP, proxy, TLS (issuer, and which trust
source verified it), clock skew, one authenticated read-only call — and returns a `Report`: one
`Check` per step with what was found and, on failure, the fix in one sentence. A step that cannot
run because an earlier one failed is skipped (ok None). No textual or rich here, so the dashboard's
debug screen and `taskdeck provider test` can show the same report (`render` gives the text).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tui.core.auth_schema import SECRET_FIELDS
from tui.core.problems import ConfigProblem
from tui.core.text import clean
from tui.providers.clock import WARN_SKEW, skew_from_date, skew_hint
from tui.providers.netprobe import ProbeError, Target, ask_proxy, close, connect, handshake, name_of, resolve
from tui.providers.proxy import ProxyChoice, ProxyError, ProxyRouter
from tui.providers.trust import env_trust_problem, trust_sources

OK, FAIL = "✔", "✖"
STEPS = ("config", "credentials", "dns", "tcp", "proxy", "tls", "clock", "api")


@dataclass(frozen=True, slots=True)
class Check:
    step: str  # one of STEPS
    ok: bool | None  # None: skipped (an earlier step failed, or it does not apply)
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "ok": self.ok, "detail": self.detail, "fix": self.fix or None}


@dataclass(frozen=True, slots=True)
class Report:
    provider: str
    kind: str
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok is not False for c in self.checks)

    @property
    def config_error(self) -> bool:
        return any(c.step == "config" and c.ok is False for c in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "kind": self.kind, "ok": self.ok,
                "checks": [c.as_dict() for c in self.checks]}


def render(reports: Sequence[Report]) -> str:
    """The plain-text report: a heading per profile, one line per check, the fix under a failure."""
    lines: list[str] = []
    for report in reports:
        lines.append(f"{clean(report.provider)} ({report.kind})")
        for check in report.checks:
            mark = OK if check.ok else FAIL if check.ok is False else "-"
            lines.append(f"  {mark} {check.step:<12} {check.detail}")
            if check.ok is False and check.fix:
                lines.append(f"    fix: {check.fix}")
    return "\n".join(lines)


def _credential_sources(auth: Mapping[str, Any]) -> list[str]:
    """Where each secret of an auth table comes from (names of variables or commands, never values)."""
    found = []
    for key, value in auth.items():
        base = key.removesuffix("_env").removesuffix("_command")
        if base not in SECRET_FIELDS:
            continue
        if key.endswith("_env"):
            found.append(f"{base} from ${value}")
        elif key.endswith("_command"):
            command = value[0] if isinstance(value, list) and value else str(value).split(" ", 1)[0]
            found.append(f"{base} from the command {clean(str(command), limit=40)}")
        else:
            found.append(f"{base} inline in providers.toml")
    return found


class _Doctor:
    def __init__(self, name: str, config: Any, env: Mapping[str, str] | None) -> None:
        self.name, self.config, self.env = name, config, env
        self.checks: list[Check] = []
        self.timeout = float(getattr(config, "timeout_connect", 5.0))

    def add(self, step: str, ok: bool | None, detail: str, fix: str = "") -> bool:
        self.checks.append(Check(step, ok, clean(detail, limit=300), clean(fix, limit=300)))
        return ok is not False

    def report(self, kind: str) -> Report:
        return Report(self.name, kind, tuple(self.checks))

    def skip(self, steps: Sequence[str], why: str) -> None:
        for step in steps:
            self.add(step, None, f"skipped: {why}")

    # -- the steps -------------------------------------------------------------------------------------

    def credentials(self) -> bool:
        """Every secret the auth table names can be had (the values are not kept or shown)."""
        from tui.providers.auth import build_auth

        auth = dict(getattr(self.config, "auth", None) or {"type": "none"})
        sources = _credential_sources(auth)
        try:
            build_auth(auth, project_id=getattr(self.config, "project_id", None), env=self.env)
        except ValueError as exc:  # SecretError included
            return self.add("credentials", False, str(exc),
                            "set the environment variable (or fix the command) that the auth table names")
        return self.add("credentials", True, ", ".join(sources) if sources else "none needed (auth type none)")

    async def network(self, base_url: str, choice: ProxyChoice) -> bool:
        """DNS, TCP, proxy and TLS, in that order; whether they all passed."""
        target = Target.of(base_url)
        first = Target.of(choice.url) if choice.url else target
        via = "the proxy " if choice.url else ""
        try:
            addresses = await resolve(first.host, first.port, self.timeout)
        except ProbeError as exc:
            self.add("dns", False, f"{via}{first.host}: {exc}",
                     "check the host name in " + ("the proxy setting" if choice.url else "base_url")
                     + " and this machine's DNS settings")
            self.skip(("tcp", "proxy", "tls"), "DNS failed")
            return False
        self.add("dns", True, f"{via}{first.host} -> {', '.join(addresses[:4])}")
        try:
            reader, writer = await connect(first.host, first.port, self.timeout)
        except ProbeError as exc:
            self.add("tcp", False, f"{via}{first.authority}: {exc}",
                     "check that the port is right and that a firewall lets this machine reach it")
            self.skip(("proxy", "tls"), "no TCP connection")
            return False
        self.add("tcp", True, f"{via}{first.authority} connected")
        try:
            if not await self._proxy_step(reader, writer, choice, target):
                self.skip(("tls",), "the proxy did not let the request through")
                return False
            return await self._tls_step(target, choice)
        finally:
            await close(writer)

    async def _proxy_step(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, choice: ProxyChoice,
                          target: Target) -> bool:
        if choice.url is None:
            return self.add("proxy", True, f"none, direct ({choice.source})")
        try:
            status, reason = await ask_proxy(reader, writer, choice.url, target, self.timeout)
        except ProbeError as exc:
            return self.add("proxy", False, f"{choice.shown} from {choice.source}: {exc}",
                            f"ask whoever runs the proxy whether it allows {target.authority}, or take the "
                            "host out of it with NO_PROXY or proxy = \"none\"")
        said = f"{choice.shown} from {choice.source} answered {status} {reason}".rstrip()
        if status == 407:
            return self.add("proxy", False, said, "put the proxy URL with user:password in an environment "
                                                  "variable and set proxy_env for this profile")
        if target.scheme == "https" and status != 200:
            return self.add("proxy", False, said, f"the proxy refuses to tunnel to {target.authority}; ask "
                                                  "whoever runs it, or bypass it with NO_PROXY")
        return self.add("proxy", True, said)

    async def _tls_step(self, target: Target, choice: ProxyChoice) -> bool:
        if target.scheme != "https":
            return self.add("tls", None, "not used (base_url is http://)")
        problem = env_trust_problem(self.env)
        failure = ""
        for source, context in trust_sources(getattr(self.config, "ca_bundle", None), self.env):
            first = Target.of(choice.url) if choice.url else target
            try:
                reader, writer = await connect(first.host, first.port, self.timeout)
            except ProbeError as exc:
                failure = str(exc)
                break
            try:
                if choice.url:
                    status, _ = await ask_proxy(reader, writer, choice.url, target, self.timeout)
                    if status != 200:
                        failure = f"the proxy answered {status}"
                        break
                cert = await handshake(writer, context, target.host, self.timeout)
            except ProbeError as exc:
                failure = str(exc)
                continue
            finally:
                await close(writer)
            return self.add("tls", True, f"issued by {name_of(cert.get('issuer'))}; verified by {source}")
        fix = ("point ca_bundle for this profile (or SSL_CERT_FILE) at your CA's PEM file, or install the CA "
               "in the operating system's trust store")
        if "mismatch" in failure.lower():
            fix = "use the host name the certificate was issued for in base_url"
        elif "expired" in failure.lower():
            fix = "check this machine's clock; if it is right, the server's certificate must be renewed"
        elif problem:
            fix = f"{problem}; fix or unset it"
        return self.add("tls", False, failure or "no trust source verified the certificate", fix)

    async def clock(self) -> bool:
        """The server's Date header against our clock, from an unauthenticated GET of base_url."""
        from tui.providers.transport import make_client

        client = make_client(self.config, None, self.env)
        try:
            response = await client.get("/")
            date = response.headers.get("date")
        except Exception as exc:  # noqa: BLE001 - any failure is this step's answer
            return self.add("clock", None, f"skipped: no answer to read the server's Date from "
                                           f"({type(exc).__name__})")
        finally:
            await client.aclose()
        skew = skew_from_date(date, time.time())
        if skew is None:
            return self.add("clock", None, "skipped: the server sent no Date header")
        if abs(skew) > WARN_SKEW:
            return self.add("clock", False, skew_hint(skew) or "",
                            "set this machine's clock right (e.g. timedatectl set-ntp true)")
        return self.add("clock", True, f"within {abs(skew):.0f} s of the server's")

    async def api(self) -> bool:
        """The same read-only call as `taskdeck provider test` (tui/providers/probe.py)."""
        from tui.providers.probe import OK as ACCEPTED
        from tui.providers.probe import REFUSED, probe

        result = await probe(self.config, self.env)
        if result.verdict == ACCEPTED:
            return self.add("api", True, result.message)
        fix = result.hint or ("check the credentials and that they may read this project" if result.verdict == REFUSED
                              else "see the message; the steps above passed, so the server itself answered")
        return self.add("api", False, result.message, fix)


async def diagnose(name: str, config: Any | None, problems: Sequence[ConfigProblem] = (), *,
                   env: Mapping[str, str] | None = None) -> Report:
    """Run every check for one profile (config None: the profile is broken, see `problems`)."""
    doctor = _Doctor(name, config, env)
    kind = str(getattr(config, "kind", "?"))
    if config is None:
        own = [p for p in problems if p.is_error and p.key.startswith(f"providers.{name}")]
        first = own[0] if own else None
        doctor.add("config", False, str(first) if first else "the profile cannot be used",
                   first.suggestion if first and first.suggestion else "fix providers.toml as the message says")
        doctor.skip(STEPS[1:], "the profile is not valid")
        return doctor.report(kind)
    doctor.add("config", True, str(config.base_url))
    have_credentials = doctor.credentials()
    try:
        choice = ProxyRouter(config, env).choose(httpx.URL(config.base_url))
    except ProxyError as exc:
        doctor.skip(("dns", "tcp"), "the proxy setting is not usable")
        doctor.add("proxy", False, str(exc), "fix proxy, proxy_env or proxy_command for this profile")
        doctor.skip(("tls", "clock", "api"), "the proxy setting is not usable")
        return doctor.report(kind)
    if not await doctor.network(config.base_url, choice):
        doctor.skip(("clock", "api"), "the server could not be reached")
        return doctor.report(kind)
    await doctor.clock()
    if not have_credentials:
        doctor.skip(("api",), "no credentials")
        return doctor.report(kind)
    await doctor.api()
    return doctor.report(kind)


async def diagnose_all(names: Sequence[str], configs: Mapping[str, Any], problems: Sequence[ConfigProblem] = (),
                       *, env: Mapping[str, str] | None = None) -> list[Report]:
    """Every named profile at once (a name missing from `configs` is a broken profile), in `names` order.
    Run it off the UI thread's loop: a slow DNS or proxy would otherwise hold the screen."""
    return list(await asyncio.gather(*(diagnose(n, configs.get(n), problems, env=env) for n in names)))


def report_for(providers: Any, problems: Sequence[ConfigProblem] = (),
               env: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every profile of a ProvidersFile, checked, as `as_info` gives it. Blocking (it runs its own event
    loop): call it from a thread, as the debug screen does."""
    return as_info(asyncio.run(diagnose_all(profile_names(providers), providers.providers, problems, env=env)))


def profile_names(providers: Any) -> list[str]:
    """Every profile a ProvidersFile defines, usable ones first (in file order), then broken ones."""
    return list(providers.providers) + sorted(set(providers.broken) - set(providers.providers))


def as_info(reports: Sequence[Report]) -> dict[str, str]:
    """The report as the debug screen's `info` section takes it: "name (kind)" -> one line per check."""
    return {f"{r.provider} ({r.kind})": render([r]).split("\n", 1)[1] if r.checks else "" for r in reports}

