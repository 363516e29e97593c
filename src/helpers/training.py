"""Small tools around a training loop (chapter 9): gradient norms per layer and snapshots.

The loop itself is written out in the chapter; these functions only look at the model.
"""

from __future__ import annotations

import torch

from . import corpus
from .transformer import Seq2SeqTransformer
from .translator import encode_pairs, translate
from .vocab import Vocab


def _check_model(model: object) -> Seq2SeqTransformer:
    if not isinstance(model, Seq2SeqTransformer):
        raise TypeError(f"model must be a Seq2SeqTransformer, got {type(model).__name__}")
    return model


def layer_grad_norms(model: Seq2SeqTransformer) -> dict[str, list[float]]:
    """L2 norm of the gradient of all parameters of each layer, after ``loss.backward()``.

    Returns {"encoder": [layer 1, ...], "decoder": [layer 1, ...]} (input side first).
    """
    _check_model(model)

    def norm(layer: torch.nn.Module) -> float:
        grads = [p.grad for p in layer.parameters() if p.grad is not None]
        if not grads:
            raise ValueError("no gradients found: call loss.backward() before layer_grad_norms")
        return torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])).item()

    return {"encoder": [norm(layer) for layer in model.encoder], "decoder": [norm(layer) for layer in model.decoder]}


@torch.no_grad()
def cross_attention(model: Seq2SeqTransformer, pair: corpus.Pair, en: Vocab, zh: Vocab,
                    layer: int = -1) -> torch.Tensor:
    """Cross-attention weights of decoder ``layer`` for one pair under teacher forcing, averaged over heads.

    Returns (T, S): row t is the position that writes target token t (the reference plus <eos>),
    column s is source token s.
    """
    _check_model(model)
    n = len(model.decoder)
    if not -n <= layer < n:
        raise ValueError(f"layer must be in [-{n}, {n}) for a decoder of {n} layers, got {layer}")
    src, tgt_in, _ = encode_pairs([pair], en, zh)
    was_training = model.training
    model.eval()
    model.keep_attention(True)
    try:
        model(src, tgt_in)
        weights = model.decoder[layer].cross_attn.last_weights[0].mean(0)
    finally:
        model.keep_attention(False)
        model.train(was_training)
    return weights


def snapshot(model: Seq2SeqTransformer, pair: corpus.Pair, en: Vocab, zh: Vocab, step: int,
             layer: int = -1) -> dict:
    """What the timeline explorer shows at ``step``: the cross-attention map and the greedy translation.

    Returns {"step": int, "cross": (T, S) nested list rounded to 3 decimals, "translation": [tokens]}.
    """
    weights = cross_attention(model, pair, en, zh, layer)
    was_training = model.training
    hyp = translate(model, [pair.en], en, zh)[0]
    model.train(was_training)
    return {"step": int(step), "cross": [[round(x, 3) for x in row] for row in weights.tolist()],
            "translation": list(hyp)}
