"""Layer normalisation from scratch, a common wrong variant, and batch normalisation over tokens.

    LayerNorm(x) = (x - mean(x)) / sqrt(var(x) + eps) * weight + bias

mean and var are taken over the last dimension (the d_model features of one token), var is the
*biased* variance (divide by d, not d - 1) and eps sits *inside* the square root: exactly what
``nn.LayerNorm`` computes. ``naive_layer_norm`` is the version often written by hand,
``(x - mean) / (x.std(-1) + eps)``, which uses the unbiased variance and adds eps to the standard
deviation; it is not equal to ``nn.LayerNorm``. ``batch_norm_tokens`` normalises each feature over
the batch *and* the positions, as ``nn.BatchNorm1d`` does in training mode on (B, d, T).
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

from ._checks import check_tensor


def _check_eps(eps: object) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not math.isfinite(eps) or eps < 0:
        raise ValueError(f"eps must be a finite number >= 0, got {eps!r}")
    return float(eps)


def _check_affine(x: torch.Tensor, weight: torch.Tensor | None, bias: torch.Tensor | None) -> None:
    d = x.shape[-1]
    for name, p in (("weight", weight), ("bias", bias)):
        if p is None:
            continue
        check_tensor(p, name, ndim=1, floating=True)
        if p.shape[0] != d:
            raise ValueError(f"{name} has shape {tuple(p.shape)} but x has {d} features (shape {tuple(x.shape)})")


def _check_input(x: object, name: str = "x") -> torch.Tensor:
    check_tensor(x, name, floating=True)
    if x.dim() == 0 or x.shape[-1] == 0:
        raise ValueError(f"{name} needs a last dimension of features, got shape {tuple(x.shape)}")
    return x


def layer_norm(x: torch.Tensor, weight: torch.Tensor | None = None, bias: torch.Tensor | None = None,
               eps: float = 1e-5) -> torch.Tensor:
    """Normalise each vector over its last dim, as ``nn.LayerNorm`` does.

    x (..., d), weight and bias (d,) or None -> (..., d). Biased variance, eps inside the sqrt.
    """
    _check_input(x)
    eps = _check_eps(eps)
    _check_affine(x, weight, bias)
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # biased: divide by d
    y = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def naive_layer_norm(x: torch.Tensor, weight: torch.Tensor | None = None, bias: torch.Tensor | None = None,
                     eps: float = 1e-5) -> torch.Tensor:
    """The common hand-written version: ``(x - mean) / (x.std(-1) + eps)``. NOT equal to nn.LayerNorm.

    x (..., d) with d >= 2 (the unbiased variance divides by d - 1) -> (..., d).
    """
    _check_input(x)
    eps = _check_eps(eps)
    if x.shape[-1] < 2:
        raise ValueError(f"the unbiased std needs at least 2 features, got shape {tuple(x.shape)}")
    _check_affine(x, weight, bias)
    mean = x.mean(dim=-1, keepdim=True)
    y = (x - mean) / (x.std(dim=-1, keepdim=True) + eps)  # torch.std is unbiased by default
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


class LayerNorm(nn.Module):
    """From-scratch ``nn.LayerNorm(d_model)``: learned weight (ones) and bias (zeros), shape (d_model,).

    forward(x (..., d_model)) -> (..., d_model)
    """

    def __init__(self, d_model: int, eps: float = 1e-5):
        super().__init__()
        if isinstance(d_model, bool) or not isinstance(d_model, int) or d_model <= 0:
            raise ValueError(f"d_model must be a positive int, got {d_model!r}")
        self.eps = _check_eps(eps)
        self.weight = nn.Parameter(torch.ones(d_model))
        self.bias = nn.Parameter(torch.zeros(d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return layer_norm(x, self.weight, self.bias, self.eps)

    def load_from_pytorch(self, ref: nn.LayerNorm) -> LayerNorm:
        """Copy the weight and bias of an ``nn.LayerNorm`` of the same size."""
        if tuple(ref.normalized_shape) != tuple(self.weight.shape):
            raise ValueError(f"nn.LayerNorm normalises shape {tuple(ref.normalized_shape)}, "
                             f"this one {tuple(self.weight.shape)}")
        with torch.no_grad():
            self.weight.copy_(ref.weight)
            self.bias.copy_(ref.bias)
        self.eps = ref.eps
        return self


def batch_norm_tokens(x: torch.Tensor, eps: float = 1e-5) -> torch.Tensor:
    """Batch normalisation of token vectors: each feature over all sentences and positions.

    x (B, T, d) -> (B, T, d). Statistics over dims (0, 1), padding included, biased variance:
    equal to ``nn.BatchNorm1d(d)`` in training mode applied to ``x.transpose(1, 2)`` (weight 1, bias 0).
    """
    check_tensor(x, "x", ndim=3, floating=True)
    eps = _check_eps(eps)
    if x.shape[0] * x.shape[1] < 2:
        raise ValueError(f"batch norm needs more than one value per feature, got shape {tuple(x.shape)}")
    mean = x.mean(dim=(0, 1), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(0, 1), keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)
