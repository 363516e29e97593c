"""helpers.masks: the sliding-window and prefix-LM masks (chapter 5), and their bad inputs."""

from __future__ import annotations

import pytest
import torch
from bad_inputs import check, params

from helpers import masks


def test_sliding_window_is_a_banded_causal_mask():
    m = masks.sliding_window_mask(6, 3)
    i = torch.arange(6)
    want = (i[None, :] <= i[:, None]) & (i[None, :] > i[:, None] - 3)
    assert torch.equal(m, want)
    assert m.sum(-1).tolist() == [1, 2, 3, 3, 3, 3]  # at most `window` keys per query
    assert torch.equal(masks.sliding_window_mask(5, 5), masks.causal_mask(5))
    assert torch.equal(masks.sliding_window_mask(5, 9), masks.causal_mask(5))
    assert torch.equal(masks.sliding_window_mask(4, 1), torch.eye(4, dtype=torch.bool))


def test_sliding_window_matches_sdpa_with_a_float_band():
    q, k, v = (torch.randn(1, 2, 7, 4) for _ in range(3))
    band = masks.sliding_window_mask(7, 3)
    additive = torch.zeros(7, 7).masked_fill(~band, float("-inf"))
    by_bool = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=band)
    by_float = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=additive)
    assert torch.allclose(by_bool, by_float, atol=1e-6)


def test_prefix_lm_mask():
    m = masks.prefix_lm_mask(5, 2)
    assert m[:2, :2].all()  # the prefix sees itself both ways
    assert not m[:2, 2:].any()  # but not the continuation
    assert torch.equal(m[2:], masks.causal_mask(5)[2:] | (torch.arange(5) < 2))
    assert torch.equal(masks.prefix_lm_mask(4, 0), masks.causal_mask(4))
    assert masks.prefix_lm_mask(4, 4).all()
    assert masks.prefix_lm_mask(4, 1).equal(masks.causal_mask(4))  # one token: nothing to add


def test_plot_masks_labels_rows_and_columns_apart():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.plots._phone import figure_violations
    from helpers.plots.masks import plot_masks, plot_sensitivity

    keys = ["<sos>", "cat", "sat", "<pad>"]
    rows = ["→cat", "→sat", "→<eos>", "<pad>"]
    fig = plot_masks([(masks.causal_mask(4), "causal"), (masks.sliding_window_mask(4, 2), "window"),
                      (masks.prefix_lm_mask(4, 2), "prefix")], keys, rows)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == rows
    assert [t.get_text() for t in ax.get_xticklabels()] == keys
    assert [t.get_text() for t in fig.axes[1].get_yticklabels()] == [""] * 4  # only the first panel
    assert figure_violations(fig)[1] == []
    with pytest.raises(ValueError, match="shape"):
        plot_masks([(masks.causal_mask(3), "causal")], keys, rows)
    with pytest.raises(ValueError, match="ncols"):
        plot_masks([(masks.causal_mask(4), "causal")], keys, rows, ncols=0)
    fig = plot_sensitivity(torch.rand(4, 4).tril(), keys, rows)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == rows
    assert figure_violations(fig)[1] == []


def test_mask_explorer_rows_are_labelled_by_the_token_written():
    from helpers.explorers import mask_explorer_html

    keys = ["<sos>", "猫", "坐着", "<pad>"]
    rows = ["→猫", "→坐着", "→<eos>", "<pad>"]
    page = mask_explorer_html(keys, torch.zeros(4, 4), rows=rows)
    assert '"rows":["→猫","→坐着","→<eos>","<pad>"]' in page
    assert "<th class='ax-q'>→坐着</th>" in page and "<tr><th>→猫</th>" in page
    with pytest.raises(ValueError, match="rows"):
        mask_explorer_html(keys, torch.zeros(4, 4), rows=rows[:3])
    with pytest.raises(TypeError, match="rows"):
        mask_explorer_html(keys, torch.zeros(4, 4), rows="→猫")


BAD = [
    ("sliding size 0", lambda: masks.sliding_window_mask(0, 2), ValueError, "size"),
    ("sliding window 0", lambda: masks.sliding_window_mask(4, 0), ValueError, "window"),
    ("sliding window float", lambda: masks.sliding_window_mask(4, 2.0), ValueError, "window"),
    ("sliding window bool", lambda: masks.sliding_window_mask(4, True), ValueError, "window"),
    ("prefix size str", lambda: masks.prefix_lm_mask("4", 2), ValueError, "size"),
    ("prefix negative", lambda: masks.prefix_lm_mask(4, -1), ValueError, "prefix"),
    ("prefix too long", lambda: masks.prefix_lm_mask(4, 5), ValueError, "prefix"),
    ("prefix float", lambda: masks.prefix_lm_mask(4, 1.5), TypeError, "prefix"),
]


@params(BAD)
def test_bad_inputs(case):
    check(case)


if __name__ == "__main__":
    pytest.main([__file__, "-q"])


def test_plot_masks_keeps_chinese_tick_labels_upright():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.plots.masks import plot_masks

    keys = ["<sos>", "猫", "坐着", "<pad>", "<pad>", "<pad>", "<pad>"]
    fig = plot_masks([(masks.causal_mask(7), "causal")] * 3, keys, ncols=2, width=5.0)
    for ax in fig.axes:
        if not ax.axison:
            continue
        for label in ax.get_xticklabels():
            text = label.get_text().replace("\n", "")
            if text in ("猫", "坐着"):  # Chinese never lies on its side
                assert label.get_rotation() == 0
        assert [lab.get_text().replace("\n", "") for lab in ax.get_xticklabels()] == keys


def test_plot_masks_one_column_keeps_chinese_on_one_line():
    import matplotlib

    matplotlib.use("Agg")
    from helpers.plots.masks import plot_masks

    keys = ["<sos>", "猫", "坐着", "<pad>", "<pad>", "<pad>", "<pad>"]
    fig = plot_masks([(masks.causal_mask(7), "causal")] * 3, keys, ncols=1, width=3.6, height=3.4)
    for ax in fig.axes:
        assert [lab.get_text() for lab in ax.get_xticklabels()][2] == "坐着"  # not stacked
    with pytest.raises(ValueError, match="height"):
        plot_masks([(masks.causal_mask(7), "causal")], keys, height=0)
