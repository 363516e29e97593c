"""Train short, test long (chapter 3): the model pieces, the per-offset attention, bad inputs; and the
figures of chapters 3 and 4 (helpers.plots.positional_figs, positions, attention_cost, attention_steps,
scaling, sharpness), legible on a phone and worded in the edition's language (helpers.i18n)."""

from __future__ import annotations

import functools
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from bad_inputs import check, params

from helpers.length_generalization import (
    OneLayerAttention,
    offset_weights,
    position_accuracy,
    train_and_test,
    train_copy_model,
)
from helpers.plots import positional_figs
from helpers.plots import positions as pos_plots
from helpers.plots._phone import check_figure
from helpers.plots.attention_cost import plot_attention_time
from helpers.plots.attention_scaling import plot_scaling
from helpers.plots.attention_steps import plot_attention_steps, plot_multihead_flow, plot_qkv_flow
from helpers.plots.sharpness import plot_sharpness
from helpers.positional import offset_matrix, sinusoidal_encoding
from helpers.viz import setup_cjk_font


@functools.cache
def rope_model() -> OneLayerAttention:
    return train_copy_model("rope", 0, T_train=12, max_len=24, steps=60)


def test_train_and_test_is_train_then_measure():
    direct = train_and_test("learned", seed=1, T_train=8, T_test=16, steps=5)
    model = train_copy_model("learned", 1, T_train=8, max_len=16, steps=5)
    assert torch.equal(position_accuracy(model, 1, 16).nan_to_num(-1), direct.nan_to_num(-1))
    assert direct[:3].isnan().all() and not direct[3:].isnan().any()


def test_attention_weights_are_the_models_attention():
    model = rope_model()
    ids = torch.randint(0, 16, (2, 10), generator=torch.Generator().manual_seed(0))
    w = model.attention_weights(ids)
    assert w.shape == (2, 10, 10)
    assert torch.allclose(w.sum(-1), torch.ones(2, 10), atol=1e-6)
    assert (w.triu(1) == 0).all()  # causal
    # the model's output is these weights times the values, through the output layer
    x = model.emb(ids)
    x = model.out(w @ model.v(x))
    assert torch.allclose(x, model(ids), atol=1e-5)


def test_alibi_model_penalises_distance():
    model = OneLayerAttention("alibi", alibi_slope=0.5)
    ids = torch.randint(0, 16, (2, 6), generator=torch.Generator().manual_seed(0))
    # the same scores as a plain causal model plus -0.5 per position of distance
    _, q, k = model._inputs(ids)
    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
    offset = torch.arange(6)[:, None] - torch.arange(6)[None, :]
    expected = torch.softmax((scores - 0.5 * offset).masked_fill(offset < 0, float("-inf")), -1)
    assert torch.allclose(model.attention_weights(ids), expected, atol=1e-6)
    out = model.out(model.attention_weights(ids) @ model.v(model.emb(ids)))
    assert torch.allclose(out, model(ids), atol=1e-5)  # the fused kernel with the bias agrees
    # the other kinds are unchanged by the bias buffer: plain causal attention
    plain = OneLayerAttention("none")
    assert torch.equal(plain.bias[:6, :6].isinf(), offset < 0) and (plain.bias[:6, :6][offset >= 0] == 0).all()


def test_rope_rotation_angle_depends_on_offset_only():
    fig = positional_figs.rope_rotation(torch.tensor([1.0, 0.3]), torch.tensor([0.5, 0.9]), [(0, 2), (5, 7), (0, 4)])
    labels = [ax.get_xlabel() for ax in fig.axes]
    assert labels[0] == labels[1] != labels[2]
    plt.close(fig)


def test_offset_weights_index_by_offset():
    model = rope_model()
    w = offset_weights(model, 0, T_test=20)
    assert w.shape == (20, 20)
    t = torch.arange(20)
    assert torch.isnan(w[t[:, None] < t[None, :]]).all()  # offset o > query t: no key there
    assert torch.allclose(torch.nansum(w, 1), torch.ones(20), atol=1e-5)  # each query's row sums to 1
    # trained on copy-3-back, the queries inside the training length look 3 back
    assert w[3:12, 3].mean() > 0.8


