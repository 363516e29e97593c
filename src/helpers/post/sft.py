"""Supervised fine-tuning (instruction tuning) of the chat poem GPT.

Every training poem becomes one example: the instruction that asks for its own form and first
character, then the poem as the answer. A batch is padded to its longest example; the targets
are the next tokens, and positions whose target must not count are set to -100 (the value
``F.cross_entropy`` ignores, ``GPT.forward`` passes it on):

- ``loss_on="answer"``: only the answer's tokens (and its <eos>) count, the usual choice;
- ``loss_on="all"``: the prompt's tokens count too (the model also learns to write instructions).

Padding never counts.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import torch

from .. import clock, poems
from ..gpt import GPT
from .chat import ChatFormat, Request

LOSS_ON = ("answer", "all")
Example = tuple[list[int], int]  # (ids: prompt + answer + <eos>, number of prompt ids)


def examples_from_poems(poem_list: Sequence[poems.Poem], chat: ChatFormat, block_size: int) -> list[Example]:
    """One example per poem with a regular form (instruction = its form and first character).

    Poems that start with a character outside the vocabulary are left out (it cannot be asked for).
    Poems whose encoding is longer than ``block_size + 1`` tokens are left out (none of the
    corpus's forms is, with context 96).
    """
    out = []
    for p in poem_list:
        if p.form is None or p.text[0] not in chat.vocab.stoi:
            continue
        ids, n_prompt = chat.example_ids(Request.of_poem(p), p.text)
        if len(ids) <= block_size + 1:
            out.append((ids, n_prompt))
    if not out:
        raise ValueError("no poem with a regular form in poem_list")
    return out


def collate(batch: Sequence[Example], pad_id: int, loss_on: str = "answer") -> tuple[torch.Tensor, torch.Tensor]:
    """Examples -> inputs x (B, T) and targets y (B, T), T = longest example - 1.

    y[b, t] = ids[t + 1], or -100 where it must not count: padding always; the prompt's own
    tokens unless ``loss_on="all"`` (the first target that counts with "answer" is the answer's
    first character, predicted at the position of <|assistant|>).
    """
    if loss_on not in LOSS_ON:
        raise ValueError(f"loss_on must be one of {LOSS_ON}, got {loss_on!r}")
    if not batch:
        raise ValueError("empty batch")
    T = max(len(ids) for ids, _ in batch) - 1
    x = torch.full((len(batch), T), pad_id, dtype=torch.long)
    y = torch.full((len(batch), T), -100, dtype=torch.long)
    for b, (ids, n_prompt) in enumerate(batch):
        if not 1 <= n_prompt < len(ids):
            raise ValueError(f"example {b}: n_prompt={n_prompt} must be in 1..{len(ids) - 1}")
        ids_t = torch.tensor(ids)
        x[b, : len(ids) - 1] = ids_t[:-1]
        y[b, : len(ids) - 1] = ids_t[1:]
        if loss_on == "answer":
            y[b, : n_prompt - 1] = -100  # targets 1..n_prompt-1 are prompt tokens
    return x, y


@torch.no_grad()
def answer_loss(model: GPT, examples: Sequence[Example], pad_id: int, batch_size: int = 64) -> float:
    """Mean cross-entropy per answer token (the same quantity whatever the training's ``loss_on``)."""
    total, count = 0.0, 0
    was = model.training
    model.eval()
    for i in range(0, len(examples), batch_size):
        x, y = collate(examples[i: i + batch_size], pad_id, "answer")
        logits, _ = model(x)
        nll = torch.nn.functional.cross_entropy(logits.transpose(1, 2), y, ignore_index=-100, reduction="sum")
        total += nll.item()
        count += int((y != -100).sum())
    model.train(was)
    return total / count


def train_sft(model: GPT, examples: Sequence[Example], pad_id: int, steps: int, batch_size: int = 32,
              lr: float = 3e-4, loss_on: str = "answer", seed: int = 0, weight_decay: float = 0.0,
              log_every: int = 10, warmup: int = 10) -> list[dict]:
    """Fine-tune ``model`` in place with AdamW on random batches of ``examples`` -> log [{"step", "loss", "seconds"}].

    Linear warm-up over ``warmup`` steps, then a constant learning rate; gradients clipped at 1.0.
    Seeded: the batches come from ``random.Random(seed)``.
    """
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be an int >= 0, got {steps!r}")
    if not examples:
        raise ValueError("no examples")
    rng = random.Random(seed)
    opt = model.configure_optimizer(lr, weight_decay)
    model.train()
    log, start, running = [], clock.perf_counter(), None
    for step in range(1, steps + 1):
        for group in opt.param_groups:
            group["lr"] = lr * min(1.0, step / max(1, warmup))
        x, y = collate(rng.sample(list(examples), min(batch_size, len(examples))), pad_id, loss_on)
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        running = loss.item() if running is None else 0.9 * running + 0.1 * loss.item()
        if step % log_every == 0 or step == steps:
            log.append({"step": step, "loss": round(running, 4), "seconds": round(clock.perf_counter() - start, 1)})
    model.eval()
    return log
