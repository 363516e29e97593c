"""Masked language modelling (chapter 10): BERT's 80/10/10 masking rule, written from scratch.

A masked language model reads a sequence in which some tokens were hidden and predicts the hidden
ones from both sides. BERT's rule (Devlin et al., 2019), for every sequence:

1. select each ordinary (non-special) token with probability ``p`` (0.15);
2. of the selected tokens, replace 80 % by <mask>, 10 % by a random token of the vocabulary,
   and leave 10 % unchanged;
3. the labels are the original ids at the selected positions and -100 everywhere else (the
   value ``F.cross_entropy(ignore_index=-100)`` skips), so only selected positions count in the loss.

Keeping 10 % unchanged and putting 10 % random tokens means the model cannot learn "copy every
token that is not <mask>": any visible token may be one it has to correct.
``transformers``' ``DataCollatorForLanguageModeling`` implements the same rule with different
random draws (tests compare the two statistically).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ._checks import check_int, check_number, check_tensor

IGNORE_INDEX = -100


@dataclass(frozen=True)
class Masked:
    """The result of ``mask_tokens``; every tensor has the shape (B, T) of the input ids."""

    inputs: torch.Tensor  # what the model reads: ids with <mask> / random / unchanged at selected positions
    labels: torch.Tensor  # original id where selected, IGNORE_INDEX elsewhere
    selected: torch.Tensor  # bool: positions to predict
    replaced: torch.Tensor  # bool: selected and replaced by <mask>
    randomised: torch.Tensor  # bool: selected and replaced by a random token
    kept: torch.Tensor  # bool: selected and left unchanged


def _check_generator(generator: object) -> None:
    if generator is not None and not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator or None, got {type(generator).__name__}")


def _check_ids_list(ids: object, name: str) -> list[int]:
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{name} must be a list of int token ids, got the str {ids!r}")
    try:
        items = list(ids.tolist() if isinstance(ids, torch.Tensor) else ids)  # type: ignore[union-attr]
    except TypeError:
        raise TypeError(f"{name} must be a list of int token ids, got {type(ids).__name__}") from None
    return [check_int(t, f"{name}[{i}]") for i, t in enumerate(items)]


def _check_stream(stream: object) -> torch.Tensor:
    """A 1-D integer tensor of token ids."""
    if not isinstance(stream, torch.Tensor) or stream.dim() != 1:
        raise ValueError(f"stream must be a 1-D tensor of ids, got {getattr(stream, 'shape', type(stream))}")
    check_tensor(stream, "stream", floating=False)
    return stream


def mask_tokens(ids: torch.Tensor, mask_id: int, vocab_size: int, special_ids=(0, 1, 2, 3, 4),
                p: float = 0.15, mask_share: float = 0.8, random_share: float = 0.1,
                generator: torch.Generator | None = None) -> Masked:
    """BERT's masking rule on ids (B, T): select with probability ``p``, then 80/10/10.

    ``special_ids`` (e.g. <pad>, <sos>, <eos>) are never selected. Random replacements are drawn
    uniformly from ``0..vocab_size-1``, as in BERT and ``transformers``. Two uniform draws per token:
    u < p selects; then r < mask_share -> <mask>, r < mask_share + random_share -> random, else kept.
    """
    if not isinstance(ids, torch.Tensor) or ids.dim() != 2 or ids.is_floating_point():
        raise ValueError(f"ids must be an integer tensor of shape (batch, time), got "
                         f"{getattr(ids, 'dtype', type(ids).__name__)} {tuple(getattr(ids, 'shape', ()))}")
    check_number(p, "p (the selection probability)", 0, 1, low_open=True)
    check_number(mask_share, "mask_share", 0, 1)
    check_number(random_share, "random_share", 0, 1)
    if mask_share + random_share > 1:
        raise ValueError(f"mask_share={mask_share} and random_share={random_share} must be >= 0 with sum <= 1")
    check_int(vocab_size, "vocab_size", 1)
    check_int(mask_id, "mask_id")
    _check_generator(generator)
    special_ids = _check_ids_list(special_ids, "special_ids")
    if not 0 <= mask_id < vocab_size:
        raise ValueError(f"mask_id={mask_id} is not in the vocabulary 0..{vocab_size - 1}")
    if ids.numel() and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"ids must be in 0..{vocab_size - 1}, got min {ids.min().item()}, max {ids.max().item()}")
    special = torch.isin(ids, torch.as_tensor(list(special_ids), dtype=ids.dtype))
    u = torch.rand(ids.shape, generator=generator)
    r = torch.rand(ids.shape, generator=generator)
    random_ids = torch.randint(vocab_size, ids.shape, generator=generator, dtype=ids.dtype)
    selected = (u < p) & ~special
    replaced = selected & (r < mask_share)
    randomised = selected & (r >= mask_share) & (r < mask_share + random_share)
    kept = selected & ~replaced & ~randomised
    inputs = ids.clone()
    inputs[replaced] = mask_id
    inputs[randomised] = random_ids[randomised]
    labels = torch.where(selected, ids, torch.full_like(ids, IGNORE_INDEX))
    return Masked(inputs, labels, selected, replaced, randomised, kept)


def shares(m: Masked, ids: torch.Tensor, special_ids=(0, 1, 2, 3, 4)) -> dict[str, float]:
    """Proportions: selected among ordinary tokens, and <mask> / random / kept among the selected."""
    ordinary = ~torch.isin(ids, torch.as_tensor(list(special_ids), dtype=ids.dtype))
    n_sel = max(1, int(m.selected.sum()))
    return {"selected": float(m.selected.sum()) / max(1, int(ordinary.sum())),
            "mask": float(m.replaced.sum()) / n_sel, "random": float(m.randomised.sum()) / n_sel,
            "kept": float(m.kept.sum()) / n_sel}


def chi_square(counts, probs) -> tuple[float, float]:
    """Pearson's chi-square of observed ``counts`` against ``probs``: (statistic, p-value).

    The p-value comes from the chi-square distribution with len(counts) - 1 degrees of freedom
    (``torch.special.gammaincc``: the regularised upper incomplete gamma function).
    """
    counts = torch.as_tensor(counts, dtype=torch.float64)
    probs = torch.as_tensor(probs, dtype=torch.float64)
    if not bool(torch.isfinite(counts).all()) or bool((counts < 0).any()):
        raise ValueError(f"counts must be finite numbers >= 0, got {counts.tolist()}")
    if not bool(torch.isfinite(probs).all()):
        raise ValueError(f"probs must be finite, got {probs.tolist()}")
    if counts.shape != probs.shape or counts.dim() != 1 or len(counts) < 2:
        raise ValueError(f"counts and probs must be 1-D of the same length >= 2, got {tuple(counts.shape)} "
                         f"and {tuple(probs.shape)}")
    if abs(float(probs.sum()) - 1) > 1e-9 or (probs <= 0).any():
        raise ValueError(f"probs must be positive and sum to 1, got {probs.tolist()}")
    if float(counts.sum()) == 0:
        raise ValueError("counts are all 0: nothing to test")
    expected = counts.sum() * probs
    stat = float(((counts - expected) ** 2 / expected).sum())
    dof = len(counts) - 1
    pvalue = float(torch.special.gammaincc(torch.tensor(dof / 2, dtype=torch.float64),
                                           torch.tensor(stat / 2, dtype=torch.float64)))
    return stat, pvalue


def mlm_batch(stream: torch.Tensor, batch_size: int, block_size: int, mask_id: int, vocab_size: int,
              generator: torch.Generator | None = None, p: float = 0.15,
              start_id: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows of a token stream, masked: (inputs, labels), both (B, T), for a bidirectional GPT.

    With ``start_id`` (e.g. <sos>) every window starts at such a token: at the start of a poem.
    """
    _check_stream(stream)
    check_int(batch_size, "batch_size", 1)
    check_int(block_size, "block_size", 1)
    if start_id is not None:
        check_int(start_id, "start_id")
    if stream.numel() < block_size:
        raise ValueError(f"the stream has {stream.numel()} tokens, fewer than block_size={block_size}")
    if start_id is None:
        start = torch.randint(stream.numel() - block_size + 1, (batch_size,), generator=generator)
    else:
        starts = torch.nonzero(stream[: stream.numel() - block_size + 1] == start_id).flatten()
        if not len(starts):
            raise ValueError(f"no token {start_id} in the stream to start a window at")
        start = starts[torch.randint(len(starts), (batch_size,), generator=generator)]
    x = stream[start[:, None] + torch.arange(block_size)]
    m = mask_tokens(x, mask_id, vocab_size, p=p, generator=generator)
    return m.inputs, m.labels


