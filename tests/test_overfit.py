"""Training vs held-out loss on a tiny training set (chapter 8)."""

import pytest
import torch
from bad_inputs import check, params

from helpers import corpus, overfit


def test_training_loss_falls_and_held_out_loss_turns_up():
    train_pairs, test_pairs = corpus.split_pairs()
    few = corpus.sample_pairs(8, seed=0, pairs=train_pairs)
    curves = overfit.loss_curves(few, test_pairs[:32], seed=0, steps=40, eval_every=5)
    assert curves.train_loss.shape == (41,)
    assert curves.eval_steps == list(range(0, 41, 5))
    assert curves.held_loss.shape == (9,)
    assert curves.train_loss[-1] < 0.1 * curves.train_loss[0]
    step, low = curves.best
    assert 0 < step < 40 and curves.held_loss[-1] > low
    again = overfit.loss_curves(few, test_pairs[:32], seed=0, steps=40, eval_every=5)
    assert torch.equal(curves.train_loss, again.train_loss)  # seeded


def _bad_cases():
    tr, te = corpus.split_pairs()
    a, b = tr[:2], te[:2]
    return [
        ("train-empty", lambda: overfit.loss_curves([], b), ValueError, "train_pairs"),
        ("train-item", lambda: overfit.loss_curves([("a", "b")], b), TypeError, "train_pairs"),
        ("held-type", lambda: overfit.loss_curves(a, "x"), TypeError, "held_pairs"),
        ("seed", lambda: overfit.loss_curves(a, b, seed=-1), ValueError, "seed"),
        ("steps", lambda: overfit.loss_curves(a, b, steps=0), ValueError, "steps"),
        ("eval_every", lambda: overfit.loss_curves(a, b, steps=5, eval_every=6), ValueError, "eval_every"),
        ("lr", lambda: overfit.loss_curves(a, b, lr=0), ValueError, "lr"),
        ("weight_decay", lambda: overfit.loss_curves(a, b, weight_decay=-1), ValueError, "weight_decay"),
        ("d_model", lambda: overfit.loss_curves(a, b, d_model=30), ValueError, "d_model"),
    ]


@params(_bad_cases())
def test_bad_inputs(case):
    check(case)


# the figure of the overfitting section (helpers.plots.loss_figures.plot_overfitting)


def _figure_inputs():
    train = torch.linspace(4, 0.01, 11).repeat(3, 1) * torch.tensor([[1.0], [1.1], [0.9]])
    held = torch.tensor([4.0, 2.0, 2.5, 3.0]).repeat(3, 1)
    return list(range(11)), train, [0, 3, 6, 10], held, [3, 3, 6]


@pytest.mark.usefixtures("book_style")
def test_overfitting_figure_is_readable_on_a_phone():
    import matplotlib.pyplot as plt

    from helpers.plots._phone import figure_violations
    from helpers.plots.loss_figures import plot_overfitting

    fig = plot_overfitting(*_figure_inputs())
    _, small = figure_violations(fig)
    assert small == []
    assert fig.axes[0].get_yscale() == "log"
    plt.close(fig)


def _figure_bad_cases():
    from helpers.plots.loss_figures import plot_overfitting

    steps, train, ev, held, best = _figure_inputs()
    return [
        ("train-1d", lambda: plot_overfitting(steps, train[0], ev, held, best), ValueError, "train"),
        ("train-cols", lambda: plot_overfitting(steps[:5], train, ev, held, best), ValueError, "train"),
        ("held-shape", lambda: plot_overfitting(steps, train, ev[:2], held, best), ValueError, "held"),
        ("best", lambda: plot_overfitting(steps, train, ev, held, best[:2]), ValueError, "best_steps"),
        ("nonpositive", lambda: plot_overfitting(steps, train * 0, ev, held, best), ValueError, "positive"),
    ]


@params(_figure_bad_cases())
def test_figure_bad_inputs(case):
    check(case)
