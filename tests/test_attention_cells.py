"""Chapter 0's attention drawn cell by cell (helpers.plots.attention_cells): the numbers it draws are
chapter 0's model's (helpers.running_step, the same parameters), every cell writes its number, the
text stays readable on a phone in both languages, and bad inputs fail with a message naming the
argument."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest
import torch
from bad_inputs import check, params

from helpers import running_step
from helpers.attention import scaled_dot_product_attention
from helpers.plots._phone import figure_violations
from helpers.plots.attention_cells import attention_cells, draw_attention_cells

pytestmark = pytest.mark.usefixtures("book_style")

TOKENS = ["The", "cat", "sat"]


def _encoder():
    """Chapter 0's encoder input X (3, 4) and its three attention matrices, and every intermediate."""
    f = running_step.forward(running_step.build())
    p = running_step.build().params
    return f, (f["X"], p["Wq_enc"], p["Wk_enc"], p["Wv_enc"])


def _shown(value: float) -> str:
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text.replace("-", "\u2212")


@pytest.mark.parametrize("row", [0, 1, 2])
def test_the_numbers_drawn_are_chapter_0s_encoder_attention(row):
    f, (x, w_q, w_k, w_v) = _encoder()
    fig, drawn = draw_attention_cells(x, w_q, w_k, w_v, TOKENS, row=row)
    # the chapter's computation (running_step.forward) and the book's attention
    assert torch.allclose(drawn["x"], f["X"])
    assert torch.allclose(drawn["q"], f["q_enc"][row], atol=1e-6)
    assert torch.allclose(drawn["k"], f["k_enc"], atol=1e-6)
    assert torch.allclose(drawn["v"], f["v_enc"], atol=1e-6)
    assert torch.allclose(drawn["weights"], f["A_enc"][row], atol=1e-6)
    out, weights = scaled_dot_product_attention(f["q_enc"], f["k_enc"], f["v_enc"], return_weights=True)
    assert torch.allclose(drawn["weights"], weights[row], atol=1e-6)
    assert torch.allclose(drawn["output"], out[row], atol=1e-6)
    assert torch.allclose(drawn["output"], (f["C"] - f["X"])[row], atol=1e-6)  # C = X + attention
    assert torch.allclose(drawn["scores"].softmax(0), drawn["weights"])
    # every number drawn is written in a cell, two decimals, in the order of the blocks
    written = [x.get_text() for x in fig.axes[0].texts]
    expected = [_shown(v) for name in ("x", "q", "k", "scores", "v", "weights", "output")
                for v in drawn[name].flatten().tolist()]
    numbers = [s for s in written if s.replace("\u2212", "").replace(".", "").isdigit()]
    assert sorted(numbers) == sorted(expected)
    assert len(numbers) == 3 * 4 + 4 + 3 * 4 + 3 + 3 * 4 + 3 + 4


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_readable_on_a_phone_and_in_the_editions_language(language, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", language)
    _, args = _encoder()
    fig, _ = draw_attention_cells(*args, TOKENS)
    width_px, small = figure_violations(fig, bbox_inches="tight")
    assert not small, small
    assert width_px <= 400  # tall and narrow: a 390-px phone shows it (nearly) unscaled
    texts = {x.get_text() for x in fig.axes[0].texts}
    assert ("权重" in texts) == (language == "zh_CN") and ("weight" in texts) == (language == "en")
    # the score column says it holds q·k / sqrt(d_k), so a reader checking q·k by hand is not off by sqrt(4)
    assert r"$q{\cdot}k/\sqrt{d_k}$" in texts


X = torch.ones(3, 4)
W = torch.ones(4, 4)
BAD = [
    ("x a list", lambda: attention_cells([[1.0] * 4] * 3, W, W, W, 0), TypeError, "x"),
    ("x 1-D", lambda: attention_cells(torch.ones(4), W, W, W, 0), ValueError, "x"),
    ("x integer", lambda: attention_cells(torch.ones(3, 4, dtype=torch.long), W, W, W, 0), TypeError, "x"),
    ("w_q wrong rows", lambda: attention_cells(X, torch.ones(3, 4), W, W, 0), ValueError, "w_q"),
    ("w_k not a tensor", lambda: attention_cells(X, W, None, W, 0), TypeError, "w_k"),
    ("w_q, w_k differ", lambda: attention_cells(X, W, torch.ones(4, 3), W, 0), ValueError, "w_k"),
    ("row too large", lambda: attention_cells(X, W, W, W, 3), ValueError, "row"),
    ("row a float", lambda: attention_cells(X, W, W, W, 1.0), TypeError, "row"),
    ("tokens too few", lambda: draw_attention_cells(X, W, W, W, ["a", "b"]), ValueError, "tokens"),
    ("tokens a str", lambda: draw_attention_cells(X, W, W, W, "The cat sat"), TypeError, "tokens"),
    ("too many numbers", lambda: draw_attention_cells(torch.ones(3, 8), torch.ones(8, 8), torch.ones(8, 8),
                                                      torch.ones(8, 8), TOKENS), ValueError, "at most 6"),
    ("width too small", lambda: draw_attention_cells(X, W, W, W, TOKENS, width=1.0), ValueError, "width"),
]


@params(BAD)
def test_bad_inputs_fail_clearly(case):
    check(case)
