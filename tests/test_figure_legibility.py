"""The phone check of every shown figure (helpers.plots._phone, installed by viz.setup_figures).

Rule: a figure shown W inches wide (100 px per inch, scaled to 360 px on a 390-px phone) needs
every visible text at >= 2.2 * W points (>= 7.92 pt when it is narrower than 3.6 in), W being
the width of the image shown, i.e. after bbox_inches='tight'.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from helpers.plots import _phone
from helpers.plots._phone import (
    FigureLegibilityError,
    check_figure,
    checked_formatter,
    figure_violations,
    min_font,
    required_size,
)

SRC = Path(__file__).resolve().parents[1] / "src"



pytestmark = pytest.mark.usefixtures("book_style")


def _line_figure(width: float, tick_size: float | None = None) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(width, 3))
    ax.plot([0, 1, 2], [1, 3, 2], label="loss")
    ax.set_title("a title")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (nats)")
    ax.legend()
    ax.annotate("peak", (1, 3), (1.3, 2.6), arrowprops={"arrowstyle": "->"})
    if tick_size is not None:
        ax.tick_params(labelsize=tick_size)
    return fig


def test_the_rule():
    assert required_size(560) == pytest.approx(12.32)  # 5.6 in: 2.2 pt per inch
    assert required_size(360) == pytest.approx(7.92)  # 3.6 in: not scaled on a phone
    assert required_size(250) == pytest.approx(7.92)  # narrower: still 11 px at natural size
    assert required_size(600, dpi=200) == pytest.approx(required_size(600) / 2)  # 2 px per pt-unit
    assert min_font(5.0) >= 2.2 * 5.0


def test_a_compliant_figure_passes():
    fig = _line_figure(5.0)
    check_figure(fig)
    width_px, found = figure_violations(fig)
    assert found == []
    assert 380 < width_px <= 520  # cropped to its drawn content (plus 0.1 in padding)


def test_the_book_defaults_pass_at_the_default_width():
    fig = _line_figure(plt.rcParams["figure.figsize"][0])
    check_figure(fig)


def test_a_violating_figure_raises_naming_texts_sizes_and_rule():
    fig = _line_figure(8.0, tick_size=9)
    with pytest.raises(FigureLegibilityError) as info:
        check_figure(fig)
    text = str(info.value)
    width_px, found = figure_violations(fig)
    assert f"{width_px / 100:.2f} in wide" in text
    assert f"{required_size(width_px):.2f} pt" in text
    assert "2.2 pt per inch" in text and "11 px" in text
    assert "tick labels at 9 pt" in text
    assert "title at 12 pt ('a title')" in text
    assert "annotation at 11 pt ('peak')" in text
    assert "legend at 11 pt ('loss')" in text
    assert {s.kind for s in found} >= {"tick label", "axis label", "title", "legend", "annotation"}


def test_the_width_is_the_tight_bbox_not_figsize():
    # Wide canvas, narrow content: 6 in of figsize would need 10.8 pt, the shown image is ~3 in.
    fig = plt.figure(figsize=(6.0, 3.0))
    ax = fig.add_axes((0.35, 0.15, 0.3, 0.7))
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("x")
    width_px, found = figure_violations(fig)
    assert width_px < 360 and found == []
    assert min_font(6.0) > 10.5
    # Content sticking out of the canvas widens the shown image: a legend outside the axes.
    fig, ax = plt.subplots(figsize=(5.0, 3.0))
    ax.plot([0, 1], [0, 1], label="a long legend entry outside")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9.5)
    ax.tick_params(labelsize=9.5)
    assert 9.5 >= 1.8 * 5.0  # would pass at its figsize ...
    width_px, found = figure_violations(fig)
    assert width_px > 560 and found  # ... but it is shown wider than 5.6 in


def test_hidden_empty_and_clipped_away_texts_are_not_checked():
    fig, ax = plt.subplots(figsize=(5.0, 3.0))
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.5, "hidden", fontsize=4).set_visible(False)
    ax.text(0.2, 0.2, "   ", fontsize=4)
    ax.text(0.3, 0.3, "transparent", fontsize=4, alpha=0)
    ax.set_xticks([0, 0.5, 1], ["a", "", "c"])
    off = fig.add_axes((0.7, 0.7, 0.2, 0.2))
    off.tick_params(labelsize=4)  # ticks of an axes without axis lines are not drawn
    off.axis("off")
    check_figure(fig)


def test_table_cells_are_checked():
    fig, ax = plt.subplots(figsize=(5.0, 2.0))
    ax.axis("off")
    table = ax.table(cellText=[["1", "2"], ["3", "4"]], colLabels=["a", "b"], loc="center")
    table.auto_set_font_size(False)
    table.set_fontsize(7)
    _, found = figure_violations(fig)
    assert {s.kind for s in found} == {"table cell"} and len(found) == 6


def test_the_inline_formatter_checks_the_image_it_sends(monkeypatch):
    """The wrapped retina formatter measures the width it reports ("width" = CSS px) and keeps
    the violation for the end of the cell; a compliant figure leaves nothing."""
    from IPython.core.pylabtools import retina_figure

    monkeypatch.setitem(_phone._state, "mode", "strict")
    monkeypatch.setitem(_phone._state, "pending", [])
    formatter = checked_formatter(partial(retina_figure, base64=True, bbox_inches="tight"))
    data, meta = formatter(_line_figure(5.0))
    assert data and meta["width"] < 520 and _phone._state["pending"] == []
    wide = _line_figure(8.0, tick_size=9)
    _, meta = formatter(wide)
    assert len(_phone._state["pending"]) == 1
    assert f"({meta['width']} px" in _phone._state["pending"][0]
    _phone._state["pending"].clear()
    monkeypatch.setitem(_phone._state, "mode", "report")
    formatter(wide)
    assert _phone._state["pending"] == []


NOTEBOOK_CELLS = [
    "import matplotlib.pyplot as plt\nfrom helpers.viz import setup_figures\nsetup_figures()",
    # compliant, shown with plt.show()
    "fig, ax = plt.subplots(); ax.plot([1, 2]); ax.set_title('ok'); plt.show()",
    # violating, shown by the backend at the end of the cell (no plt.show)
    "fig, ax = plt.subplots(figsize=(9, 3)); ax.plot([1, 2]); ax.set_title('wide, flushed')",
    # violating, shown with plt.show()
    "fig, ax = plt.subplots(figsize=(9, 3)); ax.plot([1, 2]); plt.show()",
    # violating, shown as a cell's value
    "fig, ax = plt.subplots(figsize=(9, 3)); ax.plot([1, 2]); plt.close(fig); fig",
    # violating, glued (myst-nb's glue formats it through the same formatter)
    "from myst_nb import glue\nfig, ax = plt.subplots(figsize=(9, 3)); ax.plot([1, 2]); plt.close(fig)\n"
    "glue('wide_fig', fig, display=False)",
    # a later compliant cell runs normally
    "fig, ax = plt.subplots(figsize=(3, 2)); ax.plot([1, 2]); plt.show()",
]


def test_a_small_text_fails_its_cell_in_a_kernel(tmp_path):
    """End to end, as the book build runs a chapter: the cell showing a violating figure (shown
    by plt.show, at the end of the cell, as the cell's value or by glue) gets an error reply,
    which nbclient (jupyter-book, nbval) turns into a failed execution."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("myst_nb")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS])
    statuses: dict[int, str] = {}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    env.pop(_phone.MODE_VARIABLE, None)
    env["OMP_NUM_THREADS"] = "1"
    client = nbclient.NotebookClient(
        nb,
        timeout=120,
        allow_errors=True,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
        on_cell_executed=lambda cell, cell_index, execute_reply: statuses.__setitem__(
            cell_index, execute_reply["content"]["status"]
        ),
    )
    client.execute(env=env)
    assert statuses == {0: "ok", 1: "ok", 2: "error", 3: "error", 4: "error", 5: "error", 6: "ok"}, statuses
    for index in (2, 3, 4, 5):
        errors = [o for o in nb.cells[index].outputs if o.output_type == "error"]
        assert errors and errors[-1].ename == "FigureLegibilityError", nb.cells[index].outputs
        assert "2.2 pt per inch" in errors[-1].evalue
    # the figure is still shown, so the author sees what to fix
    assert any("image/png" in o.get("data", {}) for o in nb.cells[2].outputs)


def test_the_cross_attention_flow_figure_keeps_its_arrows_off_its_texts():
    """Fig 6.2: readable on a phone, no two texts overlap, and no arrow or blue line runs
    through a text (the old layout ran the stacks' arrows through their labels)."""
    import numpy as np
    from matplotlib.patches import FancyArrowPatch

    from helpers.plots.cross_attention_flow import draw_cross_attention_flow
    from helpers.viz import setup_cjk_font

    setup_cjk_font()  # the target sentence is Chinese
    fig = draw_cross_attention_flow(n_layers=2)
    check_figure(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    texts = [t for t in ax.texts if t.get_text().strip()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            assert not a.overlaps(boxes[j]), (texts[i].get_text(), texts[j].get_text())
    segments = []
    for patch in ax.patches:
        if isinstance(patch, FancyArrowPatch):
            segments.append(ax.transData.transform(np.array(patch._posA_posB)))
    for line in ax.lines:
        xy = ax.transData.transform(line.get_xydata())
        segments += [xy[k : k + 2] for k in range(len(xy) - 1)]
    for (x0, y0), (x1, y1) in segments:
        for t in np.linspace(0, 1, 50):
            x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
            for text, box in zip(texts, boxes):
                assert not box.contains(x, y), f"a line runs through {text.get_text()!r}"
    assert len(segments) >= 12  # 8 black arrows, 2 blue ones, the blue line's 2 segments


def test_every_chapter_turns_the_check_on_before_its_first_figure():
    """The check is installed by viz.setup_figures(): every chapter calls it in its first code
    cell after the Colab cell, before any figure can be shown, and never turns it off."""
    import json

    chapters = sorted((SRC.parent / "chapters").glob("[0-9][0-9]_*.ipynb"))
    assert len(chapters) >= 14
    for path in chapters:
        cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        sources = ["".join(c["source"]) for c in cells]
        first = next(i for i, s in enumerate(sources) if "google.colab" not in s)
        assert "setup_figures()" in sources[first], f"{path.name}: setup_figures() not in its first code cell"
        for s in sources:
            assert "BOOK_FIGURE_CHECK" not in s and 'check="off"' not in s, f"{path.name} turns the check off"
            assert "set_matplotlib_formats" not in s and "%matplotlib" not in s, path.name
