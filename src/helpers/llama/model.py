"""A Llama-family decoder (SmolLM2, Llama 2/3, ...): pre-norm blocks of RMSNorm, grouped-query
attention with RoPE, and a SwiGLU feed-forward; tied input/output embeddings; a KV cache.

    ids (B, T) -> embed -> [x + attn(norm(x)); x + ffn(norm(x))] x n_layers -> norm -> logits (B, T, V)

The configuration comes from a GGUF file's metadata (``helpers.llama.gguf_loader``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from .._checks import check_bool, check_int, check_int_list, check_positive_int, check_tensor, show
from .layers import (
    GroupedQueryAttention,
    LayerKVCache,
    RMSNorm,
    SwiGLU,
    check_eps,
    check_rope_base,
    check_rope_layout,
)

_INT_FIELDS = ("vocab_size", "d_model", "n_layers", "n_heads", "n_kv_heads", "head_dim", "d_ff", "context_length")


@dataclass(frozen=True)
class LlamaConfig:
    """The shape of a Llama-family model. SmolLM2-135M: 30 layers, d 576, 9/3 heads of 64, ffn 1536."""

    vocab_size: int = 49152
    d_model: int = 576
    n_layers: int = 30
    n_heads: int = 9
    n_kv_heads: int = 3
    head_dim: int = 64
    d_ff: int = 1536
    rope_base: float = 100000.0
    rms_eps: float = 1e-5
    context_length: int = 8192
    tie_embeddings: bool = True
    rope_layout: str = "half"  # "half" (Hugging Face's Llama) or "interleaved" (chapter 3, llama.cpp's file)

    def __post_init__(self) -> None:
        """Every field checked (and stored as a plain int / float / bool / str): a TypeError for a
        wrong type, a ValueError for a bad value, naming the field."""
        values = {name: check_int(getattr(self, name), name, low=1) for name in _INT_FIELDS}
        values["rope_base"] = check_rope_base(self.rope_base, "rope_base")
        values["rms_eps"] = check_eps(self.rms_eps, "rms_eps")
        values["tie_embeddings"] = check_bool(self.tie_embeddings, "tie_embeddings")
        values["rope_layout"] = check_rope_layout(self.rope_layout, "rope_layout")
        for name, value in values.items():
            object.__setattr__(self, name, value)  # numpy ints become ints; the dataclass is frozen
        if self.n_heads % self.n_kv_heads:
            raise ValueError(f"n_heads={self.n_heads} must be a multiple of n_kv_heads={self.n_kv_heads}")
        if self.head_dim % 2:
            raise ValueError(f"head_dim must be even for RoPE, got {self.head_dim}")

    def to_dict(self) -> dict:
        return asdict(self)

    def n_params(self) -> int:
        """The parameter count by formula (equal to ``sum(p.numel() for p in model.parameters())``).

        Per layer: q and o (d * H * hd each), k and v (d * H_kv * hd each), the three SwiGLU matrices
        (3 * d * d_ff) and two RMSNorm scales (2 * d). Plus the embedding (V * d, shared with the
        output layer when tied, else counted twice) and the final norm (d).
        """
        d, hd = self.d_model, self.head_dim
        attn = 2 * d * self.n_heads * hd + 2 * d * self.n_kv_heads * hd
        per_layer = attn + 3 * d * self.d_ff + 2 * d
        embed = self.vocab_size * d * (1 if self.tie_embeddings else 2)
        return self.n_layers * per_layer + embed + d


class KVCache:
    """One ``LayerKVCache`` per layer: the keys and values of every position seen so far."""

    def __init__(self, n_layers: int):
        check_positive_int(n_layers, "n_layers")
        self.layers = [LayerKVCache() for _ in range(n_layers)]

    def __len__(self) -> int:
        """The number of positions cached (the position of the next token)."""
        return len(self.layers[0])

    def crop(self, length: int) -> None:
        """Forget every position from ``length`` on (``length`` in 0..len(self))."""
        length = check_int(length, "length")
        if not 0 <= length <= len(self):
            raise ValueError(f"length must be in 0..{len(self)} (the positions cached), got {length}")
        for layer in self.layers:
            layer.crop(length)

    def nbytes(self) -> int:
        """Memory held by the cached keys and values, in bytes."""
        return sum(t.numel() * t.element_size() for c in self.layers if c.k is not None for t in (c.k, c.v))


class LlamaBlock(nn.Module):
    """Pre-norm decoder block: x + attn(norm(x)), then x + ffn(norm(x)).  x: (B, T, d) -> (B, T, d)."""

    def __init__(self, config: LlamaConfig):
        super().__init__()
        _check_config(config)
        c = config
        self.attn_norm = RMSNorm(c.d_model, c.rms_eps)
        self.attn = GroupedQueryAttention(c.d_model, c.n_heads, c.n_kv_heads, c.head_dim, c.rope_base,
                                          c.rope_layout)
        self.ffn_norm = RMSNorm(c.d_model, c.rms_eps)
        self.ffn = SwiGLU(c.d_model, c.d_ff)

    def forward(self, x: torch.Tensor, positions: torch.Tensor, cache: LayerKVCache | None = None,
                return_weights: bool = False) -> tuple[torch.Tensor, torch.Tensor | None]:
        a, weights = self.attn(self.attn_norm(x), positions, cache, return_weights)
        x = x + a
        x = x + self.ffn(self.ffn_norm(x))
        return x, weights


class Llama(nn.Module):
    """The decoder. ``forward(ids)`` gives logits; ``forward(ids, cache)`` continues from a KV cache."""

    def __init__(self, config: LlamaConfig):
        super().__init__()
        _check_config(config)
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.d_model)
        self.blocks = nn.ModuleList(LlamaBlock(config) for _ in range(config.n_layers))
        self.norm = RMSNorm(config.d_model, config.rms_eps)
        self.lm_head = None if config.tie_embeddings else nn.Linear(config.d_model, config.vocab_size, bias=False)

    def new_cache(self) -> KVCache:
        """An empty KV cache for this model."""
        return KVCache(self.config.n_layers)

    def output_weight(self) -> torch.Tensor:
        """The (V, d) matrix of the output layer: the embedding itself when tied."""
        return self.embed.weight if self.lm_head is None else self.lm_head.weight

    def forward(self, ids: torch.Tensor, cache: KVCache | None = None,
                attention_layers: list[int] | None = None, last_only: bool = False
                ) -> torch.Tensor | tuple[torch.Tensor, dict[int, torch.Tensor]]:
        """ids: (B, T) token ids -> logits (B, T, V).

        With a ``cache`` (from ``new_cache()``) the T tokens are placed after the cached positions,
        their keys and values are added to the cache, and only their logits are computed.
        With ``attention_layers`` (layer indices, e.g. ``[0, 15, 29]``) the result is
        ``(logits, {layer: weights (B, n_heads, T, S)})``: each query's attention over the keys.
        With ``last_only=True`` only the last position's logits are computed, (B, 1, V): all that
        generating the next token needs (the output layer costs about a fifth of a token's pass).
        """
        check_tensor(ids, "ids", ndim=2, floating=False)
        check_bool(last_only, "last_only")
        if ids.shape[0] == 0 or ids.shape[1] == 0:
            raise ValueError(f"ids must hold at least one token per row, got shape {tuple(ids.shape)}")
        if ids.min() < 0 or ids.max() >= self.config.vocab_size:
            raise ValueError(f"ids must be in 0..{self.config.vocab_size - 1}, got {ids.min()}..{ids.max()}")
        if cache is not None:
            if not isinstance(cache, KVCache):
                raise TypeError(f"cache must be a KVCache (from model.new_cache()) or None, got {show(cache)}")
            if len(cache.layers) != len(self.blocks):
                raise ValueError(f"the cache has {len(cache.layers)} layers but the model has {len(self.blocks)}")
            cached = cache.layers[0].k
            if cached is not None and cached.shape[0] != ids.shape[0]:
                raise ValueError(f"the cache holds a batch of {cached.shape[0]} sequences but ids has "
                                 f"{ids.shape[0]} (shape {tuple(ids.shape)})")
        wanted = set() if attention_layers is None else _check_layers(attention_layers, len(self.blocks))
        start = 0 if cache is None else len(cache)
        positions = torch.arange(start, start + ids.shape[1])
        if positions.numel() and positions[-1] >= self.config.context_length:
            raise ValueError(f"position {int(positions[-1])} is past the context length {self.config.context_length}")
        x = self.embed(ids)
        maps: dict[int, torch.Tensor] = {}
        for i, block in enumerate(self.blocks):
            x, weights = block(x, positions, None if cache is None else cache.layers[i], i in wanted)
            if weights is not None:
                maps[i] = weights
        if last_only:
            x = x[:, -1:]
        logits = self.norm(x) @ self.output_weight().T
        return (logits, maps) if attention_layers is not None else logits


def _check_config(config: object) -> None:
    if not isinstance(config, LlamaConfig):
        raise TypeError(f"config must be a LlamaConfig, got {show(config)}")


def _check_layers(layers: object, n_layers: int) -> set[int]:
    """``attention_layers``: a list of layer indices, each an int in 0..n_layers - 1."""
    layers = check_int_list(layers, "attention_layers", "int layer indices")
    bad = sorted({int(i) for i in layers if not 0 <= i < n_layers})
    if bad:
        raise ValueError(f"attention_layers {bad} out of range 0..{n_layers - 1}")
    return {int(i) for i in layers}
