"""Command line: `python -m tui.simulator` and `taskdeck simulator`."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys

from .scenario import SCENARIOS
from .server import start_simulator

LISTENING = "taskdeck simulator listening on "


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8765, help="TCP port; 0 picks a free one (default 8765)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--scenario", default="demo", choices=SCENARIOS, help="seeded tasks (default demo)")
    parser.add_argument("--seed", type=int, default=1, help="scenario seed (default 1)")
    parser.add_argument("--count", type=int, default=None, help="number of tasks for the bulk scenario")
    parser.add_argument("--log-size", type=int, default=10_000, help="request log ring buffer size")
    parser.add_argument("--access-log", action="store_true", help="log every request on stderr")
    parser.add_argument("--clock-skew", type=float, default=0.0, metavar="SECONDS",
                        help="run the server's clock this far ahead (negative: behind) of the machine's")
    parser.add_argument("--tls-cert", default=None, metavar="PEM", help="serve HTTPS with this certificate")
    parser.add_argument("--tls-key", default=None, metavar="PEM", help="the certificate's private key")


async def serve(args: argparse.Namespace) -> None:
    context = None
    if args.tls_cert:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    sim = await start_simulator(args.host, args.port, args.scenario, args.seed, count=args.count,
                                log_size=args.log_size, access_log=args.access_log,
                                clock_skew=args.clock_skew, ssl_context=context)
    if args.access_log:
        import logging

        logging.basicConfig(level=logging.INFO, stream=sys.stderr)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - non-POSIX
            pass
    print(LISTENING + sim.base_url, flush=True)
    try:
        await stop.wait()
    finally:
        await sim.stop()


def run(args: argparse.Namespace) -> int:
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"taskdeck simulator: {exc}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.simulator", description="taskdeck API simulator")
    configure(parser)
    return run(parser.parse_args(argv))
