"""Chapter 0's tiny model of the running example, rebuilt for later chapters (6 and 9).

"The cat sat" -> "猫 坐着 <eos>" with d_model = 4: one encoder self-attention, one decoder
masked self-attention, one cross-attention (each with a residual connection, no LayerNorm and
no feed-forward) and an output layer. The parameters come from the same seed and the same
order of random draws as chapter 0, so every chapter that calls ``build`` gets the same numbers.

    X  = E_src[src] + P                    C  = X  + attend(X W^Q_enc, X W^K_enc, X W^V_enc)
    Y  = E_tgt[dec_in] + P                 H1 = Y  + attend(Y W^Q_dec, Y W^K_dec, Y W^V_dec, causal)
    H2 = H1 + attend(H1 W^Q_x, C W^K_x, C W^V_x)        logits = H2 W_out
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from . import corpus, running_example
from ._checks import check_bool, check_int, show
from .attention import _check_qkv, check_mask
from .vocab import Vocab


@dataclass
class RunningStep:
    """The tiny model: its parameters (name -> tensor) and the running example's token ids."""

    params: dict[str, torch.Tensor]
    src_ids: torch.Tensor  # (3,) The cat sat
    dec_ids: torch.Tensor  # (3,) <sos> 猫 坐着
    tgt_ids: torch.Tensor  # (3,) 猫 坐着 <eos>
    en_vocab: Vocab
    zh_vocab: Vocab


def build(seed: int = 0, requires_grad: bool = False) -> RunningStep:
    """Chapter 0's parameters: embeddings (toy rows for The/cat/sat), 9 attention matrices (4, 4), W_out (4, |V|)."""
    check_int(seed, "seed")
    check_bool(requires_grad, "requires_grad")
    en_vocab, zh_vocab = corpus.build_vocabs()
    src_ids = torch.tensor(en_vocab.encode(running_example.SOURCE_TOKENS, strict=True))
    dec_ids = torch.tensor(zh_vocab.encode(running_example.DECODER_INPUT, strict=True))
    tgt_ids = torch.tensor(zh_vocab.encode(running_example.TARGET, strict=True))
    d = running_example.D_MODEL
    gen = torch.Generator().manual_seed(seed)  # the same draws as torch.manual_seed(seed), no global side effect

    def draw(*shape: int) -> torch.Tensor:
        return torch.randn(*shape, generator=gen)

    e_src = draw(len(en_vocab), d) * 0.5
    e_src[src_ids] = running_example.toy_embeddings()
    e_tgt = draw(len(zh_vocab), d) * 0.5
    params = {"E_src": e_src, "E_tgt": e_tgt}
    for part in ("enc", "dec", "x"):  # encoder self-, decoder self-, cross-attention
        for w in ("Wq", "Wk", "Wv"):
            params[f"{w}_{part}"] = draw(d, d) * 0.5
    params["W_out"] = draw(d, len(zh_vocab)) * 0.05
    if requires_grad:
        params = {k: v.requires_grad_() for k, v in params.items()}
    return RunningStep(params, src_ids, dec_ids, tgt_ids, en_vocab, zh_vocab)


def attend(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """softmax(q kᵀ / sqrt(d_k) + mask) v: q (T, d_k), k (S, d_k), v (S, d_v) -> (output (T, d_v), weights (T, S))."""
    _check_qkv(q, k, v)
    if q.dim() != 2 or k.dim() != 2:
        raise ValueError(f"q and k must be 2-D, (T, d_k) and (S, d_k), got q {tuple(q.shape)} and k {tuple(k.shape)}")
    scores = q @ k.T / math.sqrt(q.shape[-1])
    if mask is not None:
        check_mask(mask, scores.shape)
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return weights @ v, weights


def forward(step: RunningStep) -> dict[str, torch.Tensor]:
    """Every intermediate of the forward pass: X, C, Y, H1, H2, logits, and per attention part
    ("enc", "dec", "x") its q, k, v and weights A (names like ``q_x`` and ``A_x``)."""
    if not isinstance(step, RunningStep):
        raise TypeError(f"step must be the RunningStep of build(), got {show(step)}")
    p = step.params
    pos = running_example.toy_positions()
    causal = torch.tril(torch.ones(3, 3, dtype=torch.bool))
    f = {"X": p["E_src"][step.src_ids] + pos}
    for part, x_in, kv_in, mask, out_name in (
        ("enc", "X", "X", None, "C"),
        ("dec", "Y", "Y", causal, "H1"),
        ("x", "H1", "C", None, "H2"),
    ):
        if part == "dec":
            f["Y"] = p["E_tgt"][step.dec_ids] + pos
        f[f"q_{part}"] = f[x_in] @ p[f"Wq_{part}"]
        f[f"k_{part}"] = f[kv_in] @ p[f"Wk_{part}"]
        f[f"v_{part}"] = f[kv_in] @ p[f"Wv_{part}"]
        out, f[f"A_{part}"] = attend(f[f"q_{part}"], f[f"k_{part}"], f[f"v_{part}"], mask)
        f[out_name] = f[x_in] + out
    f["logits"] = f["H2"] @ p["W_out"]
    return f
