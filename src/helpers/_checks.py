"""Input checks shared by the helpers: each raises with a message naming what was wrong."""

from __future__ import annotations

import torch


def check_tensor(x: object, name: str, ndim: int | tuple[int, ...] | None = None,
                 floating: bool | None = None) -> torch.Tensor:
    """Check that ``x`` is a tensor (optionally of ``ndim`` dims and a float/integer dtype)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else ndim
        if x.dim() not in allowed:
            raise ValueError(
                f"{name} must have {' or '.join(map(str, allowed))} dims, got shape {tuple(x.shape)}"
            )
    if floating is True and not x.is_floating_point():
        raise TypeError(f"{name} must be a floating-point tensor, got dtype {x.dtype}")
    if floating is False and (x.is_floating_point() or x.is_complex() or x.dtype == torch.bool):
        raise TypeError(f"{name} must be an integer tensor of token ids, got dtype {x.dtype}")
    return x


def check_positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return value
