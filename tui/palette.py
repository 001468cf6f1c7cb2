"""Command palette entries, named `area: verb`, each running an app action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.core.text import clean
from tui.screens.dashboard import DashboardScreen

COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("task: add", "add_task", "Add tasks (or follow a DMS instance) to this watch list"),
    ("provider: add", "add_provider", "Set up a provider profile with a form (written to providers.toml)"),
    ("task: remove", "remove_task", "Remove the selected task from this watch list"),
    ("task: refresh", "refresh_selected", "Poll the selected task now"),
    ("task: save result", "detail('export')", "Save the decoded result of the selected task to a file"),
    ("task: copy result", "detail('copy_result')", "Copy the decoded result as JSON"),
    ("task: copy id or URL", "detail('copy_id')", "Copy the download URL, or the task id"),
    ("task: open URL", "detail('open_url')", "Open the Smint download URL in the browser"),
    ("task: toggle raw response", "detail('toggle_raw')", "Show the raw response instead of the decoded result"),
    ("tasks: refresh all", "refresh_all", "Poll every task now"),
    ("polling: pause or resume", "toggle_pause", "Stop or restart all polling"),
    ("polling: slower", "interval(1)", "Poll the selected task's provider less often"),
    ("polling: faster", "interval(-1)", "Poll the selected task's provider more often (within the API's limit)"),
    ("list: new", "new_list", "Create a watch list"),
    ("list: rename", "rename_list", "Rename this watch list"),
    ("list: delete", "delete_list", "Delete this watch list"),
    ("list: next", "cycle_list(1)", "Switch to the next watch list"),
    ("list: previous", "cycle_list(-1)", "Switch to the previous watch list"),
    ("view: filter", "filter", "Filter rows by text, state:NAME or provider:NAME"),
    ("app: help", "help", "Show every key"),
    ("app: notifications", "notifications", "Every notification so far, newest first"),
    ("app: debug", "debug", "Versions, paths, provider health and recent errors (secrets redacted)"),
    ("app: quit", "quit", "Save and quit"),
)


class DeckCommands(Provider):
    def _entries(self) -> Iterator[tuple[str, Callable[[], Awaitable[None]], str]]:
        for title, action, help_text in COMMANDS:
            yield title, self._action(action), help_text
        dashboard = self._dashboard()
        for name in dashboard.deck.list_names if dashboard is not None else ():
            yield f"list: switch to {clean(name, limit=60)}", self._switch(name), "Show this watch list"

    async def discover(self) -> Hits:
        for title, run, help_text in self._entries():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, run, help_text in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)

    def _dashboard(self) -> DashboardScreen | None:
        stack = self.app.screen_stack
        return stack[0] if stack and isinstance(stack[0], DashboardScreen) else None

    def _action(self, action: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            # Dashboard actions live on its screen; help, debug and quit on the app.
            dashboard = self._dashboard()
            name = action.split("(", 1)[0]
            target = dashboard if dashboard is not None and hasattr(dashboard, f"action_{name}") else self.app
            await self.app.run_action(action, default_namespace=target)
        return run

    def _switch(self, name: str) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            dashboard = self._dashboard()
            if dashboard is not None:
                dashboard.switch_to(name)
        return run
