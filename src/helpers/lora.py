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

import torch
import torch.nn as nn


class LoRALinear(nn.Module):
    """A frozen ``nn.Linear`` plus a trainable low-rank update (alpha / r) * B A.

    Input (..., in_features) -> output (..., out_features), as the wrapped layer.
    """

    def __init__(self, base: nn.Linear, r: int = 8, alpha: float = 16.0):
        super().__init__()
        if not isinstance(base, nn.Linear):
            raise TypeError(f"LoRALinear wraps an nn.Linear, got {type(base).__name__}")
        if isinstance(r, bool) or not isinstance(r, int) or not 0 < r <= min(base.in_features, base.out_features):
            raise ValueError(f"rank r must be an int in 1..{min(base.in_features, base.out_features)}, got {r!r}")
        if alpha <= 0:
            raise ValueError(f"alpha must be positive, got {alpha}")
        self.base = base
        for p in self.base.parameters():
            p.requires_grad_(False)
        self.r, self.alpha, self.scaling = r, float(alpha), float(alpha) / r
        self.lora_A = nn.Parameter(torch.empty(r, base.in_features))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, r))
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
        lin = nn.Linear(self.base.in_features, self.base.out_features, bias=self.base.bias is not None)
        with torch.no_grad():
            lin.weight.copy_(self.base.weight + self.delta_weight())
            if self.base.bias is not None:
                lin.bias.copy_(self.base.bias)
        return lin

    def extra_repr(self) -> str:
        return f"r={self.r}, alpha={self.alpha}"


DEFAULT_TARGETS = ("attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj")


def add_lora(model: nn.Module, targets=DEFAULT_TARGETS, r: int = 8, alpha: float = 16.0) -> list[str]:
    """Freeze every parameter of ``model`` and wrap each Linear whose name ends with one of ``targets``.

    Returns the names of the wrapped layers. Only the LoRA matrices are then trainable (add a head
    and make it trainable yourself).
    """
    for p in model.parameters():
        p.requires_grad_(False)
    names = [n for n, m in model.named_modules() if isinstance(m, nn.Linear) and n.endswith(tuple(targets))]
    if not names:
        raise ValueError(f"no nn.Linear in the model ends with any of {tuple(targets)}")
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = model.get_submodule(parent_name) if parent_name else model
        setattr(parent, child, LoRALinear(getattr(parent, child), r=r, alpha=alpha))
    return names


def lora_layers(model: nn.Module) -> list[tuple[str, LoRALinear]]:
    return [(n, m) for n, m in model.named_modules() if isinstance(m, LoRALinear)]


def set_lora_enabled(model: nn.Module, enabled: bool) -> None:
    """Switch every adapter on or off (off: exactly the base model)."""
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
    seen: dict[int, nn.Parameter] = {}
    for p in model.parameters():  # parameters() already yields a shared tensor once
        seen[id(p)] = p
    total = sum(p.numel() for p in seen.values())
    trainable = sum(p.numel() for p in seen.values() if p.requires_grad)
    return trainable, total
