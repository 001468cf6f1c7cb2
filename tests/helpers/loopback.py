"""A purpose-built HTTP/1.1 server on 127.0.0.1 for network-fault tests, in its own thread.

It answers every GET with one configurable behaviour, switchable while it runs:

- "ok": 200 with `body` (JSON), keep-alive;
- "reset": the start of a 200 response, then the connection is dropped mid-body;
- "slow": waits `delay` seconds, then answers like "ok";
- "endless": a 200 with a chunked body that never ends (`body` repeated until the client leaves).

It can serve TLS (pass an `ssl.SSLContext`; `reload_cert` swaps the certificate for new
connections), listen on a port chosen in advance (to turn a refused port into a live one),
and counts requests and the most requests in flight at once.

    with LoopbackServer(body=json.dumps({...}).encode()) as server:
        server.url  # http://127.0.0.1:PORT
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from types import TracebackType
from typing import Any

SMINT_RUNNING = {"uuid": "", "state": "in_progress", "finished_percentage": 42, "total_steps": 10,
                 "succeeded_steps": 4, "failed_steps": 0, "result_string": None}


def smint_body(**fields: Any) -> bytes:
    """A Smint background task body (running, 42%), with fields replaced."""
    return json.dumps({**SMINT_RUNNING, **fields}).encode()


class LoopbackServer:
    def __init__(self, body: bytes = b"{}", *, port: int = 0, ssl_context: ssl.SSLContext | None = None,
                 mode: str = "ok", delay: float = 0.0, content_type: str = "application/json") -> None:
        self.body = body
        self.port = port
        self.ssl_context = ssl_context
        self.mode = mode
        self.delay = delay
        self.content_type = content_type
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.handshake_failures = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    # -- lifecycle ------------------------------------------------------------------------------------

    def start(self, timeout: float = 10.0) -> LoopbackServer:
        self._thread = threading.Thread(target=self._run, name="loopback-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError("loopback server did not start")
        if self._error is not None:
            raise RuntimeError(f"loopback server failed to start: {self._error}") from self._error
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            self._server = loop.run_until_complete(asyncio.start_server(
                self._serve, "127.0.0.1", self.port, ssl=self.ssl_context, reuse_address=True))
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:  # noqa: BLE001 - reported by start()
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            self._server.close()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._loop = self._thread = None
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def reload_cert(self, certfile: str, keyfile: str) -> None:
        """Serve another certificate from the next TLS handshake on."""
        assert self.ssl_context is not None
        self.ssl_context.load_cert_chain(certfile, keyfile)

    # -- serving -------------------------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip() or 0)
                if length:
                    await reader.readexactly(length)
                self.requests += 1
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
                try:
                    if not await self._answer(writer):
                        return
                finally:
                    self.in_flight -= 1
        except (ConnectionError, ssl.SSLError, OSError):
            self.handshake_failures += 1
        finally:
            try:
                writer.close()
            except RuntimeError:  # the loop is shutting down
                pass

    async def _answer(self, writer: asyncio.StreamWriter) -> bool:
        """Write one response; False when the connection must close."""
        mode, body = self.mode, self.body
        if mode == "slow":
            await asyncio.sleep(self.delay)
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: {self.content_type}\r\n"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        if mode == "endless":
            writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: {self.content_type}\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n".encode())
            chunk = f"{len(body):x}\r\n".encode() + body + b"\r\n"
            while True:  # until the client gives up (ConnectionError) or the server stops
                writer.write(chunk)
                await writer.drain()
        if mode == "reset":
            writer.write(head + body[: max(1, len(body) // 3)])
            await writer.drain()
            transport = writer.transport
            transport.abort()
            return False
        writer.write(head + body)
        await writer.drain()
        return True
