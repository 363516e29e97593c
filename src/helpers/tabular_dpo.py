"""DPO where everything is exact: a "tabular" policy over a few prompts with a handful of answers each.

Chapter 13 derives that DPO's loss, fitted to preferences that follow Bradley–Terry with a hidden
reward ``r``, is minimised by the KL-optimal policy ``pi*(y | x) ∝ pi_ref(y | x) exp(r(x, y) / beta)``.
On a real model that cannot be checked: the answers are too many. Here a policy is a table of
logits, one per prompt and answer (shape ``(K, A)``), so every probability, pair weight, reward and
KL divergence is a finite sum, and gradient descent on the expected DPO loss can be watched
converging to the closed form. Pairs are drawn as in DPO's data: a prompt uniformly, two answers
independently from the reference, and the judge prefers the first with probability
``sigmoid(r_1 - r_2)`` (Bradley–Terry).

Shapes: ``K`` prompts, ``A`` answers per prompt; probabilities and rewards ``(K, A)``, pair
weights ``(K, A, A)`` indexed ``[prompt, chosen, rejected]``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ._checks import check_int, check_number, show

__all__ = [
    "chosen_distribution",
    "empirical_weights",
    "expected_dpo_loss",
    "expected_reward",
    "kl_divergence",
    "optimal_policy",
    "pair_weights",
    "sample_pairs",
    "toy_problem",
    "train_dpo",
    "train_sft",
]


def _check_table(x: object, name: str, probs: bool = False) -> torch.Tensor:
    if not isinstance(x, torch.Tensor) or x.ndim != 2 or x.numel() == 0 or not x.is_floating_point():
        raise ValueError(f"{name} must be a non-empty float tensor of shape (K, A), got {show(x)}")
    if not torch.isfinite(x).all():
        raise ValueError(f"{name} must be finite, got {show(x)}")
    if probs and ((x <= 0).any() or not torch.allclose(x.sum(-1), torch.ones(len(x), dtype=x.dtype), atol=1e-5)):
        raise ValueError(f"{name} must hold probabilities > 0 whose rows sum to 1, got {show(x)}")
    return x


def _check_pair(ref_probs: object, reward: object) -> tuple[torch.Tensor, torch.Tensor]:
    ref = _check_table(ref_probs, "ref_probs", probs=True)
    r = _check_table(reward, "reward")
    if r.shape != ref.shape:
        raise ValueError(f"reward must have the shape of ref_probs {tuple(ref.shape)}, got {tuple(r.shape)}")
    return ref, r


def _check_beta(beta: object) -> float:
    return check_number(beta, "beta", low=0.0, low_open=True)


def toy_problem(n_prompts: int = 3, n_answers: int = 5, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A reference policy and a hidden reward, each ``(n_prompts, n_answers)`` (float64).

    Prompt 0 is fixed by hand: its best answer (the last) is the reference's least likely one.
    The other prompts are random (seeded): reference logits from a standard normal, rewards
    uniform in [0, 2]."""
    k = check_int(n_prompts, "n_prompts", low=1, high=100)
    a = check_int(n_answers, "n_answers", low=5, high=100)
    g = torch.Generator().manual_seed(check_int(seed, "seed", low=0))
    logits = torch.randn(k, a, generator=g, dtype=torch.float64)
    reward = 2 * torch.rand(k, a, generator=g, dtype=torch.float64)
    logits[0] = -10.0  # answers beyond the fifth: (almost) never written
    logits[0, :5] = torch.tensor([0.40, 0.25, 0.15, 0.12, 0.08], dtype=torch.float64).log()
    reward[0] = 0.0
    reward[0, :5] = torch.tensor([0.0, 0.5, 0.2, 1.0, 2.0], dtype=torch.float64)
    return torch.softmax(logits, dim=-1), reward


def optimal_policy(ref_probs: torch.Tensor, reward: torch.Tensor, beta: float) -> torch.Tensor:
    """The KL-regularised optimum ``pi* = pi_ref exp(r / beta) / Z``, shape ``(K, A)``."""
    ref, r = _check_pair(ref_probs, reward)
    return torch.softmax(ref.log() + r / _check_beta(beta), dim=-1)


def pair_weights(ref_probs: torch.Tensor, reward: torch.Tensor) -> torch.Tensor:
    """The probability of each pair ``(prompt x, chosen i, rejected j)``, shape ``(K, A, A)``:
    ``2 pi_ref(i | x) pi_ref(j | x) sigmoid(r_i - r_j) / K`` (the 2: either draw can be the winner;
    on the diagonal, two equal answers, it gives ``pi_ref(i | x)^2 / K``). The weights sum to 1."""
    ref, r = _check_pair(ref_probs, reward)
    win = torch.sigmoid(r[:, :, None] - r[:, None, :])
    return 2 * ref[:, :, None] * ref[:, None, :] * win / len(ref)


def chosen_distribution(ref_probs: torch.Tensor, reward: torch.Tensor) -> torch.Tensor:
    """How often each answer is the chosen one of a pair, per prompt, shape ``(K, A)``:
    ``2 pi_ref(y | x) E_{y' ~ pi_ref}[sigmoid(r(x, y) - r(x, y'))]``. SFT on the chosen answers
    converges to it; it never exceeds twice the reference and does not depend on beta."""
    w = pair_weights(ref_probs, reward)
    return w.sum(-1) * len(w)


