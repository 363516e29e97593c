"""What 4-bit storage costs: llama.cpp's Q4_1 and Q8_0 formats written from scratch, the step sizes
read from the file, and the model run with its weights rounded once more.

Q4_1 cuts each row of a matrix into blocks of 32 weights. A block keeps its minimum ``m`` and a
step ``s = (max - min) / 15`` (both as float16) and every weight as a 4-bit code ``q`` in 0..15,
``w ≈ m + q s``: the weight rounded to the nearest of 16 evenly spaced levels. Q8_0 keeps one
float16 scale ``s = max|w| / 127`` per block of 32 and an 8-bit code ``q`` in -127..127,
``w ≈ q s``. ``q4_1_round`` and ``q8_0_round`` return the rounded weights (quantise, then
dequantise); they equal the ``gguf`` package's ``quantize`` + ``dequantize`` (tests).

The file holds only the rounded weights, not the float originals, so the error of *its* rounding
cannot be measured directly. Two things can: the step of every block (``q4_1_blocks``, and
``q8_0_blocks`` for the embedding, which the file keeps as Q8_0: with rounding to the nearest
level, each original weight lay within half a step of its stored value),
and what one more rounding of the same kind does to the model's output
(``logits_with_rounded_weights``, with ``shifted`` blocks).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from .._checks import check_finite, check_int, check_positive_int, check_tensor, show
from .gguf_file import GGUFFile
from .model import Llama

BLOCK = 32  # weights per block, in Q4_1 and Q8_0


def _blocks(w: torch.Tensor, block: int) -> torch.Tensor:
    """``w`` as rows of ``block`` weights (a view). Finiteness is checked by the callers on each
    block's minimum and maximum, which are NaN or infinite exactly when a weight of the block is:
    one small test instead of a pass over every weight."""
    check_tensor(w, "w", floating=True)
    check_positive_int(block, "block")
    if w.numel() == 0:
        raise ValueError(f"w must hold at least one block of weights, got shape {tuple(w.shape)}")
    if w.dim() == 0 or w.shape[-1] % block:
        raise ValueError(f"the last dim of w ({w.shape[-1]}) must be a multiple of the block size {block}")
    return w.reshape(-1, block)


def _block_range(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Each block's (minimum, maximum), (n_blocks, 1) each; ValueError if ``w`` holds NaN or inf
    (``amin`` and ``amax`` pass NaN on, so a block with a NaN has a NaN minimum). Two reductions:
    over rows of 32, they take half the time of one ``torch.aminmax``."""
    lo, hi = x.amin(1, keepdim=True), x.amax(1, keepdim=True)
    check_finite(torch.cat([lo, hi]), "w")
    return lo, hi


def _out_blocks(out: torch.Tensor | None, w: torch.Tensor, block: int) -> torch.Tensor | None:
    """``out`` (a float32 tensor with as many elements as ``w``, contiguous) as rows of ``block``,
    for the rounding functions to write into; None stays None."""
    if out is None:
        return None
    check_tensor(out, "out", floating=True)
    if out.dtype != torch.float32 or out.numel() != w.numel() or not out.is_contiguous():
        raise ValueError(f"out must be a contiguous float32 tensor of {w.numel()} elements (as many as w), got "
                         f"{out.dtype} of shape {tuple(out.shape)}")
    return out.view(-1, block)


def q4_1_round(w: torch.Tensor, block: int = BLOCK, out: torch.Tensor | None = None) -> torch.Tensor:
    """``w`` rounded as Q4_1 stores it: per block of ``block`` weights along the last dim,
    16 levels from the block's minimum to its maximum. A float32 tensor of ``w``'s shape: a new one,
    or ``out`` (as many elements as ``w``) filled in, which saves allocating it again and again."""
    x = _blocks(w, block).float()
    lo, hi = _block_range(x)
    step = (hi - lo) / 15
    inverse = torch.where(step == 0, torch.zeros_like(step), 1 / step)
    target = _out_blocks(out, w, block)
    q = x - lo if target is None else torch.sub(x, lo, out=target)
    q.mul_(inverse).add_(0.5).trunc_().clamp_(0, 15)  # the nearest level, 0..15
    # the file keeps the step and the minimum as float16
    return q.mul_(step.half().float()).add_(lo.half().float()).view(w.shape)


