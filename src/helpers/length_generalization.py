"""Train short, test long: a one-layer attention model with five kinds of position information.

The task needs position and nothing else: the input is a sequence of random tokens, and at every
position t >= ``delta`` the target is the token ``delta`` places back. A causal attention layer
can solve it only by attending to the key exactly ``delta`` places before the query. Trained on
sequences of length ``T_train`` and tested on longer ones, the accuracy beyond ``T_train`` shows
whether a kind of position information carries over to positions never seen in training.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ._checks import check_int, check_number, check_positive_int, check_tensor
from .positional import rope_angles, sinusoidal_encoding

KINDS = ("none", "sinusoidal", "learned", "rope", "alibi")
ALIBI_SLOPE = 0.5  # the steepest slope of an 8-head ALiBi model (alibi_slopes(8)[0])
IGNORE = -100  # the target of positions with no token delta places back


def copy_back_batch(batch_size: int, T: int, delta: int, vocab_size: int,
                    generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids (B, T), targets (B, T)): targets[:, t] = ids[:, t - delta], IGNORE for t < delta."""
    ids = torch.randint(0, vocab_size, (batch_size, T), generator=generator)
    targets = torch.full_like(ids, IGNORE)
    targets[:, delta:] = ids[:, :-delta]
    return ids, targets


