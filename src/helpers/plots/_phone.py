"""Text sizes that stay readable on a phone, and the check that every shown figure keeps to them.

The rule. A figure W inches wide is shown at 100 CSS pixels per inch (``figure.dpi`` 100). On a
390-px phone the page column is about 360 px wide, so a figure wider than 3.6 in is scaled down
by 3.6 / W. A text of s points is s * 100 / 72 px at natural size; for it to stay at least 11 px
on the phone (digits about 8 px tall: fresh readers found 9-px text hard to read on a phone) it
needs

    s >= 2.2 * W points  (W > 3.6 in),    s >= 7.9 points  (narrower figures are not scaled).

W is the width of the image the reader sees: with the inline backend's ``bbox_inches="tight"``
that is the tight bounding box (plus its padding), not ``figsize``.

The check. :func:`install_legibility_check` (called by ``helpers.viz.setup_figures``, which every
chapter calls at its top) wraps the PNG formatter the inline backend registers for figures, so
every figure a chapter shows (``plt.show()``, a figure on a cell's last line, the figures the
backend shows at the end of a cell, ``display(fig)``, ``glue(name, fig)``) is checked on the
image actually sent: the texts really drawn (visible, non-empty, inside shown axes) and the
image's real width. A figure with a smaller text makes its cell fail with
:class:`FigureLegibilityError`, naming every small text, its size and the rule, so the book's
build and the notebook tests fail. ``BOOK_FIGURE_CHECK=report`` only prints the violations (to
list them all at once), ``BOOK_FIGURE_CHECK=off`` (or ``setup_figures(check="off")``) turns the
check off. There is no per-figure exemption: draw the figure narrower, stack its panels or
raise its fonts.
"""

from __future__ import annotations

import base64
import functools
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

#: Pixels per inch at which the book shows a figure (CSS pixels; ``figure.dpi`` is 100).
SHOWN_PX_PER_INCH = 100
#: Width (CSS px) a figure gets on a 390-px phone, and the smallest text height allowed there.
PHONE_WIDTH_PX = 360
PHONE_MIN_TEXT_PX = 11
#: Points per inch of figure width a text needs to keep PHONE_MIN_TEXT_PX on the phone (2.2).
PT_PER_INCH = PHONE_MIN_TEXT_PX * 72.0 / PHONE_WIDTH_PX
#: Environment variable choosing the check's mode: strict (default), report or off.
MODE_VARIABLE = "BOOK_FIGURE_CHECK"
MODES = ("strict", "report", "off")


def min_font(width: float) -> float:
    """The smallest font (points) for a figure ``width`` inches wide: shown at 100 px per inch and
    scaled down to ~360 px on a phone, text needs 2.2 pt per inch of width to stay >= 11 px."""
    return round(PT_PER_INCH * width + 0.05, 1)


def set_fonts(fig: Figure, size: float) -> None:
    """Set every text of ``fig`` (titles, labels, ticks, cell values, legends) to ``size`` points."""
    for text in fig.findobj(match=plt.Text):
        text.set_fontsize(size)


def required_size(width_px: float, dpi: float = SHOWN_PX_PER_INCH) -> float:
    """Smallest text size (points) in a figure shown ``width_px`` CSS pixels wide, drawn at ``dpi``
    pixels per inch: ``2.2 * width`` for a figure wider than 3.6 in, 7.92 pt for a narrower one."""
    scale = min(1.0, PHONE_WIDTH_PX / width_px)  # how much a phone shrinks the figure
    return PHONE_MIN_TEXT_PX / scale * 72.0 / dpi


@dataclass(frozen=True)
class SmallText:
    """One text of a shown figure that is too small for a phone."""

    kind: str
    text: str
    size: float
    required: float

    def __str__(self) -> str:
        shown = self.text if len(self.text) <= 40 else self.text[:37] + "..."
        return f"{self.kind} {shown!r}: {self.size:g} pt"


class FigureLegibilityError(ValueError):
    """A shown figure has text that would be smaller than 11 px on a 390-px phone."""


