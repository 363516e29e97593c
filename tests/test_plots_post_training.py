"""Chapter 13's figures (helpers.plots.post_training): what they draw and that every text stays
readable on a phone, in both languages."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from helpers.plots._phone import figure_violations
from helpers.plots.post_training import (
    METRICS,
    metric_labels,
    moving_mean,
    plot_dpo_pairs,
    plot_grpo,
    plot_instruction_following,
    plot_recipes,
    plot_share_vs_kl,
)

pytestmark = pytest.mark.usefixtures("book_style")


def _grpo_logs():
    logs = [[{"step": s, "reward": 0.4 + 0.01 * s + 0.02 * seed} for s in range(1, 11)] for seed in range(3)]
    hack = [{"step": s, "reward": 0.14 + 0.02 * s, "answer_length": 45 + (s > 7) * 5} for s in range(1, 11)]
    return logs, hack


def test_grpo_figure_draws_each_curve_in_its_own_panel_on_fitted_scales():
    fig = plot_grpo(*_grpo_logs())
    _, small = figure_violations(fig)
    assert not small
    assert len(fig.axes) == 3  # three panels, each with one y axis: no twin axes
    reward_ax, length_ax = fig.axes[1], fig.axes[2]
    assert reward_ax.get_ylabel() == "punctuation reward" and length_ax.get_ylabel().startswith("answer length")
    assert reward_ax.get_xlim() == length_ax.get_xlim()  # the same steps, one above the other
    assert reward_ax.get_ylim()[0] == 0 and reward_ax.get_ylim()[1] >= 0.34
    # the length axis fits the data (45 to 50 tokens), so that the late rise shows
    assert 40 < length_ax.get_ylim()[0] < 45 and 50 < length_ax.get_ylim()[1] < 55
    # the top panel's y axis fits its curves, and its legend sits below it, outside the axes
    top = fig.axes[0]
    assert 0.38 < top.get_ylim()[0] < 0.41 and 0.54 < top.get_ylim()[1] < 0.57  # rewards 0.41-0.54
    fig.canvas.draw()
    legend_box = top.get_legend().get_window_extent()
    assert legend_box.y1 < top.get_window_extent().y0


def test_grpo_figure_smooths_each_seed_by_a_moving_mean():
    logs, hack = _grpo_logs()
    fig = plot_grpo(logs, hack, smooth=5)
    seed0 = fig.axes[0].get_lines()[0]
    assert list(seed0.get_xdata()) == list(range(5, 11))  # the first 4 steps have no full window
    rewards = [e["reward"] for e in logs[0]]
    assert seed0.get_ydata()[0] == pytest.approx(sum(rewards[:5]) / 5)
    assert moving_mean(logs[0], 1) == logs[0]
    assert moving_mean(logs[0], 3)[-1]["reward"] == pytest.approx(sum(rewards[-3:]) / 3)


@pytest.mark.parametrize("kwargs, error, words", [
    ({"smooth": 0}, ValueError, "smooth must be an int >= 1"),
    ({"smooth": 2.5}, TypeError, "smooth must be an int"),
    ({"smooth": 11}, ValueError, "smooth=11 needs a log of at least 11 steps"),
    ({"logs": []}, ValueError, "logs must be a non-empty list"),
    ({"hack_log": []}, ValueError, "hack_log must be a non-empty list"),
])
def test_grpo_figure_checks_its_inputs(kwargs, error, words):
    logs, hack = _grpo_logs()
    args = {"logs": logs, "hack_log": hack, **kwargs}
    with pytest.raises(error, match=words):
        plot_grpo(**args)


def test_share_vs_kl_draws_a_point_per_method_and_its_interval():
    points = [{"label": "SFT start (95% CI)", "kl": 0.0, "share": 0.56, "share_range": (0.49, 0.63)},
              {"label": "GRPO", "kl": 3.9, "share": 0.54, "kl_range": (3.6, 4.2), "share_range": (0.52, 0.55)}]
    best_of = [{"n": n, "kl": kl, "share": s} for n, kl, s in ((1, 0.0, 0.5), (4, 0.64, 0.85), (16, 1.84, 0.95))]
    fig = plot_share_vs_kl(points, best_of)
    _, small = figure_violations(fig)
    assert not small
    # each point labelled beside it, no legend to look up (readers matched 11 entries by colour)
    assert not fig.legends
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert {"SFT start (95% CI)", "GRPO", "best-of-n (KL: its bound)", "n=1", "n=16"} <= set(labels)


ROWS = {"pretrained,\n<sos> + 1st char": {"form_ok": (0.4, 0.33, 0.47), "first_ok": (1.0, 0.98, 1.0),
                                         "both": (0.4, 0.33, 0.47)},
        "SFT, loss on\nanswer": {"form_ok": (0.95, 0.94, 0.96), "first_ok": (0.6, 0.58, 0.62),
                                 "both": (0.57, 0.55, 0.6)}}


def _diagnostics():
    g = torch.Generator().manual_seed(0)
    out = {}
    for name, shift in (("DPO", -8.0), ("GRPO", -0.5)):
        ref_c, ref_r = -40 + torch.randn(20, generator=g), -45 + torch.randn(20, generator=g)
        out[name] = {"ref_chosen": ref_c, "ref_rejected": ref_r, "chosen": ref_c + shift,
                     "rejected": ref_r + 1.5 * shift}
    return out


def _figures():
    logs, hack = _grpo_logs()
    points = [{"label": "SFT start (95% CI)", "kl": 0.0, "share": 0.56, "share_range": (0.49, 0.63)},
              {"label": "GRPO", "kl": 3.9, "share": 0.54, "kl_range": (3.6, 4.2), "share_range": (0.52, 0.55)}]
    best_of = [{"n": n, "kl": kl, "share": s} for n, kl, s in ((1, 0.0, 0.5), (4, 0.64, 0.85), (16, 1.84, 0.95))]
    return {"instruction following": plot_instruction_following(ROWS), "dpo pairs": plot_dpo_pairs(_diagnostics()),
            "grpo": plot_grpo(logs, hack), "share vs kl": plot_share_vs_kl(points, best_of)}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_figure_is_readable_on_a_phone(lang, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", lang)  # the Chinese labels are wider
    for name, fig in _figures().items():
        width_px, small = figure_violations(fig)
        assert not small, (name, lang, [str(s) for s in small])
        assert width_px <= 520, (name, width_px)  # about 5 inches wide as shown


def test_instruction_following_draws_three_bars_per_model():
    fig = _figures()["instruction following"]
    ax = fig.axes[0]
    assert len(ax.patches) == len(METRICS) * len(ROWS)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(ROWS)


def test_instruction_following_labels_bars_of_zero():
    """A bar of 0 is invisible, so it says "0%" (readers took the empty group for missing data)."""
    rows = {**ROWS, "zero": {k: (0.0, 0.0, 0.02) for k in METRICS}}
    ax = plot_instruction_following(rows).axes[0]
    assert [t.get_text() for t in ax.texts] == ["0%"] * len(METRICS)


@pytest.mark.parametrize("lang, words", [
    ("en", {"requested form", "requested first character", "both", "% of answers to held-out instructions",
            "chosen $y_w$", "rejected $y_l$", "change from the SFT model,\nheld-out pairs", "form reward",
            "GRPO with the form checker as reward", "punctuation reward", "GRPO step", "answer length (tokens)",
            "seed 0", "mean", "best-of-n (KL: its bound)", "KL from the SFT model (nats per answer)",
            "% answers with requested\nform and first character"}),
    ("zh_CN", {"所要求的体式", "指定的首字", "两者都满足", "在留出指令的回答中所占的比例（%）", "选中回答 $y_w$",
               "被拒回答 $y_l$", "相对于 SFT 模型的变化，\n留出的偏好对", "体式奖励", "以体式检查器为奖励的 GRPO",
               "标点奖励", "GRPO 步数", "回答长度（词元数）", "随机种子 0", "均值", "n 选优（best-of-n；KL 为其上界）",
               "与 SFT 模型的 KL 散度（每个回答的奈特数）", "体式和首字都符合要求的回答（%）"}),
])
def test_figure_words_follow_the_book_language(lang, words, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    assert list(metric_labels()) == list(METRICS)
    texts = {t.get_text() for fig in _figures().values() for t in fig.findobj(matplotlib.text.Text)}
    assert words <= texts, words - texts


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_recipes_map_has_three_rows_of_boxes_and_is_legible(language, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", language)
    fig = plot_recipes()
    _, small = figure_violations(fig)
    assert not small
    texts = [x.get_text() for x in fig.axes[0].texts]
    assert {"SFT", "PPO", "DPO", "GRPO"} <= set(texts) and texts.count("SFT") == 3
    if language == "zh_CN":
        assert "奖励模型" in texts and not any("reward" in x for x in texts)


def test_instruction_following_legend_draws_the_interval_with_caps():
    """The "95% CI" key is drawn as the plot draws an interval, a thin line with a cap at each end
    (a reader found a plain line in the legend against capped bars in the plot)."""
    fig = plot_instruction_following(ROWS, seed_rows=["SFT, loss on\nanswer"])
    legend = fig.legends[0]
    keys = dict(zip((x.get_text() for x in legend.get_texts()), legend.legend_handles))
    ci, rng = keys["95% CI"], keys["seeds' range\n(sampling error\nnot shown)"]
    assert ci.get_marker() == "|" and len(ci.get_xdata()) == 2  # a cap at each end
    assert rng.get_marker() in ("None", "", None) and rng.get_linewidth() > ci.get_linewidth()


def test_share_vs_kl_draws_every_marker_above_every_error_bar():
    """Readers found markers hidden under their own error bars: each marker sits above all bars."""
    points = [{"label": "SFT start (95% CI)", "kl": 0.0, "share": 0.56, "share_range": (0.49, 0.63)},
              {"label": "DPO", "kl": 2.2, "share": 0.54, "kl_range": (2.1, 2.3), "share_range": (0.50, 0.565)},
              {"label": "RFT", "kl": 1.0, "share": 0.58, "kl_range": (0.95, 1.05), "share_range": (0.57, 0.59)}]
    ax = plot_share_vs_kl(points).axes[0]
    markers = [line for line in ax.lines if line.get_marker() not in ("None", "", None, "|", "_")]
    bars = [c for c in ax.collections] + [line for line in ax.lines if line.get_marker() in ("|", "_")]
    assert len(markers) == len(points) and bars
    assert min(m.get_zorder() for m in markers) > max(b.get_zorder() for b in bars)
    assert all(m.get_markersize() >= 8 for m in markers)


def test_share_vs_kl_labels_overlap_no_other_label():
    """Each point is labelled beside it; in a crowded corner the labels move apart, not on top of
    each other (on a phone, four points overlapped near KL 0 and a legend had to be matched)."""
    points = [{"label": "SFT start (95% CI)", "kl": 0.0, "share": 0.56, "share_range": (0.49, 0.63)},
              {"label": "gentle DPO, β = 1.0", "kl": 0.14, "share": 0.58, "share_range": (0.57, 0.59)},
              {"label": "RFT", "kl": 1.0, "share": 0.583, "share_range": (0.57, 0.59)},
              {"label": "DPO, β = 1.0", "kl": 2.2, "share": 0.54, "share_range": (0.50, 0.56)}]
    best_of = [{"n": n, "kl": kl, "share": s} for n, kl, s in ((1, 0.0, 0.5), (4, 0.64, 0.85), (16, 1.84, 0.95))]
    fig = plot_share_vs_kl(points, best_of)
    renderer = fig.canvas.get_renderer()
    boxes = [x.get_window_extent(renderer) for x in fig.axes[0].texts]
    assert len(boxes) == len(points) + len(best_of) + 1
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
