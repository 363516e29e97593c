"""Generation with the Llama model: greedy or sampled (temperature, top-k, top-p), with or without
the KV cache, and a timer for one generated token.

Without a cache every new token runs the whole sequence through the model again (cost grows with
the position p); with a cache only the new token runs, attending to the cached keys and values.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

import torch

from .. import clock
from .._checks import (
    _is_int,
    check_bool,
    check_int,
    check_int_list,
    check_number,
    check_positive_int,
    check_tensor,
    show,
)
from ..generate import pick_next
from .model import Llama


def _check_sampling(temperature: object, top_k: object, top_p: object,
                    generator: object) -> tuple[float, int | None, float | None]:
    """The sampling settings of ``sample_next`` and ``generate``, checked whether or not they are used
    (``top_k=0`` with ``temperature=0`` is as wrong as with sampling). Returns them as plain Python
    numbers (a NumPy int for ``top_k`` becomes an int): (temperature, top_k, top_p)."""
    temperature = check_number(temperature, "temperature")
    if temperature < 0:
        raise ValueError(f"temperature must be a number >= 0 (temperature=0 picks the most likely token, "
                         f"> 0 samples), got {temperature!r}")
    if top_k is not None:
        top_k = check_int(top_k, "top_k", low=1)
    if top_p is not None:
        top_p = check_number(top_p, "top_p", low=0, high=1, low_open=True)
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {show(generator)}")
    return temperature, top_k, top_p


def sample_next(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                top_p: float | None = None, generator: torch.Generator | None = None) -> int:
    """The next token id from the last position's logits (V,): argmax if ``temperature == 0``, else a
    draw with chapter 11's sampling (``helpers.generate``: temperature, then top-k, then top-p).

    ``temperature`` >= 0; ``top_k`` an int >= 1 or None; ``top_p`` in (0, 1] or None. Logits may
    hold -inf (a token ruled out) but not NaN or +inf, and not only -inf.
    """
    check_tensor(logits, "logits", ndim=1, floating=True)
    temperature, top_k, top_p = _check_sampling(temperature, top_k, top_p, generator)
    if logits.numel() == 0:
        raise ValueError("logits must hold one value per token of the vocabulary, got an empty tensor")
    if bool(torch.isnan(logits).any()) or bool((logits == float("inf")).any()):
        raise ValueError(f"logits hold NaN or +inf (shape {tuple(logits.shape)}): no token can be picked")
    if bool((logits == float("-inf")).all()):
        raise ValueError("logits are all -inf: every token is ruled out")
    if temperature == 0:
        return int(logits.argmax())
    return int(pick_next(logits[None], temperature=temperature, top_k=top_k, top_p=top_p, generator=generator))


def _check_model(model: object) -> Llama:
    if not isinstance(model, Llama):
        raise TypeError(f"model must be a helpers.llama.Llama, got {show(model)}")
    return model


def _token_ids(ids: object, name: str, vocab_size: int | None = None) -> list[int]:
    """A list or 1-D integer tensor/array of token ids (each in 0..vocab_size - 1) as a list of int."""
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{name} must be token ids (a list of int or a 1-D integer tensor), got the "
                        f"{type(ids).__name__} {show(ids)}: encode the text first (tokenizer.encode)")
    if isinstance(ids, torch.Tensor) or type(ids).__name__ == "ndarray":  # a tensor or a NumPy array
        if ids.ndim != 1:
            raise ValueError(f"{name} must be one sequence of token ids (1-D), got shape {tuple(ids.shape)}")
        if isinstance(ids, torch.Tensor):
            integer = not (ids.is_floating_point() or ids.is_complex() or ids.dtype == torch.bool)
        else:
            integer = ids.dtype.kind in "iu"
        if not integer:
            raise TypeError(f"{name} must hold integer token ids, got dtype {ids.dtype}")
        ids = ids.tolist()
    elif not hasattr(ids, "__iter__"):
        raise TypeError(f"{name} must be token ids (a list of int or a 1-D integer tensor), got {show(ids)}")
    ids = list(ids)
    for i, t in enumerate(ids):
        if not _is_int(t):
            raise TypeError(f"{name}[{i}] must be an int token id, got {show(t)}")
    ids = [int(t) for t in ids]
    if vocab_size is not None:
        bad = [t for t in ids if not 0 <= t < vocab_size]
        if bad:
            raise ValueError(f"{name} must be token ids in 0..{vocab_size - 1}, got {bad[:5]}")
    return ids


@torch.no_grad()
def generate(model: Llama, prompt_ids: Sequence[int] | torch.Tensor, max_new_tokens: int, *,
             temperature: float = 0.0, top_k: int | None = None, top_p: float | None = None,
             use_cache: bool = True, stop_ids: Sequence[int] = (), seed: int | None = None,
             on_token: Callable[[int], None] | None = None) -> list[int]:
    """Continue ``prompt_ids`` by up to ``max_new_tokens`` tokens; return the new ids only.

    ``temperature=0`` is greedy. Sampling draws from a generator seeded with ``seed`` (same seed,
    same tokens). Stops after a token in ``stop_ids`` (kept in the result). ``on_token`` is called
    with each new id as it comes (to print a streaming answer).

    The context is checked before anything runs: token i of the sequence sits at position i, and
    the last new token is never fed back, so the P prompt tokens and N new ones need positions
    0..P + N - 2, all below ``context_length``. A longer request is refused with a ValueError
    saying how many new tokens fit (it is not cut short: nothing is generated, nothing is lost).
    """
    model = _check_model(model)
    context = model.config.context_length
    ids = _token_ids(prompt_ids, "prompt_ids", model.config.vocab_size)
    if not ids:
        raise ValueError("prompt_ids must hold at least one token")
    check_int(max_new_tokens, "max_new_tokens", low=1)
    temperature, top_k, top_p = _check_sampling(temperature, top_k, top_p, None)
    check_bool(use_cache, "use_cache")
    stop_ids = set(_token_ids(stop_ids, "stop_ids"))
    if seed is not None:
        check_int(seed, "seed", low=0)
    if on_token is not None and not callable(on_token):
        raise TypeError(f"on_token must be a function of one token id, or None, got {show(on_token)}")
    if len(ids) > context:
        raise ValueError(f"prompt_ids has {len(ids)} tokens, more than the model's context_length {context}")
    if len(ids) + max_new_tokens - 1 > context:
        raise ValueError(f"max_new_tokens={max_new_tokens} does not fit: the {len(ids)} prompt tokens and "
                         f"the new ones need positions up to {len(ids) + max_new_tokens - 2}, past the "
                         f"context_length {context}; at most {context - len(ids) + 1} new tokens fit")
    generator = None
    if seed is not None:
        generator = torch.Generator().manual_seed(int(seed))
    cache = model.new_cache() if use_cache else None
    new: list[int] = []
    next_input = ids
    for _ in range(max_new_tokens):
        if cache is not None:  # only the new tokens run
            logits = model(torch.tensor([next_input]), cache, last_only=True)[0, -1]
        else:  # the whole sequence again
            logits = model(torch.tensor([ids + new]), last_only=True)[0, -1]
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
    from .tokenizer import LlamaTokenizer

    _check_model(model)
    if not isinstance(tokenizer, LlamaTokenizer):
        raise TypeError(f"tokenizer must be a helpers.llama.LlamaTokenizer, got {show(tokenizer)}")
    prompt = tokenizer.encode_chat(messages, add_generation_prompt=True)
    stops = [i for i in (tokenizer.special_ids.get("<|im_end|>"), tokenizer.eos_id) if i is not None]
    new = generate(model, prompt, max_new_tokens, stop_ids=stops, **kwargs)
    if new and new[-1] in stops:
        new = new[:-1]
    return tokenizer.decode(new)


@torch.no_grad()
def time_next_token(model: Llama, ids: torch.Tensor, use_cache: bool, repeats: int = 3) -> float:
    """Seconds to compute the next token's logits after the p tokens ``ids`` (1, p): the fastest of
    ``repeats`` runs, in processor time of the calling thread (``time.thread_time``).

    Without the cache: one forward pass over all p tokens (what generation does at position p).
    With it: one forward pass of the last token against a cache holding the first p - 1 (filled
    once, outside the timing, and cropped back after each run). Either pass computes the logits
    of the last position only, as ``generate`` does.
    """
    _check_model(model)
    check_tensor(ids, "ids", ndim=2, floating=False)
    if ids.shape[0] == 0 or ids.shape[1] == 0:
        raise ValueError(f"ids must hold at least one token, shape (1, p) with p >= 1, got {tuple(ids.shape)}")
    check_bool(use_cache, "use_cache")
    check_positive_int(repeats, "repeats")
    p = ids.shape[1]
    if use_cache:
        cache = model.new_cache()
        if p > 1:
            model(ids[:, :-1], cache)
    times = []
    for _ in range(repeats):
        start = clock.thread_time()
        if use_cache:
            model(ids[:, -1:], cache, last_only=True)
        else:
            model(ids, last_only=True)
        times.append(clock.thread_time() - start)
        if use_cache:
            cache.crop(p - 1)
    return min(times)


@torch.no_grad()
def time_per_token(model: Llama, ids: torch.Tensor, positions: Sequence[int], repeats: int = 3) -> list[dict]:
    """Seconds per generated token at each position, without and with the KV cache.

    ids: (1, T); ``positions``: increasing, each in 1..T. At position p, as ``time_next_token``:
    without the cache, one forward pass over the first p tokens; with it, one pass of token p - 1
    against a cache of the p - 1 before it; either pass computes the logits of the last position
    only, as ``generate`` does. Times are the processor time of the calling thread
    (``time.thread_time``): with PyTorch on one thread that is the model's work, and the time other
    programs take on the machine does not count (what they still cost, through shared caches, only
    adds). Each step is run ``repeats`` times; a row keeps every run and their median. The pass over
    p tokens costs the same whether or not it also stores their keys and values, so the timed passes
    store them, and the cache the second step needs is that of the first pass, cropped to p - 1
    positions: no extra pass fills it.
    Returns [{"position": p, "no_cache_s": median, "cache_s": median, "no_cache_runs": [...],
    "cache_runs": [...]}, ...] (the runs in seconds, in the order they ran).
    """
    _check_model(model)
    check_tensor(ids, "ids", ndim=2, floating=False)
    check_positive_int(repeats, "repeats")
    positions = check_int_list(positions, "positions", "int positions")
    t = ids.shape[1]
    if ids.shape[0] != 1:
        raise ValueError(f"ids must hold one sequence, shape (1, T), got {tuple(ids.shape)}")
    if not positions or any(not 1 <= p <= t for p in positions) or positions != sorted(set(positions)):
        raise ValueError(f"positions must be increasing, each in 1..{t} (the length of ids), got {positions}")

    rows = []
    for p in positions:
        plain, cache = [], None
        for _ in range(repeats):  # without a cache: the whole sequence so far
            filled = model.new_cache()
            start = clock.thread_time()
            model(ids[:, :p], filled, last_only=True)
            plain.append(clock.thread_time() - start)
            cache = filled if cache is None else cache
        cache.crop(p - 1)  # the keys and values of the first p - 1 tokens
        cached = []
        for _ in range(repeats):  # with it: token p - 1 only
            start = clock.thread_time()
            model(ids[:, p - 1 : p], cache, last_only=True)
            cached.append(clock.thread_time() - start)
            cache.crop(p - 1)
        rows.append({"position": p, "no_cache_s": statistics.median(plain), "cache_s": statistics.median(cached),
                     "no_cache_runs": plain, "cache_runs": cached})
    return rows
