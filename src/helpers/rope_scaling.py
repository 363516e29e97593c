"""Stretching RoPE to longer contexts: position interpolation, NTK-aware scaling and YaRN.

A RoPE model trained on ``train_len`` positions turns pair ``j`` of a query or key by
``m * omega_j`` at position ``m``, with ``omega_j = base ** (-2 j / d_head)`` (chapter 3). To run it
at ``factor`` times that length, three published recipes change the frequencies:

- ``"linear"`` (position interpolation, Chen et al. 2023): every ``omega_j`` divided by ``factor``,
  i.e. position ``m`` is treated as ``m / factor``;
- ``"ntk"`` (NTK-aware scaling, bloc97 2023): a larger base,
  ``base * factor ** (d_head / (d_head - 2))``: the fastest pair keeps its speed, the slowest is
  slowed by exactly ``factor``, the pairs between by less;
- ``"yarn"`` (Peng et al. 2023, "NTK-by-parts"): pairs that turn more than ``beta_fast`` times
  within ``train_len`` are left alone, pairs that turn less than ``beta_slow`` times are
  interpolated, with a linear ramp in the pair index between.

``hf_frequencies`` computes the same with Hugging Face's ``ROPE_INIT_FUNCTIONS`` (the reference).
"""

from __future__ import annotations

import math

import torch

from ._checks import check_int, check_number, show

METHODS = ("none", "linear", "ntk", "yarn")


def _check_args(d_head: object, base: object, factor: object, method: object) -> tuple[int, float, float, str]:
    d = check_int(d_head, "d_head", low=4)
    if d % 2:
        raise ValueError(f"d_head must be even (RoPE turns pairs of dimensions), got {d}")
    b = check_number(base, "base", low=1.0, low_open=True)
    s = check_number(factor, "factor", low=1.0)
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {show(method)}")
    return d, b, s, method


def scaled_frequencies(
    d_head: int,
    base: float,
    factor: float,
    method: str,
    train_len: int | None = None,
    beta_fast: float = 32.0,
    beta_slow: float = 1.0,
) -> torch.Tensor:
    """RoPE's turning speeds ``omega_j`` (radians per position) after stretching by ``factor``.

    Args:
        d_head: the head width (even, >= 4); there are ``d_head / 2`` pairs.
        base: RoPE's base (10,000 in the original paper).
        factor: how many times longer the new context is (>= 1; 1 changes nothing).
        method: ``"none"``, ``"linear"``, ``"ntk"`` or ``"yarn"`` (see the module docstring).
        train_len: the training length; needed by ``"yarn"`` only.
        beta_fast, beta_slow: YaRN's turn counts bounding the ramp (defaults 32 and 1, as in the paper).

    Returns:
        float64 tensor of shape ``(d_head / 2,)``: the speed of each pair, fastest first.
    """
    d, b, s, method = _check_args(d_head, base, factor, method)
    j2 = torch.arange(0, d, 2, dtype=torch.float64)  # 2j
    omega = b ** (-j2 / d)
    if method == "none":
        return omega
    if method == "linear":
        return omega / s
    if method == "ntk":
        return (b * s ** (d / (d - 2))) ** (-j2 / d)
    if train_len is None:
        raise ValueError("train_len must be given for method 'yarn' (the training length), got None")
    n = check_int(train_len, "train_len", low=1)
    fast = check_number(beta_fast, "beta_fast", low=0.0, low_open=True)
    slow = check_number(beta_slow, "beta_slow", low=0.0, low_open=True)
    if slow >= fast:
        raise ValueError(f"beta_slow must be smaller than beta_fast, got {slow} and {fast}")
    low, high = yarn_ramp_bounds(d, b, n, fast, slow)
    if low == high:
        high += 0.001  # as the reference does: no division by zero
    ramp = ((torch.arange(d // 2, dtype=torch.float64) - low) / (high - low)).clamp(0, 1)
    return omega * (1 - ramp) + omega / s * ramp  # 0: keep; 1: interpolate


def yarn_ramp_bounds(
    d_head: int, base: float, train_len: int, beta_fast: float = 32.0, beta_slow: float = 1.0
) -> tuple[int, int]:
    """The pair indices where YaRN's ramp starts and ends: ``(low, high)``.

    Pair ``j`` turns ``train_len * omega_j / (2 pi)`` times within the training length; ``low`` is
    (rounded down) the pair that turns ``beta_fast`` times, ``high`` (rounded up) the one that
    turns ``beta_slow`` times, clamped to ``[0, d_head - 1]`` as in the reference.
    """
    d = check_int(d_head, "d_head", low=4)
    b = check_number(base, "base", low=1.0, low_open=True)
    n = check_int(train_len, "train_len", low=1)

    def pair_turning(turns: float) -> float:  # solve train_len * omega_j = 2 pi * turns for j
        return d * math.log(n / (turns * 2 * math.pi)) / (2 * math.log(b))

    low = math.floor(pair_turning(check_number(beta_fast, "beta_fast", low=0.0, low_open=True)))
    high = math.ceil(pair_turning(check_number(beta_slow, "beta_slow", low=0.0, low_open=True)))
    return max(low, 0), min(high, d - 1)


def yarn_attention_factor(factor: float) -> float:
    """YaRN's factor on cos/sin (so on the scores, squared): ``0.1 ln(factor) + 1``, 1 for factor <= 1."""
    s = check_number(factor, "factor", low=0.0, low_open=True)
    return 1.0 if s <= 1 else 0.1 * math.log(s) + 1.0


def wavelengths(omega: torch.Tensor) -> torch.Tensor:
    """Positions per full turn of each pair, ``2 pi / omega``: same shape as ``omega``."""
    if not isinstance(omega, torch.Tensor) or omega.dim() != 1 or not omega.is_floating_point():
        raise TypeError(f"omega must be a 1-D float tensor of speeds, got {show(omega)}")
    if not bool((omega > 0).all()):
        raise ValueError("omega must hold positive speeds (radians per position)")
    return 2 * math.pi / omega


def hf_frequencies(d_head: int, base: float, factor: float, method: str, train_len: int) -> torch.Tensor:
    """The same speeds from Hugging Face's ``ROPE_INIT_FUNCTIONS`` (float32, shape ``(d_head / 2,)``).

    ``"linear"`` and ``"yarn"`` are HF's types of those names; ``"ntk"`` is HF's ``"dynamic"`` type
    evaluated at length ``factor * train_len`` with its own factor 1: dynamic NTK recomputes the
    base for the current length, and there it equals the static NTK-aware base.
    """
    d, b, s, method = _check_args(d_head, base, factor, method)
    n = check_int(train_len, "train_len", low=1)
    from transformers import LlamaConfig
    from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

    params: dict = {"rope_theta": b}
    kind, seq_len, max_pos = method, None, n
    if method == "none":
        kind = "default"
    elif method == "ntk":
        kind, seq_len = "dynamic", int(round(s * n))
        params["factor"] = 1.0
    elif method == "yarn":
        params.update(factor=s, original_max_position_embeddings=n)
        max_pos = int(round(s * n))
    else:
        params["factor"] = s
    params["rope_type"] = kind
    config = LlamaConfig(
        hidden_size=2 * d, num_attention_heads=2, head_dim=d, max_position_embeddings=max_pos, rope_parameters=params
    )
    if kind == "default":
        return (1.0 / (b ** (torch.arange(0, d, 2, dtype=torch.float) / d))).float()
    return ROPE_INIT_FUNCTIONS[kind](config, None, seq_len=seq_len)[0]