class OneLayerAttention(nn.Module):
    """Embedding (+ position), one causal attention head, output layer.

    kind: "none" (no position information), "sinusoidal" (added to the input), "learned" (a
    trained row per position, added; rows exist up to ``max_len``), "rope" (queries and keys
    rotated) or "alibi" (the score of the key o places back lowered by ``alibi_slope * o``, a fixed
    penalty, nothing learned).  forward(ids (B, T)) -> logits (B, T, vocab_size)
    """

    def __init__(self, kind: str, vocab_size: int = 16, d_model: int = 32, max_len: int = 128,
                 alibi_slope: float = ALIBI_SLOPE):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        alibi_slope = check_number(alibi_slope, "alibi_slope", 0)
        self.kind = kind
        self.alibi_slope = alibi_slope
        self.emb = nn.Embedding(vocab_size, d_model)
        self.q, self.k = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model, bias=False)
        self.out = nn.Linear(d_model, vocab_size)
        self.pos = nn.Embedding(max_len, d_model) if kind == "learned" else None
        self.register_buffer("pe", sinusoidal_encoding(max_len, d_model), persistent=False)
        # RoPE's cos and sin for every position, computed once (as helpers.positional.apply_rope)
        angles = rope_angles(torch.arange(max_len), d_model)
        self.register_buffer("cos", angles.cos().float(), persistent=False)
        self.register_buffer("sin", angles.sin().float(), persistent=False)
        # the causal mask as an additive bias (-inf on future keys), with ALiBi's penalty for "alibi"
        offset = torch.arange(max_len)[:, None] - torch.arange(max_len)[None, :]  # query - key
        slope = alibi_slope if kind == "alibi" else 0.0
        bias = (-slope * offset.float()).masked_fill(offset < 0, float("-inf"))
        self.register_buffer("bias", bias, persistent=False)

    def rope(self, x: torch.Tensor) -> torch.Tensor:
        """RoPE, interleaved pairs: x (..., T, d) -> (..., T, d); equals ``apply_rope(x)``."""
        T = x.shape[-2]
        cos, sin = self.cos[:T], self.sin[:T]
        even, odd = x[..., 0::2], x[..., 1::2]
        return torch.stack([even * cos - odd * sin, even * sin + odd * cos], dim=-1).flatten(-2)

    def _inputs(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """x (B, T, d) with positions added, and the queries and keys (B, T, d), RoPE applied."""
        check_tensor(ids, "ids", ndim=2, floating=False)
        T = ids.shape[1]
        if T > self.pe.shape[0]:
            raise ValueError(f"sequence length {T} > max_len {self.pe.shape[0]}")
        x = self.emb(ids)
        if self.kind == "sinusoidal":
            x = x + self.pe[:T]
        elif self.kind == "learned":
            x = x + self.pos.weight[:T]
        q, k = self.q(x), self.k(x)
        if self.kind == "rope":
            q, k = self.rope(q), self.rope(k)
        return x, q, k

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x, q, k = self._inputs(ids)
        # softmax(q k^T / sqrt(d) + causal mask [+ ALiBi]) v, in PyTorch's fused kernel
        T = ids.shape[1]
        if self.kind == "alibi":
            attn = F.scaled_dot_product_attention(q, k, self.v(x), attn_mask=self.bias[:T, :T])
        else:
            attn = F.scaled_dot_product_attention(q, k, self.v(x), is_causal=True)
        return self.out(attn)

    def attention_weights(self, ids: torch.Tensor) -> torch.Tensor:
        """ids (B, T) -> the causal attention weights (B, T, T): row t = query t, column s = key s."""
        _, q, k = self._inputs(ids)
        T = ids.shape[1]
        scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
        return torch.softmax(scores + self.bias[:T, :T], -1)


def _check_model(model: object) -> OneLayerAttention:
    if not isinstance(model, OneLayerAttention):
        raise TypeError(f"model must be a OneLayerAttention, got {type(model).__name__}")
    return model


def train_copy_model(kind: str, seed: int, T_train: int = 16, max_len: int = 64, delta: int = 3,
                     steps: int = 150, batch_size: int = 32, lr: float = 0.02,
                     vocab_size: int = 16) -> OneLayerAttention:
    """Train a ``OneLayerAttention`` of ``kind`` on the copy-``delta``-back task at length ``T_train``.

    ``max_len`` is the longest input the model will later read (learned positions get that many
    rows, of which only the first ``T_train`` are trained). Seeded by ``seed``; returns the model
    in eval mode.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    check_int(seed, "seed", 0)
    for name, value in (("T_train", T_train), ("max_len", max_len), ("delta", delta), ("steps", steps),
                        ("batch_size", batch_size), ("vocab_size", vocab_size)):
        check_positive_int(value, name)
    if delta >= T_train:
        raise ValueError(f"delta must be smaller than T_train={T_train}, got {delta}")
    if max_len < T_train:
        raise ValueError(f"max_len must be at least T_train={T_train}, got {max_len}")
    lr = check_number(lr, "lr", 0, low_open=True)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = OneLayerAttention(kind, vocab_size=vocab_size, max_len=max_len)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        ids, targets = copy_back_batch(batch_size, T_train, delta, vocab_size, gen)
        loss = F.cross_entropy(model(ids).flatten(0, 1), targets.flatten(), ignore_index=IGNORE)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


def _test_batch(model: OneLayerAttention, seed: int, T_test: int, delta: int,
                n_sequences: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The held-out test sequences of ``seed`` (their own generator, not the training one)."""
    check_int(seed, "seed", 0)
    for name, value in (("T_test", T_test), ("delta", delta), ("n_sequences", n_sequences)):
        check_positive_int(value, name)
    if T_test > model.pe.shape[0]:
        raise ValueError(f"T_test must be at most the model's max_len={model.pe.shape[0]}, got {T_test}")
    if delta >= T_test:
        raise ValueError(f"delta must be smaller than T_test={T_test}, got {delta}")
    vocab_size = model.emb.num_embeddings
    return copy_back_batch(n_sequences, T_test, delta, vocab_size, torch.Generator().manual_seed(10_000 + seed))


def position_accuracy(model: OneLayerAttention, seed: int, T_test: int = 64, delta: int = 3,
                      n_sequences: int = 256) -> torch.Tensor:
    """(T_test,) float: the share of ``n_sequences`` test sequences whose token at each position is
    predicted correctly (NaN for t < delta, where there is nothing to copy)."""
    model = _check_model(model)
    ids, targets = _test_batch(model, seed, T_test, delta, n_sequences)
    with torch.no_grad():
        correct = (model(ids).argmax(-1) == targets).float().mean(0)
    correct[:delta] = float("nan")
    return correct


def offset_weights(model: OneLayerAttention, seed: int, T_test: int = 64, delta: int = 3,
                   n_sequences: int = 256) -> torch.Tensor:
    """(T_test, T_test) float: entry [t, o] is the attention weight that the query at position t
    gives the key o places back (o <= t), averaged over the test sequences; NaN where o > t."""
    model = _check_model(model)
    ids, _ = _test_batch(model, seed, T_test, delta, n_sequences)
    with torch.no_grad():
        w = model.attention_weights(ids).mean(0)  # (T, T): [query t, key s]
    t = torch.arange(T_test)
    key = t[:, None] - t[None, :]  # key position s = t - o for offset o
    out = torch.full((T_test, T_test), float("nan"))
    valid = key >= 0
    out[valid] = w[t[:, None].expand(-1, T_test)[valid], key[valid]]
    return out


def train_and_test(kind: str, seed: int, T_train: int = 16, T_test: int = 64, delta: int = 3,
                   steps: int = 150, batch_size: int = 32, lr: float = 0.02,
                   vocab_size: int = 16) -> torch.Tensor:
    """Train on length ``T_train``, return the accuracy at each position of length-``T_test`` inputs.

    Returns (T_test,) float: the share of 256 test sequences whose token at that position is
    predicted correctly (NaN for t < delta, where there is nothing to copy). Seeded.
    ``train_copy_model`` followed by ``position_accuracy``.
    """
    for name, value in (("T_train", T_train), ("T_test", T_test)):
        check_positive_int(value, name)
    model = train_copy_model(kind, seed, T_train, max(T_train, T_test), delta, steps, batch_size, lr, vocab_size)
    return position_accuracy(model, seed, T_test, delta)