def q8_0_round(w: torch.Tensor, block: int = BLOCK, out: torch.Tensor | None = None) -> torch.Tensor:
    """``w`` rounded as Q8_0 stores it: per block, 255 levels symmetric around 0. Same shape; as
    ``q4_1_round``, written into ``out`` if given."""
    x = _blocks(w, block).float()
    lo, hi = _block_range(x)
    step = torch.maximum(-lo, hi) / 127  # the largest |weight| of the block, / 127
    inverse = torch.where(step == 0, torch.zeros_like(step), 1 / step)
    target = _out_blocks(out, w, block)
    scaled = x * inverse if target is None else torch.mul(x, inverse, out=target)
    # halves away from zero, like C's roundf: |scaled| + 0.5 rounded down, with the sign put back
    q = torch.copysign(scaled.abs().add_(0.5).floor_(), scaled, out=scaled)
    return q.mul_(step.half().float()).view(w.shape)


def _takes_out(rounding: Callable) -> bool:
    """Whether ``rounding`` accepts ``out=`` (the roundings of this module do)."""
    import inspect

    try:
        return "out" in inspect.signature(rounding).parameters
    except (TypeError, ValueError):  # pragma: no cover - a builtin without a signature
        return False


def shifted(rounding: Callable[..., torch.Tensor], shift: int = BLOCK // 2, block: int = BLOCK):
    """``rounding`` with its blocks moved ``shift`` weights along the stored order of the weights
    (row after row); the first ``shift`` and the last ``block - shift`` weights form one block.

    Rounding weights that already sit on a Q4_1 grid with the *same* blocks changes nothing; with
    moved blocks, every new block mixes two old ones and gets a grid of its own, so the rounding
    errors are fresh ones of the same kind and size. The function returned takes ``out=`` as the
    roundings do (float32, as many elements as the weights).
    """
    if not callable(rounding):
        raise TypeError(f"rounding must be a function of a weight tensor (e.g. q4_1_round), got {show(rounding)}")
    check_int(block, "block", low=2)
    check_int(shift, "shift", low=1, high=block - 1)
    into = _takes_out(rounding)

    def round_shifted(w: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
        check_tensor(w, "w", floating=True)
        flat = w.detach().reshape(-1)
        n, tail = flat.numel(), block - shift
        if n % block:
            raise ValueError(f"w has {n} weights, not a multiple of the block size {block}")
        if out is None:
            out = torch.empty_like(flat, dtype=torch.float32)
        else:
            out = _out_blocks(out, w, block).view(-1)
        if into:  # whole blocks, written in place: no copy of the input, none of the result
            rounding(flat[shift:n - tail], out=out[shift:n - tail])
        else:
            out[shift:n - tail] = rounding(flat[shift:n - tail])
        edge = rounding(torch.cat([flat[n - tail:], flat[:shift]]))  # the block that wraps around
        out[n - tail:], out[:shift] = edge[:tail], edge[tail:]
        return out.view(w.shape)

    return round_shifted


def q4_1_blocks(file: GGUFFile, name: str) -> dict[str, np.ndarray]:
    """The Q4_1 blocks of tensor ``name`` as stored: {"step": (n_blocks,), "min": (n_blocks,),
    "codes": (n_blocks, 32) uint8 in 0..15}. A block is 20 bytes: step and minimum as float16,
    then 32 codes of 4 bits (the first 16 in the low halves of the 16 bytes, the last 16 in the
    high halves). The file's pages are released from memory afterwards (``GGUFFile.release_pages``)."""
    import gguf

    if not isinstance(file, GGUFFile):
        raise TypeError(f"file must be a GGUFFile, got {show(file)}")
    if file._info(name).ggml_type != gguf.GGMLQuantizationType.Q4_1:
        raise ValueError(f"{name} is not stored as Q4_1")
    raw = file.raw(name).reshape(-1, 20)
    step = raw[:, 0:2].copy().view(np.float16)[:, 0].astype(np.float32)
    low = raw[:, 2:4].copy().view(np.float16)[:, 0].astype(np.float32)
    packed = raw[:, 4:]
    codes = np.concatenate([packed & 0x0F, packed >> 4], axis=1)
    file.release_pages()  # the arrays above are copies: the file's pages need not stay in memory
    return {"step": step, "min": low, "codes": codes}


def q8_0_blocks(file: GGUFFile, name: str) -> dict[str, np.ndarray]:
    """The Q8_0 blocks of tensor ``name`` as stored: {"scale": (n_blocks,) float32, "codes":
    (n_blocks, 32) int8 in -127..127}; the weight is ``code * scale``. A block is 34 bytes: the
    scale as float16, then 32 signed bytes. The file's pages are released afterwards."""
    import gguf

    if not isinstance(file, GGUFFile):
        raise TypeError(f"file must be a GGUFFile, got {show(file)}")
    if file._info(name).ggml_type != gguf.GGMLQuantizationType.Q8_0:
        raise ValueError(f"{name} is not stored as Q8_0")
    raw = file.raw(name).reshape(-1, 34)
    scale = raw[:, 0:2].copy().view(np.float16)[:, 0].astype(np.float32)
    codes = raw[:, 2:].copy().view(np.int8)
    file.release_pages()  # the arrays above are copies: the file's pages need not stay in memory
    return {"scale": scale, "codes": codes}


def block_matrices(model: Llama) -> list[nn.Linear]:
    """The seven matrices of every block (Q, K, V, O, gate, up, down): what the file stores as Q4_1."""
    _check_model(model)
    return [m for b in model.blocks for m in (b.attn.q, b.attn.k, b.attn.v, b.attn.o, b.ffn.gate, b.ffn.up,
                                              b.ffn.down)]


@torch.no_grad()
def logits_with_rounded_weights(model: Llama, ids: torch.Tensor,
                                roundings: dict[str, Callable[[torch.Tensor], torch.Tensor]]
                                ) -> tuple[torch.Tensor, dict[str, torch.Tensor], dict[str, float]]:
    """The logits as loaded (B, T, V); {name: the logits with every block matrix passed through
    ``roundings[name]``}; and {name: how much that rounding moved the weights, as the root mean
    square of the change divided by the root mean square of the weights}.

    The runs go layer by layer side by side; each layer's matrices are swapped for rounded copies,
    used, and swapped back before the next layer, so the model is unchanged afterwards and only
    one layer's weights are ever held twice. The embedding, the norms and the output layer are not rounded (the file
    stores them in other formats).
    """
    _check_model(model)
    check_tensor(ids, "ids", ndim=2, floating=False)
    c = model.config
    if ids.numel() == 0:
        raise ValueError(f"ids must hold at least one token, got shape {tuple(ids.shape)}")
    if ids.min() < 0 or ids.max() >= c.vocab_size:
        raise ValueError(f"ids must be in 0..{c.vocab_size - 1}, got {ids.min()}..{ids.max()}")
    if ids.shape[1] > c.context_length:
        raise ValueError(f"ids has {ids.shape[1]} positions, more than the context length {c.context_length}")
    if not isinstance(roundings, dict) or not all(isinstance(k, str) and callable(f) for k, f in roundings.items()):
        raise TypeError(f"roundings must be a dict {{name: rounding function}}, got {show(roundings)}")
    positions = torch.arange(ids.shape[1])
    x = model.embed(ids)
    streams = dict.fromkeys(roundings, x)
    change_sq, weight_sq = dict.fromkeys(roundings, 0.0), 0.0
    # the rounded copies and their differences go into buffers made once and reused for every
    # layer and rounding (every layer has the same shapes): no fresh memory for each matrix
    first = model.blocks[0]
    shapes = [m.weight for m in (first.attn.q, first.attn.k, first.attn.v, first.attn.o, first.ffn.gate,
                                 first.ffn.up, first.ffn.down)]
    rounded_buf = [torch.empty_like(p, dtype=torch.float32) for p in shapes]
    diff_buf = torch.empty(max(p.numel() for p in shapes))
    takes_out = {name: _takes_out(rounding) for name, rounding in roundings.items()}
    for block in model.blocks:
        params = [m.weight for m in (block.attn.q, block.attn.k, block.attn.v, block.attn.o, block.ffn.gate,
                                     block.ffn.up, block.ffn.down)]
        originals = [p.data for p in params]
        try:
            weight_sq += sum(_sum_of_squares(w) for w in originals)
            for name, rounding in roundings.items():
                for p, w, buf in zip(params, originals, rounded_buf):
                    if takes_out[name] and buf.shape == w.shape and w.dtype == torch.float32:
                        p.data = rounding(w, out=buf)  # the parameter now holds the rounded copy
                    else:
                        p.data = rounding(w)
                    diff = torch.sub(p.data.reshape(-1), w.reshape(-1), out=diff_buf[:w.numel()])
                    change_sq[name] += _sum_of_squares(diff)
                streams[name], _ = block(streams[name], positions)
        finally:
            for p, w in zip(params, originals):
                p.data = w  # the original tensor itself: nothing was copied over it
        x, _ = block(x, positions)
    out = model.output_weight().T
    change = {name: (change_sq[name] / weight_sq) ** 0.5 for name in roundings}
    return model.norm(x) @ out, {name: model.norm(s) @ out for name, s in streams.items()}, change


def _sum_of_squares(x: torch.Tensor) -> float:
    """The sum of the squares of ``x``'s entries, as one dot product (no temporary tensor)."""
    flat = x.reshape(-1)
    return float(torch.dot(flat, flat))


def compare_logits(reference: torch.Tensor, other: torch.Tensor, targets: torch.Tensor) -> dict[str, float]:
    """How far ``other`` logits (B, T, V) are from ``reference`` at predicting ``targets`` (B, T):
    {"kl": mean KL(p_reference || p_other) per position, in nats; "top1": share of positions with the
    same most likely token; "loss_reference", "loss_other": mean next-token cross-entropy}."""
    check_tensor(reference, "reference", ndim=3, floating=True)
    check_tensor(other, "other", ndim=3, floating=True)
    check_tensor(targets, "targets", ndim=2, floating=False)
    if other.shape != reference.shape or targets.shape != reference.shape[:2]:
        raise ValueError(f"shapes differ: {tuple(reference.shape)}, {tuple(other.shape)}, {tuple(targets.shape)}")
    if targets.numel() and (targets.min() < 0 or targets.max() >= reference.shape[-1]):
        raise ValueError(f"targets must be token ids in 0..{reference.shape[-1] - 1}, got "
                         f"{targets.min()}..{targets.max()}")
    log_p, log_q = reference.log_softmax(-1), other.log_softmax(-1)
    kl = (log_p.exp() * (log_p - log_q)).sum(-1).mean()
    top1 = (reference.argmax(-1) == other.argmax(-1)).float().mean()
    nll = torch.nn.functional.cross_entropy
    return {"kl": kl.item(), "top1": top1.item(),
            "loss_reference": nll(reference.flatten(0, 1), targets.flatten()).item(),
            "loss_other": nll(other.flatten(0, 1), targets.flatten()).item()}


def _check_model(model: object) -> None:
    if not isinstance(model, Llama):
        raise TypeError(f"model must be a helpers.llama.Llama, got {show(model)}")