BAD = [
    ("train kind", lambda: train_copy_model("t5", 0), ValueError, "kind"),
    (
        "sharpness ranges unknown network",
        lambda: plot_sharpness({"trained": {("encoder", 0): (0.5, 2.0)}}, [("encoder", 0)], ranges={"other": ({}, {})}),
        ValueError,
        "ranges names networks",
    ),
    ("model alibi slope negative", lambda: OneLayerAttention("alibi", alibi_slope=-0.5), ValueError, "alibi_slope"),
    (
        "rope figure q shape",
        lambda: positional_figs.rope_rotation(torch.zeros(3), torch.zeros(2), [(0, 1)]),
        ValueError,
        "q and k",
    ),
    (
        "rope figure cases empty",
        lambda: positional_figs.rope_rotation(torch.ones(2), torch.ones(2), []),
        ValueError,
        "cases",
    ),
    (
        "rope figure negative position",
        lambda: positional_figs.rope_rotation(torch.ones(2), torch.ones(2), [(0, -1)]),
        ValueError,
        "cases[0][1]",
    ),
    (
        "rope figure omega 0",
        lambda: positional_figs.rope_rotation(torch.ones(2), torch.ones(2), [(0, 1)], omega=0),
        ValueError,
        "omega",
    ),
    ("steps panels empty", lambda: plot_attention_steps([], ["a"]), ValueError, "panels"),
    ("steps panel short", lambda: plot_attention_steps([(torch.zeros(1, 1), "a")], ["a"]), ValueError, "panels[0]"),
    (
        "steps colorbars str",
        lambda: plot_attention_steps([(torch.zeros(2, 2), "a", False)], ["a", "b"], colorbars="yes"),
        TypeError,
        "colorbars",
    ),
    ("flow width", lambda: plot_qkv_flow(width=1.0), ValueError, "width"),
    ("multihead heads", lambda: plot_multihead_flow(n_heads=1), ValueError, "n_heads"),
    ("multihead heads str", lambda: plot_multihead_flow(n_heads="4"), TypeError, "n_heads"),
    ("train seed str", lambda: train_copy_model("rope", "0"), TypeError, "seed"),
    ("train T_train 0", lambda: train_copy_model("rope", 0, T_train=0), ValueError, "T_train"),
    ("train delta >= T_train", lambda: train_copy_model("rope", 0, T_train=4, delta=4), ValueError, "delta"),
    ("train max_len short", lambda: train_copy_model("rope", 0, T_train=16, max_len=8), ValueError, "max_len"),
    ("train lr 0", lambda: train_copy_model("rope", 0, lr=0.0), ValueError, "lr"),
    ("train lr nan", lambda: train_copy_model("rope", 0, lr=math.nan), ValueError, "lr"),
    ("accuracy model", lambda: position_accuracy(torch.nn.Linear(2, 2), 0), TypeError, "model"),
    ("accuracy T_test too long", lambda: position_accuracy(rope_model(), 0, T_test=100), ValueError, "T_test"),
    (
        "accuracy n_sequences 0",
        lambda: position_accuracy(rope_model(), 0, 20, n_sequences=0),
        ValueError,
        "n_sequences",
    ),
    ("offsets seed negative", lambda: offset_weights(rope_model(), -1, 20), ValueError, "seed"),
    ("offsets delta", lambda: offset_weights(rope_model(), 0, 20, delta=20), ValueError, "delta"),
    ("weights ids float", lambda: rope_model().attention_weights(torch.zeros(2, 5)), TypeError, "ids"),
    ("weights ids 1-D", lambda: rope_model().attention_weights(torch.zeros(5, dtype=torch.long)), ValueError, "ids"),
    (
        "sinusoids pe int",
        lambda: positional_figs.sinusoid_overview(torch.zeros(4, 4, dtype=torch.long), [0]),
        TypeError,
        "pe",
    ),
    (
        "sinusoids pair out of range",
        lambda: positional_figs.sinusoid_overview(sinusoidal_encoding(8, 8), [4]),
        ValueError,
        "pairs",
    ),
    (
        "offset map not square",
        lambda: positional_figs.offset_map(torch.zeros(4, 2), torch.zeros(3, 3), 1),
        ValueError,
        "square",
    ),
    ("extrapolation acc empty", lambda: positional_figs.extrapolation_curves({}, 4), ValueError, "acc"),
    (
        "extrapolation hatched str",
        lambda: positional_figs.extrapolation_curves({"a": torch.zeros(2, 5)}, 4, hatched="rope"),
        TypeError,
        "hatched",
    ),
    (
        "extrapolation T_train 0",
        lambda: positional_figs.extrapolation_curves({"a": torch.zeros(2, 5)}, 0),
        ValueError,
        "T_train",
    ),
    ("time runs count", lambda: plot_attention_time([8, 16], [[0.1]]), ValueError, "runs"),
    ("time run empty", lambda: plot_attention_time([8, 16], [[0.1], []]), ValueError, "runs[1]"),
    ("time lengths unsorted", lambda: plot_attention_time([16, 8], [[0.1], [0.2]]), ValueError, "lengths"),
    ("time zero timing", lambda: plot_attention_time([8, 16], [[0.1], [0.0]]), ValueError, "runs[1]"),
    ("time anchor", lambda: plot_attention_time([8, 16], [[0.1], [0.2]], anchor=2), ValueError, "anchor"),
]


