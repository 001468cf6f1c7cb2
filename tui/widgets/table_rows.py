"""Rows, columns and filters of the task table, as data: what `TableModel` (tui.widgets.table_model) keeps.

Row contract (see `Row`): every string in a row that came from a server must go
through `tui.core.text.clean` before the row is built; `make_row` does that.
Styles in a row come from trusted code only, never from server data.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence, Sized
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal

from rich.cells import cell_len

from tui.core.display import OTHER, PARTIAL, PARTIAL_LOOK, PARTIAL_WORD, STATE_LOOKS
from tui.core.text import clean

Align = Literal["left", "right", "center"]

# A cell is plain text, or (text, style) where style is a Rich style string such as
# "bold red" or the name of a table component class such as "task-table--state-failed"
# (so themes can restyle it), or a rich `Text` (anything with `.plain`). Text in a cell
# is shown literally: it is never parsed as markup.
Cell = Any

# The state symbols by state word (tui.core.display); the table colours them by component class.
STATE_SYMBOLS: dict[str, str] = {state.value: look.symbol for state, look in STATE_LOOKS.items()}
STATE_SYMBOLS[PARTIAL_WORD] = PARTIAL_LOOK.symbol


@dataclass(frozen=True, slots=True)
class Column:
    """One table column.

    `width` fixes the width in cells; when it is None the width is fitted from a
    sample of rows (and the label), kept between `min_width` and `max_width`.
    `sortable` columns can be chosen with `sort_by`, a header click or `s`.
    """

    key: str
    label: str
    width: int | None = None
    min_width: int = 3
    max_width: int = 40
    align: Align = "left"
    sortable: bool = True


@dataclass(frozen=True, slots=True)
class Row:
    """One task as the table shows it.

    cells: one per column, in column order; each a `Cell` (see above). Text must be
        cleaned already (`tui.core.text.clean`); the table cleans again only if it
        still sees a control character.
    sort_keys: optional, one per column; the value `sort_by` orders on. A missing
        entry (or an empty tuple) means "sort on the cell text". None sorts last.
    search_text: what the filter's free text matches (case-insensitive substring);
        empty means "all the cells' text joined".
    state: the task state word ("running", "failed", ...) for `state:` filters.
    provider: the provider name for `provider:` filters.
    stale: the data is old (last poll failed); the table dims the row.
    """

    cells: tuple[Cell, ...]
    sort_keys: tuple[Any, ...] = ()
    search_text: str = ""
    state: str = ""
    provider: str = ""
    stale: bool = False


# A superset of what `clean()` may change: every Unicode control (Cc), format (Cf),
# line/paragraph separator (Zl, Zp) and surrogate (Cs) code point. Strings with none
# of these skip the full clean; the tests check this stays a superset.
_NEEDS_CLEAN = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f]"
)


def needs_clean(text: str) -> bool:
    """Might `clean()` change this string? (False means it is certainly safe.)"""
    return _NEEDS_CLEAN.search(text) is not None


def _clean(text: object) -> str:
    if type(text) is str and not _NEEDS_CLEAN.search(text):
        return text
    return clean(text)


def cell_text(cell: Cell) -> str:
    """The plain text of a cell."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, tuple):
        return str(cell[0])
    plain = getattr(cell, "plain", None)
    return plain if isinstance(plain, str) else str(cell)


def clean_cell(cell: Cell) -> Cell:
    """A cell with its text cleaned; styles are kept as they are."""
    if isinstance(cell, str):
        return _clean(cell)
    if isinstance(cell, tuple):
        return (_clean(cell[0]), cell[1])
    plain = getattr(cell, "plain", None)
    if isinstance(plain, str):
        if not _NEEDS_CLEAN.search(plain):
            return cell
        return _clean(plain)  # rebuilding spans after a change of length is not worth it
    return _clean(cell)


def state_cell(state: str) -> tuple[str, str]:
    """A state cell readable without colour: symbol + word, styled by component class."""
    word = _clean(state) or "unknown"
    if word == PARTIAL:
        word = PARTIAL_WORD
    symbol = STATE_SYMBOLS.get(word.lower(), OTHER.symbol)
    return (f"{symbol} {word}", f"task-table--state-{word.lower()}" if word.lower() in STATE_SYMBOLS else "")


def make_row(
    cells: Sequence[Cell],
    *,
    sort_keys: Sequence[Any] = (),
    search_text: str | None = None,
    state: str = "",
    provider: str = "",
    stale: bool = False,
) -> Row:
    """Build a `Row` from untrusted values: every cell's text goes through `clean`."""
    cleaned = tuple(clean_cell(c) for c in cells)
    if search_text is None:
        search_text = " ".join(cell_text(c) for c in cleaned)
    else:
        search_text = _clean(search_text)
    return Row(
        cells=cleaned,
        sort_keys=tuple(sort_keys),
        search_text=search_text,
        state=_clean(state),
        provider=_clean(provider),
        stale=stale,
    )