def transformers_masking(ids: torch.Tensor, mask_id: int, vocab_size: int, special_ids=(0, 1, 2, 3, 4),
                         p: float = 0.15, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference: ``transformers``' ``DataCollatorForLanguageModeling`` on the same ids -> (inputs, labels).

    A word-level tokenizer with ids 0..vocab_size-1 (token ``mask_id`` is its mask token) stands in
    for a real one; the collator's own seeded generator draws the masks.
    """
    import transformers
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel

    words = {f"t{i}": i for i in range(vocab_size) if i != mask_id} | {"[MASK]": mask_id}
    tok = transformers.PreTrainedTokenizerFast(tokenizer_object=Tokenizer(WordLevel(words, "t0")),
                                               mask_token="[MASK]", pad_token="t0")
    collator = transformers.DataCollatorForLanguageModeling(tok, mlm_probability=p, seed=seed)
    collator.create_rng()
    special = torch.isin(ids, torch.as_tensor(list(special_ids), dtype=ids.dtype))
    return collator.torch_mask_tokens(ids.clone(), special_tokens_mask=special)


def window_starts(stream: torch.Tensor, length: int, start_id: int) -> torch.Tensor:
    """Positions of ``start_id`` (a poem's <sos>) in ``stream`` where a window of ``length`` tokens fits."""
    _check_stream(stream)
    check_int(length, "length", 1)
    check_int(start_id, "start_id")
    starts = torch.nonzero(stream[: stream.numel() - length + 1] == start_id).flatten()
    if not len(starts):
        raise ValueError(f"no token {start_id} in the stream to start a window at")
    return starts


def pretrain_small(stream: torch.Tensor, vocab_size: int, mask_id: int, start_id: int, objective: str,
                   steps: int, seed: int = 0, n_layer: int = 2, n_head: int = 2, n_embd: int = 64,
                   block_size: int = 64, batch_size: int = 32, lr: float = 3e-3):
    """Pretrain a small GPT-shaped body with one objective: ``"causal"``, ``"masked"`` (BERT's rule) or ``"none"``.

    The same architecture, data windows (starting at a poem's <sos>), optimiser and number of steps
    for both objectives; only the attention mask (causal or not) and what is predicted differ.
    ``"none"`` returns the randomly initialised body (a baseline for what the features are worth
    without pretraining). Returns (model, loss of the last 20 steps on average, or nan for "none").
    """
    from .gpt import GPT, GPTConfig

    if objective not in ("causal", "masked", "none"):
        raise ValueError(f"objective must be 'causal', 'masked' or 'none', got {objective!r}")
    check_int(steps, "steps", 0 if objective == "none" else 1)
    check_int(batch_size, "batch_size", 1)
    check_number(lr, "lr", low=0, low_open=True)
    torch.manual_seed(seed)
    model = GPT(GPTConfig(vocab_size=vocab_size, block_size=block_size, n_layer=n_layer, n_head=n_head,
                          n_embd=n_embd, causal=objective != "masked"))
    if objective == "none":
        return model.eval(), float("nan")
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    g = torch.Generator().manual_seed(seed)
    starts = window_starts(stream, block_size + 1, start_id)
    losses = []
    model.train()
    for _ in range(steps):
        start = starts[torch.randint(len(starts), (batch_size,), generator=g)]
        window = stream[start[:, None] + torch.arange(block_size + 1)]
        if objective == "causal":  # predict each next token
            x, y = window[:, :-1], window[:, 1:]
        else:  # predict the selected tokens, from both sides
            m = mask_tokens(window[:, :-1], mask_id, vocab_size, generator=g)
            x, y = m.inputs, m.labels
        loss = model(x, y)[1]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    tail = losses[-20:]
    return model.eval(), sum(tail) / len(tail)
