"""A small table that reads on a phone: HTML on the page and in Jupyter, aligned text elsewhere.

A table printed as text (``print(f"{name:<12}{value:>8.3f}")``) is a ``<pre>`` block on the site:
on a 390-px phone anything past about 40 characters scrolls sideways, row labels included.
:class:`Table` is shown as an HTML table instead: its cells wrap, its numbers are right-aligned,
and a table still too wide for the screen scrolls inside its own box with the first column kept in
view (``_ext/site_static/book-site.css``, class ``book-table``). Its ``repr`` is the same table as
aligned text, for a terminal or a plain-text notebook output.

    >>> Table(["model", "loss"], [["bigram", 2.4567], ["GPT", 1.5]], digits=2)
    model   loss
    bigram  2.46
    GPT     1.50
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Sequence

from ._checks import check_int, show


def _cell(value: object, digits: int) -> str:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    return f"{float(value):,.{digits}f}"


class Table:
    """Rows of cells under a header; numbers are formatted with ``digits`` decimals (ints with
    thousands separators), every other cell with ``str``. Display it as a cell's last value."""

    def __init__(self, header: Sequence[str], rows: Sequence[Sequence[object]], digits: int = 3,
                 caption: str | None = None) -> None:
        if isinstance(header, str) or not isinstance(header, Sequence) or not header:
            raise ValueError(f"header must be a non-empty list of column names, got {show(header)}")
        if not all(isinstance(h, str) for h in header):
            raise TypeError(f"header must hold strings, got {show(header)}")
        if isinstance(rows, str) or not isinstance(rows, Sequence):
            raise TypeError(f"rows must be a list of rows, got {show(rows)}")
        for i, row in enumerate(rows):
            if isinstance(row, str) or not isinstance(row, Sequence) or len(row) != len(header):
                raise ValueError(f"rows[{i}] must be a list of {len(header)} cells (one per header "
                                 f"column), got {show(row)}")
        self.digits = check_int(digits, "digits", low=0, high=12)
        if caption is not None and not isinstance(caption, str):
            raise TypeError(f"caption must be a string or None, got {show(caption)}")
        self.header = list(header)
        self.rows = [list(r) for r in rows]
        self.caption = caption
        # a column is numeric (right-aligned) when every cell in it is a number
        self.numeric = [all(isinstance(r[j], numbers.Real) and not isinstance(r[j], bool) for r in self.rows)
                        and bool(self.rows) for j in range(len(self.header))]

    def cells(self) -> list[list[str]]:
        """The formatted cells, row by row (the header not included)."""
        return [[_cell(v, self.digits) for v in row] for row in self.rows]

    def __repr__(self) -> str:
        body = [self.header] + self.cells()
        widths = [max(len(r[j]) for r in body) for j in range(len(self.header))]
        lines = []
        for row in body:
            parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(row, widths, self.numeric)]
            lines.append("  ".join(parts).rstrip())
        if self.caption:
            lines.insert(0, self.caption)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        def td(tag: str, text: str, num: bool) -> str:
            style = ' style="text-align:right"' if num else ' style="text-align:left"'
            return f"<{tag}{style}>{html.escape(text)}</{tag}>"

        head = "".join(td("th", h, n) for h, n in zip(self.header, self.numeric))
        body = "".join("<tr>" + "".join(td("td", c, n) for c, n in zip(row, self.numeric)) + "</tr>"
                       for row in self.cells())
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (f'<div class="book-table" style="overflow-x:auto"><table>{caption}'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
