"""helpers.rope_scaling: position interpolation, NTK-aware scaling and YaRN against Hugging Face."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from bad_inputs import check, params

from helpers.plots._phone import check_figure
from helpers.plots.rope_scaling import plot_slowdown
from helpers.positional import frequencies
from helpers.rope_scaling import (
    hf_frequencies,
    scaled_frequencies,
    wavelengths,
    yarn_attention_factor,
    yarn_ramp_bounds,
)
from helpers.viz import setup_cjk_font

pytest.importorskip("transformers")


@pytest.mark.parametrize("method", ["none", "linear", "ntk", "yarn"])
@pytest.mark.parametrize(
    "d_head,base,factor,train_len", [(64, 10_000.0, 4.0, 2048), (128, 500_000.0, 8.0, 8192), (16, 10_000.0, 2.0, 16)]
)
def test_matches_hugging_face(method, d_head, base, factor, train_len):
    ours = scaled_frequencies(d_head, base, factor, method, train_len=train_len)
    ref = hf_frequencies(d_head, base, factor, method, train_len)
    assert ours.shape == (d_head // 2,)
    assert torch.allclose(ours.float(), ref, rtol=1e-5, atol=0)


def test_none_is_ropes_own_frequencies():
    assert torch.allclose(scaled_frequencies(64, 10_000.0, 4.0, "none"), frequencies(64).double())


def test_fastest_and_slowest_pairs():
    d, s = 64, 4.0
    plain = scaled_frequencies(d, 10_000.0, s, "none")
    pi = scaled_frequencies(d, 10_000.0, s, "linear")
    ntk = scaled_frequencies(d, 10_000.0, s, "ntk")
    assert torch.allclose(pi, plain / s)  # every pair slowed by s
    assert math.isclose(ntk[0].item(), plain[0].item())  # NTK: fastest pair untouched
    assert math.isclose(ntk[-1].item(), plain[-1].item() / s, rel_tol=1e-12)  # slowest slowed by s
    ratio = plain / ntk  # NTK slows pairs more and more, from 1 to s
    assert (ratio[1:] > ratio[:-1]).all()


def test_yarn_keeps_fast_pairs_and_interpolates_slow_ones():
    d, s, n = 64, 4.0, 2048
    low, high = yarn_ramp_bounds(d, 10_000.0, n)
    plain = scaled_frequencies(d, 10_000.0, s, "none")
    yarn = scaled_frequencies(d, 10_000.0, s, "yarn", train_len=n)
    assert torch.equal(yarn[: low + 1], plain[: low + 1])
    assert torch.allclose(yarn[high:], plain[high:] / s)
    turns = n * plain / (2 * math.pi)
    assert turns[low] >= 32 > turns[low + 1] and turns[high] <= 1 < turns[high - 1]


def test_wavelengths_and_attention_factor():
    assert torch.allclose(wavelengths(torch.tensor([1.0, 0.5])), torch.tensor([2 * math.pi, 4 * math.pi]))
    assert yarn_attention_factor(1.0) == 1.0
    assert math.isclose(yarn_attention_factor(4.0), 0.1 * math.log(4) + 1)


def _omegas():
    return {m: scaled_frequencies(64, 1e4, 4.0, m, train_len=2048) for m in ("none", "linear", "ntk", "yarn")}


LABELS = {"linear": "interpolation", "ntk": "NTK-aware", "yarn": "YaRN"}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_slowdown_figure_passes_the_phone_check_and_speaks_the_language(language, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", language)
    with matplotlib.rc_context({"figure.dpi": 100}):
        setup_cjk_font()
        fig = plot_slowdown(_omegas(), LABELS, ramp=yarn_ramp_bounds(64, 1e4, 2048))
        check_figure(fig)
        fig.canvas.draw()
        texts = {x.get_text() for x in fig.findobj(matplotlib.text.Text)}
        assert ("放慢倍数" if language == "zh_CN" else "slowed by (x)") in texts
    plt.close("all")


def test_slowdown_lines_are_the_ratios():
    om = _omegas()
    fig = plot_slowdown(om, LABELS)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3
    assert torch.allclose(torch.tensor(lines[1].get_ydata()), om["none"] / om["ntk"])
    plt.close("all")


BAD = [
    ("odd d_head", lambda: scaled_frequencies(63, 1e4, 2.0, "linear"), ValueError, "d_head"),
    ("tiny d_head", lambda: scaled_frequencies(2, 1e4, 2.0, "linear"), ValueError, "d_head"),
    ("float d_head", lambda: scaled_frequencies(64.0, 1e4, 2.0, "linear"), TypeError, "d_head"),
    ("base 1", lambda: scaled_frequencies(64, 1.0, 2.0, "linear"), ValueError, "base"),
    ("factor < 1", lambda: scaled_frequencies(64, 1e4, 0.5, "linear"), ValueError, "factor"),
    ("factor str", lambda: scaled_frequencies(64, 1e4, "4", "linear"), TypeError, "factor"),
    ("factor nan", lambda: scaled_frequencies(64, 1e4, float("nan"), "ntk"), ValueError, "factor"),
    ("unknown method", lambda: scaled_frequencies(64, 1e4, 2.0, "rope"), ValueError, "method"),
    ("yarn no train_len", lambda: scaled_frequencies(64, 1e4, 2.0, "yarn"), ValueError, "train_len"),
    ("yarn train_len 0", lambda: scaled_frequencies(64, 1e4, 2.0, "yarn", train_len=0), ValueError, "train_len"),
    ("yarn betas swapped", lambda: scaled_frequencies(64, 1e4, 2.0, "yarn", 2048, 1.0, 32.0), ValueError, "beta_slow"),
    ("ramp beta 0", lambda: yarn_ramp_bounds(64, 1e4, 2048, beta_fast=0.0), ValueError, "beta_fast"),
    ("wavelengths list", lambda: wavelengths([1.0]), TypeError, "omega"),
    ("wavelengths zero", lambda: wavelengths(torch.tensor([1.0, 0.0])), ValueError, "omega"),
    ("attention factor 0", lambda: yarn_attention_factor(0.0), ValueError, "factor"),
    ("plot no none", lambda: plot_slowdown({"linear": torch.ones(4)}, LABELS), ValueError, "omegas"),
    (
        "plot unknown",
        lambda: plot_slowdown({"none": torch.ones(4), "abc": torch.ones(4)}, LABELS),
        ValueError,
        "omegas",
    ),
    (
        "plot shape",
        lambda: plot_slowdown({"none": torch.ones(4), "ntk": torch.ones(3)}, LABELS),
        ValueError,
        "omegas['ntk']",
    ),
    ("plot label", lambda: plot_slowdown({"none": torch.ones(4), "ntk": torch.ones(4)}, {}), ValueError, "labels"),
    (
        "plot width",
        lambda: plot_slowdown({"none": torch.ones(4), "ntk": torch.ones(4)}, LABELS, width=0.1),
        ValueError,
        "width",
    ),
    ("hf train_len", lambda: hf_frequencies(64, 1e4, 2.0, "linear", -1), ValueError, "train_len"),
]


@params(BAD)
def test_bad_inputs(case):
    check(case)
