"""Train short, test long (chapter 3): the model pieces, the per-offset attention, bad inputs; and the
chapter's figures (helpers.plots.positional_figs) and chapter 4's timing figure."""

from __future__ import annotations

import functools
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
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
from helpers.plots._phone import check_figure
from helpers.plots.attention_cost import plot_attention_time
from helpers.positional import offset_matrix, sinusoidal_encoding


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
    ("train kind", lambda: train_copy_model("alibi", 0), ValueError, "kind"),
    ("train seed str", lambda: train_copy_model("rope", "0"), TypeError, "seed"),
    ("train T_train 0", lambda: train_copy_model("rope", 0, T_train=0), ValueError, "T_train"),
    ("train delta >= T_train", lambda: train_copy_model("rope", 0, T_train=4, delta=4), ValueError, "delta"),
    ("train max_len short", lambda: train_copy_model("rope", 0, T_train=16, max_len=8), ValueError, "max_len"),
    ("train lr 0", lambda: train_copy_model("rope", 0, lr=0.0), ValueError, "lr"),
    ("train lr nan", lambda: train_copy_model("rope", 0, lr=math.nan), ValueError, "lr"),
    ("accuracy model", lambda: position_accuracy(torch.nn.Linear(2, 2), 0), TypeError, "model"),
    ("accuracy T_test too long", lambda: position_accuracy(rope_model(), 0, T_test=100), ValueError, "T_test"),
    ("accuracy n_sequences 0", lambda: position_accuracy(rope_model(), 0, 20, n_sequences=0), ValueError,
     "n_sequences"),
    ("offsets seed negative", lambda: offset_weights(rope_model(), -1, 20), ValueError, "seed"),
    ("offsets delta", lambda: offset_weights(rope_model(), 0, 20, delta=20), ValueError, "delta"),
    ("weights ids float", lambda: rope_model().attention_weights(torch.zeros(2, 5)), TypeError, "ids"),
    ("weights ids 1-D", lambda: rope_model().attention_weights(torch.zeros(5, dtype=torch.long)), ValueError, "ids"),
    ("sinusoids pe int", lambda: positional_figs.sinusoid_overview(torch.zeros(4, 4, dtype=torch.long), [0]),
     TypeError, "pe"),
    ("sinusoids pair out of range", lambda: positional_figs.sinusoid_overview(sinusoidal_encoding(8, 8), [4]),
     ValueError, "pairs"),
    ("offset map not square", lambda: positional_figs.offset_map(torch.zeros(4, 2), torch.zeros(3, 3), 1),
     ValueError, "square"),
    ("extrapolation acc empty", lambda: positional_figs.extrapolation_curves({}, 4), ValueError, "acc"),
    ("extrapolation T_train 0", lambda: positional_figs.extrapolation_curves({"a": torch.zeros(2, 5)}, 0),
     ValueError, "T_train"),
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


def test_figures_pass_the_phone_check():
    with matplotlib.rc_context({"figure.dpi": 100}):
        figs = [
            positional_figs.sinusoid_overview(sinusoidal_encoding(100, 64), [0, 5, 15]),
            positional_figs.offset_map(offset_matrix(3, 16), torch.rand(64, 64), 3),
            positional_figs.extrapolation_curves({"rope": torch.rand(3, 64), "none": torch.rand(3, 64)}, 16,
                                                 {46.5: "offset 47 first occurs"}),
            plot_attention_time([128, 256, 512], [[1e-4, 2e-4, 1.5e-4], [4e-4, 5e-4, 6e-4], [2e-3, 2e-3, 3e-3]]),
        ]
        for fig in figs:
            check_figure(fig)
    plt.close("all")