@params(BAD)
def test_bad_inputs(case):
    check(case, seconds=60)
    plt.close("all")


def test_attention_steps_score_scale_is_symmetric_about_zero():
    """Fig. 4.2: the score panels share one scale symmetric about 0, from minus to plus the largest
    size of any score, so equal colours mean equal sizes on both sides; the cells and the colour bar
    write a true minus sign; the weights keep 0 to 1; the colour bars go into the grid's empty cell."""
    scores = torch.tensor([[0.24, 0.09, -0.32], [0.29, -0.29, -1.24], [0.12, -0.81, -1.97]])
    weights = torch.softmax(scores / 2, -1)
    panels = [(scores, "raw", False), (scores / 2, "scaled", False), (weights, "softmax", True)]
    fig = plot_attention_steps(panels, ["The", "cat", "sat"], colorbars=True)
    raw, scaled, soft = (ax.images[0] for ax in fig.axes[:3])
    assert raw.norm is scaled.norm  # one scale: equal colours, equal numbers
    assert raw.norm(-1.97) == pytest.approx(0.0, abs=1e-6) and raw.norm(1.97) == pytest.approx(1.0)
    assert raw.norm(0.0) == pytest.approx(0.5)
    assert raw.norm(0.29) - 0.5 == pytest.approx(0.5 - raw.norm(-0.29))  # as dark on both sides
    assert (soft.norm.vmin, soft.norm.vmax) == (0, 1)
    cells = [x.get_text() for x in fig.axes[0].texts]
    assert "\u22121.97" in cells and not any("-" in x for x in cells)
    bars = fig.axes[3].child_axes  # the colour bars, in the grid's empty cell
    assert [ax.get_title() for ax in bars] == ["scores", "weights"]
    assert [x.get_text() for x in bars[0].get_yticklabels()] == ["\u22121.97", "0", "1.97"]
    # without an empty cell the bar goes beside the last panel; only positive scores: symmetric too
    fig = plot_attention_steps([(scores.abs(), "a", False), (scores.abs(), "b", False)], ["x", "y", "z"],
                               colorbars=True)
    assert fig.axes[0].images[0].norm(-scores.abs().max().item()) == pytest.approx(0.0)
    assert [ax.get_ylabel() for ax in fig.axes[2:]] == ["scores"]
    plt.close("all")


