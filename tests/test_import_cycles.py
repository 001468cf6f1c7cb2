"""No import cycle between taskdeck's modules, function-level and TYPE_CHECKING imports included.

A cycle hidden behind a function-level import still couples the two modules both ways: neither can be
read, tested or moved alone. The test reads every module under `tui/` with `ast` (nothing is imported),
resolves each `import` / `from ... import` to a taskdeck module, and fails on every strongly connected
group of more than one module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import tui

ROOT = Path(tui.__file__).resolve().parent
PACKAGE = "tui"

# Cycles that exist on main today and are being removed. This set must only shrink: an entry that is no
# longer a cycle fails the test too, so it gets deleted here the moment it is fixed.
KNOWN: set[frozenset[str]] = set()


def module_names() -> dict[str, Path]:
    """Every module of the package: dotted name -> file."""
    found: dict[str, Path] = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join([PACKAGE, *parts])] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The taskdeck module that importing `name` loads (the longest existing prefix), or None."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The taskdeck modules `module` imports anywhere in its text (top level, functions, TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _resolve(alias.name, modules)
                if target:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            for alias in node.names:
                # `from pkg import mod` imports the module pkg.mod; `from mod import name` imports mod.
                target = _resolve(f"{prefix}.{alias.name}", modules) if alias.name != "*" else None
                if target is None or target == module:
                    target = _resolve(prefix, modules)
                if target:
                    found.add(target)
    found.discard(module)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = module_names()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[frozenset[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, list[str]]] = [(start, sorted(graph[start]))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(frozenset(group))
    return groups


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
