"""UI memory per watch list (sort, filter, selected task, interval overrides).

Kept in the state directory (`state.toml`), never in the files a user edits. The
file is the app's alone and not precious: a broken one is reported, set aside as
`state.toml.bak` on the next save, and replaced. Last writer wins.

```toml
version = 1
last_list = "Nightly"

[lists.Nightly]
sort = "state"
sort_reverse = false
filter = "export"
selected = "acme//9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
intervals = { acme = 10.0 }        # provider -> seconds, for this list only
```
"""

from __future__ import annotations

import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomli_w

from tui.core.atomic import atomic_write, read_with_stamp
from tui.core.problems import WARNING, ConfigProblem, KeyLines, join_key, syntax_problem
from tui.core.saver import DebouncedSaver

STATE_VERSION = 1


@dataclass(frozen=True)
class ListUiState:
    sort: str | None = None  # column id
    sort_reverse: bool = False
    filter: str = ""
    selected: str | None = None  # TaskRef.key of the selected task
    intervals: dict[str, float] = field(default_factory=dict)  # provider name -> seconds
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.sort is not None:
            out["sort"] = self.sort
            out["sort_reverse"] = self.sort_reverse
        if self.filter:
            out["filter"] = self.filter
        if self.selected is not None:
            out["selected"] = self.selected
        if self.intervals:
            out["intervals"] = dict(self.intervals)
        out.update(self.extra)
        return out


_FIELDS = ("sort", "sort_reverse", "filter", "selected", "intervals")


def _list_state(name: str, value: object, path: Path | None, lines: KeyLines, problems: list[ConfigProblem]) -> ListUiState:
    prefix = join_key("lists", name)

    def bad(key: str, what: str) -> None:
        problems.append(ConfigProblem(path, lines.line_of(join_key(prefix, key)), join_key(prefix, key),
                                      f"expected {what}; ignored", "", WARNING))

    if not isinstance(value, dict):
        bad("", "a table")
        return ListUiState()
    state = ListUiState(extra={k: v for k, v in value.items() if k not in _FIELDS})
    sort = value.get("sort")
    if isinstance(sort, str):
        state = replace(state, sort=sort)
    elif sort is not None:
        bad("sort", "a column name")
    if isinstance(value.get("sort_reverse"), bool):
        state = replace(state, sort_reverse=value["sort_reverse"])
    if isinstance(value.get("filter"), str):
        state = replace(state, filter=value["filter"])
    if isinstance(value.get("selected"), str):
        state = replace(state, selected=value["selected"])
    intervals = value.get("intervals", {})
    if isinstance(intervals, dict):
        clean = {
            k: float(v) for k, v in intervals.items()
            if isinstance(v, int | float) and not isinstance(v, bool) and v > 0
        }
        if len(clean) != len(intervals):
            bad("intervals", "positive numbers of seconds")
        state = replace(state, intervals=clean)
    else:
        bad("intervals", "a table of provider = seconds")
    return state


class UiStateStore:
    """Reads and (debounced, atomically) writes the UI state file. `path=None` keeps it in memory only."""

    def __init__(
        self,
        path: Path | None,
        *,
        save_delay: float = 0.5,
        on_saved: Callable[[bool | None, BaseException | None], None] | None = None,
    ) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._lists: dict[str, ListUiState] = {}
        self.last_list: str | None = None
        self._extra: dict[str, Any] = {}
        self.problems: list[ConfigProblem] = []
        self._saver: DebouncedSaver[bool] = DebouncedSaver(self.save, delay=save_delay, on_result=on_saved,
                                                            name="taskdeck-state-saver")

    @classmethod
    def open(cls, path: Path | None, **kwargs: Any) -> UiStateStore:
        store = cls(path, **kwargs)
        store.load()
        return store

    def load(self) -> list[ConfigProblem]:
        if self.path is None:
            return []
        problems: list[ConfigProblem] = []
        data: dict[str, Any] = {}
        text = ""
        try:
            found = read_with_stamp(self.path)
            if found is not None:
                text = found[0].decode("utf-8")
                try:
                    data = tomllib.loads(text)
                except tomllib.TOMLDecodeError as exc:
                    bad = syntax_problem(self.path, text, exc)
                    problems.append(replace(bad, severity=WARNING,
                                            suggestion="UI state (sort, filter, selection) starts fresh; "
                                            "the broken file is kept as state.toml.bak"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(ConfigProblem(self.path, None, "", f"cannot read the UI state: {exc}",
                                          "UI state starts fresh", WARNING))
        lines = KeyLines(text)
        lists: dict[str, ListUiState] = {}
        raw_lists = data.get("lists", {})
        if isinstance(raw_lists, dict):
            for name, value in raw_lists.items():
                lists[name] = _list_state(name, value, self.path, lines, problems)
        last = data.get("last_list")
        with self._lock:
            self._lists = lists
            self.last_list = last if isinstance(last, str) else None
            self._extra = {k: v for k, v in data.items() if k not in ("version", "lists", "last_list")}
            self.problems = problems
        return problems

    def get(self, list_name: str) -> ListUiState:
        with self._lock:
            return self._lists.get(list_name, ListUiState())

    def update(self, list_name: str, **changes: Any) -> ListUiState:
        """Change some fields of one list's state (sort=, sort_reverse=, filter=, selected=, intervals=)."""
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise TypeError(f"unknown UI state field(s): {', '.join(sorted(unknown))}")
        with self._lock:
            state = replace(self._lists.get(list_name, ListUiState()), **changes)
            self._lists[list_name] = state
        self.schedule_save()
        return state

    def set_last_list(self, name: str | None) -> None:
        with self._lock:
            self.last_list = name
        self.schedule_save()

    def rename_list(self, old: str, new: str) -> None:
        with self._lock:
            if old in self._lists:
                self._lists[new] = self._lists.pop(old)
            if self.last_list == old:
                self.last_list = new
        self.schedule_save()

    def forget_list(self, name: str) -> None:
        with self._lock:
            self._lists.pop(name, None)
            if self.last_list == name:
                self.last_list = None
        self.schedule_save()

    def to_dict(self) -> dict[str, Any]:
        with self._lock:
            out: dict[str, Any] = {"version": STATE_VERSION}
            if self.last_list is not None:
                out["last_list"] = self.last_list
            out.update(self._extra)
            lists = {name: state.to_dict() for name, state in self._lists.items()}
            if lists:
                out["lists"] = lists
            return out

    def save(self) -> bool:
        if self.path is None:
            return False
        return atomic_write(self.path, tomli_w.dumps(self.to_dict()).encode("utf-8"), backup=True)

    def schedule_save(self) -> None:
        if self.path is not None:
            self._saver.schedule()

    def flush(self, timeout: float | None = 30.0) -> bool | None:
        return self._saver.flush(timeout)

    def close(self, timeout: float | None = 30.0) -> bool | None:
        return self._saver.close(timeout)
