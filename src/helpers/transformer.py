"""A small encoder-decoder Transformer (Vaswani et al., 2017), in one readable file.

    src ids -> embedding * sqrt(d) + sinusoidal PE -> N x EncoderLayer -> memory
    tgt ids -> embedding * sqrt(d) + sinusoidal PE -> N x DecoderLayer(memory) -> Linear -> logits

Layers follow the layout of ``nn.TransformerEncoderLayer`` / ``nn.TransformerDecoderLayer``
(ReLU feed-forward, post-norm by default, ``norm_first=True`` for pre-norm) so that the
tests can copy PyTorch's weights in and compare outputs. Masks: bool, True = may attend.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn

from ._checks import check_bool, check_int
from .masks import causal_mask, padding_mask
from .mha import MultiHeadAttention
from .positional import sinusoidal_encoding


@dataclass
class TransformerConfig:
    """Sizes of the model. ``pad_id`` is the padding token of both vocabularies."""

    src_vocab_size: int
    tgt_vocab_size: int
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    d_ff: int = 128
    dropout: float = 0.1
    max_len: int = 64
    pad_id: int = 0
    norm_first: bool = False
    residual: bool = True  # False only to show what residual connections do (chapter 9)

    def __post_init__(self) -> None:
        for name in ("src_vocab_size", "tgt_vocab_size", "d_model", "n_heads", "n_layers", "d_ff", "max_len"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive int, got {value!r}")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}")
        d = self.dropout
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not 0.0 <= d < 1.0:
            raise ValueError(f"dropout must be a number in [0, 1), got {self.dropout!r}")
        check_int(self.pad_id, "pad_id", 0, min(self.src_vocab_size, self.tgt_vocab_size) - 1)
        check_bool(self.norm_first, "norm_first")
        check_bool(self.residual, "residual")

    def to_dict(self) -> dict:
        return asdict(self)


class FeedForward(nn.Module):
    """Position-wise feed-forward network: Linear(d, d_ff) -> ReLU -> dropout -> Linear(d_ff, d)."""

    def __init__(self, d_model: int, d_ff: int, dropout: float):
        super().__init__()
        self.linear1, self.linear2 = nn.Linear(d_model, d_ff), nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear2(self.dropout(torch.relu(self.linear1(x))))


class EncoderLayer(nn.Module):
    """Self-attention and feed-forward, each with a residual connection and LayerNorm.

    forward(x (B, T, d), mask (B, 1, 1, T) or None) -> (B, T, d)
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.1, norm_first: bool = False,
                 residual: bool = True):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.norm1, self.norm2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.dropout1, self.dropout2 = nn.Dropout(dropout), nn.Dropout(dropout)
        self.norm_first = norm_first
        self.residual = residual

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        add = self.add_residual
        if self.norm_first:
            h = self.norm1(x)
            x = add(x, self.dropout1(self.self_attn(h, h, h, mask)))
            return add(x, self.dropout2(self.ff(self.norm2(x))))
        x = self.norm1(add(x, self.dropout1(self.self_attn(x, x, x, mask))))
        return self.norm2(add(x, self.dropout2(self.ff(x))))

    def add_residual(self, x: torch.Tensor, update: torch.Tensor) -> torch.Tensor:
        """The residual stream: x + update (or the update alone, with residual=False)."""
        return x + update if self.residual else update

    def load_from_pytorch(self, ref: nn.TransformerEncoderLayer) -> EncoderLayer:
        """Copy the weights of an ``nn.TransformerEncoderLayer`` with the same sizes."""
        self.self_attn.load_from_pytorch(ref.self_attn)
        _copy_linear_norm(self, ref, norms=("norm1", "norm2"))
        return self


