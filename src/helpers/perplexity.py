"""How well a language model predicts a text: loss in nats per token, and perplexity (chapter 12).

For a text of tokens x_1 .. x_T the model predicts each token from those before it. The mean
next-token loss is

    L = -(1/N) * sum_t ln p(x_t | x_<t)        (nats per token, N predicted tokens)

and the perplexity is exp(L): the number of equally likely tokens the model would be choosing
among at each step if it were that uncertain everywhere. A uniform guess over a vocabulary of
V tokens has L = ln V and perplexity V.

- ``next_token_losses``: the loss of each predicted token from a model's logits, (T - 1,);
- ``score_text``: a model's loss, perplexity and total nats on one sequence of ids;
- ``shuffle_words``: a text with its words in a seeded random order (same words, no grammar).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

import torch
from torch.nn import functional as F

from ._checks import _is_int, check_int, check_str, check_tensor, show


def next_token_losses(logits: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """-ln p(ids[t+1] | ids[:t+1]) for t = 0 .. T-2 -> (T - 1,) nats.

    ``logits`` (T, V) are the model's outputs for the T tokens ``ids`` (T,): position t
    predicts token t + 1, so the last position predicts nothing here and the first token is
    never predicted.
    """
    check_tensor(logits, "logits", ndim=2, floating=True)
    check_tensor(ids, "ids", ndim=1, floating=False)
    if logits.shape[0] != ids.shape[0] or ids.shape[0] < 2:
        raise ValueError(
            f"logits (T, V) and ids (T,) must have the same T >= 2, got {tuple(logits.shape)} and {tuple(ids.shape)}"
        )
    return F.cross_entropy(logits[:-1].float(), ids[1:], reduction="none")


def score_text(model: Callable[[torch.Tensor], torch.Tensor], ids: Sequence[int]) -> dict:
    """A model's next-token loss on one sequence of token ids.

    ``model`` maps (1, T) ids to (1, T, V) logits. Returns {"n_predicted": T - 1, "loss": mean
    nats per predicted token, "total_nats": their sum, "perplexity": exp(loss), "losses": the
    (T - 1,) tensor of each token's loss}.
    """
    if not callable(model):
        raise TypeError(f"model must map (1, T) token ids to (1, T, V) logits, got {show(model)}")
    if isinstance(ids, (str, bytes)) or not isinstance(ids, Sequence):
        raise TypeError(f"ids must be a list of int token ids, got {show(ids)}")
    if len(ids) < 2 or not all(_is_int(i) and i >= 0 for i in ids):
        raise ValueError(f"ids must hold at least two int token ids >= 0, got {show(ids)}")
    x = torch.tensor([[int(i) for i in ids]])
    with torch.no_grad():
        logits = model(x)
    if not isinstance(logits, torch.Tensor) or logits.dim() != 3 or logits.shape[:2] != x.shape:
        raise ValueError(f"model must return (1, T, V) logits for (1, T) ids, got {show(logits)}")
    losses = next_token_losses(logits[0], x[0])
    loss = losses.mean().item()
    return {
        "n_predicted": len(losses),
        "loss": loss,
        "total_nats": losses.sum().item(),
        "perplexity": math.exp(loss),
        "losses": losses,
    }


def shuffle_words(text: str, seed: int = 0) -> str:
    """The words of ``text`` (split on whitespace) in a random order drawn with ``seed``, joined by spaces."""
    words = check_str(text, "text", nonempty=True).split()
    check_int(seed, "seed")
    random.Random(seed).shuffle(words)
    return " ".join(words)
