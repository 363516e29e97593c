"""Small tools around a training loop (chapter 9): gradient norms per layer and snapshots.

The loop itself is written out in the chapter; these functions only look at the model.
"""

from __future__ import annotations

import torch

from . import corpus
from ._checks import check_int, show
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
    if not isinstance(pair, corpus.Pair):
        raise TypeError(f"pair must be a corpus.Pair, got {show(pair)}")
    for name, v in (("en", en), ("zh", zh)):
        if not isinstance(v, Vocab):
            raise TypeError(f"{name} must be a Vocab, got {show(v)}")
    check_int(layer, "layer")
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
    check_int(step, "step", low=0)
    weights = cross_attention(model, pair, en, zh, layer)
    was_training = model.training
    hyp = translate(model, [pair.en], en, zh)[0]
    model.train(was_training)
    return {"step": int(step), "cross": [[round(x, 3) for x in row] for row in weights.tolist()],
            "translation": list(hyp)}


class ProgressLine:
    """A file for ``tqdm(file=...)`` that shows only the bar's latest state, updated in place.

    In a notebook each refresh replaces one text output (a display update), so the saved
    notebook and the static website keep a single line with the final state of the bar, and
    no widget. Outside IPython it writes to ``sys.stdout`` like a terminal.
    """

    encoding = "utf-8"  # tells tqdm it may draw the bar with Unicode blocks

    def __init__(self) -> None:
        self._handle = None
        try:
            from IPython import get_ipython

            self._in_ipython = get_ipython() is not None
        except ImportError:  # pragma: no cover - IPython ships with the book's requirements
            self._in_ipython = False

    def write(self, text: str) -> int:
        if not self._in_ipython:
            import sys

            return sys.stdout.write(text)
        line = text.replace("\r", "").strip("\n")
        if line.strip():
            from IPython.display import display

            data = {"text/plain": line}
            if self._handle is None:
                self._handle = display(data, raw=True, display_id=True)
            else:
                self._handle.update(data, raw=True)
        return len(text)

    def flush(self) -> None:
        if not self._in_ipython:
            import sys

            sys.stdout.flush()
