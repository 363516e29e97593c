"""Answers sampled from a chat model, how often they follow the instruction, and the KL from a reference.

``sample`` returns token ids and a mask of each answer's tokens (up to and including its first
<eos>): what the trainers need. ``answers`` decodes them. ``follow_rates`` measures
instruction-following with Wilson 95% intervals. ``kl_from`` estimates KL(pi_theta || pi_ref)
of whole answers on the policy's own samples, exactly per position:

    KL = E_{y ~ pi_theta} [ sum_t KL( pi_theta(. | x, y_<t) || pi_ref(. | x, y_<t) ) ]

(the chain rule of the KL divergence), which has far less variance than averaging
log pi_theta(y) - log pi_ref(y) over the same samples, and the same expectation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch.nn import functional as F

from .. import poems
from ..generate import generate
from ..gpt import GPT
from .chat import ChatFormat, Request


def _check_model(model: object, name: str = "model") -> GPT:
    if not isinstance(model, GPT):
        raise TypeError(f"{name} must be a helpers.gpt.GPT, got {type(model).__name__}")
    return model


def answer_mask(new_ids: torch.Tensor, eos_id: int) -> torch.Tensor:
    """(B, n) generated ids -> (B, n) float mask: 1 up to and including each row's first <eos>, then 0."""
    if new_ids.dim() != 2:
        raise ValueError(f"new_ids must be (batch, tokens), got {tuple(new_ids.shape)}")
    is_eos = (new_ids == eos_id).long()
    after = (is_eos.cumsum(1) - is_eos) > 0  # strictly after the first <eos>
    return (~after).float()


def prompt_batch(chat: ChatFormat, requests: Sequence[Request]) -> torch.Tensor:
    """Prompts of equal length as one (B, T_prompt) tensor (all instructions have the same length)."""
    if not requests:
        raise ValueError("no requests")
    rows = [chat.prompt_ids(r) for r in requests]
    if len({len(r) for r in rows}) != 1:
        raise ValueError("prompts of different lengths: sample them in separate batches")
    return torch.tensor(rows)


@torch.no_grad()
def sample(model: GPT, chat: ChatFormat, requests: Sequence[Request], generator: torch.Generator,
           temperature: float = 1.0, max_new_tokens: int = 72) -> tuple[torch.Tensor, torch.Tensor, int]:
    """One answer per request -> (ids (B, T_prompt + n), answer mask (B, n), T_prompt).

    The mask covers each answer's tokens up to and including its <eos> (an answer cut by
    ``max_new_tokens`` has no <eos>).
    """
    _check_model(model)
    prompt = prompt_batch(chat, requests)
    ids = generate(model, prompt, max_new_tokens, temperature=temperature, generator=generator, eos_id=chat.eos_id)
    return ids, answer_mask(ids[:, prompt.size(1):], chat.eos_id), prompt.size(1)


def answers(model: GPT, chat: ChatFormat, requests: Sequence[Request], seed: int = 0, temperature: float = 1.0,
            batch_size: int = 100) -> list[str]:
    """One decoded answer per request, seeded (batches of ``batch_size``)."""
    g = torch.Generator().manual_seed(seed)
    out: list[str] = []
    for i in range(0, len(requests), batch_size):
        ids, _, tp = sample(model, chat, requests[i: i + batch_size], g, temperature)
        out += [chat.decode_answer(row[tp:]) for row in ids]
    return out


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval for a share k/n (95% with z = 1.96) -> (low, high)."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n > 0, got k={k}, n={n}")
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def mcnemar_exact(start: Sequence[bool], model: Sequence[bool]) -> tuple[int, int, float]:
    """Exact McNemar test of two models judged on the same instructions.

    ``start[i]`` and ``model[i]``: whether each model follows instruction i (two lists of the same
    length n). Returns (lost, won, p): the instructions the start follows and the model does not, the
    reverse, and the two-sided p-value of so uneven a split if each of the lost + won discordant
    instructions went either way with probability 1/2 (the binomial test on the discordant pairs).
    """
    start, model = list(start), list(model)
    if not start or len(start) != len(model):
        raise ValueError(f"start and model must be non-empty and of the same length, got {len(start)} and {len(model)}")
    for name, xs in (("start", start), ("model", model)):
        bad = [x for x in xs if not isinstance(x, bool)]
        if bad:
            raise TypeError(f"{name} must hold bools (follows or not), got {bad[0]!r}")
    lost = sum(a and not b for a, b in zip(start, model))
    won = sum(b and not a for a, b in zip(start, model))
    n, k = lost + won, min(lost, won)
    p = min(1.0, 2 * sum(math.comb(n, i) for i in range(k + 1)) / 2**n)
    return lost, won, p


