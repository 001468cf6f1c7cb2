"""`watchlists.toml`: the data model, validation on load, and serialisation.

```toml
version = 1

[[watchlist]]
name = "Nightly"

[[watchlist.task]]
provider = "acme"
id = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
label = "asset export"            # optional

[[watchlist.task]]
provider = "kafka-eu"
instance = "4f1c...e2"
id = "8abfa7b272adc5b40172b73130065ae7"

[[watchlist.instance]]            # follow every background task of a DMS instance
provider = "kafka-eu"
instance = "4f1c...e2"
```

tomli-w writes short tasks as one inline table per line (`task = [ {...}, ]`); both
spellings read the same. Keys taskdeck does not know are kept and written back.
Loading never raises for bad content: it returns the usable data and the problems.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from tui.core import tomlfast
from tui.core.model import TaskRef
from tui.core.problems import (
    INFO,
    WARNING,
    ConfigProblem,
    ProblemLog,
    did_you_mean,
    syntax_problem,
    type_name,
)
from tui.core.providers_config import ProviderConfig, ProvidersFile
from tui.core.since import since_problem
from tui.core.taskids import check_instance, check_safe_id, check_task_id, is_url_safe

CURRENT_VERSION = 1
# version N -> function turning a version-N document (as parsed) into a version N+1 document.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

LIST_KEYS = ("name", "task", "instance")
TASK_KEYS = ("provider", "instance", "id", "label")
INSTANCE_KEYS = ("provider", "instance", "since")
TOP_LEVEL_KEYS = ("version", "watchlist")


@dataclass(frozen=True, slots=True)
class FollowedInstance:
    """A DMS instance whose background tasks are all followed (via the list API)."""

    provider: str
    instance: str
    # How far back its tasks are listed ("7d", a date; tui.core.since). Not part of its identity.
    since: str | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.instance}"


@dataclass
class WatchList:
    name: str
    tasks: list[TaskRef] = field(default_factory=list)
    instances: list[FollowedInstance] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # Unknown keys of single entries, by TaskRef.key / FollowedInstance.key: kept for the next rewrite.
    task_extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    instance_extra: dict[str, dict[str, Any]] = field(default_factory=dict)

    def copy(self) -> WatchList:
        return WatchList(
            self.name,
            list(self.tasks),
            list(self.instances),
            dict(self.extra),
            dict(self.task_extra),
            dict(self.instance_extra),
        )

    def index_of(self, key: str) -> int | None:
        for index, task in enumerate(self.tasks):
            if task.key == key:
                return index
        return None


@dataclass
class WatchlistsFile:
    version: int = CURRENT_VERSION
    lists: list[WatchList] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def copy(self) -> WatchlistsFile:
        return WatchlistsFile(self.version, [w.copy() for w in self.lists], dict(self.extra))

    def get(self, name: str) -> WatchList | None:
        for watchlist in self.lists:
            if watchlist.name == name:
                return watchlist
        return None


# --- writing -----------------------------------------------------------------------------------------------


def task_to_dict(task: TaskRef, extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"provider": task.provider}
    if task.instance is not None:
        out["instance"] = task.instance
    out["id"] = task.id
    if task.label is not None:
        out["label"] = task.label
    if extra:
        out.update(extra)
    return out


def to_dict(doc: WatchlistsFile) -> dict[str, Any]:
    lists = []
    for watchlist in doc.lists:
        item: dict[str, Any] = {"name": watchlist.name}
        item.update(watchlist.extra)
        if watchlist.tasks:
            item["task"] = [task_to_dict(t, watchlist.task_extra.get(t.key)) for t in watchlist.tasks]
        if watchlist.instances:
            item["instance"] = [
                {"provider": i.provider, "instance": i.instance, **({"since": i.since} if i.since else {}),
                 **watchlist.instance_extra.get(i.key, {})}
                for i in watchlist.instances
            ]
        lists.append(item)
    out: dict[str, Any] = {"version": doc.version}
    if lists:
        out["watchlist"] = lists
    out.update(doc.extra)
    return out


def dumps(doc: WatchlistsFile) -> str:
    return tomli_w.dumps(to_dict(doc))


# --- reading -----------------------------------------------------------------------------------------------


class _Reader(ProblemLog):
    def __init__(self, path: Path | None, text: str, providers: ProvidersFile | None) -> None:
        super().__init__(path, text)
        # Provider checks only make sense when providers.toml itself was readable.
        self.providers = providers if providers is not None and providers.parsed else None

    def unknown_keys(self, prefix: str, table: Mapping[str, Any], known: tuple[str, ...], where: str) -> dict[str, Any]:
        extra = {k: v for k, v in table.items() if k not in known}
        for key in extra:
            self.unknown_key(prefix, key, known, where)
        return extra

    def _string(self, prefix: str, table: Mapping[str, Any], name: str, *, required: bool, example: str) -> str | None:
        value = table.get(name)
        key = f"{prefix}.{name}"
        if value is None:
            if required:
                self.problem(key, f"missing '{name}'", f"add {name} = {example}")
            return None
        if not isinstance(value, str):
            self.problem(key, f"'{name}' must be a string, found {type_name(value)}", f"write it like {name} = {example}")
            return None
        if required and not value:
            self.problem(key, f"'{name}' is empty", f"write it like {name} = {example}")
            return None
        return value

    def _url_safe(self, key: str, value: str, what: str) -> bool:
        """An id a URL would change ("." or "..", "/ ? # %", whitespace, controls) can only reach the
        wrong resource: the entry is not loaded (an error: the file is kept as written until fixed)."""
        if is_url_safe(value):
            return True
        self.problem(key, check_safe_id(value, what) or f"{what} {value!r} cannot be used in a URL",
                     "fix the id; this entry is not loaded until then")
        return False

    def _check_provider(self, key: str, provider: str) -> ProviderConfig | None:
        if self.providers is None:
            return None
        if provider not in self.providers.names:
            guess = did_you_mean(provider, self.providers.names)
            fix = f"add [providers.{provider}] to providers.toml or fix the name"
            suggestion = f"did you mean '{guess}'? ({fix})" if guess else f"({fix})"
            self.problem(key, f"unknown provider '{provider}'", suggestion, WARNING)
            return None
        return self.providers.providers.get(provider)

    def task(self, prefix: str, value: object) -> tuple[TaskRef, dict[str, Any]] | None:
        if not isinstance(value, dict):
            self.problem(prefix, f"a task must be a table, found {type_name(value)}",
                         'write it as [[watchlist.task]] with provider = "..." and id = "..."')
            return None
        provider = self._string(prefix, value, "provider", required=True, example='"acme"')
        task_id = self._string(prefix, value, "id", required=True, example='"9b1deb4d-…"')
        instance = self._string(prefix, value, "instance", required=False, example='"4f1c…"')
        label = self._string(prefix, value, "label", required=False, example='"nightly export"')
        wrong = any(n in value and not isinstance(value[n], str) for n in ("instance", "label"))
        extra = self.unknown_keys(prefix, value, TASK_KEYS, "in a task")
        if provider is None or task_id is None or wrong:
            return None
        if not self._url_safe(f"{prefix}.id", task_id, "task id") or (
                instance and not self._url_safe(f"{prefix}.instance", instance, "instance id")):
            return None
        config = self._check_provider(f"{prefix}.provider", provider)
        if config is not None:
            problem = check_instance(config.kind, instance)
            if problem:
                self.problem(f"{prefix}.instance", problem, "this task cannot be polled until it is fixed", WARNING)
            problem = check_task_id(config.kind, task_id)
            if problem:
                self.problem(f"{prefix}.id", problem, "check the id; this task will probably fail to load", WARNING)
        return TaskRef(provider=provider, id=task_id, instance=instance, label=label), extra

    def followed(self, prefix: str, value: object) -> tuple[FollowedInstance, dict[str, Any]] | None:
        if not isinstance(value, dict):
            self.problem(prefix, f"an instance entry must be a table, found {type_name(value)}",
                         'write it as [[watchlist.instance]] with provider = "..." and instance = "..."')
            return None
        provider = self._string(prefix, value, "provider", required=True, example='"kafka-eu"')
        instance = self._string(prefix, value, "instance", required=True, example='"4f1c…"')
        since = self._string(prefix, value, "since", required=False, example='"7d"')
        extra = self.unknown_keys(prefix, value, INSTANCE_KEYS, "in an instance entry")
        if provider is None or instance is None:
            return None
        if not self._url_safe(f"{prefix}.instance", instance, "instance id"):
            return None
        problem = since_problem(since) if since is not None else None
        if problem:
            self.problem(f"{prefix}.since", problem, "fix it; until then every task of the instance is listed")
            since = None
        self._check_provider(f"{prefix}.provider", provider)
        return FollowedInstance(provider, instance, since), extra

    def _array(self, key: str, value: object, header: str) -> list[Any]:
        if isinstance(value, list):
            return value
        self.problem(key, f"expected an array of tables, found {type_name(value)}",
                     f"write each entry under its own [[{header}]] header (two brackets)")
        return []

    def watchlist(self, index: int, value: object, seen: dict[str, tuple[WatchList, str]]) -> WatchList | None:
        prefix = f"watchlist[{index}]"
        if not isinstance(value, dict):
            self.problem(prefix, f"a watch list must be a table, found {type_name(value)}",
                         'write it as [[watchlist]] with name = "..."')
            return None
        name = self._string(prefix, value, "name", required=True, example='"Nightly"')
        extra = self.unknown_keys(prefix, value, LIST_KEYS, "in a watch list")
        if name is None:
            return None
        target: WatchList
        if name in seen:
            target, first = seen[name]
            line = self.lines.line_of(first)
            at = f" (the first one is at line {line})" if line else ""
            self.problem(f"{prefix}.name", f"a second watch list named '{name}'{at}",
                         "their tasks are merged into one list on the next save; rename one to keep two lists",
                         WARNING)
            for key, item in extra.items():
                target.extra.setdefault(key, item)
            new = None
        else:
            target = WatchList(name, extra=extra)
            seen[name] = (target, prefix)
            new = target

        firsts = {t.key: i for i, t in enumerate(target.tasks)}
        for number, raw in enumerate(self._array(f"{prefix}.task", value.get("task", []), "watchlist.task")):
            key = f"{prefix}.task[{number}]"
            parsed = self.task(key, raw)
            if parsed is None:
                continue
            ref, task_extra = parsed
            if ref.key in firsts:
                self.problem(key, f"task {ref.provider}/{ref.id} is listed twice in '{name}'",
                             "the second copy is dropped on the next save", WARNING)
                continue
            firsts[ref.key] = len(target.tasks)
            target.tasks.append(ref)
            if task_extra:
                target.task_extra[ref.key] = task_extra

        followed = {i.key for i in target.instances}
        for number, raw in enumerate(
            self._array(f"{prefix}.instance", value.get("instance", []), "watchlist.instance")
        ):
            key = f"{prefix}.instance[{number}]"
            entry = self.followed(key, raw)
            if entry is None:
                continue
            instance, instance_extra = entry
            if instance.key in followed:
                self.problem(key, f"instance {instance.key} is followed twice in '{name}'",
                             "the second entry is dropped on the next save", WARNING)
                continue
            followed.add(instance.key)
            target.instances.append(instance)
            if instance_extra:
                target.instance_extra[instance.key] = instance_extra
        return new

    def version(self, data: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        version = data.get("version", CURRENT_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.problem("version", f"version must be a whole number ≥ 1, found {version!r}",
                         f"write version = {CURRENT_VERSION}")
            return CURRENT_VERSION, data
        if version > CURRENT_VERSION:
            self.problem("version", f"this file was written by a newer taskdeck (format version {version}; "
                         f"this one reads version {CURRENT_VERSION})",
                         "upgrade taskdeck; until then the file is read as well as possible and never rewritten")
            return version, data
        start = version
        while version < CURRENT_VERSION:
            migrate = MIGRATIONS.get(version)
            if migrate is None:
                self.problem("version", f"no migration from format version {version}",
                             f"set version = {CURRENT_VERSION} if the file already has the current layout")
                return version, data
            data = migrate(data)
            version += 1
        if version != start:
            self.problem("version", f"migrated from format version {start} to {version}",
                         "the file is rewritten in the new format on the next save", INFO)
        return version, data

    def read(self, data: dict[str, Any]) -> WatchlistsFile:
        version, data = self.version(data)
        extra = self.unknown_keys("", data, TOP_LEVEL_KEYS, "at the top level")
        seen: dict[str, tuple[WatchList, str]] = {}
        lists = []
        for index, raw in enumerate(self._array("watchlist", data.get("watchlist", []), "watchlist")):
            watchlist = self.watchlist(index, raw, seen)
            if watchlist is not None:
                lists.append(watchlist)
        return WatchlistsFile(version=version, lists=lists, extra=extra)


def parse_watchlists(
    text: str, path: Path | None = None, providers: ProvidersFile | None = None
) -> tuple[WatchlistsFile, list[ConfigProblem]]:
    """Validate watchlists.toml text. Never raises for bad content.

    Problems of severity "error" mean that some of the file could not be read as
    written: the caller must not rewrite the file until the user fixes it.
    """
    reader = _Reader(path, text, providers)
    try:
        data = tomlfast.loads(text)
    except tomlfast.TOMLDecodeError as exc:
        return WatchlistsFile(), [syntax_problem(path, text, exc)]
    return reader.read(data), reader.problems


def decode(data: bytes, path: Path | None, providers: ProvidersFile | None) -> tuple[WatchlistsFile, list[ConfigProblem]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return WatchlistsFile(), [ConfigProblem(path, line, "", "the file is not valid UTF-8", "save it as UTF-8")]
    return parse_watchlists(text, path, providers)

