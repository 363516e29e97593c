"""Plotting helpers shared by the chapters (matplotlib, static PNGs that render everywhere)."""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

from ._checks import check_number, check_str, show
from .plots._phone import install_legibility_check, min_font
from .png_size import install_compact_png

# The figures' Chinese font, shipped with the package: Noto Sans SC (Simplified Chinese glyph
# shapes, SIL Open Font License 1.1, data/fonts/OFL.txt) cut to the characters figures draw by
# scripts/make_figure_font.py (its settings and log: data/fonts/NotoSansSC-Regular-subset.json).
FIGURE_FONT = Path(__file__).resolve().parent / "data" / "fonts" / "NotoSansSC-Regular-subset.ttf"
# Fonts tried after it, per glyph, for characters the subset lacks (the first one installed, SC
# shapes first): Debian's fonts-noto-cjk, or the pip package cvttf-notosanscjk-regular (Noto Sans
# CJK TC, the book's optional ``cjk`` extra).
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "Noto Sans CJK KR")


def _bundled_cjk_font() -> Path | None:
    spec = importlib.util.find_spec("cvttf_NotoSansCJK_Regular")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.otf"))
        if found:
            return found[0]
    return None


def _add_font(path: Path) -> str:
    """Make the font file at ``path`` known to matplotlib (once); returns its family name."""
    fname = str(path)
    entry = next((f for f in font_manager.fontManager.ttflist if f.fname == fname), None)
    if entry is None:
        font_manager.fontManager.addfont(fname)
        entry = next(f for f in font_manager.fontManager.ttflist if f.fname == fname)
    return entry.name


def setup_cjk_font() -> str | None:
    """Make matplotlib draw Chinese characters; returns the font family used first, or None.

    The first font is the package's own Noto Sans SC subset (``FIGURE_FONT``: Simplified Chinese
    shapes, the 通用规范汉字表's 6,500 common characters, GB 2312 and every character of the book's
    texts). After it comes the first Noto Sans CJK font installed (``CJK_FAMILIES``: the pip
    package ``cvttf-notosanscjk-regular``, the book's ``cjk`` extra, or Debian's
    ``fonts-noto-cjk``), then DejaVu Sans. ``font.family`` names them all, in that order, and
    matplotlib (3.6 or later) falls back along it glyph by glyph: a rare character the subset
    lacks is still drawn when one of those fonts has it. ``font.sans-serif`` starts with the same
    fonts, for text that asks for the generic family (one font, no fallback).
    """
    families = []
    if FIGURE_FONT.is_file():
        families.append(_add_font(FIGURE_FONT))
    path = _bundled_cjk_font()
    if path is not None:
        _add_font(path)
    installed = {f.name for f in font_manager.fontManager.ttflist}
    # one of them is enough: they cover the same characters, in other regional shapes
    families += [f for f in CJK_FAMILIES if f in installed and f not in families][:1]
    if not families:
        warnings.warn(
            f"No CJK font found ({FIGURE_FONT} is missing): Chinese labels will show as boxes. "
            "Reinstall the helpers package, or install a font with `pip install cvttf-notosanscjk-regular`.",
            stacklevel=2,
        )
        return None
    current = list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.sans-serif"] = families + [f for f in current if f not in families]
    # matplotlib falls back glyph by glyph only along the families named in font.family (a generic
    # "sans-serif" there gives one font): name them, then matplotlib's own DejaVu Sans for symbols.
    default = font_manager.fontManager.defaultFamily["ttf"]
    matplotlib.rcParams["font.family"] = families + [f for f in (default,) if f not in families]
    # a true minus sign (U+2212) in tick labels: the figure font has it (and DejaVu Sans after it)
    matplotlib.rcParams["axes.unicode_minus"] = True
    return families[0]


DIVERGING = ("RdBu", "RdBu_r", "coolwarm", "bwr", "seismic", "PiYG", "PRGn", "BrBG", "PuOr", "RdYlBu")

# The width of the book's text column, in inches at matplotlib's 100 dpi: a figure this wide
# is shown at its natural size (1 inch = 100 CSS pixels), so its text keeps its point size.
COLUMN_WIDTH = 7.0

# The book's matplotlib settings (setup_figures applies them; the figure tests draw with them too).
BOOK_RC = {
    # 4.8 in at 11 pt (about 5 in shown, labels included): 2.2 pt per inch, so text stays
    # 11 px on a 390-px phone (plots._phone)
    "figure.figsize": (4.8, 3.3),
    "figure.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.title_fontsize": 11,
    "figure.titlesize": 12.5,
}


def setup_figures(check: str | None = None) -> None:
    """The book's figure style: sharp (2x) PNGs, fonts readable on a phone, Chinese labels.

    Call it once at the top of a chapter. In IPython the inline backend then draws every figure
    at twice its pixel size, tagged with its natural width, so it is sharp on high-DPI screens and
    phones without being shrunk into the column.

    It also turns on the phone check (``helpers.plots._phone``): a shown figure with a text
    smaller than 1.8 pt per inch of its shown width (9 px on a 390-px phone) fails its cell.
    ``check`` is "strict", "report" (print the small texts) or "off"; by default the environment
    variable ``BOOK_FIGURE_CHECK``, else strict. The defaults below keep to the rule: a figure of
    the default width (5.6 in, 5.4-5.6 in once cropped) needs 10.1 pt.
    """
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina")
    except ImportError:  # pragma: no cover - matplotlib-inline ships with ipykernel
        pass
    install_compact_png()  # 256-colour PNGs where no pixel moves visibly: lighter pages
    matplotlib.rcParams.update(BOOK_RC)
    setup_cjk_font()
    install_legibility_check(check)
    # returns None on purpose: a setup call on a cell's last line shows nothing


