"""A reward model learned from preference pairs, as in RLHF: Bradley–Terry with a linear head.

Chapter 13 judges answers with a program (the form checker). The classic recipe instead *learns*
a reward from comparisons: ``P(a preferred to b) = sigmoid(r(a) - r(b))`` (Bradley–Terry), with
``r`` a network. Here ``r(y) = w · phi(y)`` is a linear head on frozen features ``phi`` of the
chapter's own model (the mean of its final hidden states over the answer's tokens), so fitting
``w`` is logistic regression on feature differences ``phi(y_w) - phi(y_l)`` with no intercept:
a convex problem, solved exactly by Newton's method in a fraction of a second.

Shapes: ``N`` pairs, ``C`` features (the model's width), ``I`` prompts with ``G`` answers each.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from ._checks import check_bool, check_int, check_number, check_tensor, show

__all__ = [
    "answer_features",
    "best_of_n",
    "bt_loss",
    "cross_fit",
    "fit_bradley_terry",
    "group_pairs",
    "pair_accuracy",
]


def _check_matrix(x: object, name: str) -> torch.Tensor:
    x = check_tensor(x, name, ndim=2, floating=True)
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ValueError(f"{name} must be a non-empty (N, C) matrix, got shape {tuple(x.shape)}")
    if not bool(torch.isfinite(x).all()):
        raise ValueError(f"{name} must hold finite numbers (no nan or inf)")
    return x


@torch.no_grad()
def answer_features(
    model: torch.nn.Module, rows: Sequence[Sequence[int]], n_prompt: int, pad_id: int, log_probs: bool = False
) -> torch.Tensor:
    """Frozen features of each answer -> (B, C), or (B, C + 1) with ``log_probs``; float64.

    The C features are the mean of ``model.features`` (its final hidden states, after the last
    LayerNorm) over the answer's positions. With ``log_probs`` one more follows: the model's
    ln p of the answer's first token given the prompt.
    ``rows[b]`` is prompt + answer ids (the answer is ``rows[b][n_prompt:]``, its <eos> included);
    rows may differ in length and are padded with ``pad_id``, which is left out of the means.
    """
    if not hasattr(model, "features") or not hasattr(model, "lm_head"):
        raise TypeError(f"model must be a helpers.gpt.GPT (.features and .lm_head), got {show(model)}")
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence) or not rows:
        raise ValueError(f"rows must be a non-empty list of token-id lists, got {show(rows)}")
    n_prompt = check_int(n_prompt, "n_prompt", low=1)
    pad_id = check_int(pad_id, "pad_id", low=0)
    log_probs = check_bool(log_probs, "log_probs")
    lengths = [len(r) for r in rows]
    if min(lengths) <= n_prompt:
        raise ValueError(
            f"every row must be longer than n_prompt={n_prompt} (an answer after the "
            f"prompt), got a row of {min(lengths)} ids"
        )
    ids = torch.full((len(rows), max(lengths)), pad_id, dtype=torch.long)
    for b, r in enumerate(rows):
        ids[b, : len(r)] = torch.as_tensor(list(r), dtype=torch.long)
    was_training = model.training
    model.eval()
    h = model.features(ids)  # (B, T, C)
    pos = torch.arange(ids.size(1))
    mask = ((pos >= n_prompt) & (pos < torch.tensor(lengths)[:, None])).double()  # (B, T)
    out = (h.double() * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
    if log_probs:  # the logits at the last prompt position predict the answer's first token
        logits = model.lm_head(h[:, n_prompt - 1]).double()  # (B, V)
        first = torch.log_softmax(logits, dim=-1).gather(1, ids[:, n_prompt, None])  # (B, 1)
        out = torch.cat([out, first], dim=1)
    model.train(was_training)
    return out


def group_pairs(rewards: Sequence[Sequence[float]]) -> list[tuple[int, int, int]]:
    """Every (prompt, chosen answer, rejected answer) whose judge's rewards differ, chosen higher.

    ``rewards[i][j]`` is the judge's reward of answer j to prompt i; indices are returned.
    """
    if isinstance(rewards, (str, bytes)) or not isinstance(rewards, Sequence) or not rewards:
        raise ValueError(f"rewards must be a non-empty list of lists of numbers, got {show(rewards)}")
    out = []
    for i, group in enumerate(rewards):
        if isinstance(group, (str, bytes)) or not isinstance(group, Sequence):
            raise ValueError(f"rewards[{i}] must be a list of numbers, got {show(group)}")
        for a, ra in enumerate(group):
            for b, rb in enumerate(group):
                if ra > rb:
                    out.append((i, a, b))
    return out


def bt_loss(w: torch.Tensor, diffs: torch.Tensor, l2: float = 0.0) -> torch.Tensor:
    """The Bradley–Terry loss of a linear reward: mean over pairs of -ln sigmoid(w · d_n), plus
    (l2 / 2) ||w||^2. ``w`` (C,), ``diffs`` (N, C): phi(chosen) - phi(rejected) per pair."""
    diffs = _check_matrix(diffs, "diffs")
    w = check_tensor(w, "w", ndim=1, floating=True)
    if w.shape[0] != diffs.shape[1]:
        raise ValueError(f"w has {w.shape[0]} entries but diffs has {diffs.shape[1]} columns")
    l2 = check_number(l2, "l2", low=0)
    return F.softplus(-(diffs @ w)).mean() + 0.5 * l2 * (w @ w)


def fit_bradley_terry(diffs: torch.Tensor, l2: float = 1e-2, steps: int = 50, tol: float = 1e-10) -> torch.Tensor:
    """The linear Bradley–Terry reward ``w`` (C,) that minimises ``bt_loss(w, diffs, l2)``.

    This is L2-regularised logistic regression without intercept on the rows of ``diffs`` (N, C),
    every label "chosen wins"; with ``l2 > 0`` it is strictly convex, and Newton's method (the
    gradient and the Hessian ``D^T diag(s(1 - s)) D / N + l2 I``, with a halving line search)
    finds its minimum to ``tol`` in a few steps. Computed in float64.
    """
    d = _check_matrix(diffs, "diffs").double()
    l2 = check_number(l2, "l2", low=0, low_open=True)
    steps = check_int(steps, "steps", low=1)
    tol = check_number(tol, "tol", low=0, low_open=True)
    n, c = d.shape
    w = torch.zeros(c, dtype=torch.float64)
    eye = torch.eye(c, dtype=torch.float64)
    loss = bt_loss(w, d, l2)
    for _ in range(steps):
        s = torch.sigmoid(d @ w)  # P(chosen wins) under the current reward
        grad = -(d.T @ (1 - s)) / n + l2 * w
        if grad.abs().max() < tol:
            break
        hess = (d.T * (s * (1 - s))) @ d / n + l2 * eye
        step = torch.linalg.solve(hess, grad)
        t = 1.0
        while t > 1e-8:  # halve the step until the loss falls (it rarely has to)
            new_w = w - t * step
            new_loss = bt_loss(new_w, d, l2)
            if new_loss <= loss:
                break
            t /= 2
        w, loss = new_w, new_loss
    return w


def pair_accuracy(w: torch.Tensor, diffs: torch.Tensor) -> float:
    """Share of pairs whose learned reward ranks the chosen answer first (w · d > 0); a tie
    counts half."""
    diffs = _check_matrix(diffs, "diffs")
    w = check_tensor(w, "w", ndim=1, floating=True)
    if w.shape[0] != diffs.shape[1]:
        raise ValueError(f"w has {w.shape[0]} entries but diffs has {diffs.shape[1]} columns")
    z = diffs.double() @ w.double()
    return ((z > 0).double() + 0.5 * (z == 0).double()).mean().item()


def best_of_n(scores: torch.Tensor, judge: torch.Tensor, n: int) -> float:
    """Mean judge's reward of the answer picked by ``scores`` among the first ``n`` of each prompt.

    ``scores`` and ``judge`` are (I, G): a score to pick by, and the judge's reward, of answer j to
    prompt i. Ties go to the earliest answer, so ``n = 1`` is one plain sample per prompt.
    """
    scores = check_tensor(scores, "scores", ndim=2)
    judge = check_tensor(judge, "judge", ndim=2)
    if scores.shape != judge.shape:
        raise ValueError(f"scores {tuple(scores.shape)} and judge {tuple(judge.shape)} must have one shape")
    n = check_int(n, "n", low=1, high=scores.shape[1])
    pick = scores[:, :n].double().argmax(1)  # argmax returns the first maximum
    return judge[torch.arange(judge.shape[0]), pick].double().mean().item()


def cross_fit(phi: torch.Tensor, judge: torch.Tensor, l2: float = 1e-2, n_folds: int = 5, seed: int = 0) -> dict:
    """Fit and test the reward on different prompts: split the I prompts into ``n_folds`` folds
    (a seeded shuffle); for each fold, fit ``fit_bradley_terry`` on the pairs of the other folds'
    prompts (``group_pairs`` of ``judge``) and score the fold's own answers with it.

    ``phi`` (I, G, C): features of answer j to prompt i; ``judge`` (I, G): the judge's rewards.
    Returns ``scores`` (I, G), each prompt's answers scored by a reward that never saw its pairs;
    ``accuracy``, the share of the held-out pairs (all folds pooled) ranked as the judge ranks
    them; ``n_pairs``, how many held-out pairs that is; and ``weights``, one (C,) per fold.
    """
    phi = check_tensor(phi, "phi", ndim=3, floating=True)
    judge = check_tensor(judge, "judge", ndim=2)
    if phi.shape[:2] != judge.shape:
        raise ValueError(f"phi {tuple(phi.shape)} must be (I, G, C) with (I, G) = judge's shape {tuple(judge.shape)}")
    n_folds = check_int(n_folds, "n_folds", low=2, high=judge.shape[0])
    seed = check_int(seed, "seed")
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(judge.shape[0], generator=gen).tolist()
    pairs = group_pairs(judge.tolist())
    scores = torch.zeros(judge.shape, dtype=torch.float64)
    right, total, weights = 0.0, 0, []
    for k in range(n_folds):
        test = set(order[k::n_folds])
        train = [(i, a, b) for i, a, b in pairs if i not in test]
        held = [(i, a, b) for i, a, b in pairs if i in test]
        if not train:
            raise ValueError("no training pairs: every prompt's answers got the same reward")
        d = torch.stack([phi[i, a] - phi[i, b] for i, a, b in train]).double()
        w = fit_bradley_terry(d, l2)
        weights.append(w)
        if held:
            dt = torch.stack([phi[i, a] - phi[i, b] for i, a, b in held]).double()
            right += pair_accuracy(w, dt) * len(held)
            total += len(held)
        for i in test:
            scores[i] = phi[i].double() @ w
    return {
        "scores": scores,
        "accuracy": right / total if total else float("nan"),
        "n_pairs": total,
        "weights": weights,
    }
