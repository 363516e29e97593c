"""Training throughput of the book's GPT (helpers.gpt) beside yardsticks, at nanoGPT's CPU configuration.

    python scripts/bench_gpt.py [--steps 30] [--threads 1]

The shape is nanoGPT's CPU example: 4 layers, 4 heads, 128 dims, context 64, batch 12, no biases,
no dropout, a character vocabulary of 65 (here the 64 most frequent characters of about 200 KB of
English prose from Python's own help topics, plus one "other"). One training iteration = forward,
cross-entropy, backward, gradient clipping at 1.0 and an AdamW step (lr 1e-3, betas (0.9, 0.99),
weight decay 0.1 on matrices), as nanoGPT's train.py. The models, side by side in one run:

- ours: helpers.gpt.GPT as configured by default, attention="sdpa", i.e.
  F.scaled_dot_product_attention(is_causal=True). nanoGPT's model.py computes exactly this (same
  parameter names, initialisation, fused q/k/v projection, attention call), so this row also
  stands for nanoGPT at this shape (its file is not vendored here);
- ours, manual attention: the same model with attention="manual" (softmax(QK^T/sqrt(d) + mask) V
  written out, chapter 4's formula);
- PyTorch blocks: nn.TransformerEncoder of nn.TransformerEncoderLayer(norm_first=True,
  batch_first=True, GELU, no bias) with a causal mask, plus token and position embeddings, a
  final LayerNorm and a tied output layer (matrices initialised normal(0, 0.02) as GPT-2).

The iterations are interleaved (one step of each model in turn, on the same batch) so that the load
of a shared machine falls on all of them alike; the median time per iteration is reported, with
tokens/s = 12 x 64 / median. The two "ours" rows start from the same weights, so their loss curves
must agree (the largest difference is printed).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter

import torch
import torch.nn as nn
from torch.nn import functional as F

from helpers import corpus
from helpers.gpt import GPT, GPTConfig

N_LAYER, N_HEAD, N_EMBD, BLOCK, BATCH, VOCAB = 4, 4, 128, 64, 12, 65


class TorchBlocksLM(nn.Module):
    """A decoder-only LM from PyTorch's own blocks: embeddings -> causal TransformerEncoder -> LN -> tied head."""

    def __init__(self, vocab: int, block: int, n_layer: int, n_head: int, n_embd: int):
        super().__init__()
        self.wte = nn.Embedding(vocab, n_embd)
        self.wpe = nn.Embedding(block, n_embd)
        layer = nn.TransformerEncoderLayer(n_embd, n_head, 4 * n_embd, dropout=0.0, activation="gelu",
                                           batch_first=True, norm_first=True, bias=False)
        self.blocks = nn.TransformerEncoder(layer, n_layer, enable_nested_tensor=False)
        self.ln_f = nn.LayerNorm(n_embd, bias=False)
        self.head = nn.Linear(n_embd, vocab, bias=False)
        self.head.weight = self.wte.weight
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(block), persistent=False)
        for p in self.parameters():  # GPT-2's normal(0, 0.02) for every matrix (PyTorch's own N(0, 1)
            if p.dim() >= 2:  # embedding, tied to the head, would start the loss near 60)
                nn.init.normal_(p, mean=0.0, std=0.02)

    def forward(self, idx: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        T = idx.size(1)
        x = self.wte(idx) + self.wpe(torch.arange(T))
        x = self.blocks(x, mask=self.mask[:T, :T], is_causal=True)
        logits = self.head(self.ln_f(x))
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def text_stream() -> torch.Tensor:
    """~200 KB of prose as ids: the 64 most frequent characters get 1..64, every other one 0."""
    text = "\n".join(corpus.python_docs_prose(200_000))
    if not text:
        raise SystemExit("Python's pydoc_data help topics are missing: no text to train on")
    top = [c for c, _ in Counter(text).most_common(VOCAB - 1)]
    stoi = {c: i + 1 for i, c in enumerate(top)}
    return torch.tensor([stoi.get(c, 0) for c in text], dtype=torch.long)


def optimizer(model: nn.Module) -> torch.optim.AdamW:
    params = [p for p in model.parameters() if p.requires_grad]
    groups = [{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.1},
              {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, 0.99))


def step(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """One training iteration; returns (seconds, loss)."""
    start = time.perf_counter()
    _, loss = model(x, y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return time.perf_counter() - start, loss.item()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="timed iterations per model (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed iterations first (default 3)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    models = {}
    for name, attention in (("ours (SDPA attention = nanoGPT's path)", "sdpa"), ("ours, manual attention", "manual")):
        torch.manual_seed(0)  # the same initial weights for both
        models[name] = GPT(GPTConfig(VOCAB, BLOCK, N_LAYER, N_HEAD, N_EMBD, dropout=0.0, bias=False,
                                     attention=attention))
    torch.manual_seed(0)
    models["PyTorch blocks (nn.TransformerEncoder)"] = TorchBlocksLM(VOCAB, BLOCK, N_LAYER, N_HEAD, N_EMBD)
    opts = {name: optimizer(m) for name, m in models.items()}
    stream = text_stream()
    g = torch.Generator().manual_seed(0)
    times: dict[str, list[float]] = {name: [] for name in models}
    losses: dict[str, list[float]] = {name: [] for name in models}
    names = list(models)
    for i in range(args.warmup + args.steps):
        start = torch.randint(stream.numel() - BLOCK - 1, (BATCH,), generator=g)
        x = torch.stack([stream[s:s + BLOCK] for s in start.tolist()])
        y = torch.stack([stream[s + 1:s + 1 + BLOCK] for s in start.tolist()])
        for name in names[i % len(names):] + names[:i % len(names)]:  # rotate who goes first
            seconds, loss = step(models[name], opts[name], x, y)
            losses[name].append(loss)
            if i >= args.warmup:
                times[name].append(seconds)

    print(f"GPT training throughput at nanoGPT's CPU shape: {N_LAYER} layers, {N_HEAD} heads, {N_EMBD} dims, "
          f"context {BLOCK}, batch {BATCH}, vocabulary {VOCAB}; torch {torch.__version__}, {args.threads} thread(s); "
          f"median of {args.steps} interleaved iterations")
    print(f"{'model':42s} {'params':>9s} {'ms/iter':>8s} {'tokens/s':>9s} {'loss first -> last':>20s}")
    base = statistics.median(times[names[0]])
    for name, m in models.items():
        med = statistics.median(times[name])
        n = sum(p.numel() for p in m.parameters())
        print(f"{name:42s} {n:9,d} {1000 * med:8.1f} {BATCH * BLOCK / med:9,.0f} "
              f"{losses[name][0]:9.3f} -> {losses[name][-1]:6.3f}   ({med / base:.2f}x ours' time)")
    diff = max(abs(a - b) for a, b in zip(losses[names[0]], losses[names[1]]))
    print(f"loss curves of ours with SDPA and with manual attention (same start, same batches): "
          f"largest difference {diff:.2e}")
    return 0 if diff < 1e-3 else 1


if __name__ == "__main__":
    sys.exit(main())