def _kind(text: Text, fig: Figure) -> str:
    """What a text is (tick label, axis label, title, legend, table cell, annotation, text)."""
    if isinstance(text, Annotation):
        return "annotation"
    if text is getattr(fig, "_suptitle", None):
        return "suptitle"
    if text in (getattr(fig, "_supxlabel", None), getattr(fig, "_supylabel", None)):
        return "figure label"
    for ax in fig.get_axes():
        if text in (ax.title, ax._left_title, ax._right_title):
            return "title"
        for axis in ax._axis_map.values():
            if text is axis.label:
                return "axis label"
            if text is axis.offsetText:
                return "axis offset"
            if text in axis.get_ticklabels(which="both"):
                return "tick label"
        legend = ax.get_legend()
        if legend is not None and (text in legend.texts or text is legend.get_title()):
            return "legend"
        for table in ax.tables:
            if any(text is cell.get_text() for cell in table.get_celld().values()):
                return "table cell"
    for legend in fig.legends:
        if text in legend.texts or text is legend.get_title():
            return "legend"
    return "text"


@contextmanager
def recording_drawn_texts() -> Iterator[dict[int, Text]]:
    """Within the block, every ``Text`` that is really drawn (visible, non-blank, not fully
    transparent, in a shown parent) is recorded in the yielded dict."""
    drawn: dict[int, Text] = {}
    original = Text.draw

    @functools.wraps(original)
    def draw(self: Text, renderer) -> None:
        alpha = self.get_alpha()
        if self.get_visible() and self.get_text().strip() and (alpha is None or alpha > 0):
            drawn[id(self)] = self
        return original(self, renderer)

    Text.draw = draw
    try:
        yield drawn
    finally:
        Text.draw = original


def small_texts(fig: Figure, texts: list[Text], width_px: float) -> list[SmallText]:
    """The ``texts`` of ``fig`` (shown ``width_px`` CSS px wide) smaller than the phone rule."""
    need = required_size(width_px, fig.dpi)
    found = [
        SmallText(_kind(t, fig), " ".join(t.get_text().split()), round(t.get_fontsize(), 2), need)
        for t in texts
        if t.get_fontsize() < need - 1e-6
    ]
    return sorted(found, key=lambda s: (s.size, s.kind, s.text))


