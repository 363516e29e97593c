"""Chapter 10's figures: what they draw, and that every text stays readable on a phone.

The phone rule (helpers.plots._phone): a figure shown W inches wide needs every text at
>= 2.2 * W points (11 px on a 390-px phone).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from helpers.plots._phone import figure_violations
from helpers.plots.finetune_methods import plot_methods, plot_ranks
from helpers.plots.pretraining_answer import plot_answer
from helpers.plots.pretraining_masks import plot_masks
from helpers.plots.sample_efficiency import plot_sample_efficiency
from helpers.plots.surrogate_gap import plot_surrogate

pytestmark = pytest.mark.usefixtures("book_style")


def _figures() -> dict[str, plt.Figure]:
    shift = [-4 + 8 * i / 400 for i in range(401)]
    seeds = {"full": [89.0, 87.0, 82.0], "frozen body": [85.0, 81.0, 80.5], "LoRA r=8": [83.5, 84.0, 82.0]}
    return {
        "answer": plot_answer(
            {"bag of characters": [84.0, 87.5, 86.0], "pretrained, fine-tuned": [89.0, 87.0, 82.0],
             "from scratch": [83.5, 81.5, 82.5]},
            {"bag of characters": [50.0] * 3, "pretrained body": [85.0, 80.5, 86.0], "random body": [50.5, 52.0, 54.5]},
            ("Which poet? (301 poems per poet)", "Poem or shuffle? (64 labelled pairs)"),
        ),
        "masks": plot_masks(list("S床前明月光，疑")),
        "sample efficiency": plot_sample_efficiency(
            {
                "pretrained, fine-tuned": {8: [65.5, 58.5, 71.0], 32: [72.5, 74.0, 67.5], 301: [89.0, 87.0, 82.0]},
                "from scratch": {8: [65.0, 57.5, 55.5], 32: [71.5, 65.5, 63.5], 301: [83.5, 81.5, 82.5]},
                "bag of characters": {8: [70.0, 65.0, 71.5], 32: [76.0, 70.5, 72.5], 301: [84.0, 87.5, 86.0]},
            },
            untrained={"pretrained, fine-tuned": [(8, 58.5)], "from scratch": [(8, 55.5)]},
            pool=301,
        ),
        "methods": plot_methods(
            seeds, {"full": [5.2, 4.9, 5.4], "frozen body": [4.54] * 3, "LoRA r=8": [4.8, 5.0, 4.9]}, 4.54, noise=2.5
        ),
        "ranks": plot_ranks(
            {1: [81.5, 80.0, 83.0], 8: [83.5, 84.0, 82.0], 32: [82.0, 83.0, 84.0]}, {1: 8_450, 8: 65_794, 32: 262_402}
        ),
        "surrogate": plot_surrogate(
            shift,
            [80 - 3 * abs(x) + (i % 5) for i, x in enumerate(shift)],
            [0.4 + 0.05 * x * x for x in shift],
            "change of the head's bias for 杜甫",
        ),
    }


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("name", ["answer", "masks", "sample efficiency", "methods", "ranks", "surrogate"])
def test_every_text_is_readable_on_a_phone(name, lang, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", lang)  # the Chinese labels are wider
    fig = _figures()[name]
    width_px, small = figure_violations(fig)
    assert not small, [str(s) for s in small]
    assert width_px <= 510  # phone-sized: about 5 inches wide as shown
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text().strip()]
    assert min(t.get_fontsize() for t in texts) >= 2.1 * width_px / 100 - 1e-6  # the chapter's margin


def test_methods_figure_stacks_its_panels_and_marks_the_loss_before():
    fig = _figures()["methods"]
    top, bottom = fig.get_axes()
    assert top.get_position().y0 > bottom.get_position().y1  # one above the other, not side by side
    assert [t.get_text() for t in bottom.get_xticklabels()] == ["full", "frozen body", "LoRA r=8"]
    assert any(line.get_linestyle() == "--" and line.get_ydata()[0] == 4.54 for line in bottom.get_lines())


def test_masks_figure_draws_causal_and_full_masks():
    fig = _figures()["masks"]
    causal, full = (ax.get_images()[0].get_array() for ax in fig.get_axes())
    n = causal.shape[0]
    assert n == 8 and causal.sum() == n * (n + 1) // 2 and full.sum() == n * n
    assert causal[0, 1] == 0 and causal[1, 0] == 1  # a query reads keys at or before it


@pytest.mark.parametrize(
    "lang, words",
    [
        (
            "en",
            {
                "test accuracy (%)",
                "chance",
                "labelled poems per poet",
                "before fine-tuning",
                "key (read)",
                "dashed: best accuracy; dotted: lowest loss",
            },
        ),
        (
            "zh_CN",
            {
                "测试准确率（%）",
                "随机基线",
                "每位诗人的有标注诗数",
                "微调前",
                "键（被读取）",
                "虚线：最高准确率；点线：最低损失",
            },
        ),
    ],
)
def test_figure_words_follow_the_book_language(lang, words, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    texts = {t.get_text() for fig in _figures().values() for t in fig.findobj(matplotlib.text.Text)}
    assert words <= texts, words - texts


def test_ranks_figure_marks_each_mean_and_draws_no_trend():
    """One short bar per rank at its mean, no line joining the means, and an accuracy axis at least
    MIN_SPAN points tall, so that a gap of a point or two between ranks looks as small as it is."""
    from helpers.plots.finetune_methods import MIN_SPAN

    fig = _figures()["ranks"]
    ax = fig.get_axes()[0]
    bars = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    assert len(bars) == 3 and all(len(set(line.get_ydata())) == 1 for line in bars)  # flat: a mean each
    assert sorted(round(line.get_ydata()[0], 6) for line in bars) == [81.5, 83.0, round(83.5 / 3 + 84 / 3 + 82 / 3, 6)]
    low, high = ax.get_ylim()
    assert high - low >= MIN_SPAN


def test_methods_figure_draws_one_noise_band_around_the_first_mean():
    seeds = {"full": [89.0, 87.0, 82.0], "frozen body": [85.0, 81.0, 80.5]}
    lm = {"full": [5.2, 4.9, 5.4], "frozen body": [4.54] * 3}
    top = plot_methods(seeds, lm, 4.54, noise=2.5).get_axes()[0]
    bands = [p for p in top.patches if p.get_visible()]
    assert len(bands) == 1  # one accuracy's noise, drawn once: not a band of each method
    (x0, y0), (x1, y1) = bands[0].get_path().get_extents(bands[0].get_patch_transform()).get_points()
    assert abs(y0 - (86.0 - 2.5)) < 1e-9 and abs(y1 - (86.0 + 2.5)) < 1e-9  # full's mean ± noise
    assert x0 == 0 and x1 == 1  # across the whole panel (axes coordinates)
    assert "full" in top.get_title()
    with pytest.raises(ValueError, match="noise"):
        plot_methods(seeds, lm, 4.54, noise=0.0)


def test_sample_efficiency_circles_the_untrained_runs():
    series = {"pretrained": {8: [65.5, 58.5, 71.0], 32: [72.5, 74.0, 67.5]}}
    fig = plot_sample_efficiency(series, untrained={"pretrained": [(8, 58.5)]})
    ax = fig.get_axes()[0]
    circles = [line for line in ax.get_lines() if line.get_markerfacecolor() == "none" and len(line.get_xdata())]
    assert [(list(c.get_xdata()), list(c.get_ydata())) for c in circles] == [([8], [58.5])]
    assert "kept step 0 (untrained)" in [t.get_text() for t in ax.get_legend().get_texts()]
    with pytest.raises(ValueError, match="untrained"):
        plot_sample_efficiency(series, untrained={"scratch": [(8, 50.0)]})
    with pytest.raises(ValueError, match="size"):
        plot_sample_efficiency(series, untrained={"pretrained": [(16, 50.0)]})


def test_sample_efficiency_names_the_whole_pool():
    ax = _figures()["sample efficiency"].get_axes()[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["8", "32", "all (301)"]
    with pytest.raises(ValueError, match="pool"):
        plot_sample_efficiency({"a": {8: [60.0], 32: [70.0]}}, pool=301)


def test_masks_figure_puts_two_same_size_labelled_grids_side_by_side():
    fig = _figures()["masks"]
    causal, full = fig.get_axes()
    a, b = causal.get_position(), full.get_position()
    assert a.x1 < b.x0  # side by side, not stacked
    assert abs(a.width - b.width) < 1e-6 and abs(a.height - b.height) < 1e-6  # the same size
    chars = list("S床前明月光，疑")
    for ax in (causal, full):  # both grids' columns carry the characters
        assert [t.get_text() for t in ax.get_xticklabels()] == chars
        # the characters are the figure's largest text: at least 13 px on a 390-px phone
        width_px, _ = figure_violations(fig)
        shown = min(1.0, 360 / width_px)
        assert all(t.get_fontsize() * 100 / 72 * shown >= 13 for t in ax.get_xticklabels())
    assert [t.get_text() for t in causal.get_yticklabels()] == chars  # the shared rows, labelled once
    assert fig.get_figheight() < 0.75 * fig.get_figwidth()
    with pytest.raises(ValueError, match="tokens"):
        plot_masks([])


def test_answer_figure_stacks_the_two_tasks_on_one_accuracy_axis():
    fig = _figures()["answer"]
    poet, order = fig.get_axes()
    assert poet.get_position().y0 > order.get_position().y1  # stacked, the poet task on top
    assert poet.get_xlim() == order.get_xlim() == (0.0, 100.0)  # one axis: the gaps compare by eye
    assert [t.get_text() for t in order.get_yticklabels()] == ["bag of characters", "pretrained body", "random body"]
    means = sorted(round(p.get_width(), 6) for p in order.patches)
    assert means == [50.0, round((50.5 + 52.0 + 54.5) / 3, 6), round((85.0 + 80.5 + 86.0) / 3, 6)]
    assert any(line.get_linestyle() == ":" and line.get_xdata()[0] == 50.0 for line in order.get_lines())


def test_answer_figure_keeps_one_colour_per_model_across_the_panels():
    from matplotlib.colors import to_hex

    def colours(fig):  # label -> the colour of its bar, per panel
        return [{tick.get_text(): to_hex(bar.get_facecolor(), keep_alpha=False)
                 for tick, bar in zip(ax.get_yticklabels(), ax.patches)} for ax in fig.get_axes()]

    poet = {"bag": [84.0], "pretrained, fine-tuned": [89.0], "from scratch": [83.5]}
    order = {"bag": [50.0], "pretrained body": [85.0], "random body": [52.0]}
    top, bottom = colours(plot_answer(poet, order, ("x", "y")))
    assert top["bag"] == bottom["bag"]  # the same label: the same colour
    assert len(set(top.values()) | set(bottom.values())) == 5  # different labels: different colours
    chosen = {"bag": "C0", "pretrained, fine-tuned": "C1", "pretrained body": "C1", "from scratch": "C2",
              "random body": "C4"}
    top, bottom = colours(plot_answer(poet, order, ("x", "y"), colors=chosen))
    assert top["pretrained, fine-tuned"] == bottom["pretrained body"] != bottom["random body"] != top["from scratch"]
    with pytest.raises(ValueError, match="random body"):
        plot_answer(poet, order, ("x", "y"), colors={k: v for k, v in chosen.items() if k != "random body"})


@pytest.mark.parametrize(
    "poet, order, titles, match",
    [
        ({}, {"a": [50.0]}, ("x", "y"), "poet"),
        ({"a": [50.0]}, {"a": []}, ("x", "y"), "order"),
        ({"a": [150.0]}, {"a": [50.0]}, ("x", "y"), "poet"),
        ({"a": [50.0]}, {"a": [50.0]}, ("x",), "titles"),
    ],
)
def test_answer_figure_rejects_bad_inputs(poet, order, titles, match):
    with pytest.raises(ValueError, match=match):
        plot_answer(poet, order, titles)
