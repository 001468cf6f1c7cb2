"""What the sidebar shows, as plain data (no textual)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from tui.core.model import ProviderHealth


@dataclass(frozen=True)
class ProviderNode:
    name: str
    kind: str
    health: ProviderHealth | None
    counts: Counter[str]  # by shown state word (tui.core.display.shown_state)
    instances: Mapping[str, Counter[str]] = field(default_factory=dict)
    listing_problems: Mapping[str, str] = field(default_factory=dict)  # instance -> "listed 50 of 120"
    instance_names: Mapping[str, str] = field(default_factory=dict)  # instance id -> its name (list APIs)
    scheduled: Mapping[str, str] = field(default_factory=dict)  # instance -> "2 scheduled, next 2024-03-07…"
    problem: str | None = None  # the profile is unusable: why (its first config error)


@dataclass(frozen=True)
class ListNode:
    name: str
    counts: Counter[str]
    active: bool
