"""The left sidebar: provider profiles (with their instances) and watch lists.

Each node shows counts per state and, for providers, a health mark. Labels are
rebuilt only when their text changed, and the tree structure only when the set
of providers, instances, lists or health lines changed.

The sidebar is narrow (26-34 columns): counts are never cut (a name gives way, with "…"),
the health line is wrapped over as many lines as it needs, instances are shown by name,
and a profile with config errors stays listed with a ✖ and its problem.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Tree
from textual.widgets._tree import TreeNode

from tui.core.display import SHOWN_STATES, look_of_word
from tui.core.model import HealthStatus
from tui.core.text import clean
from tui.deck.health import health_text
from tui.deck.nodes import ListNode, ProviderNode
from tui.widgets.states import rich_style

HEALTH_MARK = {
    HealthStatus.OK: ("●", "green"),
    HealthStatus.ERRORS: ("▲", "yellow"),
    HealthStatus.UNREACHABLE: ("✗", "red"),
    HealthStatus.AUTH_FAILED: ("✗", "red"),
    HealthStatus.IDLE: ("○", "dim"),
}


@dataclass(frozen=True)
class NodeRef:
    """What a tree node stands for; posted with selections."""

    kind: str  # "provider" | "counts" | "health" | "instance" | "list" | "group"
    name: str
    instance: str | None = None
    line: int = 0  # which line of a wrapped health text


# Columns a label loses to the tree's guides: a provider or instance line, a list line.
_INDENT_PROVIDER = 4
_INDENT_LIST = 2
_INDENT_HEALTH = 4


MIN_NAME = 3  # a name keeps at least this much beside its counts ("ac…")


def counts_fitting(counts: Counter[str], width: int) -> Text:
    """The counts, tight when the spaced form would not leave MIN_NAME + "…" of a name in `width`."""
    text = counts_text(counts)
    return text if text.cell_len + MIN_NAME + 1 <= width else counts_text(counts, tight=True)


def fit_label(name: str, tail: Text, width: int, *, style: str = "", head: str = "") -> Text:
    """`head` + name + tail in `width` cells: the name gives way (with "…"), never the tail."""
    room = max(MIN_NAME + 1, width - len(head) - tail.cell_len)
    shown = clean(name)
    if len(shown) > room:
        shown = shown[: room - 1] + "…"
    label = Text(head + shown, style=style)
    label.append_text(tail)
    return label


def wrap_lines(text: str, width: int) -> list[str]:
    """A health text over lines of `width`, broken between its parts (", ") and words, never cut."""
    lines: list[str] = []
    for part in text.split(", "):
        lines += textwrap.wrap(part, max(8, width), break_long_words=True) or [""]
    return lines


def counts_text(counts: Counter[str], *, tight: bool = False) -> Text:
    """Counts by shown state word (tui.core.display.SHOWN_STATES order): symbol and number.
    `tight` leaves out the spaces between them, for a label that would not fit otherwise."""
    text = Text(" " if tight and counts else "")
    for word in SHOWN_STATES:
        n = counts.get(word, 0)
        if n:
            look = look_of_word(word)
            text.append(f"{look.symbol}{n}" if tight else f" {look.symbol}{n}", style=rich_style(look))
    return text


class Sidebar(Tree[NodeRef]):
    """A Tree whose labels are never parsed as markup."""

    DEFAULT_CSS = """
    Sidebar { width: 34; min-width: 24; border-right: solid $panel-lighten-2; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("taskdeck", NodeRef("group", "root"), id=id)
        self.show_root = False
        self.guide_depth = 2
        self._providers_node = self.root.add("Providers", NodeRef("group", "providers"), expand=True)
        self._lists_node = self.root.add("Watch lists", NodeRef("group", "lists"), expand=True)
        self._tree_shape: tuple[object, ...] = ()
        self._node_of: dict[NodeRef, TreeNode[NodeRef]] = {}
        self._label_cache: dict[NodeRef, str] = {}
        self._model: tuple[Sequence[ProviderNode], Sequence[ListNode]] | None = None
        self._health_said: dict[str, str] = {}

    def process_label(self, label: str | Text) -> Text:
        if isinstance(label, Text):
            return label
        return Text(clean(label))

    def on_resize(self) -> None:
        if self._model is not None:
            self.update_model(*self._model)

    @property
    def _width(self) -> int:
        return self.scrollable_content_region.width or 30

    def _health_lines(self, provider: ProviderNode) -> list[str]:
        text = provider.problem if provider.problem is not None else health_text(provider.health)
        self._health_said[provider.name] = clean(text, limit=400)
        return wrap_lines(self._health_said[provider.name], self._width - _INDENT_HEALTH)

    def health_said(self, provider: str) -> str:
        """The health text under a provider, before it was wrapped over its lines."""
        return self._health_said.get(provider, "")

    def update_model(self, providers: Sequence[ProviderNode], lists: Sequence[ListNode]) -> None:
        self._model = (providers, lists)
        health = {p.name: self._health_lines(p) for p in providers}
        own_line = {p.name: self._counts_own_line(p) for p in providers}
        shape = (tuple((p.name, tuple(p.instances), len(health[p.name]), own_line[p.name]) for p in providers),
                 tuple(lst.name for lst in lists))
        if shape != self._tree_shape:
            self._rebuild(providers, lists, health, own_line)
            self._tree_shape = shape
        width = self._width
        for provider in providers:
            self._set(NodeRef("provider", provider.name),
                      self._provider_label(provider, width, with_counts=not own_line[provider.name]))
            if own_line[provider.name]:
                line = counts_text(provider.counts)[1:]
                if line.cell_len > width - _INDENT_HEALTH:
                    line = counts_text(provider.counts, tight=True)[1:]
                self._set(NodeRef("counts", provider.name), line)
            style = self._health_style(provider)
            for i, text in enumerate(health[provider.name]):
                self._set(NodeRef("health", provider.name, line=i), Text(text, style=style))
            for instance, counts in provider.instances.items():
                tail = counts_text(counts)
                problem = provider.listing_problems.get(instance)
                if problem:
                    tail.append(f" ⚠ {clean(problem, limit=60)}", style="yellow")
                scheduled = provider.scheduled.get(instance)
                if scheduled:
                    tail.append(f" ⏲ {clean(scheduled, limit=40)}", style="dim")
                name = provider.instance_names.get(instance) or instance
                if tail.cell_len + MIN_NAME + 1 > width - _INDENT_PROVIDER:
                    tail = counts_text(counts, tight=True)
                label = fit_label(name, tail, width - _INDENT_PROVIDER, style="dim")
                self._set(NodeRef("instance", provider.name, instance), label)
        for lst in lists:
            label = fit_label(lst.name, counts_fitting(lst.counts, width - _INDENT_LIST - 2), width - _INDENT_LIST,
                              style="bold" if lst.active else "", head="▸ " if lst.active else "  ")
            self._set(NodeRef("list", lst.name), label)

    def _counts_own_line(self, provider: ProviderNode) -> bool:
        """A provider's counts go on a line of their own when they would not fit beside its name."""
        needed = _INDENT_PROVIDER + 2 + MIN_NAME + 1 + counts_text(provider.counts).cell_len
        return provider.problem is None and needed > self._width

    def _provider_label(self, provider: ProviderNode, width: int, *, with_counts: bool = True) -> Text:
        if provider.problem is not None:
            return fit_label(provider.name, Text(" config error", style="red"), width - _INDENT_PROVIDER,
                             style="bold", head="✖ ")
        status = provider.health.status if provider.health else HealthStatus.IDLE
        mark, style = HEALTH_MARK[status]
        tail = counts_text(provider.counts) if with_counts else Text()
        room = width - _INDENT_PROVIDER - 2 - tail.cell_len - len(provider.name)
        if room > len(provider.kind) + 1:  # the kind only where it fits
            tail = Text(f" {provider.kind}", style="dim") + tail
        label = Text(mark + " ", style=style)
        label.append_text(fit_label(provider.name, tail, width - _INDENT_PROVIDER - 2, style="bold"))
        return label

    @staticmethod
    def _health_style(provider: ProviderNode) -> str:
        if provider.problem is not None:
            return "red"
        status = provider.health.status if provider.health else HealthStatus.IDLE
        style = "dim" if status in (HealthStatus.OK, HealthStatus.IDLE) else HEALTH_MARK[status][1]
        if provider.health is not None and provider.health.hint and status is HealthStatus.OK:
            style = "yellow"
        return style

    def _set(self, ref: NodeRef, label: Text) -> None:
        node = self._node_of.get(ref)
        if node is None:
            return
        plain = label.plain + repr(label.spans)
        if self._label_cache.get(ref) != plain:
            self._label_cache[ref] = plain
            node.set_label(label)

    def _rebuild(self, providers: Sequence[ProviderNode], lists: Sequence[ListNode],
                 health: dict[str, list[str]], own_line: dict[str, bool]) -> None:
        self._providers_node.remove_children()
        self._lists_node.remove_children()
        self._node_of.clear()
        self._label_cache.clear()
        for provider in providers:
            ref = NodeRef("provider", provider.name)
            node = self._providers_node.add(provider.name, ref, expand=True)
            self._node_of[ref] = node
            if own_line[provider.name]:
                cref = NodeRef("counts", provider.name)
                self._node_of[cref] = node.add_leaf("", cref)
            for i in range(len(health[provider.name])):
                href = NodeRef("health", provider.name, line=i)
                self._node_of[href] = node.add_leaf("", href)
            for instance in provider.instances:
                iref = NodeRef("instance", provider.name, instance)
                self._node_of[iref] = node.add_leaf(instance, iref)
        for lst in lists:
            ref = NodeRef("list", lst.name)
            self._node_of[ref] = self._lists_node.add_leaf(lst.name, ref)
