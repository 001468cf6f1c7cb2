"""The left sidebar: provider profiles (with their instances) and watch lists.

Each node shows counts per state and, for providers, a health mark. Labels are
rebuilt only when their text changed, and the tree structure only when the set
of providers, instances or lists changed.
"""

from __future__ import annotations

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

    kind: str  # "provider" | "health" | "instance" | "list" | "group"
    name: str
    instance: str | None = None


def counts_text(counts: Counter[str]) -> Text:
    """Counts by shown state word (tui.core.display.SHOWN_STATES order): symbol and number."""
    text = Text()
    for word in SHOWN_STATES:
        n = counts.get(word, 0)
        if n:
            look = look_of_word(word)
            text.append(f" {look.symbol}{n}", style=rich_style(look))
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

    def process_label(self, label: str | Text) -> Text:
        if isinstance(label, Text):
            return label
        return Text(clean(label))

    def update_model(self, providers: Sequence[ProviderNode], lists: Sequence[ListNode]) -> None:
        shape = (tuple((p.name, tuple(p.instances)) for p in providers), tuple(lst.name for lst in lists))
        if shape != self._tree_shape:
            self._rebuild(providers, lists)
            self._tree_shape = shape
        for provider in providers:
            self._set(NodeRef("provider", provider.name), self._provider_label(provider))
            self._set(NodeRef("health", provider.name), self._health_label(provider))
            for instance, counts in provider.instances.items():
                label = Text(clean(instance, limit=24), style="dim")
                label.append_text(counts_text(counts))
                problem = provider.listing_problems.get(instance)
                if problem:
                    label.append(f" ⚠ {clean(problem, limit=60)}", style="yellow")
                self._set(NodeRef("instance", provider.name, instance), label)
        for lst in lists:
            label = Text(("▸ " if lst.active else "  ") + clean(lst.name, limit=40),
                         style="bold" if lst.active else "")
            label.append_text(counts_text(lst.counts))
            self._set(NodeRef("list", lst.name), label)

    def _provider_label(self, provider: ProviderNode) -> Text:
        status = provider.health.status if provider.health else HealthStatus.IDLE
        mark, style = HEALTH_MARK[status]
        label = Text.assemble((mark + " ", style), (clean(provider.name, limit=30), "bold"),
                              (f" {provider.kind}", "dim"))
        label.append_text(counts_text(provider.counts))
        return label

    @staticmethod
    def _health_label(provider: ProviderNode) -> Text:
        status = provider.health.status if provider.health else HealthStatus.IDLE
        style = "dim" if status in (HealthStatus.OK, HealthStatus.IDLE) else HEALTH_MARK[status][1]
        if provider.health is not None and provider.health.hint and status is HealthStatus.OK:
            style = "yellow"
        return Text(health_text(provider.health), style=style)

    def _set(self, ref: NodeRef, label: Text) -> None:
        node = self._node_of.get(ref)
        if node is None:
            return
        plain = label.plain + repr(label.spans)
        if self._label_cache.get(ref) != plain:
            self._label_cache[ref] = plain
            node.set_label(label)

    def _rebuild(self, providers: Sequence[ProviderNode], lists: Sequence[ListNode]) -> None:
        self._providers_node.remove_children()
        self._lists_node.remove_children()
        self._node_of.clear()
        self._label_cache.clear()
        for provider in providers:
            ref = NodeRef("provider", provider.name)
            node = self._providers_node.add(provider.name, ref, expand=True)
            self._node_of[ref] = node
            href = NodeRef("health", provider.name)
            self._node_of[href] = node.add_leaf("", href)
            for instance in provider.instances:
                iref = NodeRef("instance", provider.name, instance)
                self._node_of[iref] = node.add_leaf(instance, iref)
        for lst in lists:
            ref = NodeRef("list", lst.name)
            self._node_of[ref] = self._lists_node.add_leaf(lst.name, ref)
