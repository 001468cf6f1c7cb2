"""Run the simulator as a child process and talk to its admin API synchronously (stdlib only)."""

from __future__ import annotations

import json
import os
import select
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from types import TracebackType
from typing import Any

LISTENING = "taskdeck simulator listening on "
# Loopback only: never go through an HTTP proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SimulatorError(RuntimeError):
    pass


class SimulatorProcess:
    """`with SimulatorProcess() as sim: sim.base_url ...` starts `python -m tui.simulator --port 0` and stops it."""

    def __init__(self, scenario: str = "demo", seed: int = 1, *, host: str = "127.0.0.1", port: int = 0,
                 count: int | None = None, extra_args: list[str] | None = None, start_timeout: float = 20.0,
                 cafile: str | None = None) -> None:
        self.scenario, self.seed, self.host, self.count = scenario, seed, host, count
        # For a simulator serving HTTPS (--tls-cert): the CA the admin calls trust.
        self._opener = _OPENER if cafile is None else urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=cafile)))
        self.requested_port = port
        self.extra_args = list(extra_args or [])
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.base_url = ""
        self.port = 0

    # --- lifecycle -----------------------------------------------------------------------------------

    def start(self) -> SimulatorProcess:
        cmd = [sys.executable, "-m", "tui.simulator", "--host", self.host, "--port", str(self.requested_port),
               "--scenario", self.scenario, "--seed", str(self.seed), *self.extra_args]
        if self.count is not None:
            cmd += ["--count", str(self.count)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        try:
            line = self._read_listening_line()
        except BaseException:
            self.stop()
            raise
        self.base_url = line[len(LISTENING):].strip()
        self.port = int(self.base_url.rsplit(":", 1)[1])
        return self

    def _read_listening_line(self) -> str:
        assert self.proc is not None and self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + self.start_timeout
        buf = b""
        while b"\n" not in buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise SimulatorError(f"the simulator did not start within {self.start_timeout} s")
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                raise SimulatorError(f"the simulator exited (code {self.proc.wait()}) before listening")
            buf += chunk
        line = buf.split(b"\n", 1)[0].decode()
        if not line.startswith(LISTENING):
            raise SimulatorError(f"unexpected first line from the simulator: {line!r}")
        return line

    def stop(self, timeout: float = 5.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- admin API -----------------------------------------------------------------------------------

    def call(self, method: str, path: str, body: dict[str, Any] | None = None, timeout: float = 10.0) -> Any:
        """One admin call; returns the decoded JSON. Raises SimulatorError on a non-2xx answer."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base_url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with self._opener.open(req, timeout=timeout) as resp:
                return json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as exc:
            raise SimulatorError(f"{method} {path}: HTTP {exc.code} {exc.read().decode(errors='replace')}") from exc

    def health(self) -> dict[str, Any]:
        return self.call("GET", "/_sim/health")

    def reset(self, scenario: str | None = None, seed: int | None = None, count: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"scenario": scenario or self.scenario, "seed": self.seed if seed is None else seed}
        if count is not None:
            body["count"] = count
        return self.call("POST", "/_sim/reset", body)

    def scenario_info(self) -> dict[str, Any]:
        return self.call("GET", "/_sim/scenario")

    def create_tasks(self, family: str, count: int = 1, *, instance: str | None = None, engine: str | None = None,
                     **plan: Any) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"family": family, "count": count, "plan": plan}
        if instance is not None:
            body["instance"] = instance
        if engine is not None:
            body["engine"] = engine
        return self.call("POST", "/_sim/tasks", body)["tasks"]

    def set_instance(self, **spec: Any) -> dict[str, Any]:
        return self.call("POST", "/_sim/instances", spec)

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.call("POST", "/_sim/clock", {"advance": seconds})

    def set_clock_skew(self, seconds: float) -> dict[str, Any]:
        """Set the server's clock this far from the machine's (until the next reset)."""
        return self.call("POST", "/_sim/clock", {"skew": seconds})

    def set_auth(self, **spec: Any) -> dict[str, Any]:
        return self.call("POST", "/_sim/auth", spec)

    def add_fault(self, kind: str, **spec: Any) -> int:
        return int(self.call("POST", "/_sim/faults", {"kind": kind, **spec})["id"])

    def clear_faults(self) -> None:
        self.call("DELETE", "/_sim/faults")

    def requests(self, **query: Any) -> list[dict[str, Any]]:
        qs = "&".join(f"{k}={urllib.parse.quote(str(v))}" for k, v in query.items() if v is not None)
        return self.call("GET", "/_sim/requests" + ("?" + qs if qs else ""))["requests"]

    def stats(self, task_id: str | None = None) -> dict[str, Any]:
        suffix = f"?task_id={urllib.parse.quote(task_id)}" if task_id else ""
        return self.call("GET", "/_sim/stats" + suffix)

    def clear_log(self) -> None:
        self.call("DELETE", "/_sim/requests")
