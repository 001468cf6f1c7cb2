"""Property: whatever watch lists are saved come back identical (unicode everywhere, thousands of tasks)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.core.model import TaskRef
from tui.core.watchlists import (
    INSTANCE_KEYS,
    LIST_KEYS,
    TASK_KEYS,
    TOP_LEVEL_KEYS,
    FollowedInstance,
    WatchList,
    WatchlistsFile,
    dumps,
    parse_watchlists,
)
from tui.core.watchstore import WatchStore

# Any unicode text (hypothesis leaves out lone surrogates, which UTF-8 cannot carry).
text = st.text(max_size=20)
name = st.text(min_size=1, max_size=20)
scalar = st.one_of(st.integers(-(2**63), 2**63 - 1), st.booleans(), text,
                   st.floats(allow_nan=False, allow_infinity=False))


def extras(known: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    value = st.one_of(scalar, st.lists(scalar, max_size=3), st.dictionaries(name, scalar, max_size=3))
    return st.dictionaries(name.filter(lambda k: k not in known), value, max_size=2)


# Ids are any unicode but what a URL would change (taskids.is_url_safe): refused at load.
ident = st.text(st.characters(exclude_categories=("C", "Z"), exclude_characters="/?#%"), min_size=1,
                max_size=20).filter(lambda s: s not in (".", ".."))
task = st.builds(TaskRef, provider=name, id=ident, instance=st.none() | ident, label=st.none() | text)
instance = st.builds(FollowedInstance, provider=name, instance=ident,
                     since=st.sampled_from([None, "7d", "2026-11-01"]))


@st.composite
def watchlist(draw: st.DrawFn) -> WatchList:
    tasks = draw(st.lists(task, max_size=15, unique_by=lambda t: t.key))
    instances = draw(st.lists(instance, max_size=3, unique=True))
    return WatchList(
        name=draw(name),
        tasks=tasks,
        instances=instances,
        extra=draw(extras(LIST_KEYS)),
        task_extra={t.key: e for t in tasks if (e := draw(extras(TASK_KEYS)))},
        instance_extra={i.key: e for i in instances if (e := draw(extras(INSTANCE_KEYS)))},
    )


documents = st.builds(
    WatchlistsFile,
    lists=st.lists(watchlist(), max_size=5, unique_by=lambda w: w.name),
    extra=extras(TOP_LEVEL_KEYS),
)


@settings(max_examples=100, deadline=None)
@given(documents)
def test_serialise_then_parse_is_identity(doc: WatchlistsFile) -> None:
    parsed, problems = parse_watchlists(dumps(doc))
    assert [p for p in problems if p.is_error] == []
    assert parsed == doc
    # `since` is not part of an instance's identity (equality), so it is compared on its own.
    assert [[i.since for i in w.instances] for w in parsed.lists] == [[i.since for i in w.instances] for w in doc.lists]


@st.composite
def big_list(draw: st.DrawFn) -> WatchList:
    """Thousands of tasks, cheaply: drawn unicode pieces combined with a counter."""
    count = draw(st.integers(1000, 4000))
    providers = draw(st.lists(name, min_size=1, max_size=4, unique=True))
    label = draw(text)
    piece = draw(ident)
    tasks = [
        TaskRef(providers[i % len(providers)], f"{piece}{i}", instance=None if i % 3 else piece, label=label or None)
        for i in range(count)
    ]
    return WatchList(draw(name.filter(str.strip)), tasks=tasks)  # the store refuses blank names


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(big_list(), min_size=1, max_size=2, unique_by=lambda w: w.name))
def test_store_save_then_load_with_thousands_of_tasks(lists: list[WatchList]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "watchlists.toml"
        store = WatchStore(path, autosave=False)
        for watchlist in lists:
            store.add_tasks(watchlist.name, watchlist.tasks)
        store.save()
        again = WatchStore.open(path)
        assert again.problems == []
        assert again.lists == lists


@settings(max_examples=50, deadline=None)
@given(st.lists(watchlist(), max_size=4, unique_by=lambda w: w.name))
def test_store_save_then_load_keeps_order_labels_and_instances(lists: list[WatchList]) -> None:
    lists = [w for w in lists if w.name.strip()]  # the store refuses blank names
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "watchlists.toml"
        store = WatchStore(path, autosave=False)
        for watchlist in lists:
            store.create_list(watchlist.name)
            store.add_tasks(watchlist.name, watchlist.tasks)
            for followed in watchlist.instances:
                store.follow_instance(watchlist.name, followed.provider, followed.instance)
        store.save()
        assert WatchStore.open(path).lists == [WatchList(w.name, w.tasks, w.instances) for w in lists]