def _png_width(data: bytes | str) -> int:
    """Pixel width of a PNG (raw bytes or base64 text)."""
    raw = base64.b64decode(data) if isinstance(data, str) else data
    if raw[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return int.from_bytes(raw[16:20], "big")


def describe(fig: Figure) -> str:
    """A short name for a figure in a message: its suptitle or first titles."""
    names = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        names.append(suptitle.get_text())
    for ax in fig.get_axes():
        for title in (ax.title, ax._left_title, ax._right_title):
            if title.get_text().strip():
                names.append(title.get_text())
        if len(names) >= 2:
            break
    label = " / ".join(" ".join(n.split()) for n in names[:2]) or fig.get_label() or "untitled"
    n_axes = len([ax for ax in fig.get_axes() if ax.get_visible()])
    return f"figure {label!r} ({n_axes} axes)"


def message(fig: Figure, width_px: float, found: list[SmallText]) -> str:
    """The error message for the small texts ``found`` in ``fig`` shown ``width_px`` px wide:
    the figure, its shown width, the size its texts need, and the small texts grouped by kind
    and size (with up to three examples each)."""
    width_in = width_px / fig.dpi
    need = required_size(width_px, fig.dpi)
    groups: dict[tuple[str, float], list[str]] = {}
    for s in found:
        groups.setdefault((s.kind, s.size), []).append(s.text if len(s.text) <= 30 else s.text[:27] + "...")
    listed = "; ".join(
        f"{len(texts)} {kind}{'s' if len(texts) > 1 else ''} at {size:g} pt ("
        + ", ".join(repr(t) for t in texts[:3])
        + (", ..." if len(texts) > 3 else "")
        + ")"
        for (kind, size), texts in groups.items()
    )
    return (
        f"{describe(fig)} is shown {width_in:.2f} in wide ({width_px:.0f} px, as cropped by "
        f"bbox_inches='tight'), so on a 390-px phone (figure scaled to {PHONE_WIDTH_PX} px) every text "
        f"needs at least {need:.2f} pt (the rule: {PT_PER_INCH:.1f} pt per inch of shown width, at least "
        f"{PHONE_MIN_TEXT_PX * 72.0 / SHOWN_PX_PER_INCH:.1f} pt) to "
        f"stay {PHONE_MIN_TEXT_PX} px high. Too small: {listed}. Draw the figure narrower, stack its "
        f"panels or raise these font sizes (helpers.plots._phone)."
    )


def figure_violations(fig: Figure, **savefig_kwargs) -> tuple[float, list[SmallText]]:
    """Render ``fig`` as the inline backend shows it (PNG, ``bbox_inches='tight'``) and return its
    shown width in CSS pixels and its texts too small for a phone."""
    kwargs = {"format": "png", "dpi": fig.dpi, "bbox_inches": "tight"} | savefig_kwargs
    buffer = BytesIO()
    with recording_drawn_texts() as drawn:
        fig.savefig(buffer, **kwargs)
    width_px = _png_width(buffer.getvalue()) * fig.dpi / kwargs["dpi"]
    return width_px, small_texts(fig, list(drawn.values()), width_px)


def check_figure(fig: Figure, **savefig_kwargs) -> None:
    """Raise :class:`FigureLegibilityError` if ``fig``, shown as the inline backend shows it, has
    a text smaller than the phone rule."""
    width_px, found = figure_violations(fig, **savefig_kwargs)
    if found:
        raise FigureLegibilityError(message(fig, width_px, found))


# --- the inline backend hook ------------------------------------------------------------------

_state: dict = {"mode": "strict", "pending": [], "shell": None}


def mode_from_env(default: str = "strict") -> str:
    mode = os.environ.get(MODE_VARIABLE, "").strip().lower() or default
    if mode not in MODES:
        raise ValueError(f"{MODE_VARIABLE} must be one of {', '.join(MODES)}, got {mode!r}")
    return mode


def checked_formatter(original):
    """Wrap a figure formatter of IPython's ``image/png`` formatter (``retina_figure`` or
    ``print_figure`` with its keyword arguments) so each figure it renders is checked."""

    @functools.wraps(original)
    def formatter(fig: Figure, *args, **kwargs):
        with recording_drawn_texts() as drawn:
            result = original(fig, *args, **kwargs)
        if result is None or _state["mode"] == "off":
            return result
        if isinstance(result, tuple):  # retina: (png, {"width": css px, "height": ...})
            width_px = float(result[1]["width"])
        else:
            width_px = float(_png_width(result))
        found = small_texts(fig, list(drawn.values()), width_px)
        if found:
            text = message(fig, width_px, found)
            if _state["mode"] == "report":
                print(f"FIGURE LEGIBILITY: {text}", file=sys.stderr)
            else:
                _state["pending"].append(text)
        return result

    formatter._legibility_checked = True  # type: ignore[attr-defined]
    formatter._legibility_original = original  # type: ignore[attr-defined]
    return formatter


def _wrap_png_formatter(shell) -> bool:
    """Wrap the figure entry of the shell's PNG formatter (once); False if there is none."""
    png = shell.display_formatter.formatters.get("image/png")
    if png is None:
        return False
    try:
        current = png.lookup_by_type(Figure)
    except KeyError:
        return False
    if not getattr(current, "_legibility_checked", False):
        png.for_type(Figure, checked_formatter(current))
    return True


def _pre_run_cell(info=None) -> None:
    _state["pending"].clear()
    if _state["shell"] is not None:
        _wrap_png_formatter(_state["shell"])  # again, in case a cell re-selected the formats


def _post_run_cell(result=None) -> None:
    """After a cell (its figures shown, including those the backend flushes at its end): fail
    the cell if a shown figure broke the rule. IPython swallows errors raised while formatting
    or in event callbacks, so the error is set on the cell's result, which the kernel reports
    as the cell's error (and nbclient, nbval and the book build then fail)."""
    pending, shell = list(_state["pending"]), _state["shell"]
    _state["pending"].clear()
    if not pending or shell is None:
        return
    error = FigureLegibilityError("\n\n".join(pending))
    shell.showtraceback((FigureLegibilityError, error, None))
    if result is not None and result.error_before_exec is None and result.error_in_exec is None:
        result.error_in_exec = error


def install_legibility_check(mode: str | None = None) -> bool:
    """Check every figure the IPython inline backend shows from now on (see the module's doc).

    ``mode``: "strict" (a small text fails the cell), "report" (prints it) or "off"; by default
    the environment variable ``BOOK_FIGURE_CHECK``, else strict. Returns True if installed
    (False outside IPython, or where figures are not shown as PNG).
    """
    mode = mode_from_env() if mode is None else mode
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    _state["mode"] = mode
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the book's kernel
        return False
    shell = get_ipython()
    if shell is None or mode == "off" or not _wrap_png_formatter(shell):
        return False
    _state["shell"] = shell
    for event, callback in (("pre_run_cell", _pre_run_cell), ("post_run_cell", _post_run_cell)):
        if callback not in shell.events.callbacks[event]:
            shell.events.register(event, callback)
    return True
