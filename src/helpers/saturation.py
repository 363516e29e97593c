"""How saturated a softmax is: its Jacobian, its entropy, and the share of near one-hot rows.

A softmax row p = softmax(s) is *saturated* when almost all its weight sits on one key.
Its Jacobian then vanishes,

    dp_i / ds_j = p_i (delta_ij - p_j)      i.e.  J = diag(p) - p p^T,

so the weights no longer respond to the scores of the other keys (chapter 4).
"""

from __future__ import annotations

import torch

from ._checks import check_int, check_tensor, show


def _check_weights(p: object, name: str = "p") -> torch.Tensor:
    check_tensor(p, name, floating=True)
    if p.dim() < 1 or p.shape[-1] == 0:
        raise ValueError(f"{name} must have shape (..., n) with n >= 1 weights, got {tuple(p.shape)}")
    if not bool(((p >= 0) & (p <= 1)).all()):  # NaN fails both tests
        raise ValueError(f"{name} must hold softmax weights in [0, 1] (no NaN)")
    return p


def _check_threshold(threshold: object) -> float:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise TypeError(f"threshold must be a number strictly between 0 and 1, got {show(threshold)}")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must be a number strictly between 0 and 1, got {threshold!r}")
    return float(threshold)


def softmax_jacobian(p: torch.Tensor) -> torch.Tensor:
    """The Jacobian dp/ds of p = softmax(s), from the weights alone.

    p: (..., n) softmax weights  ->  (..., n, n), entry [i, j] = p_i (delta_ij - p_j).
    """
    _check_weights(p)
    return torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)


def entropy(p: torch.Tensor) -> torch.Tensor:
    """Entropy in nats of each row of weights, with 0 log 0 = 0: (..., n) -> (...).

    It is log(n) for uniform weights and 0 for a one-hot row; exp(entropy) is the
    "effective number" of keys a row attends to.
    """
    _check_weights(p)
    return -torch.xlogy(p, p).sum(-1)


def saturated_share(weights: torch.Tensor, threshold: float = 0.99, mask: torch.Tensor | None = None) -> float:
    """Share of rows whose largest weight exceeds ``threshold``.

    weights: (..., T_q, T_k) attention weights;  mask: bool, broadcastable to ``weights``,
    True = may attend. Only rows with at least two keys to choose from count: a row with one
    allowed key (the first row under a causal mask) is one-hot by construction, not by learning.
    """
    _check_weights(weights, "weights")
    if weights.dim() < 2:
        raise ValueError(f"weights must have shape (..., T_q, T_k), got {tuple(weights.shape)}")
    _check_threshold(threshold)
    if mask is None:
        choices = torch.full(weights.shape[:-1], weights.shape[-1])
    else:
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            raise TypeError("mask must be a bool tensor (True = may attend)")
        try:
            mask = mask.expand(weights.shape)
        except RuntimeError:
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to weights of shape {tuple(weights.shape)}"
            ) from None
        choices = mask.sum(-1)
    rows = choices >= 2
    if not rows.any():
        raise ValueError("no row has two or more keys to choose from")
    return (weights.max(-1).values[rows] > threshold).float().mean().item()


def attention_rows(net, pairs, en, zh, width: int = 32) -> dict:
    """Every attention row of a ``Seq2SeqTransformer`` on sentence ``pairs``, by (kind, layer).

    kind is "encoder", "decoder" (masked self-attention) or "cross"; layer counts from 0.
    Returns {(kind, layer): (weights, scaled scores, mask)}, each of shape (rows, width): one row
    per sentence, head and query, padded on the right with zeros (and False in the mask).
    """
    import math

    import torch.nn.functional as F

    from .corpus import Pair
    from .masks import causal_mask
    from .transformer import Seq2SeqTransformer
    from .translator import encode_pairs

    if not isinstance(net, Seq2SeqTransformer):
        raise TypeError(f"net must be a Seq2SeqTransformer, got {show(net)}")
    if isinstance(pairs, Pair) or not isinstance(pairs, (list, tuple)):
        raise TypeError(f"pairs must be a list of corpus.Pair, got {show(pairs)}")
    if not pairs:
        raise ValueError("pairs must hold at least one sentence pair, got an empty list")
    check_int(width, "width", low=1)

    modules = {
        "encoder": [layer.self_attn for layer in net.encoder],
        "decoder": [layer.self_attn for layer in net.decoder],
        "cross": [layer.cross_attn for layer in net.decoder],
    }
    found: dict = {}
    net.keep_attention(True)
    try:
        for pair in pairs:
            src, tgt_in, _ = encode_pairs([pair], en, zh)
            with torch.no_grad():
                net(src, tgt_in)
            causal = causal_mask(tgt_in.shape[1])
            for kind, mods in modules.items():
                for i, mod in enumerate(mods):
                    w = mod.last_weights[0]  # (heads, T_q, T_k)
                    s = mod.last_scores[0] / math.sqrt(mod.d_k)
                    m = (causal if kind == "decoder" else torch.ones_like(w[0], dtype=torch.bool)).expand_as(w)
                    if w.shape[-1] > width:
                        raise ValueError(f"a sentence has {w.shape[-1]} tokens, more than width={width}")
                    pad = (0, width - w.shape[-1])
                    rows = [F.pad(x.flatten(0, 1), pad) for x in (w, s, m.float())]
                    found.setdefault((kind, i), []).append(rows)
    finally:
        net.keep_attention(False)
    return {
        key: (
            torch.cat([p[0] for p in parts]),
            torch.cat([p[1] for p in parts]),
            torch.cat([p[2] for p in parts]).bool(),
        )
        for key, parts in found.items()
    }