def _figures() -> dict[str, plt.Figure]:
    """One of each figure of chapters 3 and 4, drawn as the chapters draw them (small inputs)."""
    torch.manual_seed(0)
    tokens = ["The", "cat", "sat"]
    scaling_rows = [
        {
            "d_k": d,
            "kind": kind,
            "var": d * c,
            "max_w": 0.3 + 0.1 * c,
            "jac": 0.3 / c,
            "gq_mean": 1.0 + c,
            "gq_median": 1.0 / c,
        }
        for d in (4, 16, 64)
        for kind, c in (("unscaled", 2.0), ("scaled", 1.0))
    ]
    keys = [("encoder", 0), ("decoder", 0), ("cross", 0)]
    stats = {
        when: {key: (0.5 * j, 1.0 + j) for key in keys}
        for j, when in enumerate(("at init", "trained", "at init, pre-norm", "at init, small embeddings"))
    }
    weights = torch.softmax(torch.randn(3, 3), -1)
    return {
        "permuted": pos_plots.permuted_outputs(torch.randn(3, 4), torch.randn(3, 4), tokens, tokens[::-1]),
        "sinusoids": positional_figs.sinusoid_overview(sinusoidal_encoding(100, 64), [0, 5, 15]),
        "offsets": positional_figs.offset_map(offset_matrix(3, 16), torch.rand(64, 64), 3),
        "extrapolation": positional_figs.extrapolation_curves(
            {kind: torch.rand(3, 64) for kind in ("none", "sinusoidal", "learned", "rope", "alibi")},
            16,
            {46.5: "offset 47 first occurs"},
        ),
        "rope": positional_figs.rope_rotation(
            torch.tensor([1.0, 0.3]), torch.tensor([0.5, 0.9]), [(0, 2), (5, 7), (0, 4)]
        ),
        "flow": plot_qkv_flow(),
        "multihead": plot_multihead_flow(),
        "time": plot_attention_time([128, 256, 512], [[1e-4, 2e-4, 1.5e-4], [4e-4, 5e-4, 6e-4], [2e-3, 2e-3, 3e-3]]),
        "steps": plot_attention_steps([(torch.randn(3, 3), "a", False), (weights, "b", True)], tokens),
        "steps with bars": plot_attention_steps(
            [(torch.randn(3, 3), "a", False), (torch.randn(3, 3) / 2, "b", False), (weights, "c", True)],
            tokens,
            colorbars=True,
        ),
        "scaling": plot_scaling(scaling_rows),
        "sharpness": plot_sharpness(
            stats,
            keys,
            ranges={"at init": ({key: (0.0, 0.5) for key in keys}, {key: (0.2, 1.5) for key in keys})},
        ),
    }