class DecoderLayer(nn.Module):
    """Masked self-attention, cross-attention to the encoder's memory, feed-forward.

    forward(y (B, T, d), memory (B, S, d), self_mask (..., T, T), memory_mask (B, 1, 1, S)) -> (B, T, d)
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.1, norm_first: bool = False,
                 residual: bool = True):
        super().__init__()
        self.self_attn = MultiHeadAttention(d_model, n_heads)
        self.cross_attn = MultiHeadAttention(d_model, n_heads)
        self.ff = FeedForward(d_model, d_ff, dropout)
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(d_model) for _ in range(3))
        self.dropout1, self.dropout2, self.dropout3 = (nn.Dropout(dropout) for _ in range(3))
        self.norm_first = norm_first
        self.residual = residual

    def forward(self, y: torch.Tensor, memory: torch.Tensor, self_mask: torch.Tensor | None = None,
                memory_mask: torch.Tensor | None = None) -> torch.Tensor:
        add = self.add_residual
        if self.norm_first:
            h = self.norm1(y)
            y = add(y, self.dropout1(self.self_attn(h, h, h, self_mask)))
            y = add(y, self.dropout2(self.cross_attn(self.norm2(y), memory, memory, memory_mask)))
            return add(y, self.dropout3(self.ff(self.norm3(y))))
        y = self.norm1(add(y, self.dropout1(self.self_attn(y, y, y, self_mask))))
        y = self.norm2(add(y, self.dropout2(self.cross_attn(y, memory, memory, memory_mask))))
        return self.norm3(add(y, self.dropout3(self.ff(y))))

    add_residual = EncoderLayer.add_residual

    def load_from_pytorch(self, ref: nn.TransformerDecoderLayer) -> DecoderLayer:
        """Copy the weights of an ``nn.TransformerDecoderLayer`` with the same sizes."""
        self.self_attn.load_from_pytorch(ref.self_attn)
        self.cross_attn.load_from_pytorch(ref.multihead_attn)
        _copy_linear_norm(self, ref, norms=("norm1", "norm2", "norm3"))
        return self


def _copy_linear_norm(ours: nn.Module, ref: nn.Module, norms: tuple[str, ...]) -> None:
    with torch.no_grad():
        for a, b in ((ours.ff.linear1, ref.linear1), (ours.ff.linear2, ref.linear2)):
            a.weight.copy_(b.weight)
            a.bias.copy_(b.bias)
        for name in norms:
            getattr(ours, name).weight.copy_(getattr(ref, name).weight)
            getattr(ours, name).bias.copy_(getattr(ref, name).bias)


class Seq2SeqTransformer(nn.Module):
    """Encoder-decoder Transformer for translation.

    forward(src (B, S) ids, tgt_in (B, T) ids) -> logits (B, T, tgt_vocab_size)
    """

    def __init__(self, config: TransformerConfig):
        super().__init__()
        c = self.config = config
        self.src_emb = nn.Embedding(c.src_vocab_size, c.d_model, padding_idx=c.pad_id)
        self.tgt_emb = nn.Embedding(c.tgt_vocab_size, c.d_model, padding_idx=c.pad_id)
        self.register_buffer("pe", sinusoidal_encoding(c.max_len, c.d_model), persistent=False)
        self.dropout = nn.Dropout(c.dropout)
        self.encoder = nn.ModuleList(
            EncoderLayer(c.d_model, c.n_heads, c.d_ff, c.dropout, c.norm_first, c.residual) for _ in range(c.n_layers)
        )
        self.decoder = nn.ModuleList(
            DecoderLayer(c.d_model, c.n_heads, c.d_ff, c.dropout, c.norm_first, c.residual) for _ in range(c.n_layers)
        )
        self.enc_norm = nn.LayerNorm(c.d_model) if c.norm_first else nn.Identity()
        self.dec_norm = nn.LayerNorm(c.d_model) if c.norm_first else nn.Identity()
        self.generator = nn.Linear(c.d_model, c.tgt_vocab_size)

    def _check_ids(self, name: str, ids: torch.Tensor, vocab_size: int) -> None:
        if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.is_floating_point():
            shape = tuple(ids.shape) if isinstance(ids, torch.Tensor) else type(ids).__name__
            raise ValueError(f"{name} must be an integer tensor of shape (batch, length), got {shape}")
        if ids.shape[0] == 0 or ids.shape[1] == 0:
            raise ValueError(f"{name} must hold at least one row and one token, got shape {tuple(ids.shape)}")
        if ids.shape[1] > self.config.max_len:
            raise ValueError(f"{name} has length {ids.shape[1]} > max_len={self.config.max_len}")
        if ids.numel() and (int(ids.min()) < 0 or int(ids.max()) >= vocab_size):
            raise ValueError(f"{name} has ids outside [0, {vocab_size})")

    def embed(self, emb: nn.Embedding, ids: torch.Tensor) -> torch.Tensor:
        """ids (B, T) -> emb(ids) * sqrt(d_model) + positional encoding, (B, T, d_model)."""
        return self.dropout(emb(ids) * math.sqrt(self.config.d_model) + self.pe[: ids.shape[1]])

    def encode(self, src: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """src (B, S) -> (memory (B, S, d), src_mask (B, 1, 1, S))."""
        self._check_ids("src", src, self.config.src_vocab_size)
        src_mask = padding_mask(src, self.config.pad_id)
        x = self.embed(self.src_emb, src)
        for layer in self.encoder:
            x = layer(x, src_mask)
        return self.enc_norm(x), src_mask

    def decode(self, tgt_in: torch.Tensor, memory: torch.Tensor, src_mask: torch.Tensor) -> torch.Tensor:
        """tgt_in (B, T), memory (B, S, d) -> logits (B, T, V). Padding and future are masked."""
        self._check_ids("tgt_in", tgt_in, self.config.tgt_vocab_size)
        t = tgt_in.shape[1]
        self_mask = padding_mask(tgt_in, self.config.pad_id) & causal_mask(t, tgt_in.device)
        y = self.embed(self.tgt_emb, tgt_in)
        for layer in self.decoder:
            y = layer(y, memory, self_mask, src_mask)
        return self.generator(self.dec_norm(y))

    def forward(self, src: torch.Tensor, tgt_in: torch.Tensor) -> torch.Tensor:
        memory, src_mask = self.encode(src)
        return self.decode(tgt_in, memory, src_mask)

    @torch.no_grad()
    def greedy_decode(self, src: torch.Tensor, sos_id: int, eos_id: int, max_len: int = 20) -> list[list[int]]:
        """Translate by always picking the most likely next token. Returns ids without <sos>/<eos>.

        src (B, S) ids; ``sos_id`` and ``eos_id`` are target-vocabulary ids; ``max_len`` >= 1 new tokens at most.
        """
        check_int(sos_id, "sos_id", 0, self.config.tgt_vocab_size - 1)
        check_int(eos_id, "eos_id", 0, self.config.tgt_vocab_size - 1)
        check_int(max_len, "max_len", 1)
        was_training = self.training
        self.eval()
        try:
            memory, src_mask = self.encode(src)
            out = torch.full((src.shape[0], 1), sos_id, dtype=torch.long, device=src.device)
            done = torch.zeros(src.shape[0], dtype=torch.bool, device=src.device)
            for _ in range(min(max_len, self.config.max_len - 1)):
                nxt = self.decode(out, memory, src_mask)[:, -1].argmax(-1)
                nxt = torch.where(done, torch.full_like(nxt, self.config.pad_id), nxt)
                out = torch.cat([out, nxt[:, None]], dim=1)
                done |= nxt == eos_id
                if done.all():
                    break
        finally:  # a bad src must not leave the model in eval mode
            self.train(was_training)
        result = []
        for row in out[:, 1:].tolist():
            row = row[: row.index(eos_id)] if eos_id in row else row
            result.append([i for i in row if i != self.config.pad_id])
        return result

    def keep_attention(self, flag: bool = True) -> None:
        """Make every attention module keep its last weights (and raw scores)."""
        for m in self.modules():
            if isinstance(m, MultiHeadAttention):
                m.keep_weights = flag
                if not flag:
                    m.last_weights = m.last_scores = None

    def attention_maps(self) -> dict[str, list[torch.Tensor]]:
        """Last weights per layer: {"encoder": [...], "decoder": [...], "cross": [...]}, each (B, h, T_q, T_k)."""
        return {
            "encoder": [layer.self_attn.last_weights for layer in self.encoder],
            "decoder": [layer.self_attn.last_weights for layer in self.decoder],
            "cross": [layer.cross_attn.last_weights for layer in self.decoder],
        }
