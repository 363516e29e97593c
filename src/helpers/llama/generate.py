"""Generation with the Llama model: greedy or sampled (temperature, top-k, top-p), with or without
the KV cache, and a timer for one generated token.

Without a cache every new token runs the whole sequence through the model again (cost grows with
the position p); with a cache only the new token runs, attending to the cached keys and values.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence

import torch

from .._checks import check_positive_int, check_tensor
from ..generate import pick_next
from .model import Llama


def sample_next(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, generator: torch.Generator | None = None) -> int:
    """The next token id from the last position's logits (V,): argmax if ``temperature == 0``, else a
    draw with chapter 11's sampling (``helpers.generate``: temperature, then top-k, then top-p)."""
    check_tensor(logits, "logits", ndim=1, floating=True)
    if temperature == 0:
        return int(logits.argmax())
    return int(pick_next(logits[None], temperature=temperature, top_k=top_k, top_p=top_p, generator=generator))


@torch.no_grad()
def generate(model: Llama, prompt_ids: Sequence[int] | torch.Tensor, max_new_tokens: int, *,
             temperature: float = 0.0, top_k: int | None = None, top_p: float | None = None,
             use_cache: bool = True, stop_ids: Sequence[int] = (), seed: int | None = None,
             on_token: Callable[[int], None] | None = None) -> list[int]:
    """Continue ``prompt_ids`` by up to ``max_new_tokens`` tokens; return the new ids only.

    ``temperature=0`` is greedy. Sampling draws from a generator seeded with ``seed`` (same seed,
    same tokens). Stops after a token in ``stop_ids`` (kept in the result). ``on_token`` is called
    with each new id as it comes (to print a streaming answer).
    """
    ids = prompt_ids.tolist() if isinstance(prompt_ids, torch.Tensor) else list(prompt_ids)
    if not ids:
        raise ValueError("prompt_ids must hold at least one token")
    check_positive_int(max_new_tokens, "max_new_tokens")
    generator = None
    if seed is not None:
        generator = torch.Generator().manual_seed(seed)
    cache = model.new_cache() if use_cache else None
    new: list[int] = []
    next_input = ids
    for _ in range(max_new_tokens):
        if cache is not None:
            logits = model(torch.tensor([next_input]), cache)[0, -1]  # only the new tokens run
        else:
            logits = model(torch.tensor([ids + new]))[0, -1]  # the whole sequence again
        token = sample_next(logits, temperature, top_k, top_p, generator)
        new.append(token)
        next_input = [token]
        if on_token is not None:
            on_token(token)
        if token in stop_ids:
            break
    return new


def chat(model: Llama, tokenizer, messages: Sequence[dict], max_new_tokens: int = 64, **kwargs) -> str:
    """The model's answer to a chat (a list of {"role", "content"}), through the chat template.

    Generation stops at ``<|im_end|>`` (the end of a ChatML turn) or the end-of-text token; keyword
    arguments go to ``generate`` (``temperature``, ``top_k``, ``top_p``, ``seed``, ``use_cache``).
    The messages' contents are encoded as plain text (``tokenizer.encode_chat``): a ``<|im_end|>``
    typed by a user cannot end the turn.
    """
    prompt = tokenizer.encode_chat(messages, add_generation_prompt=True)
    stops = [i for i in (tokenizer.special_ids.get("<|im_end|>"), tokenizer.eos_id) if i is not None]
    new = generate(model, prompt, max_new_tokens, stop_ids=stops, **kwargs)
    if new and new[-1] in stops:
        new = new[:-1]
    return tokenizer.decode(new)


@torch.no_grad()
def time_next_token(model: Llama, ids: torch.Tensor, use_cache: bool, repeats: int = 3) -> float:
    """Median seconds to compute the next token's logits after the p tokens ``ids`` (1, p).

    Without the cache: one forward pass over all p tokens (what generation does at position p).
    With it: one forward pass of the last token against a cache holding the first p - 1 (filled
    once, outside the timing, and cropped back after each run).
    """
    check_tensor(ids, "ids", ndim=2, floating=False)
    check_positive_int(repeats, "repeats")
    p = ids.shape[1]
    if use_cache:
        cache = model.new_cache()
        if p > 1:
            model(ids[:, :-1], cache)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        if use_cache:
            model(ids[:, -1:], cache)
        else:
            model(ids)
        times.append(time.perf_counter() - start)
        if use_cache:
            cache.crop(p - 1)
    return statistics.median(times)


@torch.no_grad()
def time_per_token(model: Llama, ids: torch.Tensor, positions: Sequence[int], repeats: int = 3) -> list[dict]:
    """Seconds per generated token at each position, without and with the KV cache.

    ids: (1, T); ``positions``: increasing, each in 1..T. At position p, as ``time_next_token``:
    without the cache, one forward pass over the first p tokens; with it, one pass of token p - 1
    against a cache of the p - 1 before it. Each figure is the median of ``repeats`` runs. The
    cache is filled once, piece by piece, as the positions grow (not again for every position).
    Returns [{"position": p, "no_cache_s": ..., "cache_s": ...}, ...].
    """
    check_tensor(ids, "ids", ndim=2, floating=False)
    check_positive_int(repeats, "repeats")
    positions = list(positions)
    t = ids.shape[1]
    if ids.shape[0] != 1:
        raise ValueError(f"ids must hold one sequence, shape (1, T), got {tuple(ids.shape)}")
    if not positions or any(not 1 <= p <= t for p in positions) or positions != sorted(set(positions)):
        raise ValueError(f"positions must be increasing, each in 1..{t} (the length of ids), got {positions}")

    def median_time(step: Callable[[int], None], p: int) -> float:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            step(p)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    def uncached_step(p: int) -> None:
        model(ids[:, :p])

    def cached_step(p: int) -> None:
        model(ids[:, p - 1 : p], cache)
        cache.crop(p - 1)

    cache, rows = model.new_cache(), []
    for p in positions:
        plain = median_time(uncached_step, p)
        if len(cache) < p - 1:
            model(ids[:, len(cache) : p - 1], cache)  # the cache holds the first p - 1 tokens
        rows.append({"position": p, "no_cache_s": plain, "cache_s": median_time(cached_step, p)})
    return rows
