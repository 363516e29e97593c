"""Chapters 6 and 7: the training-log and parameter-group figures draw what they are given,
stay readable on a phone, and refuse bad inputs with a message naming the argument."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import matplotlib.text
import pytest
import torch

from helpers.plots._phone import figure_violations
from helpers.plots.norm_training import plot_norm_training
from helpers.plots.param_groups import plot_param_groups
from helpers.plots.training_log import plot_training_log

pytestmark = pytest.mark.usefixtures("book_style")


def test_param_groups_labels_each_bar_with_count_and_share():
    fig = plot_param_groups({"attention": 300, "feed-forward": 100}, "400 parameters")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == [" 300 (75%)", " 100 (25%)"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["attention", "feed-forward"]
    assert ax.get_title() == "400 parameters"
    assert figure_violations(fig)[1] == []


def test_param_groups_gives_small_shares_one_decimal():
    fig = plot_param_groups({"attention": 988, "LayerNorm": 7, "output": 5}, "")
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == [" 988 (99%)", " 7 (0.7%)", " 5 (0.5%)"]


def test_training_log_plots_loss_against_step():
    fig = plot_training_log([{"step": 0, "loss": 3.5}, {"step": 10, "loss": 1.0}, {"step": 20, "loss": 0.1}])
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [0, 10, 20] and list(line.get_ydata()) == [3.5, 1.0, 0.1]
    assert ax.get_yscale() == "log"
    assert figure_violations(fig)[1] == []
    assert not ax.patches  # no warm-up band unless asked


def test_training_log_shades_the_warm_up():
    fig = plot_training_log([{"step": 0, "loss": 3.5}, {"step": 50, "loss": 1.0}], warmup=10)
    ax = fig.axes[0]
    (band,) = ax.patches
    # axvspan draws a Rectangle (matplotlib >= 3.9) or a Polygon (older): read its corners
    xs = band.get_patch_transform().transform(band.get_path().vertices)[:, 0]
    assert (xs.min(), xs.max()) == (0, 10)
    assert [t.get_text().strip() for t in ax.texts] == ["warm-up"]
    assert figure_violations(fig)[1] == []


def _run(norm_first: bool, warmup: int, losses: list[float]) -> dict:
    return {"norm_first": norm_first, "warmup": warmup,
            "log": [{"step": 10 * k, "loss": v} for k, v in enumerate(losses)]}


def test_norm_training_draws_median_and_band_per_variant_in_each_panel():
    seeds = [_run(False, 5, [3.0, 1.0, 0.5]), _run(False, 5, [3.0, 2.0, 0.1]), _run(False, 5, [3.0, 1.5, 0.2])]
    other = [_run(True, 1, [3.0, 0.5, 0.1])]
    fig = plot_norm_training([("a", seeds + other), ("b", other)])
    top, bottom = fig.axes
    assert (top.get_title(), bottom.get_title()) == ("a", "b")
    post = [line for line in top.get_lines() if line.get_color() == "tab:red"]
    (median_line,) = post
    assert list(median_line.get_ydata()) == [3.0, 1.5, 0.2] and median_line.get_linestyle() == "-"
    (pre_line,) = [line for line in bottom.get_lines()]
    assert pre_line.get_color() == "tab:blue" and pre_line.get_linestyle() == "--"
    legend = [t.get_text() for t in bottom.get_legend().get_texts()]
    assert legend == ["post-norm", "pre-norm", "warm-up", "no warm-up"]
    assert top.get_yscale() == "log" and figure_violations(fig)[1] == []


BAD = [
    (lambda: plot_param_groups([("a", 1)]), TypeError, "counts"),
    (lambda: plot_param_groups({}), ValueError, "counts"),
    (lambda: plot_param_groups({"a": -1}), ValueError, "counts['a']"),
    (lambda: plot_param_groups({"a": 1.5}), ValueError, "counts['a']"),
    (lambda: plot_param_groups({"a": 0}), ValueError, "counts"),
    (lambda: plot_param_groups({"a": 1}, title=3), TypeError, "title"),
    (lambda: plot_training_log([]), ValueError, "log"),
    (lambda: plot_training_log("loss"), TypeError, "log"),
    (lambda: plot_training_log([{"step": 0}]), TypeError, "log[0]"),
    (lambda: plot_training_log([{"step": -1, "loss": 1.0}]), ValueError, "log[0]['step']"),
    (lambda: plot_training_log([{"step": 2, "loss": 1.0}, {"step": 1, "loss": 1.0}]), ValueError, "increase"),
    (lambda: plot_training_log([{"step": 0, "loss": 0.0}]), ValueError, "log[0]['loss']"),
    (lambda: plot_training_log([{"step": 0, "loss": "1"}]), TypeError, "log[0]['loss']"),
    (lambda: plot_training_log([{"step": 0, "loss": 1.0}], warmup=0), ValueError, "warmup"),
    (lambda: plot_training_log([{"step": 0, "loss": 1.0}], warmup=2.5), ValueError, "warmup"),
    (lambda: plot_norm_training([]), TypeError, "panels"),
    (lambda: plot_norm_training([("a",)]), TypeError, "panels[0]"),
    (lambda: plot_norm_training([(3, [_run(True, 1, [1.0])])]), TypeError, "panels[0]'s title"),
    (lambda: plot_norm_training([("a", [])]), ValueError, "panels[0]'s runs"),
    (lambda: plot_norm_training([("a", [{"norm_first": True, "log": []}])]), ValueError, "panels[0] run 0"),
]


@pytest.mark.parametrize("call, exc, fragment", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_inputs_are_refused_clearly(call, exc, fragment):
    with pytest.raises(exc) as info:
        call()
    assert fragment in str(info.value)


# The words these figures draw, in the Chinese edition (BOOK_LANGUAGE, helpers.i18n): the names the
# chapters pass (piece names, layouts, runs, norms) are translated by the figure, so they must all
# be in the catalog; the figures stay readable on a phone with the wider Chinese labels.

CJK = re.compile(r"[\u4e00-\u9fff]")


def _texts(fig) -> list[str]:
    return [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]


@pytest.fixture
def chinese(monkeypatch):
    from helpers.viz import setup_cjk_font

    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    setup_cjk_font()  # inside the book's rc_context: undone after the test


def test_param_groups_and_training_log_draw_chinese(chinese):
    pieces = {"embeddings": 4, "attention": 3, "feed-forward": 2, "LayerNorm": 1, "output layer": 1}
    fig = plot_param_groups(pieces, "翻译模型的 11 个参数")
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["嵌入", "注意力", "前馈网络", "LayerNorm", "输出层"]
    assert figure_violations(fig)[1] == []
    ax = plot_training_log([{"step": 0, "loss": 3.5}, {"step": 10, "loss": 1.0}], warmup=5).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("训练步", "训练损失")
    assert [t.get_text().strip() for t in ax.texts] == ["预热"]


def test_chapter_7_figures_translate_the_names_the_chapter_passes(chinese):
    from helpers import i18n
    from helpers.layernorm import layer_norm, naive_layer_norm
    from helpers.plots.layer_grads import plot_layer_grads
    from helpers.plots.layernorm_eps import measure_spread, plot_spread
    from helpers.plots.norm_layouts import plot_norm_layouts
    from helpers.plots.norm_training import plot_norm_training

    table = i18n.strings("zh_CN")
    runs = ["post-norm, warm-up", "post-norm, no warm-up", "pre-norm, warm-up", "pre-norm, no warm-up"]
    names = runs + ["post-norm", "pre-norm", "nn.LayerNorm (and ours)", "enc", "dec",
                    "embeddings", "attention", "feed-forward", "output layer", "subject", "verb", "place noun", "time"]
    assert [n for n in names if n not in table] == []

    grads = {"post-norm": {"encoder": [1.0, 0.8], "decoder": [0.9, 1.1]},
             "pre-norm": {"encoder": [0.01, 0.01], "decoder": [0.1, 0.1]}}
    fig = plot_layer_grads(grads)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["后置归一化", "前置归一化"]
    assert [ax.get_title() for ax in fig.axes] == ["编码器各层", "解码器各层"]

    log = [{"step": s, "loss": 1.0 / (s + 1)} for s in range(3)]
    fig = plot_norm_training([("t", [{"norm_first": "pre" in n, "warmup": 2 if "no" not in n else 1, "log": log}
                                     for n in runs])])
    legend = ["post-norm", "pre-norm", "warm-up", "no warm-up"]
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == [table[n] for n in legend]

    measured = measure_spread({"nn.LayerNorm (and ours)": layer_norm, "x.std() + eps": naive_layer_norm},
                              scales=torch.tensor([0.01, 1.0]))
    fig = plot_spread(measured)
    assert [t.get_text() for t in fig.axes[-1].get_legend().get_texts()] == ["nn.LayerNorm（以及我们的实现）",
                                                                             "x.std() + eps"]
    fig = plot_norm_layouts()
    texts = _texts(fig)
    assert "每条梯度路径\n都要穿过它" in texts and not [t for t in texts if re.search("[a-z]{4,}", t) and "Norm" not in t]
    for fig in map(plt.figure, plt.get_fignums()):
        assert figure_violations(fig)[1] == [], fig


def test_cross_attention_flow_draws_chinese(chinese):
    from helpers.plots.cross_attention_flow import draw_cross_attention_flow

    texts = _texts(draw_cross_attention_flow(n_layers=2))
    assert {"编码器第 1 层", "解码器第 2 层", "交叉注意力", "C（S × d_model）\n只计算一次"} <= set(texts)
    # English only in the data (the source sentence) and the names
    assert [t for t in texts if re.search("[a-z]{3,}", t) and not CJK.search(t)] == ["The cat sat"]


def test_cross_attention_flow_puts_every_decoder_layer_above_the_encoder():
    """No decoder layer stands beside an encoder layer: the figure must not suggest that decoder
    layer l reads encoder layer l. Every cross-attention box gets one blue arrow from C."""
    from helpers.plots.cross_attention_flow import draw_cross_attention_flow

    fig = draw_cross_attention_flow(n_layers=3)
    ax = fig.axes[0]
    ys = {t.get_text(): t.get_position()[1] for t in ax.texts}
    top_encoder = max(y for name, y in ys.items() if name.startswith("encoder layer"))
    c_box = ys["C  (S × d_model)\ncomputed once"]
    first_decoder = min(y for name, y in ys.items() if name.startswith("decoder layer"))
    assert top_encoder < c_box < first_decoder
    assert sum(t.get_text() == "cross-attention" for t in ax.texts) == 3
    for fig_ in map(plt.figure, plt.get_fignums()):
        assert figure_violations(fig_)[1] == [], fig_


def test_block_overview_draws_the_two_branches(chinese):
    from helpers.plots.norm_layouts import plot_block_overview

    for layout, title in (("post", "后置归一化块"), ("pre", "前置归一化块")):
        fig = plot_block_overview(layout=layout)
        texts = _texts(fig)
        assert texts.count("LayerNorm") == 2 and "残差流" in texts and "× N" in texts
        assert fig.axes[0].get_title().startswith(title)  # the title names the layout
        assert not [t for t in texts if re.search("[a-z]{4,}", t) and "Norm" not in t]
        assert figure_violations(fig)[1] == []
    with pytest.raises(ValueError, match="width"):
        plot_block_overview(width=1.0)
    with pytest.raises(ValueError, match="layout"):
        plot_block_overview(layout="sandwich")
    from helpers.plots.norm_layouts import plot_norm_layouts

    with pytest.raises(ValueError, match="width"):
        plot_norm_layouts(width=True)


def test_block_overview_labels_keep_clear_of_their_boxes():
    """Fig. 7.1: "(tokens read each other)" touched its box's border; every label keeps 4 px inside its box."""
    from matplotlib.patches import FancyBboxPatch

    from helpers.plots.norm_layouts import plot_block_overview

    for layout in ("post", "pre"):
        fig = plot_block_overview(layout=layout)
        fig.canvas.draw()
        renderer, ax = fig.canvas.get_renderer(), fig.axes[0]
        boxes = [p.get_window_extent(renderer) for p in ax.patches if isinstance(p, FancyBboxPatch)]
        pad = 4 * fig.dpi / 100
        inside = 0
        for text in ax.texts:
            tb = text.get_window_extent(renderer)
            for b in boxes:
                if b.x0 < (tb.x0 + tb.x1) / 2 < b.x1 and b.y0 < (tb.y0 + tb.y1) / 2 < b.y1:
                    inside += 1
                    assert tb.x0 - b.x0 > pad and b.x1 - tb.x1 > pad, (layout, text.get_text())
        assert inside == 4, layout


