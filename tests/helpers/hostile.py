"""Hostile values and tasks: what a malicious or broken server may put in any string field.

`fill_hostile(sim)` creates tasks in a simulator whose every string field carries terminal escape
sequences, control characters and Textual/Rich markup, plus wrong types, unknown states and
out-of-range percentages, and returns their TaskRefs by family, for the profiles of
`hostile_profiles(sim.base_url)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tui.core.config import ProviderConfig
from tui.core.model import TaskRef
from tui.simulator.process import SimulatorProcess

from .deck import huawei_profile, smint_profile

TITLE_MARK = "PWNED-TITLE"
OSC_TITLE = f"\x1b]2;{TITLE_MARK}\x07"  # retitles the terminal window
OSC_TITLE_ST = f"\x1b]0;{TITLE_MARK}-ST\x1b\\"  # the same, terminated by ST
CLEAR = "\x1b[2J\x1b[H"  # clears the screen, cursor home
SGR = "\x1b[31;1mRED\x1b[0m"
C1_CSI = "\x9b2J"  # CSI as a single C1 code point
OSC52 = "\x1b]52;c;cHduZWQ=\x07"  # writes the clipboard in terminals that allow it
CONTROLS = "nul\x00 bel\x07 bs\x08 del\x7f vt\x0b ff\x0c cr\r end"
BIDI = "abc\u202edcba\u2066x\u2069"

# Markup that Textual/Rich would interpret (or crash on) if parsed.
MARKUP = [
    "[bold red]BOLD[/]",
    "[@click=app.quit]CLICK-QUITS[/]",
    "[@mouse.down=app.quit]PRESS-QUITS[/]",
    "[link=https://evil.example/]LINK[/link]",
    "[$accent]VAR[/]",
    "stray [/] close",
    "[/bold] mismatched",
    "dangling [/",
    "list[int] [x]",
]

ESCAPES = [OSC_TITLE, OSC_TITLE_ST, CLEAR, SGR, C1_CSI, OSC52, CONTROLS, BIDI]


def nasty(tag: str) -> str:
    """One string holding every escape and markup sample, labelled with `tag` so it can be found."""
    return f"<{tag}> " + " ".join(ESCAPES + MARKUP)


GATEWAY = "35bf992dc9e9c616612e7696a6cecc1b"  # an APIG gateway of the simulator's demo scenario
DMS_INSTANCE = "deadbeefdeadbeefdeadbeefdeadbeef"

PROVIDERS = {"smint": "acme", "dms": "mq", "apig": "gw"}


def hostile_profiles(base_url: str, interval: float = 1.0, **settings: Any) -> list[ProviderConfig]:
    return [
        smint_profile("acme", base_url, interval=interval, **settings),
        huawei_profile("mq", "huawei-dms", base_url, interval=interval, **settings),
        huawei_profile("gw", "huawei-apig", base_url, interval=interval, **settings),
    ]


@dataclass
class HostileTasks:
    refs: dict[str, TaskRef]  # name -> ref (names below)

    @property
    def all(self) -> list[TaskRef]:
        return list(self.refs.values())


def _one(sim: SimulatorProcess, family: str, key: str, out: dict[str, TaskRef], **plan: Any) -> None:
    instance = None if family == "smint" else (GATEWAY if family == "apig" else DMS_INSTANCE)
    engine = "kafka" if family == "dms" else None
    task = sim.create_tasks(family, instance=instance, engine=engine, **plan)[0]
    out[key] = TaskRef(PROVIDERS[family], task["id"], instance=instance)


def fill_hostile(sim: SimulatorProcess, *, labels: bool = False) -> HostileTasks:
    """Create the hostile tasks; with `labels`, each TaskRef also carries a hostile label (as a
    watch-list file might)."""
    out: dict[str, TaskRef] = {}
    # Smint: every string field hostile, and the state unknown (shown verbatim, still polled).
    _one(sim, "smint", "smint-strings", out, outcome="never", overrides={
        "state": nasty("state"), "result_string": nasty("result"), "uuid": nasty("uuid"),
        "finished_percentage": 250, "total_steps": "12", "succeeded_steps": "3", "failed_steps": None})
    _one(sim, "smint", "smint-done-markup", out, wait=0, run=0, outcome="succeed",
         result=json.dumps({"assetDownloadUrl": {"url": "https://x.example/" + nasty("url")},
                            "note": nasty("nested")}))
    _one(sim, "smint", "smint-negative", out, outcome="never",
         overrides={"state": "in_progress", "finished_percentage": -40, "total_steps": 5.7,
                    "succeeded_steps": "many", "failed_steps": -1})
    _one(sim, "smint", "smint-wrong-types", out, outcome="never",
         overrides={"state": ["in_progress"], "finished_percentage": {"value": 5},
                    "total_steps": True, "result_string": {"not": "a string", "x": nasty("obj")}})
    _one(sim, "smint", "smint-nulls", out, outcome="never",
         overrides={"state": None, "finished_percentage": None, "total_steps": None,
                    "succeeded_steps": None, "failed_steps": None, "result_string": None})
    _one(sim, "smint", "smint-missing", out, outcome="never",
         remove=["state", "finished_percentage", "total_steps", "succeeded_steps", "failed_steps",
                 "result_string", "uuid"])
    # DMS: hostile name, params (JSON in a string), user, times and an unknown status.
    _one(sim, "dms", "dms-strings", out, outcome="never", name=nasty("name"),
         params=json.dumps({"k": nasty("param"), nasty("key"): 1}), user_name=nasty("user"),
         overrides={"status": nasty("status"), "created_at": nasty("created"), "updated_at": 17})
    _one(sim, "dms", "dms-types", out, outcome="never",
         overrides={"status": 404, "name": 12.5, "params": {"inline": "object"}, "created_at": None})
    # APIG: hostile type, status and result.
    _one(sim, "apig", "apig-strings", out, wait=0, run=0, outcome="fail", name=nasty("type"),
         error=json.dumps({"error_code": nasty("code"), "error_msg": nasty("msg")}))
    _one(sim, "apig", "apig-unknown", out, outcome="never",
         overrides={"task_status": "rolling_back", "task_type": None, "task_result": 42})
    if labels:
        out = {name: TaskRef(ref.provider, ref.id, ref.instance, label=nasty(f"label-{name}"))
               for name, ref in out.items()}
    return HostileTasks(out)