def text_colour_on(rgba: Sequence[float]) -> str:
    """Black or white, whichever reads better on a cell of colour ``rgba`` (relative luminance)."""
    if isinstance(rgba, str) or not isinstance(rgba, (Sequence, np.ndarray)):
        raise TypeError(f"rgba must be a sequence of 3 or 4 numbers in [0, 1], got {show(rgba)}")
    if len(rgba) not in (3, 4):
        raise ValueError(f"rgba must have 3 or 4 numbers in [0, 1], got {len(rgba)}: {show(rgba)}")
    for c in rgba:
        check_number(c, "each channel of rgba", 0.0, 1.0)
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgba[:3])
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "black" if luminance > 0.179 else "white"


def heatmap(
    matrix,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    ax: plt.Axes | None = None,
    title: str | None = None,
    cmap: str | None = None,
    annotate: bool = True,
    fmt: str = "{:.2f}",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
    norm: matplotlib.colors.Normalize | None = None,
) -> plt.Axes:
    """Draw a (rows, cols) matrix as a labelled heatmap, values written in the cells.

    Signed data (negative and positive values) get a diverging colour map centred on zero, unless
    ``cmap`` is given; a diverging ``cmap`` is always centred on zero when no limits are given.
    ``norm`` (a ``matplotlib.colors.Normalize``, e.g. a ``TwoSlopeNorm``) maps values to colours
    instead of ``vmin``/``vmax``, which must then be left out. Each value is written in black or
    white, whichever reads better on its cell.
    """
    if matrix is None or isinstance(matrix, (str, bytes, dict, set)):
        raise TypeError(f"matrix must be a 2-D array of numbers, got {show(matrix)}")
    try:
        m = np.asarray(matrix.detach().cpu() if hasattr(matrix, "detach") else matrix, dtype=float)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"matrix must be a 2-D array of numbers, got {show(matrix)}: {exc}") from None
    if m.ndim != 2:
        raise ValueError(f"heatmap needs a 2-D matrix, got matrix of shape {m.shape}")
    if m.size == 0:
        raise ValueError(f"matrix is empty, shape {m.shape}: nothing to draw")
    for name, labels, n in (("row_labels", row_labels, m.shape[0]), ("col_labels", col_labels, m.shape[1])):
        if isinstance(labels, str):
            raise TypeError(f"{name} must be a list of labels, got the single str {show(labels)}")
        if labels is not None and len(labels) != n:
            raise ValueError(f"{name}: {len(labels)} labels for {n} rows/columns of a {m.shape} matrix")
    check_str(fmt, "fmt")
    try:
        fmt.format(float(m.flat[0]))
    except (ValueError, IndexError, KeyError) as exc:
        raise ValueError(f"fmt {fmt!r} cannot format a float: {exc}") from None
    if cmap is not None and not isinstance(cmap, (str, matplotlib.colors.Colormap)):
        raise TypeError(f"cmap must be a colour map name or a Colormap, got {show(cmap)}")
    for name, limit in (("vmin", vmin), ("vmax", vmax)):
        if limit is not None:
            check_number(limit, name)
    if vmin is not None and vmax is not None and vmin > vmax:
        raise ValueError(f"vmin={vmin!r} must not exceed vmax={vmax!r}")
    if norm is not None:
        if not isinstance(norm, matplotlib.colors.Normalize):
            raise TypeError(f"norm must be a matplotlib.colors.Normalize, got {show(norm)}")
        if vmin is not None or vmax is not None:
            raise ValueError(f"give either norm or vmin/vmax, not both: got norm and vmin={vmin!r}, vmax={vmax!r}")
    finite = m[np.isfinite(m)]
    signed = finite.size > 0 and finite.min() < 0 < finite.max()
    if cmap is None:
        cmap = "RdBu_r" if signed else "viridis"
    if cmap in DIVERGING and norm is None and vmin is None and vmax is None and finite.size:
        vmax = float(np.abs(finite).max()) or 1.0
        vmin = -vmax
    if ax is None:
        width = min(COLUMN_WIDTH, 1 + 0.6 * m.shape[1])
        _, ax = plt.subplots(figsize=(width, 0.8 + 0.5 * m.shape[0]))
    limits = {"norm": norm} if norm is not None else {"vmin": vmin, "vmax": vmax}
    im = ax.imshow(m, cmap=cmap, aspect="auto", interpolation="nearest", **limits)
    for labels, n, setter, ticks in (
        (row_labels, m.shape[0], ax.set_yticklabels, ax.set_yticks),
        (col_labels, m.shape[1], ax.set_xticklabels, ax.set_xticks),
    ):
        if labels is not None:
            ticks(range(n))
            setter(labels)
    if col_labels is not None and max((len(str(c)) for c in col_labels), default=0) > 3:
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    if annotate and m.size <= 400:
        size = max(11.0, min_font(ax.figure.get_figwidth()))  # readable on a phone (plots._phone)
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                colour = text_colour_on(im.cmap(im.norm(m[i, j]))) if np.isfinite(m[i, j]) else "black"
                ax.text(j, i, fmt.format(m[i, j]), ha="center", va="center", fontsize=size, color=colour)
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return ax