@dataclass(frozen=True, slots=True)
class Filter:
    """A parsed filter: free-text terms (all must match), states and providers (any).

    `state:` and `provider:` values match as case-insensitive prefixes, so
    `state:fail` finds "failed". Several `state:` tokens OR together.
    """

    terms: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    providers: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Filter:
        terms: list[str] = []
        states: list[str] = []
        providers: list[str] = []
        for token in text.lower().split():
            name, sep, value = token.partition(":")
            if sep and name == "state":
                if value:
                    states.append(value)
            elif sep and name == "provider":
                if value:
                    providers.append(value)
            else:
                terms.append(token)
        return cls(tuple(terms), tuple(states), tuple(providers))

    def __bool__(self) -> bool:
        return bool(self.terms or self.states or self.providers)

    def narrows(self, other: Filter) -> bool:
        """Does every row this filter passes also pass `other`? (True means it can be
        applied to `other`'s result instead of to every row.)

        Each of `other`'s words must be inside one of ours (so "ru" -> "run"), and
        each of our `state:`/`provider:` prefixes must extend one of `other`'s, if
        `other` has any.
        """
        if not all(any(old in new for new in self.terms) for old in other.terms):
            return False
        for mine, theirs in ((self.states, other.states), (self.providers, other.providers)):
            if theirs and not (mine and all(m.startswith(theirs) for m in mine)):
                return False
        return True


def _hay(row: Row) -> str:
    """The lower-cased text the filter's free words are matched against."""
    return (row.search_text or " ".join(cell_text(c) for c in row.cells)).lower()


def _sort_value(row: Row, index: int) -> Any:
    keys = row.sort_keys
    if index < len(keys):
        return keys[index]
    cells = row.cells
    return cell_text(cells[index]).lower() if index < len(cells) else None


def _merge(ordered: list[str], new: list[str], sort_keys: Mapping[str, Any]) -> list[str]:
    """Merge `new` (ascending) into `ordered` (ascending); both sorted on `sort_keys`.

    About log2(N) comparisons per new key plus C-level copies of the slices between
    them: for 5 % of 10k rows, cheaper than letting `list.sort` walk all N rows.
    """
    key = sort_keys.__getitem__
    out: list[str] = []
    extend, append = out.extend, out.append
    lo, n = 0, len(ordered)
    for k in new:
        at = bisect_left(ordered, sort_keys[k], lo, n, key=key)
        extend(ordered[lo:at])
        append(k)
        lo = at
    extend(ordered[lo:])
    return out


def base_width(column: Column) -> int:
    """A column's starting width: fixed, or room for its label and a sort indicator."""
    if column.width is not None:
        return column.width
    return max(column.min_width, min(column.max_width, cell_len(column.label) + 2))


def grow_widths(columns: Sequence[Column], widths: list[int], rows: Iterable[Row], limit: int) -> bool:
    """Grow the fitted columns' `widths` (in place) to the widest cell in a sample of at most `limit`
    rows. Widths only grow. Returns True if one changed."""
    fitted = [(i, c.max_width) for i, c in enumerate(columns) if c.width is None]
    if not fitted or limit <= 0:
        return False
    sample: Iterable[Row] = rows
    if isinstance(rows, Sized) and len(rows) > limit:
        # spread the sample over the whole batch, not just its head
        sample = islice(rows, 0, None, len(rows) // limit)
    cell_rows = [r.cells for r in islice(sample, limit)]
    if not cell_rows:
        return False
    ncells = min(len(c) for c in cell_rows)
    by_column = list(zip(*cell_rows, strict=False)) if ncells else []
    changed = False
    for i, cap in fitted:
        w = widths[i]
        if w >= cap or i >= ncells:
            continue
        texts = by_column[i]
        try:
            ascii_only = all(map(str.isascii, texts))
        except TypeError:  # not all plain str cells
            texts = tuple(map(cell_text, texts))
            ascii_only = all(map(str.isascii, texts))
        longest = max(map(len, texts))
        if ascii_only:  # the common case: one cell per character
            need = min(cap, longest)
        elif 2 * longest <= w:  # a character is at most two cells wide
            continue
        else:
            need = min(cap, max(cell_len(t) for t in set(texts) if 2 * len(t) > w))
        if need > w:
            widths[i] = need
            changed = True
    return changed
