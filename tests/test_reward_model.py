"""helpers.reward_model: a linear Bradley–Terry reward is logistic regression on feature differences."""

from __future__ import annotations

import pytest
import torch
from bad_inputs import check, params

from helpers import reward_model as rm
from helpers.gpt import GPT, GPTConfig


def _diffs(n: int = 200, c: int = 6, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Pairs drawn from a true linear Bradley–Terry reward: (diffs (n, c) with the winner first, w_true)."""
    g = torch.Generator().manual_seed(seed)
    w_true = torch.randn(c, generator=g, dtype=torch.float64)
    d = torch.randn(n, c, generator=g, dtype=torch.float64)
    first_wins = torch.rand(n, generator=g, dtype=torch.float64) < torch.sigmoid(d @ w_true)
    return torch.where(first_wins[:, None], d, -d), w_true


def test_fit_equals_sklearn_logistic_regression():
    linear_model = pytest.importorskip("sklearn.linear_model")
    d, _ = _diffs()
    for lam in (1e-3, 1e-1):
        w = rm.fit_bradley_terry(d, lam)
        X = torch.cat([d, -d]).numpy()
        y = [1] * len(d) + [0] * len(d)
        sk = linear_model.LogisticRegression(
            fit_intercept=False, C=1 / (2 * lam * len(d)), tol=1e-12, max_iter=10_000
        ).fit(X, y)
        torch.testing.assert_close(torch.from_numpy(sk.coef_[0]), w, atol=1e-6, rtol=1e-5)


def test_fit_is_the_minimum_of_the_loss_autograd():
    d, _ = _diffs(seed=1)
    w = rm.fit_bradley_terry(d, 1e-2).requires_grad_()
    rm.bt_loss(w, d, 1e-2).backward()
    assert w.grad.abs().max() < 1e-8  # the gradient vanishes at the fit
    # and torch's L-BFGS from zero reaches the same point
    v = torch.zeros_like(w).requires_grad_()
    opt = torch.optim.LBFGS([v], lr=1, max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-15)

    def closure():
        opt.zero_grad()
        loss = rm.bt_loss(v, d, 1e-2)
        loss.backward()
        return loss

    opt.step(closure)
    torch.testing.assert_close(v.detach(), w.detach(), atol=1e-6, rtol=1e-5)


def test_fit_recovers_the_true_reward_with_much_data():
    d, w_true = _diffs(n=20_000, c=3, seed=2)
    w = rm.fit_bradley_terry(d, 1e-6)
    assert (w - w_true).abs().max() < 0.1
    assert rm.pair_accuracy(w, d) > 0.6


def test_bt_loss_by_hand():
    d = torch.tensor([[1.0, 0.0], [0.0, -2.0]], dtype=torch.float64)
    w = torch.tensor([0.5, 1.0], dtype=torch.float64)
    z = d @ w
    expect = -torch.log(torch.sigmoid(z)).mean() + 0.5 * 0.1 * (w @ w)
    torch.testing.assert_close(rm.bt_loss(w, d, 0.1), expect)


def test_group_pairs_and_accuracy():
    assert rm.group_pairs([[1, 0, 1], [0, 0], [0.5, 1]]) == [(0, 0, 1), (0, 2, 1), (2, 1, 0)]
    d = torch.tensor([[1.0], [-1.0], [0.0], [2.0]])
    assert rm.pair_accuracy(torch.tensor([1.0]), d) == pytest.approx((1 + 0 + 0.5 + 1) / 4)


def test_best_of_n_picks_by_score_first_on_ties():
    judge = torch.tensor([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
    assert rm.best_of_n(judge, judge, 1) == pytest.approx(0.5)
    assert rm.best_of_n(judge, judge, 3) == pytest.approx(1.0)
    wrong = -judge  # a reward that prefers what the judge rejects
    assert rm.best_of_n(wrong, judge, 3) == pytest.approx(0.0)
    assert rm.best_of_n(torch.zeros(2, 3), judge, 3) == pytest.approx(0.5)  # ties: the first answer


def test_cross_fit_scores_held_out_prompts_only():
    g = torch.Generator().manual_seed(0)
    feats = torch.randn(10, 4, 3, generator=g, dtype=torch.float64)
    judge = (feats[..., 0] > 0).double()  # the judge reads feature 0: learnable
    out = rm.cross_fit(feats, judge, l2=1e-3, n_folds=5, seed=0)
    assert out["scores"].shape == (10, 4) and len(out["weights"]) == 5
    assert out["accuracy"] > 0.9
    pairs = rm.group_pairs(judge.tolist())
    assert out["n_pairs"] == len(pairs)
    right = sum(float(out["scores"][i, a] > out["scores"][i, b]) for i, a, b in pairs)
    assert out["accuracy"] == pytest.approx(right / len(pairs))


def test_answer_features_mean_over_the_answer():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=20, block_size=16, n_layer=1, n_head=2, n_embd=8)).eval()
    rows = [[1, 2, 3, 4, 5], [1, 2, 3, 6]]
    f = rm.answer_features(model, rows, 3, pad_id=0, log_probs=True)
    assert f.shape == (2, 9) and f.dtype == torch.float64
    with torch.no_grad():
        h = model.features(torch.tensor([rows[0]]))[0]
        logits = model(torch.tensor([rows[0]]))[0][0]
    torch.testing.assert_close(f[0, :8], h[3:].mean(0).double())
    torch.testing.assert_close(f[0, 8], torch.log_softmax(logits[2].double(), -1)[4])
    # padding is left out: the short row alone gives the same features
    torch.testing.assert_close(f[1], rm.answer_features(model, rows[1:], 3, pad_id=0, log_probs=True)[0])


_model = GPT(GPTConfig(vocab_size=20, block_size=16, n_layer=1, n_head=2, n_embd=8))
_d = torch.ones(3, 2, dtype=torch.float64)
CASES = [
    ("fit-not-tensor", lambda: rm.fit_bradley_terry([[1.0]]), TypeError, "diffs"),
    ("fit-1d", lambda: rm.fit_bradley_terry(torch.ones(3)), ValueError, "diffs"),
    ("fit-int", lambda: rm.fit_bradley_terry(torch.ones(3, 2, dtype=torch.long)), TypeError, "diffs"),
    ("fit-empty", lambda: rm.fit_bradley_terry(torch.ones(0, 2)), ValueError, "diffs"),
    ("fit-nan", lambda: rm.fit_bradley_terry(torch.tensor([[float("nan")]])), ValueError, "diffs"),
    ("fit-l2-zero", lambda: rm.fit_bradley_terry(_d, 0.0), ValueError, "l2"),
    ("fit-l2-str", lambda: rm.fit_bradley_terry(_d, "0.1"), TypeError, "l2"),
    ("fit-steps", lambda: rm.fit_bradley_terry(_d, 0.1, steps=0), ValueError, "steps"),
    ("loss-w-shape", lambda: rm.bt_loss(torch.ones(3, dtype=torch.float64), _d), ValueError, "w"),
    ("loss-l2-neg", lambda: rm.bt_loss(torch.ones(2, dtype=torch.float64), _d, -1.0), ValueError, "l2"),
    ("acc-w-shape", lambda: rm.pair_accuracy(torch.ones(5), _d), ValueError, "w"),
    ("pairs-empty", lambda: rm.group_pairs([]), ValueError, "rewards"),
    ("pairs-str", lambda: rm.group_pairs(["ab"]), ValueError, "rewards[0]"),
    ("bon-shape", lambda: rm.best_of_n(torch.ones(2, 3), torch.ones(2, 4), 1), ValueError, "scores"),
    ("bon-n-big", lambda: rm.best_of_n(torch.ones(2, 3), torch.ones(2, 3), 4), ValueError, "n"),
    ("bon-n-zero", lambda: rm.best_of_n(torch.ones(2, 3), torch.ones(2, 3), 0), ValueError, "n"),
    ("cf-shape", lambda: rm.cross_fit(torch.ones(4, 3, 2), torch.ones(4, 2)), ValueError, "phi"),
    ("cf-folds", lambda: rm.cross_fit(torch.ones(4, 3, 2), torch.ones(4, 3), n_folds=5), ValueError, "n_folds"),
    ("cf-no-pairs", lambda: rm.cross_fit(torch.ones(4, 3, 2), torch.ones(4, 3), n_folds=2), ValueError, "pairs"),
    ("feat-model", lambda: rm.answer_features("gpt", [[1, 2]], 1, 0), TypeError, "model"),
    ("feat-rows", lambda: rm.answer_features(_model, [], 1, 0), ValueError, "rows"),
    ("feat-short", lambda: rm.answer_features(_model, [[1, 2]], 2, 0), ValueError, "n_prompt"),
    ("feat-n-prompt", lambda: rm.answer_features(_model, [[1, 2]], 0, 0), ValueError, "n_prompt"),
    ("feat-log-probs", lambda: rm.answer_features(_model, [[1, 2]], 1, 0, log_probs=1), TypeError, "log_probs"),
]


@params(CASES)
def test_bad_inputs(case):
    check(case)
