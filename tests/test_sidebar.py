"""The sidebar at its narrowest: counts never cut, health wrapped, instances by name, broken profiles listed."""

from __future__ import annotations

import time
from collections import Counter

from textual.app import App, ComposeResult

from tests.helpers.deck import deck_config, huawei_profile
from tui.core.config import Config
from tui.core.model import HealthStatus, ProviderHealth
from tui.core.providers_config import parse_providers
from tui.deck.board import Board
from tui.deck.nodes import ListNode, ProviderNode
from tui.widgets.sidebar import NodeRef, Sidebar

BIG = Counter({"running": 124, "pending": 37, "succeeded": 1210, "failed": 12, "cancelled": 3})
MID = Counter({"running": 24, "pending": 14, "succeeded": 120, "failed": 4, "cancelled": 2})


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Sidebar(id="sidebar")


def label(sidebar: Sidebar, ref: NodeRef) -> str:
    return sidebar._node_of[ref].label.plain


async def test_counts_are_never_cut_health_is_wrapped_and_instances_have_names() -> None:
    app = Host()
    async with app.run_test(size=(60, 40)) as pilot:
        sidebar = app.query_one(Sidebar)
        sidebar.styles.width = 26
        await pilot.pause()
        since = time.time() - 60
        health = ProviderHealth("a-rather-long-profile-name", status=HealthStatus.UNREACHABLE, since=since,
                                interval=5.0)
        providers = [ProviderNode("a-rather-long-profile-name", "huawei-dms", health, BIG,
                                  instances={"1e2feb89-414c-443c-9027-54b2ef5b4c9e": MID},
                                  instance_names={"1e2feb89-414c-443c-9027-54b2ef5b4c9e": "rabbitmq-orders"}),
                     ProviderNode("broken", "", None, Counter(), problem="kind: unknown kind 'smnt' — did you "
                                                                          "mean 'smint'?")]
        sidebar.update_model(providers, [ListNode("A list with a long name", MID, True)])
        await pilot.pause()
        # Too many to sit beside the name: the provider's counts get a line of their own, whole.
        assert label(sidebar, NodeRef("counts", "a-rather-long-profile-name")).strip() == "▶124 ◷37 ✔1210 ✖12 ⊘3"
        assert label(sidebar, NodeRef("provider", "a-rather-long-profile-name")).startswith("✗ a-rather")
        tight = "▶24◷14✔120✖4⊘2"  # beside a name, without the spaces when that is what fits
        instance = label(sidebar, NodeRef("instance", "a-rather-long-profile-name",
                                          "1e2feb89-414c-443c-9027-54b2ef5b4c9e"))
        assert instance.endswith(tight) and instance.startswith("rab")  # by name, which gives way
        assert label(sidebar, NodeRef("list", "A list with a long name")).replace(" ", "").endswith(tight)
        width = sidebar.scrollable_content_region.width
        for ref in sidebar._node_of:
            indent = 2 if ref.kind == "list" else 4
            assert len(label(sidebar, ref)) <= width - indent, (ref, label(sidebar, ref))
        lines = [label(sidebar, r) for r in sidebar._node_of if r.kind == "health" and r.name.startswith("a-")]
        said = " ".join(lines)
        assert "retrying every 5 s" in said and "last success never" in said
        # The broken profile is listed, marked, with its problem wrapped under it.
        assert label(sidebar, NodeRef("provider", "broken")).startswith("✖ broken")
        problem = " ".join(label(sidebar, r) for r in sidebar._node_of if r.kind == "health" and r.name == "broken")
        assert "unknown kind 'smnt'" in problem and "did you mean 'smint'?" in problem


def test_a_profile_with_config_errors_stays_in_the_sidebar_data() -> None:
    text = ('[providers.good]\nkind = "huawei-dms"\nbase_url = "https://x"\nproject_id = "p"\n'
            '[providers.bad]\nkind = "smnt"\nbase_url = "https://x"\n')
    providers, problems = parse_providers(text, None)
    config = Config.in_memory(list(providers.providers.values()), [])
    config.providers = providers
    config.problems = problems
    nodes, _ = Board(config, None).sidebar()
    bad = next(n for n in nodes if n.name == "bad")
    assert bad.problem is not None and "smnt" in bad.problem
    assert next(n for n in nodes if n.name == "good").problem is None
    assert deck_config([huawei_profile("x", "huawei-dms", "http://127.0.0.1:9")], {}) is not None
