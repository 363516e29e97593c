"""Generating text with a GPT (chapter 11): greedy, temperature, top-k, top-p, with or without a KV cache.

At each step the model sees a window of the last ``block_size`` tokens (its context length), turns
the logits of the last position into a distribution and picks the next token:

- greedy: the most probable token (the first one on ties);
- otherwise logits / temperature, then top-k (keep the k largest logits; ties with the k-th are
  kept), then top-p (keep the smallest set of most probable tokens whose probability reaches p:
  the token that crosses p is kept), then one draw from the renormalised distribution with
  ``torch.multinomial(probs, 1, generator=generator)``. The order and the rules are those of
  ``transformers``' TemperatureLogitsWarper, TopKLogitsWarper and TopPLogitsWarper.

The KV cache. Within the context the cache holds the keys/values of every token so far and each
step feeds only the newest token. Past the context the window slides by one token per step; with
learned absolute positions every token of the window then sits at a new position, so the cached
keys and values are stale: the cache is emptied and rebuilt from the window (the last
``block_size`` tokens) at every step. Both paths therefore compute the next token from the same
window, and give the same tokens (``torch.equal``); only within the context does the cache save work.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence

import torch
from torch.nn import functional as F

from ._checks import check_bool, check_int, check_number, check_tensor, show
from .gpt import GPT


def _check_logits(logits: object) -> torch.Tensor:
    """A float tensor (..., V), V >= 1, without NaN (-inf is allowed: a token ruled out)."""
    if not isinstance(logits, torch.Tensor) or not logits.is_floating_point():
        raise TypeError(f"logits must be a floating-point torch.Tensor, got {show(logits)}")
    if logits.dim() < 1 or logits.size(-1) == 0:
        raise ValueError(f"logits must have a non-empty last (vocabulary) dim, got shape {tuple(logits.shape)}")
    if bool(torch.isnan(logits).any()):
        raise ValueError(f"logits hold NaN (at {torch.isnan(logits).nonzero()[0].tolist()}, shape "
                         f"{tuple(logits.shape)}): no token can be picked from them")
    return logits


def _check_generator(generator: object) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {show(generator)}")


def _check_eos(eos_id: object, vocab_size: int) -> int | None:
    """None, or a token id of the model's vocabulary 0..vocab_size-1."""
    return None if eos_id is None else check_int(eos_id, "eos_id", 0, vocab_size - 1)


def check_sampling(temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None) -> None:
    """Raise a clear error for a temperature <= 0 (or NaN, inf), a top_k < 1 or a top_p outside (0, 1]."""
    if (isinstance(temperature, bool) or not isinstance(temperature, int | float) or not temperature > 0
            or temperature == float("inf")):
        raise ValueError(f"temperature must be a number > 0 (use greedy=True for the argmax), got {temperature!r}")
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be an int >= 1 or None, got {top_k!r}")
    if top_p is not None and (isinstance(top_p, bool) or not isinstance(top_p, int | float) or not 0 < top_p <= 1):
        raise ValueError(f"top_p must be in (0, 1] or None, got {top_p!r}")


def top_k_filter(logits: torch.Tensor, k: int) -> torch.Tensor:
    """(..., V) -> (..., V): logits below the k-th largest set to -inf (ties with the k-th kept)."""
    _check_logits(logits)
    check_sampling(top_k=k)
    k = min(k, logits.size(-1))
    kth = torch.topk(logits, k, dim=-1).values[..., -1:]
    return logits.masked_fill(logits < kth, float("-inf"))


def top_p_filter(logits: torch.Tensor, p: float) -> torch.Tensor:
    """(..., V) -> (..., V): nucleus filtering; the tokens outside the nucleus get -inf.

    Sorted from least to most probable, a token is removed when the probability of it and all less
    probable tokens is <= 1 - p; so the most probable tokens are kept up to and including the one
    whose probability makes the kept mass reach p. The most probable token is always kept.
    """
    _check_logits(logits)
    check_sampling(top_p=p)
    sorted_logits, order = torch.sort(logits, descending=False, dim=-1)
    cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    remove_sorted = cumulative <= 1 - p
    remove_sorted[..., -1:] = False  # keep at least the most probable token
    remove = remove_sorted.scatter(-1, order, remove_sorted)
    return logits.masked_fill(remove, float("-inf"))


