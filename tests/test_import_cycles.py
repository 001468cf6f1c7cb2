"""No import cycle between taskdeck's modules, function-level and TYPE_CHECKING imports included.

A cycle hidden behind a function-level import still couples the two modules both ways: neither can be
read, tested or moved alone. The test reads every module under `tui/` with `ast` (nothing is imported),
resolves each `import` / `from ... import` to a taskdeck module, and fails on every strongly connected
group of more than one module.
"""

from __future__ import annotations

from pathlib import Path

from helpers.imports import cycles, import_graph, imports_of

# Cycles that exist on main today and are being removed. This set must only shrink: an entry that is no
# longer a cycle fails the test too, so it gets deleted here the moment it is fixed.
KNOWN: set[frozenset[str]] = set()


def _path_through(graph: dict[str, set[str]], group: frozenset[str]) -> str:
    """One concrete cycle inside a group, for the failure message: a -> b -> ... -> a."""
    start = min(group)
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for nxt in sorted(graph[node] & group):
            if nxt == start:
                chain = [node]
                while chain[-1] != start:
                    chain.append(parents[chain[-1]])
                return " -> ".join([start, *reversed(chain[:-1]), start])
            if nxt not in parents:
                parents[nxt] = node
                frontier.append(nxt)
    return ", ".join(sorted(group))


def test_no_import_cycles() -> None:
    graph = import_graph()
    found = cycles(graph)
    new = [g for g in found if g not in KNOWN]
    assert not new, "import cycles:\n" + "\n".join(_path_through(graph, g) for g in new)


def test_known_cycles_only_shrink() -> None:
    found = set(cycles(import_graph()))
    fixed = [sorted(g) for g in KNOWN if g not in found]
    assert not fixed, f"no longer a cycle, remove it from KNOWN: {fixed}"


def test_the_walk_sees_function_level_and_relative_imports(tmp_path: Path) -> None:
    """The walker itself: a cycle made only of a function-level import and a relative one is found."""
    pkg = tmp_path / "tui"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "a.py").write_text("def f():\n    from tui.sub import b\n")
    (pkg / "sub" / "b.py").write_text("from . import c\n")
    (pkg / "sub" / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import f\n")
    (pkg / "sub" / "d.py").write_text("import tui.sub.a\n")
    modules = {}
    for path in sorted(pkg.rglob("*.py")):
        parts = list(path.relative_to(pkg).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(["tui", *parts])] = path
    graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
    assert graph["tui.sub.a"] == {"tui.sub.b"}
    assert graph["tui.sub.b"] == {"tui.sub.c"}
    assert graph["tui.sub.c"] == {"tui.sub.a"}
    assert graph["tui.sub.d"] == {"tui.sub.a"}
    assert cycles(graph) == [frozenset({"tui.sub.a", "tui.sub.b", "tui.sub.c"})]
