"""A decoder-only GPT in one readable file (chapters 10-11), in the spirit of nanoGPT's model.py.

    tokens (B, T) -> token embedding + learned position embedding -> dropout
      -> n_layer pre-norm blocks:  x = x + attn(LayerNorm(x));  x = x + mlp(LayerNorm(x))
      -> final LayerNorm -> output layer (its weight IS the token embedding: weight tying) -> logits (B, T, V)

The parameter names, the initialisation (normal(0, 0.02), residual projections scaled by
1/sqrt(2 n_layer)) and the fused q/k/v projection are those of nanoGPT, so the two models train
alike. Attention has two interchangeable implementations (``GPTConfig.attention``):
``"manual"`` = softmax(Q K^T / sqrt(d) + causal mask) V written out, the formula of chapter 4, and
``"sdpa"`` = ``F.scaled_dot_product_attention``, nanoGPT's choice and the default: at nanoGPT's CPU
shape (context 64) it trained 4-11% faster per iteration than the manual path in most runs of
``make bench`` on this 2-core machine (the gap is near the noise of a shared machine).

With ``causal=False`` the same model attends in both directions (a BERT-style encoder for masked
language modelling): the one difference between GPT and BERT's body is the direction of attention.

A ``KVCache`` keeps each layer's keys and values of the tokens seen so far, so that generating
one more token costs one position, not the whole context (``helpers.generate`` uses it).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
from torch.nn import functional as F

from ._checks import check_int, check_number, check_tensor

ATTENTIONS = ("manual", "sdpa")


@dataclass
class GPTConfig:
    """Sizes of the GPT. The defaults are nanoGPT's CPU configuration (vocabulary 65, characters)."""

    vocab_size: int = 65
    block_size: int = 64  # the context length: positions 0..block_size-1
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    bias: bool = False  # biases in Linear and LayerNorm (nanoGPT's default: False)
    attention: str = "sdpa"  # "sdpa" or "manual" (same result; sdpa measured a little faster here)
    causal: bool = True  # False: every position attends to every position (a BERT-style encoder)

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                raise ValueError(f"GPTConfig.{name} must be a positive int, got {v!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_embd={self.n_embd} must be divisible by n_head={self.n_head}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.attention not in ATTENTIONS:
            raise ValueError(f"attention must be one of {ATTENTIONS}, got {self.attention!r}")

    def to_dict(self) -> dict:
        return asdict(self)


class KVCache:
    """Keys and values of every layer for the tokens seen so far, in preallocated tensors.

    ``k[layer]``, ``v[layer]``: (B, n_head, block_size, head_dim); positions 0..length-1 are filled.
    """

    def __init__(self, config: GPTConfig, batch_size: int, dtype: torch.dtype = torch.float32,
                 device: torch.device | str = "cpu"):
        if not isinstance(config, GPTConfig):
            raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}")
        check_int(batch_size, "batch_size", 1)
        shape = (batch_size, config.n_head, config.block_size, config.n_embd // config.n_head)
        self.k = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(config.n_layer)]
        self.v = [torch.zeros(shape, dtype=dtype, device=device) for _ in range(config.n_layer)]
        self.block_size = config.block_size
        self.batch_size = batch_size
        self.length = 0  # positions filled (the same in every layer after a full forward)

    def reset(self) -> None:
        """Forget every token (the tensors are reused)."""
        self.length = 0

    def append(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Store new keys/values (B, nh, T_new, hd) after position ``length``; return all so far (B, nh, T, hd).

        ``length`` is advanced by the model once every layer has appended (``advance``).
        """
        start, end = self.length, self.length + k.size(2)
        self.k[layer][:, :, start:end] = k
        self.v[layer][:, :, start:end] = v
        return self.k[layer][:, :, :end], self.v[layer][:, :, :end]

    def advance(self, n: int) -> None:
        self.length += n


def _check_targets(targets: torch.Tensor, idx: torch.Tensor, vocab_size: int) -> None:
    """Refuse ``targets`` unless it is an integer tensor of idx's shape (B, T) holding token ids in
    0..vocab_size-1 or -100 (a position left out of the loss)."""
    if not isinstance(targets, torch.Tensor) or targets.shape != idx.shape:
        raise ValueError(f"targets must have the shape of idx {tuple(idx.shape)}, "
                         f"got {tuple(getattr(targets, 'shape', ()))}")
    check_tensor(targets, "targets", floating=False)
    bad = (targets != -100) & ((targets < 0) | (targets >= vocab_size))
    if bool(bad.any()):
        raise ValueError(f"targets must be token ids in 0..{vocab_size - 1} or -100 (ignored), "
                         f"found {int(targets[bad][0])}")


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention with one fused q/k/v projection (nanoGPT's ``c_attn``)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head, self.n_embd, self.dropout = config.n_head, config.n_embd, config.dropout
        self.attention = config.attention
        self.causal = config.causal
        # additive causal mask: 0 on and below the diagonal, -inf above (row = query, column = key)
        mask = torch.full((config.block_size, config.block_size), float("-inf")).triu(1)
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None, layer: int = 0) -> torch.Tensor:
        """x: (B, T, C) -> (B, T, C). With ``cache``, x holds the T newest positions only."""
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, nh, T, hd)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        past = 0
        if cache is not None:
            past = cache.length
            k, v = cache.append(layer, k, v)  # (B, nh, past + T, hd)
        if self.attention == "sdpa":
            y = self._sdpa(q, k, v, past)  # the same, in one fused call
        else:
            att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))  # (B, nh, T, past + T)
            if self.causal:
                att = att + self.mask[past:past + T, :past + T]
            att = self.attn_dropout(F.softmax(att, dim=-1))
            y = att @ v  # (B, nh, T, hd)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # heads side by side again
        return self.resid_dropout(self.c_proj(y))

    def _sdpa(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, past: int) -> torch.Tensor:
        """The attention of ``forward`` by ``F.scaled_dot_product_attention``: q (B, nh, T, hd), k and
        v (B, nh, past + T, hd) -> (B, nh, T, hd)."""
        T, p = q.size(2), self.dropout if self.training else 0.0
        if past == 0 or not self.causal:
            return F.scaled_dot_product_attention(q, k, v, dropout_p=p, is_causal=self.causal)
        return F.scaled_dot_product_attention(q, k, v, attn_mask=self.mask[past:past + T, :past + T],
                                              dropout_p=p)


class MLP(nn.Module):
    """Position-wise feed-forward network: Linear(C, 4C) -> GELU -> Linear(4C, C)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    """A pre-norm decoder block: x + attn(LN(x)), then + mlp(LN(x))."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor, cache: KVCache | None = None, layer: int = 0) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x), cache, layer)
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    """Decoder-only Transformer language model with tied input/output embeddings."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}")
        self.config = config
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            drop=nn.Dropout(config.dropout),
            h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            ln_f=nn.LayerNorm(config.n_embd, bias=config.bias),
        ))
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying: one matrix, two uses
        self.apply(self._init_weights)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):  # residual projections, scaled as in GPT-2
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def num_params(self, non_embedding: bool = False) -> int:
        """Parameters counted once (the tied matrix once); ``non_embedding`` leaves out the positions."""
        n = sum(p.numel() for p in self.parameters())
        return n - self.transformer.wpe.weight.numel() if non_embedding else n

    def new_cache(self, batch_size: int) -> KVCache:
        """An empty ``KVCache`` for this model, dtype and device of its weights."""
        w = self.lm_head.weight
        return KVCache(self.config, batch_size, dtype=w.dtype, device=w.device)

    def _check_idx(self, idx: object, cache: KVCache | None) -> torch.Tensor:
        if not isinstance(idx, torch.Tensor):
            raise TypeError(f"idx must be a torch.Tensor of token ids, got {type(idx).__name__}")
        if idx.dim() != 2:
            raise ValueError(f"idx must have shape (batch, time), got {tuple(idx.shape)}")
        if idx.is_floating_point() or idx.dtype == torch.bool:
            raise TypeError(f"idx must hold integer token ids, got dtype {idx.dtype}")
        if idx.numel() and (idx.min() < 0 or idx.max() >= self.config.vocab_size):
            raise ValueError(f"token ids must be in 0..{self.config.vocab_size - 1}, "
                             f"got min {idx.min().item()} and max {idx.max().item()}")
        past = cache.length if cache is not None else 0
        if past + idx.size(1) > self.config.block_size:
            raise ValueError(f"{past} cached + {idx.size(1)} new positions exceed the context length "
                             f"block_size={self.config.block_size}; crop the input (generate does)")
        if idx.size(1) == 0:
            raise ValueError("idx has no positions (shape (B, 0))")
        if cache is not None and cache.batch_size != idx.size(0):
            raise ValueError(f"the cache was made for batch size {cache.batch_size}, idx has {idx.size(0)} rows")
        return idx

    def features(self, idx: torch.Tensor, cache: KVCache | None = None) -> torch.Tensor:
        """idx (B, T) -> the final hidden states (B, T, C), after the final LayerNorm: what the output
        layer reads, and what a classification head can read (chapter 10)."""
        self._check_idx(idx, cache)
        if cache is not None and not self.config.causal:
            raise ValueError("a KV cache needs causal attention (config.causal=True)")
        B, T = idx.shape
        past = cache.length if cache is not None else 0
        pos = torch.arange(past, past + T, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for i, block in enumerate(self.transformer.h):
            x = block(x, cache, i)
        if cache is not None:
            cache.advance(T)
        return self.transformer.ln_f(x)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None,
                cache: KVCache | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """idx (B, T) -> logits (B, T, V) at every position, and the mean cross-entropy if ``targets`` (B, T).

        Targets equal to -100 are ignored in the loss (e.g. unmasked positions in masked LM). With
        ``cache``, idx holds the newest tokens, at positions cache.length.., and their keys/values
        are added to the cache.
        """
        logits = self.lm_head(self.features(idx, cache))
        loss = None
        if targets is not None:
            _check_targets(targets, idx, self.config.vocab_size)
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1), ignore_index=-100)
        return logits, loss

    def configure_optimizer(self, lr: float, weight_decay: float = 0.1,
                            betas: tuple[float, float] = (0.9, 0.99)) -> torch.optim.AdamW:
        """AdamW with weight decay on matrices (dim >= 2) only, as nanoGPT."""
        check_number(lr, "lr", low=0, low_open=True)
        check_number(weight_decay, "weight_decay", low=0)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be two numbers in [0, 1), got {betas!r}")
        for i, b in enumerate(betas):
            check_number(b, f"betas[{i}]", 0, 1, high_open=True)
        params = [p for p in self.parameters() if p.requires_grad]
        groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": weight_decay},
                  {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
        return torch.optim.AdamW(groups, lr=lr, betas=betas)


def save_checkpoint(model: GPT, path, extra: dict | None = None, half: bool = True) -> None:
    """Write {"config", "state_dict" (float16 if ``half``), **extra}: loadable with ``weights_only=True``.

    The tied matrix is stored once (under ``lm_head.weight``).
    """
    sd = {k: (v.half() if half and v.is_floating_point() else v) for k, v in model.state_dict().items()
          if k != "transformer.wte.weight"}
    torch.save({"config": model.config.to_dict(), "state_dict": sd, **(extra or {})}, path)


def load_checkpoint(path) -> tuple[GPT, dict]:
    """Inverse of ``save_checkpoint``: (model in float32, eval mode; the whole checkpoint dict)."""
    ckpt = torch.load(path, map_location="cpu", weights_only=True)
    model = GPT(GPTConfig(**ckpt["config"]))
    sd = {k: v.float() for k, v in ckpt["state_dict"].items()}
    sd["transformer.wte.weight"] = sd["lm_head.weight"]
    model.load_state_dict(sd)
    return model.eval(), ckpt


def to_hf_gpt2(model: GPT):
    """The same network as a ``transformers`` GPT2LMHeadModel (eval mode), for checks against a reference.

    GPT-2 has biases everywhere; a model built with ``bias=False`` gets zero biases, which computes
    the same function. GPT-2's ``Conv1D`` layers store the weight as (in, out): the transpose of
    ``nn.Linear``'s. The activation is set to the exact GELU (``nn.GELU()``), not GPT-2's tanh
    approximation. Needs ``transformers``; only causal models can be converted.
    """
    from transformers import GPT2Config, GPT2LMHeadModel

    c = model.config
    if not c.causal:
        raise ValueError("only a causal GPT can be converted to GPT2LMHeadModel")
    hf = GPT2LMHeadModel(GPT2Config(
        vocab_size=c.vocab_size, n_positions=c.block_size, n_embd=c.n_embd, n_layer=c.n_layer,
        n_head=c.n_head, activation_function="gelu", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
        layer_norm_epsilon=1e-5, tie_word_embeddings=True, bos_token_id=None, eos_token_id=None,
        pad_token_id=0))
    sd = model.state_dict()
    out = {}
    for name, p in hf.state_dict().items():
        if name == "lm_head.weight":
            out[name] = sd["lm_head.weight"]
            continue
        ours = sd.get(name)
        if ours is None:  # a bias our model does not have: zero
            out[name] = torch.zeros_like(p)
        elif name.endswith(("c_attn.weight", "c_proj.weight", "c_fc.weight")):
            out[name] = ours.t().contiguous()  # nn.Linear (out, in) -> Conv1D (in, out)
        else:
            out[name] = ours
    hf.load_state_dict(out, strict=False)
    return hf.eval()
