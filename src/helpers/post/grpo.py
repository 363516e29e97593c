"""Group-relative policy optimisation (GRPO, Shao et al. 2024) with a checkable reward.

For each prompt, sample a *group* of G answers from the policy and score each with the reward
r. An answer's advantage is its reward against its group's:

    A_i = (r_i - mean(r_1..r_G)) / (std(r_1..r_G) + eps)

so no learned value model is needed (PPO's critic). Each answer token t then contributes the
clipped objective of PPO (Schulman et al. 2017) minus a KL penalty towards the reference model:

    ratio_t = pi_theta(y_t | .) / pi_old(y_t | .)
    J_t = min(ratio_t A, clip(ratio_t, 1 - eps_clip, 1 + eps_clip) A) - beta * k3_t
    k3_t = pi_ref(y_t | .) / pi_theta(y_t | .) - ln(pi_ref(y_t | .) / pi_theta(y_t | .)) - 1

(k3 is an unbiased, always non-negative estimate of the per-token KL(pi_theta || pi_ref) on
tokens drawn from pi_theta.) The loss is -J averaged over each answer's tokens, then over answers,
as in the DeepSeekMath paper. ``pi_old`` is the policy that sampled the answers: on the first
gradient step after sampling the ratio is 1 and the loss's gradient is the policy gradient
A * grad ln pi_theta; later steps on the same samples (``inner_steps`` > 1) move the ratio away
from 1, and the clip stops a step from going too far.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import torch

from .. import clock
from ..gpt import GPT
from .chat import ChatFormat, Request
from .rewards import Reward
from .sampling import sample, token_log_probs


def group_advantages(rewards: torch.Tensor, eps: float = 1e-4) -> torch.Tensor:
    """Rewards (P, G), one row per prompt's group -> advantages (P, G), standardised within each row.

    The standard deviation is the sample one (divided by G - 1), as in trl's GRPOTrainer. A group
    whose answers all score alike gets advantage 0: it teaches nothing.
    """
    if not isinstance(rewards, torch.Tensor) or rewards.dim() != 2 or rewards.size(1) < 2:
        raise ValueError(f"rewards must be a (prompts, group >= 2) tensor, got {getattr(rewards, 'shape', rewards)!r}")
    mean = rewards.mean(1, keepdim=True)
    std = rewards.std(1, keepdim=True)
    return (rewards - mean) / (std + eps)


def grpo_loss(logp: torch.Tensor, logp_old: torch.Tensor, logp_ref: torch.Tensor, advantages: torch.Tensor,
              mask: torch.Tensor, clip_eps: float = 0.2, beta: float = 0.04) -> tuple[torch.Tensor, dict]:
    """The GRPO loss -> (scalar loss, stats {"kl", "clipped"}).

    logp, logp_old, logp_ref: (B, n) log-probabilities of the sampled answer tokens under the
    policy (with gradients), the sampling policy and the reference; advantages: (B,);
    mask: (B, n), 1 on answer tokens. "kl" is the mean k3 per token; "clipped" the share of
    tokens whose ratio the clip cut off.
    """
    if not (logp.shape == logp_old.shape == logp_ref.shape == mask.shape):
        raise ValueError(f"logp {tuple(logp.shape)}, logp_old {tuple(logp_old.shape)}, logp_ref "
                         f"{tuple(logp_ref.shape)} and mask {tuple(mask.shape)} must have one shape (B, n)")
    if advantages.shape != logp.shape[:1]:
        raise ValueError(f"advantages must be (B,) = {tuple(logp.shape[:1])}, got {tuple(advantages.shape)}")
    if not 0 < clip_eps < 1:
        raise ValueError(f"clip_eps must be in (0, 1), got {clip_eps!r}")
    if beta < 0:
        raise ValueError(f"beta must be >= 0, got {beta!r}")
    ratio = torch.exp(logp - logp_old)
    A = advantages[:, None]
    surrogate = torch.minimum(ratio * A, torch.clamp(ratio, 1 - clip_eps, 1 + clip_eps) * A)
    log_ref_ratio = logp_ref - logp
    k3 = torch.exp(log_ref_ratio) - log_ref_ratio - 1
    per_token = -(surrogate - beta * k3)
    lengths = mask.sum(1).clamp(min=1)
    loss = ((per_token * mask).sum(1) / lengths).mean()
    with torch.no_grad():
        n = mask.sum().clamp(min=1)
        clipped = ((ratio * A != surrogate).float() * mask).sum() / n
        stats = {"kl": ((k3 * mask).sum() / n).item(), "clipped": clipped.item()}
    return loss, stats


def answer_log_probs(model: GPT, ids: torch.Tensor, n_prompt: int) -> torch.Tensor:
    """Log-probabilities of the answer tokens ids[:, n_prompt:] -> (B, T - n_prompt)."""
    return token_log_probs(model, ids)[:, n_prompt - 1:]


def train_grpo(policy: GPT, ref: GPT, chat: ChatFormat, requests: Sequence[Request], reward: Reward, steps: int,
               prompts_per_step: int = 4, group_size: int = 8, inner_steps: int = 2, lr: float = 2e-5,
               clip_eps: float = 0.2, beta: float = 0.04, temperature: float = 1.0, seed: int = 0,
               max_new_tokens: int = 72) -> list[dict]:
    """Tune ``policy`` in place with GRPO -> log, one entry per step: {"step", "reward", "kl", "clipped", ...}.

    Each step samples ``group_size`` answers for each of ``prompts_per_step`` requests drawn from
    ``requests``, scores them, and takes ``inner_steps`` AdamW steps on the same samples.
    """
    for name, v in (("steps", steps), ("prompts_per_step", prompts_per_step), ("group_size", group_size),
                    ("inner_steps", inner_steps)):
        if isinstance(v, bool) or not isinstance(v, int) or v < (0 if name == "steps" else 1):
            raise ValueError(f"{name} must be a positive int, got {v!r}")
    if group_size < 2:
        raise ValueError(f"group_size must be >= 2 (advantages compare answers within a group), got {group_size}")
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW([p for p in policy.parameters() if p.requires_grad], lr=lr, weight_decay=0.0)
    ref.eval()
    log, start = [], clock.perf_counter()
    for step in range(1, steps + 1):
        chosen = rng.sample(list(requests), prompts_per_step)
        batch = [r for r in chosen for _ in range(group_size)]
        policy.eval()
        ids, mask, tp = sample(policy, chat, batch, g, temperature, max_new_tokens)
        texts = [chat.decode_answer(row[tp:]) for row in ids]
        rewards = torch.tensor([reward(t, r) for t, r in zip(texts, batch)]).view(prompts_per_step, group_size)
        adv = group_advantages(rewards).flatten()
        with torch.no_grad():
            logp_old = answer_log_probs(policy, ids, tp)
            logp_ref = answer_log_probs(ref, ids, tp)
        policy.train()
        for _ in range(inner_steps):
            logp = answer_log_probs(policy, ids, tp)
            loss, stats = grpo_loss(logp, logp_old, logp_ref, adv, mask, clip_eps, beta)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(policy.parameters(), 1.0)
            opt.step()
        log.append({"step": step, "reward": round(rewards.mean().item(), 4), "kl": round(stats["kl"], 5),
                    "clipped": round(stats["clipped"], 4), "loss": round(loss.item(), 5),
                    "answer_length": round(mask.sum(1).mean().item(), 2),
                    "seconds": round(clock.perf_counter() - start, 1)})
    policy.eval()
    return log
