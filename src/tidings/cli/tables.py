"""Records on the command line: a table that fits the terminal, or plain lines for scripts.

On a terminal, a table as wide as the terminal: URLs are never wrapped nor cut (the other columns
wrap instead), and where even that cannot fit, each record becomes a few lines of its own. When
standard output is not a terminal, one record per line, its fields separated by tabs, with times
in ISO 8601: nothing wraps, nothing is decorated, and the lines are the same whatever the width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeAlias

from tidings.cli.common import out
from tidings.i18n import gettext as _

if TYPE_CHECKING:  # rich is imported when a table is shown: see cli/common.py
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

Cell: TypeAlias = "str | int | datetime | Text | None"
GAP = 2  # spaces between two columns (none at the edges)
NARROWEST = 6  # the width a wrapping column needs to stay readable


@dataclass(frozen=True, slots=True)
class Col:
    """A column; its header and its ``empty`` are marked with ``N_`` (columns are constants of
    their modules) and translated when the table is shown."""

    header: str
    url: bool = False  # a URL: shown whole, on a terminal as in a pipe
    right: bool = False  # numbers: aligned to the right
    empty: str = ""  # what a missing value reads as on a terminal

    @property
    def title(self) -> str:
        """The header in the language being spoken."""
        return _(self.header) if self.header else ""

    @property
    def missing(self) -> str:
        """What a missing value reads as, in the language being spoken."""
        return _(self.empty) if self.empty else ""


def plain(cell: Cell) -> str:
    """A field of a line for scripts: one line of text, without tabs."""
    from rich.text import Text

    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.isoformat()
    text = cell.plain if isinstance(cell, Text) else str(cell)
    return " ".join(text.split())


def human(cell: Cell, col: Col, now: datetime) -> Text:
    """A cell of the table: times as ages ("5 minutes ago"), text never read as markup."""
    from rich.text import Text

    from tidings import i18n
    from tidings.agelocale import age

    if cell is None or cell == "":
        return Text(col.missing)
    if isinstance(cell, datetime):
        return Text(age(i18n.current(), cell, now))
    return cell if isinstance(cell, Text) else Text(str(cell))


def show(
    cols: Sequence[Col],
    rows: Sequence[Sequence[Cell]],
    *,
    now: datetime | None = None,
    console: Console | None = None,
    tty: bool | None = None,
) -> None:
    """Print the records: a table on a terminal, tab-separated lines otherwise."""
    file = out.file if console is None else console.file
    if not (file.isatty() if tty is None else tty):
        for row in rows:
            file.write("\t".join(plain(cell) for cell in row) + "\n")
        file.flush()
        return
    console = console or out.console
    moment = now or datetime.now(UTC)
    cells = [[human(cell, c, moment) for cell, c in zip(row, cols, strict=True)] for row in rows]
    if needed_width(cols, cells) <= console.width:
        console.print(table(cols, cells), soft_wrap=False)
    else:
        records(cols, cells, console)


def needed_width(cols: Sequence[Col], cells: Sequence[Sequence[Text]]) -> int:
    """The narrowest table with every URL whole and the other columns wrapped, at most."""
    total = GAP * (len(cols) - 1)
    for index, col in enumerate(cols):
        longest = max([len(col.title)] + [row[index].cell_len for row in cells])
        total += longest if col.url else min(longest, NARROWEST)
    return total


def table(cols: Sequence[Col], cells: Sequence[Sequence[Text]]) -> Table:
    from rich.table import Table

    grid = Table(box=None, header_style="bold", padding=(0, GAP // 2), pad_edge=False)
    for index, col in enumerate(cols):
        if col.url:
            longest = max([len(col.title)] + [row[index].cell_len for row in cells])
            grid.add_column(col.title, no_wrap=True, overflow="ignore", min_width=longest)
        else:
            grid.add_column(col.title, overflow="fold", justify="right" if col.right else "left")
    for row in cells:
        grid.add_row(*row)
    return grid


def records(cols: Sequence[Col], cells: Sequence[Sequence[Text]], console: Console) -> None:
    """Too narrow for a table: each record as "header: value" lines, a blank line between."""
    from rich.text import Text

    for number, row in enumerate(cells):
        if number:
            console.print()
        for col, cell in zip(cols, row, strict=True):
            label = _("%(header)s: ") % {"header": col.title}
            console.print(Text(label).append_text(cell), soft_wrap=True)
