"""Direct preference optimisation (DPO, Rafailov et al. 2023) for the chat poem GPT.

Bradley-Terry: the probability that answer y_w is preferred to y_l is sigma(r(y_w) - r(y_l)).
With the reward implied by a policy pi_theta tuned from a reference pi_ref under a KL penalty
beta, r(y) = beta * ln(pi_theta(y) / pi_ref(y)) + (a term that cancels), and the loss of one pair is

    L = -ln sigma(beta * h),  h = [ln pi_theta(y_w) - ln pi_ref(y_w)] - [ln pi_theta(y_l) - ln pi_ref(y_l)]

with dL/d ln pi_theta(y_w) = -beta * sigma(-beta h) and dL/d ln pi_theta(y_l) = +beta * sigma(-beta h).
Here ln pi(y) is the sum of the answer's token log-probabilities (prompt tokens excluded).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import torch
from torch.nn import functional as F

from .. import clock
from ..gpt import GPT
from .chat import ChatFormat, Request
from .rewards import form_reward
from .sampling import sample, token_log_probs

Pair = tuple[list[int], list[int], int]  # (chosen ids, rejected ids, number of prompt ids), ids end with <eos>


def _check_same_shape(**tensors: torch.Tensor) -> None:
    shapes = {k: tuple(v.shape) for k, v in tensors.items()}
    if len(set(shapes.values())) != 1:
        raise ValueError(f"these must have the same shape: {shapes}")


def dpo_loss(logp_chosen: torch.Tensor, logp_rejected: torch.Tensor, ref_chosen: torch.Tensor,
             ref_rejected: torch.Tensor, beta: float) -> torch.Tensor:
    """The mean DPO loss over pairs; every argument is (B,) sequence log-probabilities (nats)."""
    _check_same_shape(logp_chosen=logp_chosen, logp_rejected=logp_rejected, ref_chosen=ref_chosen,
                      ref_rejected=ref_rejected)
    if isinstance(beta, bool) or not isinstance(beta, int | float) or beta <= 0:
        raise ValueError(f"beta must be a number > 0, got {beta!r}")
    h = (logp_chosen - ref_chosen) - (logp_rejected - ref_rejected)
    return -F.logsigmoid(beta * h).mean()


def dpo_grads(logp_chosen: torch.Tensor, logp_rejected: torch.Tensor, ref_chosen: torch.Tensor,
              ref_rejected: torch.Tensor, beta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """dL/d logp_chosen and dL/d logp_rejected (each (B,)) of the mean loss, by hand."""
    _check_same_shape(logp_chosen=logp_chosen, logp_rejected=logp_rejected, ref_chosen=ref_chosen,
                      ref_rejected=ref_rejected)
    h = (logp_chosen - ref_chosen) - (logp_rejected - ref_rejected)
    weight = beta * torch.sigmoid(-beta * h) / h.numel()  # large when the model ranks the pair wrongly
    return -weight, weight


def pad(rows: Sequence[list[int]], pad_id: int) -> torch.Tensor:
    """Lists of ids -> (B, T_max) padded with ``pad_id``."""
    T = max(len(r) for r in rows)
    out = torch.full((len(rows), T), pad_id, dtype=torch.long)
    for b, r in enumerate(rows):
        out[b, : len(r)] = torch.tensor(r)
    return out


def sequence_log_probs(model: GPT, rows: Sequence[list[int]], n_prompt: Sequence[int], pad_id: int) -> torch.Tensor:
    """Sum of the answer tokens' log-probabilities of each row -> (B,) (with gradients if enabled).

    Row b's answer is rows[b][n_prompt[b]:] (its <eos> included); padding is left out.
    """
    if len(rows) != len(n_prompt) or not rows:
        raise ValueError(f"{len(rows)} rows and {len(n_prompt)} prompt lengths")
    ids = pad(rows, pad_id)
    lp = token_log_probs(model, ids)  # (B, T-1): position t predicts ids[:, t+1]
    mask = torch.zeros_like(lp)
    for b, (r, n) in enumerate(zip(rows, n_prompt)):
        mask[b, n - 1: len(r) - 1] = 1.0
    return (lp * mask).sum(1)


def make_pairs(groups: Sequence[tuple[list[list[int]], list[float], int]], seed: int = 0) -> list[Pair]:
    """Preference pairs from groups of sampled answers to one prompt.

    Each group is (rows of ids, their rewards, number of prompt ids). A group with both a
    rewarded (max) and an unrewarded (min) answer gives one pair: a random best one as chosen,
    a random worst one as rejected. Groups whose answers all score alike give none.
    """
    rng = random.Random(seed)
    pairs = []
    for rows, rewards, n_prompt in groups:
        if len(rows) != len(rewards):
            raise ValueError(f"a group has {len(rows)} answers and {len(rewards)} rewards")
        hi, lo = max(rewards), min(rewards)
        if hi == lo:
            continue
        best = [r for r, s in zip(rows, rewards) if s == hi]
        worst = [r for r, s in zip(rows, rewards) if s == lo]
        pairs.append((rng.choice(best), rng.choice(worst), n_prompt))
    return pairs


def sample_groups(model: GPT, chat: ChatFormat, requests: Sequence[Request], group_size: int,
                  seed: int) -> list[tuple[list[list[int]], list[float], int]]:
    """For each request, ``group_size`` answers sampled at temperature 1 and their form rewards:
    [(rows of ids, rewards, number of prompt ids)], the input of ``make_pairs``. An answer cut by
    the length limit gets an <eos>. Requests are sampled 16 at a time, from one seeded generator."""
    g = torch.Generator().manual_seed(seed)
    groups = []
    for i in range(0, len(requests), 16):
        chunk = requests[i: i + 16]
        ids, mask, tp = sample(model, chat, [r for r in chunk for _ in range(group_size)], g)
        for j, r in enumerate(chunk):
            rows, scores = [], []
            for k in range(j * group_size, (j + 1) * group_size):
                row = ids[k, : tp + int(mask[k].sum())].tolist()
                if row[-1] != chat.eos_id:
                    row.append(chat.eos_id)  # an answer cut by the length limit: end it
                rows.append(row)
                scores.append(form_reward(chat.decode_answer(row[tp:]), r))
            groups.append((rows, scores, tp))
    return groups


def chosen_nll(logp_chosen: torch.Tensor, n_tokens: Sequence[int]) -> torch.Tensor:
    """The SFT loss on the chosen answers: -sum(logp_chosen) / sum(n_tokens), nats per token.

    ``logp_chosen``: (B,) sequence log-probabilities; ``n_tokens``: each answer's token count
    (<eos> included). This is the term TRL's ``rpo_alpha`` adds to DPO (Pang et al. 2024).
    """
    if logp_chosen.dim() != 1 or len(n_tokens) != logp_chosen.numel():
        raise ValueError(f"logp_chosen must be (B,) with one token count each, got shape "
                         f"{tuple(logp_chosen.shape)} and {len(n_tokens)} counts")
    if any(n <= 0 for n in n_tokens):
        raise ValueError(f"n_tokens must all be > 0, got {list(n_tokens)}")
    return -logp_chosen.sum() / sum(n_tokens)


def train_dpo(policy: GPT, ref: GPT, pairs: Sequence[Pair], pad_id: int, beta: float, steps: int,
              batch_size: int = 16, lr: float = 1e-4, seed: int = 0, log_every: int = 5,
              sft_weight: float = 0.0) -> list[dict]:
    """Tune ``policy`` in place on preference pairs (``ref`` frozen) -> log [{"step", "loss", "acc", "margin"}].

    ``acc``: share of the batch's pairs the implied reward ranks right; ``margin``: mean beta * h.
    ``sft_weight`` > 0 adds that weight times ``chosen_nll`` (the SFT loss on the chosen answers,
    TRL's ``rpo_alpha``) to the DPO loss; the log then also holds ``nll``.
    """
    if not pairs:
        raise ValueError("no preference pairs")
    if isinstance(sft_weight, bool) or not isinstance(sft_weight, int | float) or sft_weight < 0:
        raise ValueError(f"sft_weight must be a number >= 0, got {sft_weight!r}")
    rng = random.Random(seed)
    opt = torch.optim.AdamW([p for p in policy.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    ref.eval()
    log, start = [], clock.perf_counter()
    policy.train()
    for step in range(1, steps + 1):
        batch = rng.sample(list(pairs), min(batch_size, len(pairs)))
        rows = [c for c, _, _ in batch] + [r for _, r, _ in batch]
        n_prompt = [n for _, _, n in batch] * 2
        lp = sequence_log_probs(policy, rows, n_prompt, pad_id)
        with torch.no_grad():
            lr_ = sequence_log_probs(ref, rows, n_prompt, pad_id)
        B = len(batch)
        loss = dpo_loss(lp[:B], lp[B:], lr_[:B], lr_[B:], beta)
        if sft_weight:
            nll = chosen_nll(lp[:B], [len(c) - n for c, _, n in batch])
            loss = loss + sft_weight * nll
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
        opt.step()
        if step % log_every == 0 or step == steps:
            h = ((lp[:B] - lr_[:B]) - (lp[B:] - lr_[B:])).detach()
            log.append({"step": step, "loss": round(loss.item(), 4), "acc": round((h > 0).float().mean().item(), 3),
                        "margin": round((beta * h).mean().item(), 4),
                        "seconds": round(clock.perf_counter() - start, 1)})
            if sft_weight:
                log[-1]["nll"] = round(nll.item(), 4)
    policy.eval()
    return log


@torch.no_grad()
def pair_diagnostics(policy: GPT, ref: GPT, pairs: Sequence[Pair], pad_id: int, beta: float) -> dict:
    """What DPO did to each pair: the answers' log-probabilities under ``ref`` and ``policy``.

    Returns tensors of shape (n_pairs,): ``ref_chosen``, ``ref_rejected``, ``chosen``, ``rejected``
    (sequence log-probabilities, nats), the implicit rewards ``reward_chosen`` = beta * (chosen -
    ref_chosen) and ``reward_rejected``, and ``margin`` = their difference (beta * h); and the
    floats ``accuracy`` (share of pairs with margin > 0: the implicit reward ranks the chosen
    answer first) and ``loss`` (the mean DPO loss on these pairs).
    """
    if not pairs:
        raise ValueError("no preference pairs")
    if isinstance(beta, bool) or not isinstance(beta, int | float) or beta <= 0:
        raise ValueError(f"beta must be a number > 0, got {beta!r}")
    was_training = policy.training, ref.training
    policy.eval()
    ref.eval()
    chosen, rejected, n_prompt = [c for c, _, _ in pairs], [r for _, r, _ in pairs], [n for _, _, n in pairs]
    out = {"ref_chosen": sequence_log_probs(ref, chosen, n_prompt, pad_id),
           "ref_rejected": sequence_log_probs(ref, rejected, n_prompt, pad_id),
           "chosen": sequence_log_probs(policy, chosen, n_prompt, pad_id),
           "rejected": sequence_log_probs(policy, rejected, n_prompt, pad_id)}
    policy.train(was_training[0])
    ref.train(was_training[1])
    out["reward_chosen"] = beta * (out["chosen"] - out["ref_chosen"])
    out["reward_rejected"] = beta * (out["rejected"] - out["ref_rejected"])
    out["margin"] = out["reward_chosen"] - out["reward_rejected"]
    out["accuracy"] = (out["margin"] > 0).float().mean().item()
    out["loss"] = dpo_loss(out["chosen"], out["rejected"], out["ref_chosen"], out["ref_rejected"], beta).item()
    return out