def row_sharpness(
    weights: torch.Tensor, scores: torch.Tensor, mask: torch.Tensor, threshold: float = 0.99
) -> tuple[float, float]:
    """(share of rows whose largest weight > threshold, median spread of a row's scores).

    weights, scores: (rows, T_k); mask: bool (rows, T_k), True = may attend. The spread of a row is
    the standard deviation of its allowed scores; only rows with at least two allowed keys count.
    """
    check_tensor(mask, "mask")
    share = saturated_share(weights, threshold=threshold, mask=mask)
    check_tensor(scores, "scores", floating=True)
    if scores.shape != weights.shape or mask.shape != weights.shape:
        raise ValueError(
            f"weights {tuple(weights.shape)}, scores {tuple(scores.shape)} and mask "
            f"{tuple(mask.shape)} must have the same shape (rows, T_k)"
        )
    choice = mask.sum(-1) >= 2
    s = scores.masked_fill(~mask, float("nan"))[choice]
    spread = (s - s.nanmean(-1, keepdim=True)).pow(2).nanmean(-1).sqrt()
    return share, spread.median().item()


def count_saturated(rows_by_key: dict, keys, threshold: float = 0.99) -> tuple[int, int]:
    """(rows whose largest weight > threshold, rows with at least two allowed keys), over ``keys``."""
    if not isinstance(rows_by_key, dict):
        raise TypeError(f"rows_by_key must be the dict of attention_rows, got {show(rows_by_key)}")
    _check_threshold(threshold)
    sat = total = 0
    for key in keys:
        if key not in rows_by_key:
            raise ValueError(f"keys holds {key!r}, which rows_by_key does not have; it has {sorted(rows_by_key)}")
        w, _, m = rows_by_key[key]
        choice = m.sum(-1) >= 2
        sat += int((choice & (w.max(-1).values > threshold)).sum())
        total += int(choice.sum())
    return sat, total


#: The untrained networks chapter 4 compares, in the order it draws them.
UNTRAINED = ("at init", "at init, pre-norm", "at init, small embeddings")


def untrained_networks(config, seed: int) -> dict:
    """Three untrained ``Seq2SeqTransformer`` networks of shape ``config``, each drawn after
    ``torch.manual_seed(seed)``, in eval mode: {name: network} for the names of ``UNTRAINED``.

    "at init": ``config`` as it is (post-norm, PyTorch's default embeddings, entries N(0, 1));
    "at init, pre-norm": the same with ``norm_first=True``; "at init, small embeddings": the
    post-norm network with embedding entries drawn with standard deviation 1/sqrt(d_model).
    """
    import dataclasses

    from .transformer import Seq2SeqTransformer, TransformerConfig

    if not isinstance(config, TransformerConfig):
        raise TypeError(f"config must be a transformer.TransformerConfig, got {show(config)}")
    seed = check_int(seed, "seed", low=0)
    nets = {}
    for name, cfg in zip(UNTRAINED, (config, dataclasses.replace(config, norm_first=True), config)):
        torch.manual_seed(seed)
        nets[name] = Seq2SeqTransformer(cfg).eval()
    small = nets["at init, small embeddings"]
    with torch.no_grad():  # a fresh draw, as nn.init.normal_ would make it
        for emb in (small.src_emb, small.tgt_emb):
            emb.weight.normal_(0.0, config.d_model**-0.5)
    return nets


def seed_summary(per_seed) -> tuple[dict, dict, dict]:
    """Mean, minimum and maximum over seeds of ``row_sharpness`` results.

    per_seed: a non-empty list, one dict per seed {key: (share, spread)} with the same keys.
    Returns (mean, low, high), each {key: (share, spread)}.
    """
    if isinstance(per_seed, dict) or not isinstance(per_seed, (list, tuple)) or not per_seed:
        raise ValueError(f"per_seed must be a non-empty list of dicts {{key: (share, spread)}}, got {show(per_seed)}")
    keys = list(per_seed[0])
    for i, d in enumerate(per_seed):
        if not isinstance(d, dict) or list(d) != keys:
            raise ValueError(f"per_seed[{i}] must be a dict with the keys {keys}, got {show(d)}")
    values = {key: torch.tensor([d[key] for d in per_seed], dtype=torch.float64) for key in keys}  # (seeds, 2)
    mean = {key: tuple(v.mean(0).tolist()) for key, v in values.items()}
    low = {key: tuple(v.min(0).values.tolist()) for key, v in values.items()}
    high = {key: tuple(v.max(0).values.tolist()) for key, v in values.items()}
    return mean, low, high