def _texts(fig: plt.Figure) -> set[str]:
    fig.canvas.draw()
    return {x.get_text() for x in fig.findobj(matplotlib.text.Text) if x.get_text()}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_figures_pass_the_phone_check(language, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", language)
    with matplotlib.rc_context({"figure.dpi": 100}):
        setup_cjk_font()  # the Chinese edition's words, as the chapters draw them (undone with the context)
        for fig in _figures().values():
            check_figure(fig)
    plt.close("all")


def test_figures_speak_the_editions_language(monkeypatch):
    with matplotlib.rc_context():
        setup_cjk_font()
        _speak_the_editions_language(monkeypatch)


def _speak_the_editions_language(monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    english = {name: _texts(fig) for name, fig in _figures().items()}
    assert {"input: The cat sat", "RoPE", "none", "← trained", "longer →"} <= english["permuted"] | english[
        "extrapolation"
    ]
    assert {"unscaled", "scaled", "variance of the scores"} <= english["scaling"]
    assert {"at init", "trained", "enc.\n1", "attention (kind, layer)"} <= english["sharpness"]
    assert {"one attention head", "time (ms)", "measured: fastest of 3"} <= english["time"]
    plt.close("all")
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    chinese = {name: _texts(fig) for name, fig in _figures().items()}
    # the words are Chinese; the data (tokens) and the symbols stay as they are
    assert "输入：The cat sat" in chinese["permuted"]
    assert {
        "无位置",
        "正弦",
        "可学习",
        "RoPE",
        "← 训练长度内",
        "超出训练长度 →",
        "测试序列中的位置",
        "准确率",
    } <= chinese["extrapolation"]
    assert {"维度（正弦）", "位置 pos", "维度 10（维度对 j = 5）\n每 26.5 个位置转一圈"} <= chinese["sinusoids"]
    assert {"Δ = 3 时的 M", "行", "列"} <= chinese["offsets"]
    assert {"一个注意力头", "用时（ms）", "实测：3 次中最快的一次", "序列长度 T"} <= chinese["time"]
    assert {"键", "查询", "The"} <= chinese["steps"]
    assert {"scores", "weights"} <= english["steps with bars"] and {"分数", "权重"} <= chinese["steps with bars"]
    assert {"q 在 0，k 在 2", "ALiBi"} <= chinese["rope"] | chinese["extrapolation"]
    assert {"输出 $AV$", "$T \\times d_v$"} <= chinese["flow"]
    assert {"拼接", "1 号头"} <= chinese["multihead"]
    assert {"不缩放", "缩放", "分数的方差", "最大权重的平均值"} <= chinese["scaling"]
    assert {
        "初始化时",
        "训练后",
        "初始化时，前置归一化",
        "初始化时，小嵌入",
        "编码器\n1",
        "注意力（种类，层）",
    } <= chinese["sharpness"]
    for name in english:
        assert len(chinese[name]) == len(english[name]), name
    plt.close("all")


def test_a_marks_label_stands_beside_its_dotted_line():
    """Fig. 3.6's "offset 47 first occurs" is written on two lines right beside the dotted line at
    46.5 (which goes on above the axes, up the label's side), clear of the dashed line at 15.5 and
    its own labels: it cannot be read as the dashed line's."""
    fig = positional_figs.extrapolation_curves(
        {"rope": torch.rand(3, 64), "none": torch.rand(3, 64)}, 16, {46.5: "offset 47 first occurs"}
    )
    fig.canvas.draw()
    ax = fig.axes[0]
    label = next(x for x in ax.texts if "offset 47" in x.get_text())
    assert label.get_text() == "offset 47\nfirst occurs"
    box = label.get_window_extent()
    dotted, dashed = (ax.transData.transform((x, 0))[0] for x in (46.5, 15.5))
    assert 0 < dotted - box.x1 < 8  # its right edge a few pixels left of the dotted line
    assert box.x0 > dashed  # nowhere over the dashed line
    for other in ax.texts:
        if other is not label:
            assert not box.overlaps(other.get_window_extent()), other.get_text()
    # the dotted line drawn above the axes reaches the label's top
    above = [line for line in ax.lines if line.get_linestyle() == ":" and not line.get_clip_on()]
    assert len(above) == 1
    top = ax.transAxes.transform((0, max(above[0].get_ydata())))[1]
    assert top >= box.y1 - 2
    plt.close(fig)


def test_two_lines_cuts_a_label_near_its_middle():
    assert positional_figs._two_lines("offset 47 first occurs") == "offset 47\nfirst occurs"
    assert positional_figs._two_lines("偏移量 47 首次出现") == "偏移量 47\n首次出现"
    assert positional_figs._two_lines("drop") == "drop"
    assert positional_figs._two_lines("a\nb c") == "a\nb c"


def test_sinusoid_panels_mark_each_position():
    """Fig. 3.2's line panels put a dot at every integer position (the encoding is defined only
    there), so that the fast pair's jagged, straight-line wave does not look like a bug."""
    fig = positional_figs.sinusoid_overview(sinusoidal_encoding(100, 64), [0, 5, 15])
    for ax in fig.axes[1:4]:
        (line,) = ax.lines
        assert line.get_marker() == "o" and len(line.get_xdata()) == 100
    plt.close(fig)
