"""Load generator for the simulator's task endpoints: `python -m tui.simulator.loadgen URL [--seconds 5]`.

Runs `--concurrency` keep-alive loops in one client process, each GETting the seeded tasks of all three
APIs round-robin (with the demo credentials), and prints requests per second. A Python client saturates a
core before the server does; for the server's own ceiling, `--wrk-script FILE` writes a Lua script for
`wrk -c50 -d10s -s FILE URL` that requests the same task URLs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import urllib.request

import aiohttp

from . import credentials as cred


def task_urls(base_url: str) -> list[tuple[str, dict[str, str]]]:
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(base_url + "/_sim/scenario") as resp:
        info = json.loads(resp.read())
    out = []
    for t in info["tasks"]:
        if t["family"] == "smint":
            out.append((f"{base_url}/frontend/v1/backgroundTasks/{t['id']}",
                        {"Authorization": f"Bearer {cred.SMINT_TOKEN}"}))
        elif t["family"] == "dms":
            out.append((f"{base_url}/v2/{cred.PROJECT_ID}/instances/{t['instance']}/tasks/{t['id']}",
                        {"X-Auth-Token": cred.HW_TOKEN}))
        else:
            out.append((f"{base_url}/v2/{cred.PROJECT_ID}/apigw/instances/{t['instance']}/async-tasks/{t['id']}",
                        {"X-Auth-Token": cred.HW_TOKEN}))
    return out


async def hammer(base_url: str, seconds: float, concurrency: int) -> tuple[int, int, float]:
    urls = task_urls(base_url)
    done = errors = 0
    stop_at = time.monotonic() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def loop(k: int) -> None:
            nonlocal done, errors
            i = k
            while time.monotonic() < stop_at:
                url, headers = urls[i % len(urls)]
                i += concurrency
                async with session.get(url, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 200:
                        errors += 1
                done += 1

        start = time.monotonic()
        await asyncio.gather(*(loop(k) for k in range(concurrency)))
        elapsed = time.monotonic() - start
    return done, errors, elapsed


def wrk_script(base_url: str) -> str:
    host = base_url.split("://", 1)[1]
    lines = ["reqs = {}"]
    for url, headers in task_urls(base_url):
        (name, value), = headers.items()
        lines.append(f'table.insert(reqs, wrk.format("GET", "{url[len(base_url):]}", '
                     f'{{["Host"] = "{host}", ["{name}"] = "{value}"}}))')
    lines += ["local i = 0", "request = function()", "  i = i + 1", "  return reqs[(i % #reqs) + 1]", "end", ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base_url")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--wrk-script", metavar="FILE", help="write a wrk Lua script and exit")
    args = parser.parse_args()
    if args.wrk_script:
        with open(args.wrk_script, "w") as fh:
            fh.write(wrk_script(args.base_url.rstrip("/")))
        return
    done, errors, elapsed = asyncio.run(hammer(args.base_url.rstrip("/"), args.seconds, args.concurrency))
    print(f"{done} requests in {elapsed:.2f} s: {done / elapsed:.0f} req/s ({errors} non-200)")


if __name__ == "__main__":
    main()
