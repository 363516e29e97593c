"""Switching attention heads off: zero a head's slice of the input to the output projection.

Multi-head attention concatenates the heads' outputs side by side into one vector of
``n_heads * d_head`` channels and mixes it back into the residual stream with one output projection
W^O (an ``nn.Linear``). Head ``h`` owns channels ``h * d_head .. (h + 1) * d_head - 1`` of that input.
Setting those channels to zero just before the projection (a forward pre-hook) removes what the head
adds, and nothing else: it is the same as zeroing the head's ``d_head`` columns of ``W^O.weight``.

Both the poem GPT's ``helpers.head_ablation.heads_off`` (chapter 11) and the real model's
``helpers.llama.heads.ablate_heads`` (chapter 12) are built on ``zero_head_slices``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from torch import nn

from ._checks import check_int, check_list, check_positive_int, show


def check_head_slices(projection: object, heads: object, d_head: object) -> list[int]:
    """The checked head numbers: ``projection`` an ``nn.Linear`` whose ``in_features`` is a
    multiple of ``d_head`` (a positive int), ``heads`` distinct ints in ``0 .. n_heads - 1`` with
    ``n_heads = in_features // d_head``. Raises TypeError / ValueError naming the argument."""
    if not isinstance(projection, nn.Linear):
        raise TypeError(f"projection must be a torch.nn.Linear (the output projection W^O), got {show(projection)}")
    d_head = check_positive_int(d_head, "d_head")
    if projection.in_features % d_head:
        raise ValueError(
            f"d_head must divide projection.in_features = {projection.in_features} "
            f"(n_heads * d_head channels enter W^O), got {d_head}"
        )
    n_heads = projection.in_features // d_head
    out: list[int] = []
    for item in check_list(heads, "heads", "head numbers (ints)"):
        head = check_int(item, "heads", 0, n_heads - 1)
        if head in out:
            raise ValueError(f"heads: head {head} is listed twice in {show(heads)}")
        out.append(head)
    return out


@contextlib.contextmanager
def zero_head_slices(projection: nn.Linear, heads: Sequence[int], d_head: int) -> Iterator[nn.Linear]:
    """Within the block, the input of ``projection`` has ``heads``' slices set to zero.

    ``projection``: the output projection W^O, an ``nn.Linear`` taking (..., n_heads * d_head), the
    heads' outputs side by side, to (..., d_model). ``heads``: distinct head numbers in
    ``0 .. n_heads - 1`` (empty: nothing changes). ``d_head``: channels per head; it must divide
    ``projection.in_features``. For every call inside the block, channels
    ``h * d_head .. (h + 1) * d_head - 1`` of the input are zeroed for each ``h`` in ``heads`` (on a
    copy: the caller's tensor is untouched). Equivalent to zeroing those columns of
    ``projection.weight`` (d_model, n_heads * d_head), but the weights are never changed. The hook
    is removed on exit, even after an error. Yields ``projection``.
    """
    heads = check_head_slices(projection, heads, d_head)

    def hook(module: nn.Module, args: tuple) -> tuple:
        x = args[0].clone()  # (..., n_heads * d_head): the heads side by side
        for h in heads:
            x[..., h * d_head : (h + 1) * d_head] = 0
        return (x,) + tuple(args[1:])

    handle = projection.register_forward_pre_hook(hook) if heads else None
    try:
        yield projection
    finally:
        if handle is not None:
            handle.remove()