def checks(answer: str, request: Request) -> dict:
    """The form checks of one answer: its form, and whether it has the requested form / first character."""
    form = poems.form_of(answer)
    return {"form": form, "regular": form is not None, "form_ok": form == request.form,
            "first_ok": answer[:1] == request.first_char}


def follow_rates(answer_list: Sequence[str], requests: Sequence[Request]) -> dict:
    """Shares (and Wilson intervals) of answers with a regular form, the requested form, the requested
    first character, and both."""
    if len(answer_list) != len(requests) or not requests:
        raise ValueError(f"{len(answer_list)} answers for {len(requests)} requests")
    cs = [checks(a, r) for a, r in zip(answer_list, requests)]
    n = len(cs)
    out: dict = {"n": n}
    for key, hits in (("regular", [c["regular"] for c in cs]), ("form_ok", [c["form_ok"] for c in cs]),
                      ("first_ok", [c["first_ok"] for c in cs]),
                      ("both", [c["form_ok"] and c["first_ok"] for c in cs])):
        k = sum(hits)
        out[key] = k / n
        out[key + "_ci"] = wilson(k, n)
    return out


def token_log_probs(model: GPT, ids: torch.Tensor) -> torch.Tensor:
    """log p(ids[:, t+1] | ids[:, :t+1]) for every position -> (B, T-1), with gradients if enabled."""
    logits, _ = model(ids[:, :-1])
    return F.log_softmax(logits, dim=-1).gather(-1, ids[:, 1:, None])[..., 0]


@torch.no_grad()
def kl_from(policy: GPT, ref: GPT, chat: ChatFormat, requests: Sequence[Request], seed: int = 0,
            temperature: float = 1.0, batch_size: int = 100) -> dict:
    """KL(pi_theta || pi_ref) per answer, in nats, on answers sampled from ``policy`` -> {"kl", "kl_sem", "answers"}.

    Per position the exact KL between the two next-token distributions is summed over the answer's
    tokens (its <eos> included); ``kl`` is the mean over answers, ``kl_sem`` its standard error.
    The answers are those ``answers(policy, ..., seed)`` gives (same seed, same draws).
    """
    _check_model(policy, "policy")
    _check_model(ref, "ref")
    g = torch.Generator().manual_seed(seed)
    per_answer, texts = [], []
    policy.eval()
    ref.eval()
    for i in range(0, len(requests), batch_size):
        ids, mask, tp = sample(policy, chat, requests[i: i + batch_size], g, temperature)
        texts += [chat.decode_answer(row[tp:]) for row in ids]
        lp = F.log_softmax(policy(ids[:, :-1])[0][:, tp - 1:] / temperature, dim=-1)  # (B, n, V)
        lr = F.log_softmax(ref(ids[:, :-1])[0][:, tp - 1:] / temperature, dim=-1)
        kl_pos = (lp.exp() * (lp - lr)).sum(-1)  # (B, n)
        per_answer += (kl_pos * mask).sum(1).tolist()
    t = torch.tensor(per_answer, dtype=torch.float64)
    return {"kl": t.mean().item(), "kl_sem": (t.std() / math.sqrt(len(t))).item() if len(t) > 1 else 0.0,
            "answers": texts}
