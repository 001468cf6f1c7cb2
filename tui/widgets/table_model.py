"""The data side of the task table: rows by key, sort order, filter. No textual import.

`TableModel` holds rows keyed by a stable string (a task key) and keeps two lists:
`order` (all keys, sorted) and `visible` (the keys that pass the filter, in sort
order). Changes are applied in batches; the sort and the filter are redone lazily,
once, the next time `visible` is read, and only when a batch touched something
they depend on: a batch whose rows keep their sort value and their filter match
leaves both lists as they are.

Rows, columns, cells and filters themselves are in tui.widgets.table_rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tui.widgets.table_rows import Column, Filter, Row, _hay, _merge, _sort_value, base_width, grow_widths


class TableModel:
    """Rows by key, in sort order, filtered. Reads of `visible` bring it up to date.

    Cost model: `apply` is O(batch); the next `refresh` re-sorts only when the batch
    added rows or changed a sort value, and then merges the moved rows into the
    still-sorted rest (a bisect per moved row and C-level slice copies); the filter
    re-runs only if the sort order or a row's match changed.

    Filtering: each row's lower-cased search text is prepared once, when the row
    changes. A filter that narrows the previous one (a word typed longer, one more
    word) scans the previous result instead of every row, and the results of the
    last few filters are kept while no row's match or the order changed, so a
    backspace back to an earlier filter costs nothing.
    """

    FIT_SAMPLE = 200
    """At most this many rows of a batch are measured to fit column widths..."""
    FIT_SAMPLE_MIN = 50
    """...and about a tenth of the batch, but at least this many."""
    KEEP_RESULTS = 8
    """How many filters' results are kept for a return to an earlier filter."""

    def __init__(self, columns: Sequence[Column] = ()) -> None:
        self._rows: dict[str, Row] = {}
        self._hay: dict[str, str] = {}  # lower-cased search text by key, prepared when a row changes
        # A list that holds every row the current filter passes (in sort order), to scan
        # instead of all rows: the previous result, when the filter narrowed it.
        self._narrow_base: list[str] | None = None
        # Results of recent filters, valid while no row's match and not the order changed.
        self._results: dict[Filter, list[str]] = {}
        self._sort_keys: dict[str, tuple[Any, ...]] = {}
        self._order: list[str] = []
        self._visible: list[str] = []
        self._position: dict[str, int] | None = None
        self._moved: set[str] = set()  # added, or sort value changed, since the last refresh
        self._removed = False
        self._full_sort = True
        self._order_dirty = False
        self._visible_dirty = False
        self._filter = Filter()
        self._filter_text = ""
        self._sort_index: int | None = None
        self._reverse = False
        self._stringify = False
        self.generation = 0
        """Bumped each time `visible` is rebuilt (order or membership may differ)."""
        self.columns: tuple[Column, ...] = ()
        self.widths: list[int] = []
        self.set_columns(columns)

    # -- columns -----------------------------------------------------------------

    def set_columns(self, columns: Sequence[Column]) -> None:
        old_sort = self.sort_column
        self.columns = tuple(columns)
        self.widths = [base_width(c) for c in self.columns]
        keys = [c.key for c in self.columns]
        self._sort_index = keys.index(old_sort) if old_sort in keys else None
        self._resort_all()
        self.fit_widths(self._rows.values(), self.FIT_SAMPLE)

    def fit_widths(self, rows: Iterable[Row], limit: int) -> bool:
        """Grow fitted columns to the widest cell in a sample of at most `limit` rows.

        Widths only grow (until `clear` or `set_columns`). Returns True if one changed.
        """
        return grow_widths(self.columns, self.widths, rows, limit)

    # -- rows --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def get(self, key: str) -> Row | None:
        return self._rows.get(key)

    @property
    def rows(self) -> Mapping[str, Row]:
        return self._rows

    def apply(self, changed: Mapping[str, Row], removed: Iterable[str] = ()) -> bool:
        """Apply a batch: insert or replace `changed` rows, then drop `removed` keys.

        Returns True if a column width grew. Marks the order dirty only if a row was
        added or removed or a sort value changed, and the filtered list only if a
        row's match changed.
        """
        rows = self._rows
        hays = self._hay
        sort_keys = self._sort_keys
        moved = self._moved
        sort_index = self._sort_index
        make_key = self._make_sort_key
        get = rows.get
        filtering = bool(self._filter)
        order_dirty = False
        for key, row in changed.items():
            old = get(key)
            rows[key] = row
            if old is None:
                moved.add(key)
                order_dirty = True
                if sort_index is not None:
                    sort_keys[key] = make_key(key, row)
                hays[key] = _hay(row)
                continue
            if sort_index is not None:
                try:
                    same = old.sort_keys[sort_index] == row.sort_keys[sort_index]
                except IndexError:  # a row without this sort key sorts on its cell text
                    same = False
                if not same:
                    sk = make_key(key, row)
                    if sk != sort_keys[key]:
                        sort_keys[key] = sk
                        moved.add(key)
                        order_dirty = True
            old_hay = hays[key]
            new_hay = old_hay if row.search_text and row.search_text == old.search_text else _hay(row)
            if new_hay != old_hay or row.state != old.state or row.provider != old.provider:
                hays[key] = new_hay
                self._results.clear()  # some filter's result may differ now
                if filtering and (not self._visible_dirty or self._narrow_base is not None):
                    was, now = self._match(old, old_hay), self._match(row, new_hay)
                    if was != now:
                        self._visible_dirty = True
                        if now:  # it may be missing from the narrowed list
                            self._narrow_base = None
        if order_dirty:
            self._order_dirty = True
        for key in removed:  # after the changes: a key in both is removed
            if rows.pop(key, None) is not None:
                sort_keys.pop(key, None)
                hays.pop(key, None)
                self._removed = True
                self._order_dirty = True
        limit = min(self.FIT_SAMPLE, max(self.FIT_SAMPLE_MIN, len(changed) // 10))
        return self.fit_widths(changed.values(), limit)

    def clear(self) -> None:
        self._rows.clear()
        self._hay.clear()
        self._narrow_base = None
        self._results.clear()
        self._sort_keys.clear()
        self._order = []
        self._visible = []
        self._moved.clear()
        self._removed = False
        self._full_sort = True
        self._order_dirty = self._visible_dirty = False
        self._position = None
        self.widths = [base_width(c) for c in self.columns]
        self.generation += 1

    # -- sort ----------------------------------------------------------------------

    @property
    def sort_column(self) -> str | None:
        if self._sort_index is None or self._sort_index >= len(self.columns):
            return None
        return self.columns[self._sort_index].key

    @property
    def sort_reverse(self) -> bool:
        return self._reverse

    def sort_by(self, column_key: str | None, reverse: bool = False) -> None:
        """Sort on a column (None: insertion order). Ties break on the row key."""
        if column_key is None:
            index = None
        else:
            keys = [c.key for c in self.columns]
            if column_key not in keys:
                raise KeyError(column_key)
            index = keys.index(column_key)
        if index == self._sort_index and reverse == self._reverse:
            return
        self._sort_index = index
        self._reverse = reverse
        self._stringify = False
        self._resort_all()

    def _make_sort_key(self, key: str, row: Row) -> tuple[Any, ...]:
        value = _sort_value(row, self._sort_index or 0)
        if value is None:
            # None last in either direction
            return (0 if self._reverse else 1, "", key)
        if self._stringify:
            value = str(value)
        return (1 if self._reverse else 0, value, key)

    def _resort_all(self) -> None:
        self._sort_keys.clear()
        if self._sort_index is not None:
            make = self._make_sort_key
            self._sort_keys.update((k, make(k, r)) for k, r in self._rows.items())
        self._full_sort = True
        self._order_dirty = True

    # -- filter --------------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        return self._filter_text

    def set_filter(self, text: str) -> None:
        self._filter_text = text
        new = Filter.parse(text)
        old = self._filter
        if new == old:
            return
        if not new.narrows(old) or self._order_dirty:
            self._narrow_base = None
        elif self._narrow_base is None and not self._visible_dirty:
            self._narrow_base = self._visible  # every row `new` passes is in it
        # (a base kept from an earlier, wider filter still holds every row `new` passes)
        self._filter = new
        self._visible_dirty = True

    def _match(self, row: Row, hay: str) -> bool:
        f = self._filter
        if f.states and not row.state.lower().startswith(f.states):
            return False
        if f.providers and not row.provider.lower().startswith(f.providers):
            return False
        for term in f.terms:
            if term not in hay:
                return False
        return True

    def matches(self, key: str) -> bool:
        """Does the row pass the filter (False if there is no such row)?"""
        if key not in self._rows:
            return False
        if not self._filter:
            return True
        return self._match(self._rows[key], self._hay[key])

    # -- derived lists -------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return self._order_dirty or self._visible_dirty

    def refresh(self) -> bool:
        """Redo the sort and filter if needed. Returns True if `visible` was rebuilt."""
        if not (self._order_dirty or self._visible_dirty):
            return False
        base = self._narrow_base
        self._narrow_base = None
        if self._order_dirty:
            self._rebuild_order()
            self._results.clear()
            base = None
        filt = self._filter
        if not filt:
            self._visible = self._order
        elif (kept := self._results.get(filt)) is not None:
            self._visible = kept
        else:
            self._visible = self._filtered(self._order if base is None else base)
            results = self._results
            if len(results) >= self.KEEP_RESULTS:
                del results[next(iter(results))]
            results[filt] = self._visible
        self._order_dirty = self._visible_dirty = False
        self._position = None
        self.generation += 1
        return True

    def _filtered(self, keys: Sequence[str]) -> list[str]:
        hays = self._hay
        filt = self._filter
        terms, states, providers = filt.terms, filt.states, filt.providers
        if not states and not providers:
            if len(terms) == 1:
                term = terms[0]
                return [k for k in keys if term in hays[k]]
            return [k for k in keys if all(t in hays[k] for t in terms)]
        match = self._match
        rows = self._rows
        return [k for k in keys if match(rows[k], hays[k])]

    def _rebuild_order(self) -> None:
        rows = self._rows
        if self._sort_index is None:
            self._order = list(rows)  # insertion order
        else:
            try:
                self._order = self._sorted_order()
            except TypeError:  # mixed types in one column: compare them as text
                self._stringify = True
                self._resort_all()
                self._order = self._sorted_order()
        self._moved = set()
        self._removed = False
        self._full_sort = False

    def _sorted_order(self) -> list[str]:
        rows = self._rows
        key = self._sort_keys.__getitem__
        reverse = self._reverse
        moved = self._moved
        if self._full_sort or len(moved) * 4 > len(rows) or not self._order:
            return sorted(rows, key=key, reverse=reverse)
        # The rows that did not move are still in order: take them out, sort the
        # moved ones, and merge them in (bisect for each, then join the slices).
        if self._removed:
            order = [k for k in self._order if k not in moved and k in rows]
        elif moved:
            order = [k for k in self._order if k not in moved]
        else:
            order = self._order
        tail = sorted((k for k in moved if k in rows), key=key)
        if tail:
            order = _merge(order[::-1] if reverse else order, tail, self._sort_keys)
            if reverse:
                order.reverse()
        if len(order) != len(rows):  # defensive: never lose a row
            order = sorted(rows, key=key, reverse=reverse)
        return order

    @property
    def order(self) -> Sequence[str]:
        self.refresh()
        return self._order

    @property
    def visible(self) -> Sequence[str]:
        self.refresh()
        return self._visible

    def peek_visible(self, start: int, stop: int) -> list[str]:
        """A slice of `visible` as it was last computed (no refresh)."""
        return self._visible[start:stop]

    def index_of(self, key: str | None) -> int | None:
        """The key's position in `visible`, or None if it is filtered out or unknown."""
        if key is None or key not in self._rows:
            return None
        self.refresh()
        if self._position is not None:
            return self._position.get(key)
        try:
            return self._visible.index(key)  # a C-level scan; cheaper than a dict rebuild
        except ValueError:
            return None

    def nearest_visible(self, key: str, fallback_index: int) -> str | None:
        """The visible key closest (in sort order) to `key`.

        If `key` is gone, the row now at `fallback_index` (clamped) is used.
        """
        visible = self.visible
        if not visible:
            return None
        if key in self._rows:
            order = self._order
            at = order.index(key)
            match = self.matches
            for step in range(1, len(order)):
                after, before = at + step, at - step
                if after < len(order) and match(order[after]):
                    return order[after]
                if before >= 0 and match(order[before]):
                    return order[before]
                if after >= len(order) and before < 0:
                    break
        return visible[max(0, min(fallback_index, len(visible) - 1))]