def test_alignment_axes_name_queries_and_keys(chinese):
    from helpers.plots.alignment import plot_alignments

    fig = plot_alignments([torch.full((2, 3), 1 / 3)], [("猫", "坐着")], [("The", "cat", "sat")], ["猫 坐着"])
    ax = fig.axes[0]
    assert ax.get_ylabel() == "解码器查询（所写的词）" and ax.get_xlabel() == "编码器键（英文词）"
    assert figure_violations(fig)[1] == []


def test_ffn_width_draws_chance_in_the_legend_and_refuses_a_bad_one():
    from helpers.plots.ffn_width import plot_ffn_width

    fig = plot_ffn_width([2, 4], [[0.6, 0.62], [0.7, 0.72]], [0.53, 0.54], 64, chance=5 / 9)
    legend = fig.legends[0]  # below the axes: it covers no data on a phone
    labels = [text.get_text() for text in legend.get_texts()]
    assert any("chance" in label for label in labels)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box, axes_box = legend.get_window_extent(renderer), fig.axes[0].get_window_extent(renderer)
    assert box.y1 < axes_box.y0 and box.x1 <= fig.bbox.x1
    lines = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == ":"]
    assert lines and abs(lines[0].get_ydata()[0] - 5 / 9) < 1e-9
    plt.close(fig)
    with pytest.raises(ValueError, match="chance"):
        plot_ffn_width([2], [[0.6]], [0.5], 64, chance=1.5)


def test_checker_regions_draw_the_board_and_each_map_and_refuse_a_mismatch():
    from helpers.plots.ffn_width import plot_checker_regions

    board = torch.tensor([[0.0, 1.0], [1.0, 0.0]]).repeat_interleave(5, 0).repeat_interleave(5, 1)
    panels = [("no ReLU", torch.zeros(10, 10)), ("ReLU, width 8", board)]
    fig = plot_checker_regions(board, panels, cells=2)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 3 and len(fig.axes) == 4  # two maps a row; the spare one hidden
    assert [ax.get_title() for ax in shown][1:] == ["no ReLU", "ReLU, width 8"]
    assert figure_violations(fig)[1] == []
    plt.close(fig)
    with pytest.raises(ValueError, match="panels"):
        plot_checker_regions(board, [("x", torch.zeros(3, 3))])
    with pytest.raises(ValueError, match="board"):
        plot_checker_regions(torch.zeros(2, 3), [])