def sample_pairs(
    ref_probs: torch.Tensor, reward: torch.Tensor, n: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``n`` preference pairs drawn as DPO's data: (prompt, chosen, rejected), three ``(n,)`` long
    tensors. A prompt uniformly, two answers from the reference, the winner by Bradley–Terry."""
    ref, r = _check_pair(ref_probs, reward)
    n = check_int(n, "n", low=1, high=10_000_000)
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator, got {show(generator)}")
    x = torch.randint(len(ref), (n,), generator=generator)
    a = torch.multinomial(ref[x], 2, replacement=True, generator=generator)
    first_wins = torch.rand(n, generator=generator, dtype=r.dtype) < torch.sigmoid(r[x, a[:, 0]] - r[x, a[:, 1]])
    chosen = torch.where(first_wins, a[:, 0], a[:, 1])
    rejected = torch.where(first_wins, a[:, 1], a[:, 0])
    return x, chosen, rejected


def empirical_weights(
    pairs: tuple[torch.Tensor, torch.Tensor, torch.Tensor], n_prompts: int, n_answers: int
) -> torch.Tensor:
    """The share of each (prompt, chosen, rejected) among sampled ``pairs``, shape ``(K, A, A)``."""
    if not isinstance(pairs, tuple) or len(pairs) != 3 or not all(isinstance(p, torch.Tensor) for p in pairs):
        raise ValueError(f"pairs must be (prompt, chosen, rejected) long tensors, got {show(pairs)}")
    k = check_int(n_prompts, "n_prompts", low=1)
    a = check_int(n_answers, "n_answers", low=1)
    x, c, rj = pairs
    flat = (x * a + c) * a + rj
    counts = torch.bincount(flat, minlength=k * a * a).to(torch.float64)
    return (counts / counts.sum()).view(k, a, a)


def expected_dpo_loss(
    logits: torch.Tensor, ref_probs: torch.Tensor, weights: torch.Tensor, beta: float
) -> torch.Tensor:
    """The DPO loss averaged over pairs with the given ``weights`` ``(K, A, A)``:
    ``sum w[x, i, j] * -ln sigmoid(beta * delta)``, with
    ``delta = ln pi(i)/pi_ref(i) - ln pi(j)/pi_ref(j)`` and ``pi = softmax(logits)`` ``(K, A)``."""
    logits = _check_table(logits, "logits")
    ref = _check_table(ref_probs, "ref_probs", probs=True)
    if (
        logits.shape != ref.shape
        or not isinstance(weights, torch.Tensor)
        or weights.shape != (*ref.shape, ref.shape[1])
    ):
        raise ValueError(
            f"logits must be {tuple(ref.shape)} and weights (K, A, A), got {show(logits)} and {show(weights)}"
        )
    ratio = torch.log_softmax(logits, dim=-1) - ref.log()  # ln pi / pi_ref
    delta = ratio[:, :, None] - ratio[:, None, :]
    return (weights * -F.logsigmoid(_check_beta(beta) * delta)).sum()


def _fit(loss_fn, start: torch.Tensor, steps: int, lr: float) -> tuple[torch.Tensor, list[float]]:
    theta = start.clone().requires_grad_()
    opt = torch.optim.Adam([theta], lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(theta)
        loss.backward()
        opt.step()
        sched.step()
        losses.append(loss.item())
    return theta.detach(), losses


def train_dpo(
    ref_probs: torch.Tensor, weights: torch.Tensor, beta: float, steps: int = 600, lr: float = 0.1
) -> tuple[torch.Tensor, list[float]]:
    """Gradient descent (Adam, cosine schedule) on ``expected_dpo_loss`` from the reference.
    Returns the policy's probabilities ``(K, A)`` and the loss at each step."""
    ref = _check_table(ref_probs, "ref_probs", probs=True)
    beta = _check_beta(beta)
    theta, losses = _fit(
        lambda th: expected_dpo_loss(th, ref, weights, beta),
        ref.log(),
        check_int(steps, "steps", low=1),
        check_number(lr, "lr", low=0.0, low_open=True),
    )
    return torch.softmax(theta, dim=-1), losses


def train_sft(
    ref_probs: torch.Tensor, chosen: torch.Tensor, steps: int = 600, lr: float = 0.1
) -> tuple[torch.Tensor, list[float]]:
    """Gradient descent on the SFT loss of the chosen answers, ``-sum_x sum_y chosen(y|x) ln pi(y|x) / K``
    (``chosen`` ``(K, A)``, rows summing to 1), from the reference. Returns probabilities and losses."""
    ref = _check_table(ref_probs, "ref_probs", probs=True)
    c = _check_table(chosen, "chosen")
    if c.shape != ref.shape:
        raise ValueError(f"chosen must have the shape of ref_probs {tuple(ref.shape)}, got {tuple(c.shape)}")
    theta, losses = _fit(
        lambda th: -(c * torch.log_softmax(th, dim=-1)).sum(-1).mean(),
        ref.log(),
        check_int(steps, "steps", low=1),
        check_number(lr, "lr", low=0.0, low_open=True),
    )
    return torch.softmax(theta, dim=-1), losses


def expected_reward(probs: torch.Tensor, reward: torch.Tensor) -> float:
    """``E_{y ~ pi}[r(x, y)]``, mean over the prompts."""
    p = _check_table(probs, "probs", probs=True)
    return (p * _check_table(reward, "reward")).sum(-1).mean().item()


def kl_divergence(probs: torch.Tensor, ref_probs: torch.Tensor) -> float:
    """``KL(pi || pi_ref)`` in nats, mean over the prompts."""
    p = _check_table(probs, "probs", probs=True)
    ref = _check_table(ref_probs, "ref_probs", probs=True)
    return (p * (p.log() - ref.log())).sum(-1).mean().item()
