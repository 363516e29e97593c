"""Record the shape of the tensor each named sub-module receives and returns in one forward pass.

Chapter 7 uses it to show that every sub-layer of a Transformer layer keeps the shape
(B, T, d_model), and that only the feed-forward network widens it inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn


def trace_shapes(
    module: nn.Module, names: Sequence[str], *inputs: Any, **kwargs: Any
) -> list[tuple[str, tuple[int, ...], tuple[int, ...]]]:
    """Call ``module(*inputs, **kwargs)`` once; return (name, input shape, output shape) for every
    call of a sub-module named in ``names`` (as ``module.get_submodule`` names them, e.g.
    "ff.linear1"), in the order of the calls. The input shape is that of the first positional
    input. The hooks are removed afterwards, also when the call fails."""
    if not names:
        raise ValueError("names must name at least one sub-module, got an empty list")
    subs = {}
    for name in names:
        try:
            subs[name] = module.get_submodule(name)
        except AttributeError:
            raise ValueError(f"names: {module.__class__.__name__} has no sub-module {name!r}") from None
    trace: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = []

    def record(name: str):
        def hook(_: nn.Module, args: tuple[Any, ...], output: Any) -> None:
            out = output[0] if isinstance(output, tuple) else output
            if not args or not isinstance(args[0], torch.Tensor) or not isinstance(out, torch.Tensor):
                raise TypeError(f"{name!r} must take and return a tensor to have its shape traced")
            trace.append((name, tuple(args[0].shape), tuple(out.shape)))

        return hook

    hooks = [sub.register_forward_hook(record(name)) for name, sub in subs.items()]
    try:
        module(*inputs, **kwargs)
    finally:
        for h in hooks:
            h.remove()
    return trace
