"""The dashboard's dialogs: the add form and the watch-list prompts.

A mixin of DashboardScreen: each dialog's answer goes to one controller action and
its outcome is drawn by the screen, as for a key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from tui.core.model import TaskRef
from tui.core.text import clean
from tui.deck.controller import Deck
from tui.deck.outcome import Outcome
from tui.screens.add_task import AddTaskRequest, AddTaskScreen, ProviderChoice
from tui.screens.confirm import ConfirmScreen
from tui.screens.onboarding import Onboarding
from tui.screens.prompt import PromptScreen

if TYPE_CHECKING:
    from textual.app import App


class DashboardDialogs:
    deck: Deck
    app: App[None]
    onboarding: Onboarding

    def show_outcome(self, outcome: Outcome) -> None:
        raise NotImplementedError

    def remember_view(self) -> None:
        raise NotImplementedError

    def _selected_ref(self) -> TaskRef | None:
        raise NotImplementedError

    def action_add_task(self) -> None:
        board = self.deck.board
        choices = [ProviderChoice(name=p.name, kind=p.kind, needs_instance=p.needs_instance,
                                  instances=sorted({r.instance for r in board.all_refs()
                                                    if r.provider == p.name and r.instance}))
                   for p in self.deck.config.providers.providers.values()]
        if not choices:
            self.onboarding.open_setup()  # nothing to add tasks to yet: set a provider up first
            return
        selected = self._selected_ref()
        self.app.push_screen(AddTaskScreen(choices, provider=selected.provider if selected else None,
                                           list_instances=self.onboarding.list_instances), self._added)

    def _added(self, request: AddTaskRequest | None) -> None:
        if request is None:
            return
        refs = [TaskRef(provider=request.provider, id=task_id, instance=request.instance, label=request.label)
                for task_id in request.ids]
        follow = (request.provider, request.instance) if request.follow_instance and request.instance else None
        self.show_outcome(self.deck.add(refs, follow=follow))

    def _attempt(self, action: Callable[[str], Outcome]) -> Callable[[str], str | None]:
        """A prompt's attempt: run the action; a refusal stays in the dialog, as its inline message."""
        def attempt(text: str) -> str | None:
            if not text.strip():
                return None
            outcome = action(text)
            if outcome.error:
                return outcome.error
            self.show_outcome(outcome)
            return None
        return attempt

    def action_new_list(self) -> None:
        def create(name: str) -> Outcome:
            self.remember_view()
            return self.deck.create_list(name)
        self.app.push_screen(PromptScreen("New watch list", placeholder="name", attempt=self._attempt(create)))

    def action_rename_list(self) -> None:
        old = self.deck.board.active_name
        if old is None:
            return

        self.app.push_screen(PromptScreen("Rename watch list", value=old, attempt=self._attempt(self.deck.rename_list)))

    def action_delete_list(self) -> None:
        board = self.deck.board
        name = board.active_name
        if name is None:
            return

        def delete(ok: bool | None) -> None:
            if ok:
                self.show_outcome(self.deck.delete_list())
        count = len(board.active_refs())
        self.app.push_screen(ConfirmScreen(f"Delete the watch list '{clean(name)}' and its {count} tasks? "
                                           "(u brings it back)", "Delete", focus_cancel=True), delete)
