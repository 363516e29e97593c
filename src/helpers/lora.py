"""LoRA, low-rank adaptation (Hu et al., 2021), from scratch (chapter 10).

A frozen linear layer y = x W^T + b gets a trainable low-rank update:

    y = x W^T + b + (alpha / r) * x A^T B^T        A: (r, in_features), B: (out_features, r)

A starts random (Kaiming-uniform, as in the paper's reference code and ``peft``), B starts at zero,
so at the start the adapted model computes exactly what the base model computes. Only A and B are
trained: r * (in + out) numbers per layer instead of in * out. After training the update can be
merged, W' = W + (alpha / r) B A, and the layer is an ordinary Linear again (no extra cost).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import torch
import torch.nn as nn

from ._checks import check_bool, check_int, check_number, check_str, show


def _check_rank(r: object, largest: int) -> int:
    return check_int(r, "rank r", 1, largest)


def _check_alpha(alpha: object) -> float:
    return check_number(alpha, "alpha", low=0, low_open=True)


def _check_model(model: object) -> nn.Module:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {show(model)}")
    return model


class LoRALinear(nn.Module):
    """A frozen ``nn.Linear`` plus a trainable low-rank update (alpha / r) * B A.

    Input (..., in_features) -> output (..., out_features), as the wrapped layer.
    """

    def __init__(self, base: nn.Linear, r: int = 8, alpha: float = 16.0):
        super().__init__()
        if isinstance(base, LoRALinear):
            raise TypeError("base is already a LoRALinear: LoRA cannot be added twice to one layer")
        if not isinstance(base, nn.Linear):
            raise TypeError(f"base must be an nn.Linear (LoRALinear wraps one), got {type(base).__name__}")
        r = _check_rank(r, min(base.in_features, base.out_features))
        alpha = _check_alpha(alpha)
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.r, self.alpha, self.scaling = r, alpha, alpha / r
        # A and B take the base layer's dtype (float64 stays float64) and device
        like = {"dtype": base.weight.dtype, "device": base.weight.device}
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features, **like))  # (r, d_in)
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r, **like))  # (d_out, r)
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        self.enabled = True

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.base(x)
        if self.enabled:
            y = y + (x @ self.lora_A.T @ self.lora_B.T) * self.scaling
        return y

    def delta_weight(self) -> torch.Tensor:
        """The update (alpha / r) B A, shape (out_features, in_features) like the base weight."""
        return self.scaling * self.lora_B @ self.lora_A

    def merged(self) -> nn.Linear:
        """A plain ``nn.Linear`` with weight W + (alpha / r) B A: the same outputs, no adapter."""
        w = self.base.weight
        lin = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None,
                        dtype=w.dtype, device=w.device)  # no rounding: a float64 layer merges in float64
        with torch.no_grad():
            lin.weight.copy_(self.base.weight + self.delta_weight())
            if self.base.bias is not None:
                lin.bias.copy_(self.base.bias)
        return lin

    def extra_repr(self) -> str:
        return f"r={self.r}, alpha={self.alpha}"


DEFAULT_TARGETS = ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")


def add_lora(model: nn.Module, targets: str | Sequence[str] = DEFAULT_TARGETS, r: int = 8,
             alpha: float = 16.0) -> list[str]:
    """Freeze every parameter of ``model`` and wrap each Linear whose name ends with one of ``targets``.

    ``targets`` is a list of name endings, or a single str for one ending (``"attn.c_attn"``).
    Returns the names of the wrapped layers. Only the LoRA matrices are then trainable (add a head
    and make it trainable yourself). Everything is checked before anything is frozen: an unknown
    target, a bad rank or a model that already has adapters leaves the model untouched.
    """
    _check_model(model)
    ends = (targets,) if isinstance(targets, str) else targets
    if isinstance(ends, (bytes, torch.Tensor)) or not isinstance(ends, Iterable):
        raise TypeError(f"targets must be a str or a list of str, got {show(targets)}")
    ends = tuple(ends)
    if not ends:
        raise ValueError("targets must name at least one layer, got an empty list")
    for i, t in enumerate(ends):
        check_str(t, f"targets[{i}]", nonempty=True)  # "" would match every layer
    existing = lora_layers(model)
    if existing:
        raise ValueError(f"model already has {len(existing)} LoRA adapters (e.g. {existing[0][0]!r}); add_lora "
                         "twice would freeze them: merge_lora(model) first, or start from a fresh copy")
    names = [n for n, m in model.named_modules() if isinstance(m, nn.Linear) and n.endswith(ends)]
    if not names:
        linears = [n for n, m in model.named_modules() if isinstance(m, nn.Linear)]
        raise ValueError(f"targets {ends!r}: no nn.Linear in the model has a name ending with one of them "
                         f"(its linear layers: {linears[:6]}{' ...' if len(linears) > 6 else ''})")
    layers = {n: model.get_submodule(n) for n in names}
    _check_rank(r, min(min(m.in_features, m.out_features) for m in layers.values()))
    _check_alpha(alpha)
    for p in model.parameters():
        p.requires_grad_(False)
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoRALinear(layers[name], r=r, alpha=alpha))
    return names


def lora_layers(model: nn.Module) -> list[tuple[str, LoRALinear]]:
    """(name, layer) of every ``LoRALinear`` in ``model``."""
    _check_model(model)
    return [(n, m) for n, m in model.named_modules() if isinstance(m, LoRALinear)]


def set_lora_enabled(model: nn.Module, enabled: bool) -> None:
    """Switch every adapter on or off (off: exactly the base model)."""
    enabled = check_bool(enabled, "enabled")
    for _, m in lora_layers(model):
        m.enabled = enabled


def merge_lora(model: nn.Module) -> int:
    """Replace every ``LoRALinear`` by its merged ``nn.Linear`` (in place); returns how many."""
    layers = lora_layers(model)
    for name, m in layers:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, m.merged())
    return len(layers)


def count_parameters(model: nn.Module) -> tuple[int, int]:
    """(trainable, total) parameter counts; a tensor shared by two modules is counted once."""
    _check_model(model)
    seen: dict[int, nn.Parameter] = {}
    for p in model.parameters():  # parameters() already yields a shared tensor once
        seen[id(p)] = p
    total = sum(p.numel() for p in seen.values())
    trainable = sum(p.numel() for p in seen.values() if p.requires_grad)
    return trainable, total