def filter_logits(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                  top_p: float | None = None) -> torch.Tensor:
    """Temperature, then top-k, then top-p, on logits (..., V): the logits that sampling draws from."""
    _check_logits(logits)
    check_sampling(temperature, top_k, top_p)
    logits = logits / temperature
    if top_k is not None:
        logits = top_k_filter(logits, top_k)
    if top_p is not None:
        logits = top_p_filter(logits, top_p)
    return logits


def next_token_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                     top_p: float | None = None) -> torch.Tensor:
    """The distribution sampling draws the next token from: softmax of ``filter_logits`` (..., V)."""
    return F.softmax(filter_logits(logits, temperature, top_k, top_p), dim=-1)


def pick_next(logits: torch.Tensor, greedy: bool = False, temperature: float = 1.0, top_k: int | None = None,
              top_p: float | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
    """Logits of the last position (B, V) -> the next tokens (B, 1).

    NaN or +inf logits are refused (greedy would return the index of a NaN; sampling cannot draw).
    """
    _check_logits(logits)
    if logits.dim() != 2:
        raise ValueError(f"logits must have shape (batch, vocab), got {tuple(logits.shape)}")
    if bool((logits == float("inf")).any()):
        raise ValueError(f"logits hold +inf (shape {tuple(logits.shape)}): no distribution to pick from")
    if bool((logits == float("-inf")).all(dim=-1).any()):
        raise ValueError("logits: a row is all -inf, every token is ruled out")
    greedy = check_bool(greedy, "greedy")
    _check_generator(generator)
    if greedy:
        return logits.argmax(dim=-1, keepdim=True)
    probs = next_token_probs(logits, temperature, top_k, top_p)
    return torch.multinomial(probs, 1, generator=generator)


def _check_prompt(model: GPT, prompt: torch.Tensor | Sequence[int]) -> torch.Tensor:
    """The prompt as (B, T0) int64 ids: a tensor (T0,) or (B, T0), or a list of int ids."""
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a helpers.gpt.GPT, got {type(model).__name__}")
    if isinstance(prompt, (str, bytes)):
        raise TypeError(f"prompt must be token ids (a tensor or a list of int), got the {type(prompt).__name__} "
                        f"{show(prompt)}: encode the text first (e.g. vocab.encode(text, add_sos=True))")
    if isinstance(prompt, torch.Tensor):
        idx = prompt
    elif isinstance(prompt, Sequence):
        items = list(prompt)
        for i, t in enumerate(items):
            if isinstance(t, bool) or not isinstance(t, numbers.Integral):
                raise TypeError(f"prompt[{i}] must be an int token id, got {show(t)}")
        idx = torch.tensor([[int(t) for t in items]], dtype=torch.long)
    else:
        raise TypeError(f"prompt must be token ids (a tensor or a list of int), got {show(prompt)}")
    if idx.dim() == 1:
        idx = idx[None]
    if idx.dim() != 2 or idx.size(0) == 0 or idx.size(1) == 0:
        raise ValueError(f"prompt must be (batch, time) token ids with at least one token, got shape "
                         f"{tuple(idx.shape)}")
    if idx.is_floating_point() or idx.is_complex() or idx.dtype == torch.bool:
        raise TypeError(f"prompt must hold integer token ids, got dtype {idx.dtype}")
    block = model.config.block_size
    if idx.size(1) > block:
        raise ValueError(f"the prompt has {idx.size(1)} tokens, more than the model's context length "
                         f"block_size={block}")
    V = model.config.vocab_size
    if idx.min() < 0 or idx.max() >= V:
        raise ValueError(f"prompt token ids must be in 0..{V - 1}, got min {idx.min().item()}, max {idx.max().item()}")
    return idx.long()


def _extend(model: GPT, idx: torch.Tensor, max_new_tokens: int,
            next_logits: Callable[[int, torch.Tensor], torch.Tensor],
            pick: Callable[[torch.Tensor], torch.Tensor], eos_id: int | None) -> torch.Tensor:
    """The sampling loop shared by ``generate`` and ``generate_penalized``: idx (B, T0) -> (B, T0 + n).

    Each step computes ``next_logits(step, idx)`` (B, V), picks the next tokens ``pick(logits)`` (B, 1)
    and appends them; with ``eos_id`` it stops once every row has produced it. The model is in eval
    mode during the loop and back in its former mode afterwards.
    """
    was_training = model.training
    model.eval()
    try:
        done = torch.zeros(idx.size(0), dtype=torch.bool)
        for step in range(max_new_tokens):
            nxt = pick(next_logits(step, idx))
            idx = torch.cat([idx, nxt], dim=1)
            if eos_id is not None:
                done |= nxt[:, 0] == eos_id
                if bool(done.all()):
                    break
    finally:
        model.train(was_training)
    return idx


@torch.no_grad()
def generate(model: GPT, prompt: torch.Tensor | Sequence[int], max_new_tokens: int, greedy: bool = False,
             temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None,
             generator: torch.Generator | None = None, use_cache: bool = True,
             eos_id: int | None = None) -> torch.Tensor:
    """Extend ``prompt`` (B, T0) (or a list of ids) by up to ``max_new_tokens`` tokens -> (B, T0 + n).

    Seeded by ``generator`` (a ``torch.Generator``; one draw per step for the whole batch).
    With ``eos_id``, generation stops once every row has produced it (tokens after a row's first
    <eos> are whatever was drawn: cut them with ``cut_at_eos``). The model is put in eval mode
    and restored afterwards. See the module docstring for the window and the cache.
    """
    idx = _check_prompt(model, prompt)
    max_new_tokens = check_int(max_new_tokens, "max_new_tokens", 0)
    greedy, use_cache = check_bool(greedy, "greedy"), check_bool(use_cache, "use_cache")
    if not greedy:
        check_sampling(temperature, top_k, top_p)
    _check_generator(generator)
    eos_id = _check_eos(eos_id, model.config.vocab_size)
    block = model.config.block_size
    cache = model.new_cache(idx.size(0)) if use_cache else None

    def next_logits(step: int, idx: torch.Tensor) -> torch.Tensor:
        if cache is None:
            return model(idx[:, -block:])[0][:, -1]
        if step == 0 or cache.length == block:  # first step, or the window slid: (re)build the cache
            cache.reset()
            return model(idx[:, -block:], cache=cache)[0][:, -1]
        return model(idx[:, -1:], cache=cache)[0][:, -1]  # feed only the newest token

    return _extend(model, idx, max_new_tokens, next_logits,
                   lambda logits: pick_next(logits, greedy, temperature, top_k, top_p, generator), eos_id)


def cut_at_eos(ids: Sequence[int] | torch.Tensor, eos_id: int) -> list[int]:
    """The ids before the first ``eos_id`` (all of them if there is none); ids: (T,) or a list of int."""
    check_int(eos_id, "eos_id")
    if isinstance(ids, torch.Tensor):
        if ids.dim() != 1 or ids.is_floating_point() or ids.dtype == torch.bool:
            raise ValueError(f"ids must be one row (T,) of integer token ids, got {ids.dtype} shape "
                             f"{tuple(ids.shape)}")
        ids = ids.tolist()
    elif isinstance(ids, (str, bytes)) or not isinstance(ids, Sequence):
        raise TypeError(f"ids must be a list or a 1-D tensor of int token ids, got {show(ids)}")
    ids = list(ids)
    for i, t in enumerate(ids):
        if isinstance(t, bool) or not isinstance(t, numbers.Integral):
            raise TypeError(f"ids[{i}] must be an int token id, got {show(t)}")
    return ids[: ids.index(eos_id)] if eos_id in ids else ids


@torch.no_grad()
def token_log_probs(model: GPT, idx: torch.Tensor) -> torch.Tensor:
    """log p(y_t | y_<t) for t = 1..T-1 of each row of idx (B, T) in one pass -> (B, T-1).

    Their sum is the log-probability of the sequence given its first token (the chain rule).
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a helpers.gpt.GPT, got {type(model).__name__}")
    check_tensor(idx, "idx", floating=False)
    if idx.dim() != 2 or idx.size(1) < 2:
        raise ValueError(f"idx must be (batch, time) with time >= 2, got {tuple(idx.shape)}")
    was_training = model.training
    model.eval()
    try:
        logits = model(idx)[0][:, :-1]
    finally:
        model.train(was_training)
    return F.log_softmax(logits, dim=-1).gather(-1, idx[:, 1:, None])[..., 0]


# ---------------------------------------------------------------------------------------------
# A repetition penalty and beam search (chapter 11)
# ---------------------------------------------------------------------------------------------


def _check_penalty_inputs(logits: object, idx: object, penalty: object) -> None:
    """logits (B, V) without NaN, idx (B, T) integer ids in 0..V-1, penalty a finite number > 0."""
    _check_logits(logits)
    check_number(penalty, "penalty", low=0, low_open=True)
    check_tensor(idx, "idx", floating=False)
    if logits.dim() != 2 or idx.dim() != 2 or idx.size(0) != logits.size(0):
        raise ValueError(f"logits (B, V) and idx (B, T) must share B, got {tuple(logits.shape)}, "
                         f"{tuple(idx.shape)}")
    if idx.numel() and (idx.min() < 0 or idx.max() >= logits.size(1)):
        raise ValueError(f"idx token ids must be in 0..{logits.size(1) - 1}, got min {idx.min().item()}, "
                         f"max {idx.max().item()}")


def repetition_penalty(logits: torch.Tensor, idx: torch.Tensor, penalty: float) -> torch.Tensor:
    """CTRL's repetition penalty (Keskar et al. 2019): logits (B, V), the tokens so far idx (B, T) -> (B, V).

    Every token that already occurs in its row of ``idx`` gets its logit divided by ``penalty``
    if the logit is positive and multiplied by it if negative, so with ``penalty > 1`` a token
    seen before always becomes less probable (whatever the sign of its logit). Each token counts
    once, however often it occurs. The rule of ``transformers``' RepetitionPenaltyLogitsProcessor.
    """
    _check_penalty_inputs(logits, idx, penalty)
    seen = torch.gather(logits, 1, idx)  # (B, T): the logits of the tokens already there
    seen = torch.where(seen > 0, seen / penalty, seen * penalty)
    return logits.scatter(1, idx, seen)


@torch.no_grad()
def generate_penalized(model: GPT, prompt: torch.Tensor | Sequence[int], max_new_tokens: int,
                       penalty: float, greedy: bool = True, temperature: float = 1.0,
                       generator: torch.Generator | None = None, eos_id: int | None = None) -> torch.Tensor:
    """Like ``generate`` (no cache), with ``repetition_penalty`` applied to each step's logits
    before greedy or temperature sampling (the order of ``transformers``) -> (B, T0 + n)."""
    idx = _check_prompt(model, prompt)
    max_new_tokens = check_int(max_new_tokens, "max_new_tokens", 0)
    check_number(penalty, "penalty", low=0, low_open=True)
    if not check_bool(greedy, "greedy"):
        check_sampling(temperature)
    _check_generator(generator)
    eos_id = _check_eos(eos_id, model.config.vocab_size)
    block = model.config.block_size

    def next_logits(step: int, idx: torch.Tensor) -> torch.Tensor:
        return repetition_penalty(model(idx[:, -block:])[0][:, -1], idx, penalty)

    return _extend(model, idx, max_new_tokens, next_logits,
                   lambda logits: pick_next(logits, greedy, temperature, generator=generator), eos_id)


@torch.no_grad()
def beam_search(model: GPT, prompt: torch.Tensor | Sequence[int], max_new_tokens: int, num_beams: int,
                eos_id: int | None = None, length_penalty: float = 1.0,
                use_cache: bool = True) -> tuple[list[int], float]:
    """The most probable continuation that beam search finds for ONE prompt -> (ids with the prompt, score).

    Keeps the ``num_beams`` best partial continuations (by the sum of their tokens' log-probabilities).
    At each step every beam is extended by every token; the ``2 * num_beams`` best candidates are
    looked at in order: one ending in ``eos_id`` becomes a finished hypothesis (if it ranks among
    the first ``num_beams``), the others fill the next beams. A hypothesis scores
    ``sum of log-probs / (new tokens, <eos> included) ** length_penalty`` (0: the plain log-probability;
    1: per token, which favours longer texts). The search stops after ``max_new_tokens`` steps, or
    once ``num_beams`` hypotheses are finished and the best beam, scored at its present length,
    is worse than the worst of them (the rule ``transformers`` uses with ``early_stopping=False``;
    exact for ``length_penalty=0``, where a score can only fall). ``num_beams=1`` is greedy decoding.
    ``use_cache``: keep the beams' keys and values in a ``KVCache`` (reordered as beams are kept),
    so that each step runs only the newest tokens; used when prompt + ``max_new_tokens`` fits in
    the context (no sliding window). The result is the same as without it, up to float rounding.
    """
    idx = _check_prompt(model, prompt)
    if idx.size(0) != 1:
        raise ValueError(f"beam_search takes one prompt, got a batch of {idx.size(0)}")
    if isinstance(num_beams, bool) or not isinstance(num_beams, int) or num_beams < 1:
        raise ValueError(f"num_beams must be an int >= 1, got {num_beams!r}")
    if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int) or max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be an int >= 1, got {max_new_tokens!r}")
    eos_id = _check_eos(eos_id, model.config.vocab_size)
    length_penalty = check_number(length_penalty, "length_penalty")
    use_cache = check_bool(use_cache, "use_cache")
    block = model.config.block_size
    was_training = model.training
    model.eval()
    # With a KV cache (when the window never slides) each step feeds only the beams' newest
    # tokens: the cache holds num_beams rows, reordered after every step to follow the kept beams.
    # Rows that hold no beam (at the start, or when fewer than num_beams survive) score -inf.
    use_cache = use_cache and idx.size(1) + max_new_tokens <= block
    beams, scores = idx, torch.zeros(1, dtype=torch.float64)  # (n, T), (n,)
    cache = None
    if use_cache:
        cache = model.new_cache(num_beams)
        beams = idx.expand(num_beams, -1)
        scores = torch.full((num_beams,), float("-inf"), dtype=torch.float64)
        scores[0] = 0.0
        last = model(beams, cache=cache)[0][:, -1]  # (num_beams, V)
    finished: list[tuple[float, list[int]]] = []  # (normalised score, ids)
    try:
        for step in range(1, max_new_tokens + 1):
            if not use_cache:
                last = model(beams[:, -block:])[0][:, -1]
            logp = F.log_softmax(last.double(), dim=-1)  # (n, V)
            cand = (scores[:, None] + logp).flatten()  # (n * V,)
            top = torch.topk(cand, min(2 * num_beams, cand.numel()))
            keep_rows, keep_scores, keep_from = [], [], []
            for rank, (s, flat) in enumerate(zip(top.values.tolist(), top.indices.tolist())):
                if s == float("-inf"):
                    break
                beam, token = divmod(flat, logp.size(1))
                if eos_id is not None and token == eos_id:
                    if rank < num_beams:
                        finished.append((s / step**length_penalty, beams[beam].tolist() + [token]))
                    continue
                keep_rows.append(beams[beam].tolist() + [token])
                keep_scores.append(s)
                keep_from.append(beam)
                if len(keep_rows) == num_beams:
                    break
            if not keep_rows:  # every candidate ended: nothing left to extend
                break
            if use_cache:  # fill the cache's rows: copies of the last beam, scored -inf
                pad = num_beams - len(keep_rows)
                keep_rows += [keep_rows[-1]] * pad
                keep_scores += [float("-inf")] * pad
                keep_from += [keep_from[-1]] * pad
            beams = torch.tensor(keep_rows, dtype=torch.long)
            scores = torch.tensor(keep_scores, dtype=torch.float64)
            if use_cache and step < max_new_tokens:
                rows = torch.tensor(keep_from)
                cache.k = [k[rows] for k in cache.k]
                cache.v = [v[rows] for v in cache.v]
                last = model(beams[:, -1:], cache=cache)[0][:, -1]
            if len(finished) >= num_beams:
                finished = sorted(finished, key=lambda h: -h[0])[:num_beams]
                if scores.max().item() / step**length_penalty < finished[-1][0]:
                    break
    finally:
        model.train(was_training)
    n_new = beams.size(1) - idx.size(1)
    if n_new > 0:
        finished += [(s / n_new**length_penalty, row) for s, row in zip(scores.tolist(), beams.tolist())
                     if s > float("-inf")]
    best = max(finished, key=lambda h: h[0])
    return best[1], best[0]
