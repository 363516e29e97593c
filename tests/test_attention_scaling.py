"""The chapter-4 figure of what dividing by √d_k does: legible on a phone, no superscript ticks."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from bad_inputs import check, params

from helpers.plots._phone import check_figure
from helpers.plots.attention_scaling import font_for, plot_scaling
from helpers.viz import setup_cjk_font


def _rows() -> list[dict]:
    return [
        {
            "d_k": d,
            "kind": kind,
            "var": d * c,
            "max_w": 0.3 + 0.1 * c,
            "jac": 0.3 / (c * d),
            "gq_mean": 1.0 + c,
            "gq_median": 1.0 / (c * d),
        }
        for d in (4, 16, 64, 256, 1024)
        for kind, c in (("unscaled", 2.0), ("scaled", 1.0))
    ]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_text_is_13_px_on_a_366_px_phone(language, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", language)
    with matplotlib.rc_context({"figure.dpi": 100}):
        setup_cjk_font()
        fig = plot_scaling(_rows())
        check_figure(fig)
        fig.canvas.draw()
        shown_px = fig.get_tightbbox(fig.canvas.get_renderer()).width * 100 + 20  # plus the padding
        scale = min(1.0, 366 / shown_px)
        texts = [x for x in fig.findobj(matplotlib.text.Text) if x.get_text() and x.get_visible()]
        assert texts
        for x in texts:
            assert x.get_fontsize() * 100 / 72 * scale >= 13, (x.get_text(), x.get_fontsize())
        ticks = [x.get_text() for ax in fig.axes for x in ax.get_xticklabels() + ax.get_yticklabels()]
        assert not any("^" in s or "10^" in s for s in ticks), ticks  # no exponents
        assert "0.0001" in ticks or "0.001" in ticks and "1024" in ticks
    plt.close("all")


def test_font_for_narrow_and_wide_figures():
    assert font_for(3.0) == pytest.approx(9.4)  # not shrunk: 13 px at natural size
    assert font_for(4.4) > font_for(3.66)


BAD = [
    ("rows empty", lambda: plot_scaling([]), ValueError, "rows"),
    ("rows str", lambda: plot_scaling("abc"), ValueError, "rows"),
    ("row not dict", lambda: plot_scaling([1]), TypeError, "rows[0]"),
    ("row lacks key", lambda: plot_scaling([{"d_k": 4, "kind": "scaled"}]), ValueError, "rows[0]"),
    ("row kind", lambda: plot_scaling([{**_rows()[0], "kind": "other"}]), ValueError, "kind"),
    ("width", lambda: plot_scaling(_rows(), width=0.5), ValueError, "width"),
]


@params(BAD)
def test_bad_inputs(case):
    check(case)
