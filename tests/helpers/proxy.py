"""A real forward HTTP proxy on 127.0.0.1 for the proxy tests: `pproxy` (PyPI, in the test extra),
run as a child process with its verbose log on stdout.

Tests assert from what the proxy itself saw (its log lines), never from taskdeck's own account:

    with ForwardProxy() as proxy:                       # open
        ...
        proxy.wait_for(f"-> 127.0.0.1:{port}")          # the proxy forwarded or tunnelled to port

    ForwardProxy(user="alice", password="s3cret")       # answers 407 without the right credentials
    ForwardProxy(refuse=True)                           # drops every request ("BLOCK" in its log)

pproxy logs `http 127.0.0.1:CLIENT -> HOST:PORT` for each forwarded request or CONNECT tunnel,
`Unauthorized HTTP from 127.0.0.1` for a request without valid credentials, and
`BLOCK HOST from 127.0.0.1` for a refused one.
"""

from __future__ import annotations

import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time
from types import TracebackType


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ForwardProxy:
    def __init__(self, *, user: str | None = None, password: str | None = None, refuse: bool = False) -> None:
        self.user, self.password, self.refuse = user, password, refuse
        self.port = 0
        self.lines: list[str] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._changed = threading.Condition()
        self._block_file: str | None = None

    @property
    def url(self) -> str:
        """The proxy's URL without credentials."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def url_with_credentials(self) -> str:
        return f"http://{self.user}:{self.password}@127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> ForwardProxy:
        for _attempt in range(5):  # the free port may be taken between choosing and binding it
            self.port = free_port()
            listen = f"http://127.0.0.1:{self.port}"
            if self.user:
                listen += f"#{self.user}:{self.password}"
            cmd = [sys.executable, "-u", "-m", "pproxy", "-l", listen, "-v"]
            if self.user:
                cmd += ["--auth", "0"]  # ask every request, not once per client address
            if self.refuse:
                fd, self._block_file = tempfile.mkstemp(prefix="proxy-block-")
                os.write(fd, b".*\n")
                os.close(fd)
                cmd += ["-b", self._block_file]
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
            if self._wait_serving(timeout):
                self._reader = threading.Thread(target=self._read, name="proxy-log", daemon=True)
                self._reader.start()
                return self
            self.stop()
        raise RuntimeError(f"pproxy did not start: {self.lines[-5:]}")

    def _wait_serving(self, timeout: float) -> bool:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        buf = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                self.lines.append(buf.decode(errors="replace"))
                return False
            buf += chunk
            if b"Serving on" in buf:
                self.lines.extend(buf.decode(errors="replace").splitlines())
                return True
        return False

    def _read(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for raw in self._proc.stdout:
            with self._changed:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self._changed.notify_all()

    def seen(self, pattern: str) -> list[str]:
        """Log lines matching a regular expression."""
        with self._changed:
            return [line for line in self.lines if re.search(pattern, line)]

    def forwarded_to(self, port: int) -> list[str]:
        """Requests or tunnels the proxy opened to 127.0.0.1:port."""
        return self.seen(rf"-> 127\.0\.0\.1:{port}\b")

    def wait_for(self, pattern: str, at_least: int = 1, timeout: float = 20.0) -> list[str]:
        """Wait until at least `at_least` log lines match (the proxy may log just after answering)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [line for line in self.lines if re.search(pattern, line)]
                if len(found) >= at_least:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"the proxy never logged {pattern!r}; it logged: {self.lines[-20:]}")
                self._changed.wait(left)

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        if self._reader is not None:
            self._reader.join(5)
            self._reader = None
        if proc is not None and proc.stdout is not None:
            proc.stdout.close()
        if self._block_file:
            os.unlink(self._block_file)
            self._block_file = None

    def __enter__(self) -> ForwardProxy:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
