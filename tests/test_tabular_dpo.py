"""helpers.tabular_dpo: DPO on a tabular policy reaches the closed-form optimum pi*, SFT on the
chosen answers reaches the distribution of chosen answers, and the expected loss is the chapter's
dpo_loss averaged over pairs."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from bad_inputs import check, params

from helpers import tabular_dpo as tab
from helpers.post import dpo

REF, REWARD = tab.toy_problem()


def test_toy_problem_is_a_valid_table():
    assert REF.shape == REWARD.shape == (3, 5)
    torch.testing.assert_close(REF.sum(-1), torch.ones(3, dtype=torch.float64))
    assert REWARD[0].argmax() == REF[0].argmin() == 4  # the best answer is the rarest


def test_pair_weights_sum_to_one_and_chosen_is_their_margin():
    w = tab.pair_weights(REF, REWARD)
    assert math.isclose(w.sum().item(), 1.0, rel_tol=1e-12)
    chosen = tab.chosen_distribution(REF, REWARD)
    torch.testing.assert_close(chosen.sum(-1), torch.ones(3, dtype=torch.float64))
    # by hand, one prompt and answer: 2 pi(y) sum_y' pi(y') sigmoid(r_y - r_y')
    x, y = 1, 2
    by_hand = 2 * REF[x, y] * sum(REF[x, j] * torch.sigmoid(REWARD[x, y] - REWARD[x, j]) for j in range(5))
    assert math.isclose(chosen[x, y].item(), by_hand.item(), rel_tol=1e-12)
    assert (chosen / REF).max() < 2


def test_sampled_pairs_match_the_weights_and_dpo_loss():
    g = torch.Generator().manual_seed(1)
    pairs = tab.sample_pairs(REF, REWARD, 200_000, g)
    emp = tab.empirical_weights(pairs, 3, 5)
    assert (emp - tab.pair_weights(REF, REWARD)).abs().max() < 0.005
    theta = torch.randn(3, 5, dtype=torch.float64, generator=g)
    lp, rl = torch.log_softmax(theta, -1), REF.log()
    x, w, lo = pairs
    torch.testing.assert_close(
        dpo.dpo_loss(lp[x, w], lp[x, lo], rl[x, w], rl[x, lo], 0.7), tab.expected_dpo_loss(theta, REF, emp, 0.7)
    )


@pytest.mark.parametrize("beta", [0.25, 1.0, 3.0])
def test_dpo_reaches_the_closed_form_and_sft_does_not(beta):
    probs, losses = tab.train_dpo(REF, tab.pair_weights(REF, REWARD), beta)
    optimum = tab.optimal_policy(REF, REWARD, beta)
    torch.testing.assert_close(probs, optimum)
    # pi* by a different route: maximise E[r] - beta KL directly over the logits
    theta = REF.log().clone().requires_grad_()
    opt = torch.optim.LBFGS(
        [theta], max_iter=500, tolerance_grad=1e-12, tolerance_change=1e-15, line_search_fn="strong_wolfe"
    )

    def closure():
        opt.zero_grad()
        p = torch.softmax(theta, -1)
        loss = -((p * REWARD).sum(-1) - beta * (p * (p.log() - REF.log())).sum(-1)).mean()
        loss.backward()
        return loss

    opt.step(closure)
    torch.testing.assert_close(torch.softmax(theta.detach(), -1), optimum, atol=1e-6, rtol=1e-5)
    # the lowest loss is the judge's own uncertainty, whatever beta
    gap = REWARD[:, :, None] - REWARD[:, None, :]
    floor = (tab.pair_weights(REF, REWARD) * -F.logsigmoid(gap)).sum().item()
    assert math.isclose(losses[-1], floor, rel_tol=1e-6)
    sft, _ = tab.train_sft(REF, tab.chosen_distribution(REF, REWARD))
    torch.testing.assert_close(sft, tab.chosen_distribution(REF, REWARD))
    assert (sft - optimum).abs().max() > 0.01  # near pi* only for a large beta

    def objective(p):
        return tab.expected_reward(p, REWARD) - beta * tab.kl_divergence(p, REF)

    assert objective(probs) > objective(sft)


def test_a_sure_judge_has_no_minimum():
    """With a judge that always prefers the higher reward, DPO keeps moving: the policy piles onto
    the best answer and the KL approaches -ln pi_ref(best)."""
    sure = (REWARD[:, :, None] > REWARD[:, None, :]).double() + 0.5 * (
        REWARD[:, :, None] == REWARD[:, None, :]
    ).double()
    w = 2 * REF[:, :, None] * REF[:, None, :] * sure / 3
    kls = [tab.kl_divergence(tab.train_dpo(REF, w, 0.5, steps=s)[0], REF) for s in (300, 1000, 3000)]
    assert kls[0] < kls[1] < kls[2]
    bound = -REF.gather(1, REWARD.argmax(1, keepdim=True)).log().mean().item()
    assert kls[2] < bound and bound - kls[2] < 0.1


def test_kl_and_reward_by_hand():
    p = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    q = torch.tensor([[0.25, 0.75]], dtype=torch.float64)
    assert math.isclose(tab.kl_divergence(p, q), 0.5 * math.log(2) + 0.5 * math.log(2 / 3))
    assert math.isclose(tab.expected_reward(p, torch.tensor([[1.0, 3.0]], dtype=torch.float64)), 2.0)


G = torch.Generator()
W = tab.pair_weights(REF, REWARD)
CASES = [
    ("ref-not-probs", lambda: tab.optimal_policy(REF * 2, REWARD, 1.0), ValueError, "ref_probs"),
    ("ref-1d", lambda: tab.optimal_policy(REF[0], REWARD, 1.0), ValueError, "ref_probs"),
    ("reward-shape", lambda: tab.pair_weights(REF, REWARD[:, :3]), ValueError, "reward"),
    ("reward-nan", lambda: tab.pair_weights(REF, REWARD * float("nan")), ValueError, "reward"),
    ("beta-zero", lambda: tab.optimal_policy(REF, REWARD, 0.0), ValueError, "beta"),
    ("beta-str", lambda: tab.train_dpo(REF, W, "1"), TypeError, "beta"),
    ("n-zero", lambda: tab.sample_pairs(REF, REWARD, 0, G), ValueError, "n"),
    ("generator", lambda: tab.sample_pairs(REF, REWARD, 5, 0), TypeError, "generator"),
    ("pairs", lambda: tab.empirical_weights([1, 2, 3], 3, 5), ValueError, "pairs"),
    ("weights-shape", lambda: tab.expected_dpo_loss(REF.log(), REF, W[0], 1.0), ValueError, "weights"),
    ("steps", lambda: tab.train_dpo(REF, W, 1.0, steps=0), ValueError, "steps"),
    ("lr", lambda: tab.train_sft(REF, REF, lr=-1.0), ValueError, "lr"),
    ("chosen-shape", lambda: tab.train_sft(REF, REF[:2]), ValueError, "chosen"),
    ("n-prompts", lambda: tab.toy_problem(n_prompts=0), ValueError, "n_prompts"),
    ("n-answers", lambda: tab.toy_problem(n_answers=3), ValueError, "n_answers"),
    ("probs", lambda: tab.kl_divergence(REF + 1, REF), ValueError, "probs"),
]


@params(CASES)
def test_bad_inputs(case):
    check(case)


def test_plot_draws_bars_and_the_optimum():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.plots import post_training as post_plots

    opt = tab.optimal_policy(REF, REWARD, 0.5)[0]
    fig = post_plots.plot_tabular_dpo(REWARD[0], {"reference": REF[0], "DPO": opt}, opt, 0.5)
    ax = fig.axes[0]
    assert len(ax.patches) == 10  # 5 answers x 2 policies
    assert [tick.get_text().split("\n")[0] for tick in ax.get_xticklabels()] == list("ABCDE")
    plt.close(fig)
    with pytest.raises(ValueError, match="reward and optimum"):
        post_plots.plot_tabular_dpo(REWARD[0], {"reference": REF[0]}, opt[:3], 0.5)
    with pytest.raises(ValueError, match="every policy"):
        post_plots.plot_tabular_dpo(REWARD[0], {"reference": REF[0, :3]}, opt, 0.5)
