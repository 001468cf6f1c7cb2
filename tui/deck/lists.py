"""The watch-list actions of the session controller: switch, cycle, create, rename, delete, restore.

A mixin of `Deck` (tui.deck.controller), kept apart so each module has one job. Like
every action, each one changes the lists, tells the engine, and returns an Outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tui.core.config import Config, WatchList
from tui.core.engine_process import EngineLike
from tui.core.text import clean
from tui.core.uistate import ListUiState
from tui.deck.board import Board
from tui.deck.outcome import WARNING, Note, Outcome


@dataclass(frozen=True, slots=True)
class DeletedList:
    """What `u` needs to bring a deleted list back."""

    watchlist: WatchList
    ui: ListUiState
    position: int


class ListActions:
    config: Config
    board: Board
    _undo: Any

    @property
    def engine(self) -> EngineLike:
        raise NotImplementedError

    def _apply_list_intervals(self) -> None:
        raise NotImplementedError

    def _watched(self, key: str) -> bool:
        raise NotImplementedError

    # -- watch lists -----------------------------------------------------------------------------------

    @property
    def list_names(self) -> list[str]:
        return self.config.watch.names

    def switch(self, name: str) -> Outcome:
        if name == self.board.active_name or self.config.watch.get(name) is None:
            return Outcome()
        self.board.active_name = name
        self.board.refresh_active()
        self.config.ui.set_last_list(name)
        self._apply_list_intervals()
        return Outcome(reload=True)

    def cycle(self, step: int) -> Outcome:
        names = self.list_names
        if not names:
            return Outcome()
        index = names.index(self.board.active_name) if self.board.active_name in names else -1
        return self.switch(names[(index + step) % len(names)])

    def switch_number(self, number: int) -> Outcome:
        names = self.list_names
        return self.switch(names[number - 1]) if 0 < number <= len(names) else Outcome()

    def create_list(self, name: str) -> Outcome:
        name = name.strip()
        if not name:
            return Outcome()
        try:
            self.config.watch.create_list(name)
        except ValueError as exc:
            return Outcome.refused(clean(str(exc)))
        return self.switch(name)

    def rename_list(self, new: str) -> Outcome:
        old, new = self.board.active_name, new.strip()
        if old is None or not new or new == old:
            return Outcome()
        try:
            self.config.watch.rename_list(old, new)
        except ValueError as exc:
            return Outcome.refused(clean(str(exc)))
        self.config.ui.rename_list(old, new)
        self.board.active_name = new
        self.config.ui.set_last_list(new)
        return Outcome()

    def delete_list(self) -> Outcome:
        """Delete the active list; tasks and followed instances no other list watches stop being polled."""
        name = self.board.active_name
        watchlist = self.board.active
        if name is None or watchlist is None:
            return Outcome()
        position = self.list_names.index(name)
        ui = self.config.ui.get(name)
        self.config.watch.delete_list(name)
        self.config.ui.forget_list(name)
        gone = [ref.key for ref in watchlist.tasks if not self._watched(ref.key)]
        if gone:
            self.engine.remove(gone)
        follows = self.board.follows()
        for followed in watchlist.instances:
            if (followed.provider, followed.instance) not in follows:
                self.engine.unfollow(followed.provider, followed.instance)
        self._undo = DeletedList(watchlist, ui, position)
        names = self.list_names
        self.board.active_name = names[0] if names else None
        self.board.refresh_active()
        self.config.ui.set_last_list(self.board.active_name)
        self._apply_list_intervals()
        return Outcome(reload=True, notes=[Note(f"Deleted watch list {clean(name)} — press u to undo",
                                                timeout=8)])

    def _restore_list(self, deleted: DeletedList) -> Outcome:
        watchlist = deleted.watchlist
        if self.config.watch.get(watchlist.name) is not None:
            return Outcome(notes=[Note(f"A list named {clean(watchlist.name)} exists again; not restored",
                                       severity=WARNING)])
        self.config.watch.create_list(watchlist.name)
        self.config.watch.add_tasks(watchlist.name, watchlist.tasks)
        for followed in watchlist.instances:
            self.config.watch.follow_instance(watchlist.name, followed.provider, followed.instance,
                                              followed.since)
            self.engine.follow(followed.provider, followed.instance, followed.since)
        self.config.ui.update(watchlist.name, **ui_fields(deleted.ui))
        self.engine.add(watchlist.tasks)
        outcome = self.switch(watchlist.name)
        outcome.reload = True
        return outcome.note(f"Restored watch list {clean(watchlist.name)}", timeout=3)

    def remember_view(self, *, sort: str | None, sort_reverse: bool, filter: str, selected: str | None) -> None:
        name = self.board.active_name
        if name and self.config.watch.get(name) is not None:
            self.config.ui.update(name, sort=sort, sort_reverse=sort_reverse, filter=filter, selected=selected)

    def view(self) -> ListUiState | None:
        """The remembered sort, filter and selection of the active list."""
        name = self.board.active_name
        return self.config.ui.get(name) if name else None


def ui_fields(state: ListUiState) -> dict[str, Any]:
    return {"sort": state.sort, "sort_reverse": state.sort_reverse, "filter": state.filter,
            "selected": state.selected, "intervals": dict(state.intervals)}
