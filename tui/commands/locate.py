"""`taskdeck locate`: print where taskdeck keeps its files, and whether each exists."""

from __future__ import annotations

import argparse
import json

from tui.core.paths import resolve_paths


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print the paths as a JSON object")


def run(args: argparse.Namespace) -> int:
    paths = resolve_paths()
    entries = [
        ("config_dir", "config dir", paths.config_dir, paths.config_source),
        ("providers", "providers.toml", paths.providers, None),
        ("watchlists", "watchlists.toml", paths.watchlists, None),
        ("state_dir", "state dir", paths.state_dir, paths.state_source),
        ("state", "state file", paths.state, None),
        ("history", "history store", paths.history, None),
    ]
    if args.json:
        out = {}
        for key, _, path, source in entries:
            item: dict[str, object] = {"path": str(path), "exists": path.exists()}
            if source is not None:
                item["source"] = source
            out[key] = item
        print(json.dumps(out, indent=2))
        return 0
    width = max(len(label) for _, label, _, _ in entries)
    for _, label, path, source in entries:
        status = "exists" if path.exists() else "missing"
        note = f", from {source}" if source is not None else ""
        print(f"{label:<{width}}  {path}  ({status}{note})")
    return 0
