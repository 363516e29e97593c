"""Cross-attention's cost and its key/value cache (chapter 6).

* ``score_counts(n_target, n_source)``: how many attention scores one head of one layer computes
  in the encoder's self-attention (S x S), the decoder's self-attention (T x T) and
  cross-attention (T x S).
* ``greedy_decode_steps(model, src, sos_id, eos_id, cache_cross_kv)``: the translator's greedy
  decoding, step by step, returning every step's logits and how many source vectors went through a
  cross-attention key or value projection. Without the cache, each step recomputes K = C W^K and
  V = C W^V in every decoder layer (what ``Seq2SeqTransformer.greedy_decode`` does); with it, they
  are computed once per sentence and reused.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ._checks import check_bool, check_int, check_tensor
from .attention import scaled_dot_product_attention
from .masks import causal_mask, padding_mask
from .mha import MultiHeadAttention, merge_heads, split_heads
from .transformer import DecoderLayer, Seq2SeqTransformer


def score_counts(n_target: int, n_source: int) -> dict[str, int]:
    """Scores (query-key dot products) per head per layer for a source of S = ``n_source`` tokens
    and a target of T = ``n_target``: {"encoder self": S*S, "decoder self": T*T, "cross": T*S}.
    The decoder's causal mask hides about half of its T*T scores, but they are still computed."""
    check_int(n_target, "n_target", low=1)
    check_int(n_source, "n_source", low=1)
    return {"encoder self": n_source * n_source, "decoder self": n_target * n_target, "cross": n_target * n_source}


@dataclass
class DecodeSteps:
    """tokens: (B, n) generated ids after <sos> (padding after <eos>); logits: (B, n, V), the logits
    each step chose from; kv_rows: source vectors sent through cross-attention's W^K and W^V, summed
    over layers (counted with hooks while decoding)."""

    tokens: torch.Tensor
    logits: torch.Tensor
    kv_rows: int


def _cross(
    mha: MultiHeadAttention, query: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor
) -> torch.Tensor:
    """Cross-attention with cached, head-split keys and values (B, h, S, d_k): only Q is projected."""
    q = split_heads(mha.q_proj(query), mha.n_heads)
    return mha.out_proj(merge_heads(scaled_dot_product_attention(q, k, v, mask=mask)))


def _layer(
    layer: DecoderLayer,
    y: torch.Tensor,
    kv: tuple[torch.Tensor, torch.Tensor],
    self_mask: torch.Tensor,
    src_mask: torch.Tensor,
) -> torch.Tensor:
    """``DecoderLayer.forward`` (eval mode) with the cross-attention's K and V taken from ``kv``."""
    add, (k, v) = layer.add_residual, kv
    if layer.norm_first:
        h = layer.norm1(y)
        y = add(y, layer.self_attn(h, h, h, self_mask))
        y = add(y, _cross(layer.cross_attn, layer.norm2(y), k, v, src_mask))
        return add(y, layer.ff(layer.norm3(y)))
    y = layer.norm1(add(y, layer.self_attn(y, y, y, self_mask)))
    y = layer.norm2(add(y, _cross(layer.cross_attn, y, k, v, src_mask)))
    return layer.norm3(add(y, layer.ff(y)))


@torch.no_grad()
def greedy_decode_steps(
    model: Seq2SeqTransformer, src: torch.Tensor, sos_id: int, eos_id: int, cache_cross_kv: bool, max_len: int = 20
) -> DecodeSteps:
    """Greedy decoding of src (B, S) ids, with or without a cache of cross-attention's K and V.

    The loop is ``Seq2SeqTransformer.greedy_decode``'s (the same tokens); it stops when every row
    has written ``eos_id`` or after ``max_len`` new tokens. The model is put in eval mode and
    restored afterwards.
    """
    if not isinstance(model, Seq2SeqTransformer):
        raise TypeError(f"model must be a Seq2SeqTransformer, got {type(model).__name__}")
    check_tensor(src, "src", ndim=2, floating=False)
    vocab = model.config.tgt_vocab_size
    check_int(sos_id, "sos_id", 0, vocab - 1)
    check_int(eos_id, "eos_id", 0, vocab - 1)
    check_bool(cache_cross_kv, "cache_cross_kv")
    check_int(max_len, "max_len", low=1)
    rows = [0]

    def count(module, args, out):  # one call of W^K or W^V: count the vectors it projected
        rows[0] += out.shape[0] * out.shape[1]

    hooks = [
        proj.register_forward_hook(count)
        for layer in model.decoder
        for proj in (layer.cross_attn.k_proj, layer.cross_attn.v_proj)
    ]
    was_training = model.training
    model.eval()
    try:
        memory, src_mask = model.encode(src)  # C: (B, S, d), once per sentence
        if cache_cross_kv:  # per layer: (B, h, S, d_k), computed once
            kv = [
                (
                    split_heads(layer.cross_attn.k_proj(memory), model.config.n_heads),
                    split_heads(layer.cross_attn.v_proj(memory), model.config.n_heads),
                )
                for layer in model.decoder
            ]
        out = torch.full((src.shape[0], 1), sos_id, dtype=torch.long)
        done = torch.zeros(src.shape[0], dtype=torch.bool)
        logits = []
        for _ in range(min(max_len, model.config.max_len - 1)):
            if cache_cross_kv:
                t = out.shape[1]
                self_mask = padding_mask(out, model.config.pad_id) & causal_mask(t)
                y = model.embed(model.tgt_emb, out)
                for layer, layer_kv in zip(model.decoder, kv):
                    y = _layer(layer, y, layer_kv, self_mask, src_mask)
                step = model.generator(model.dec_norm(y))[:, -1]
            else:
                step = model.decode(out, memory, src_mask)[:, -1]  # recomputes K and V
            logits.append(step)
            nxt = step.argmax(-1)
            nxt = torch.where(done, torch.full_like(nxt, model.config.pad_id), nxt)
            out = torch.cat([out, nxt[:, None]], dim=1)
            done |= nxt == eos_id
            if done.all():
                break
    finally:
        for hook in hooks:
            hook.remove()
        model.train(was_training)
    return DecodeSteps(out[:, 1:], torch.stack(logits, dim=1), rows[0])
