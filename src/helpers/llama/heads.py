"""What the real model's attention heads do: attention maps, and two measured head types.

Many heads of trained decoders put most of their weight on the first token, whatever it is (an
"attention sink", Xiao et al., 2023: a place to park attention when a head has nothing to do), and
some attend to the previous token (the first half of an induction circuit, Olsson et al., 2022).
``first_and_previous_attention`` measures both for every layer and head. ``explorer_data`` puts a
few layers into the book's attention explorer (``helpers.explorers``).
"""

from __future__ import annotations

import torch

from .._checks import check_tensor
from .layers import apply_rope_layout, repeat_kv
from .model import Llama


@torch.no_grad()
def attention_maps(model: Llama, ids: torch.Tensor, layers: list[int] | None = None) -> dict[int, torch.Tensor]:
    """{layer: weights (n_heads, T, T)} for one sequence ids (1, T) (default: every layer).

    Row t of a head's map is how query t spreads its attention over keys 0..t (it sums to 1).
    """
    check_tensor(ids, "ids", ndim=2, floating=False)
    if ids.shape[0] != 1:
        raise ValueError(f"ids must hold one sequence, shape (1, T), got {tuple(ids.shape)}")
    layers = list(range(model.config.n_layers)) if layers is None else list(layers)
    _, maps = model(ids, attention_layers=layers)
    return {layer: w[0] for layer, w in maps.items()}


@torch.no_grad()
def first_and_previous_attention(model: Llama, ids: torch.Tensor,
                                 min_query: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """Average attention to the first token and to the previous token, per layer and head.

    ids: (1, T). Returns two (n_layers, n_heads) tensors: the mean over queries t >= ``min_query``
    of w[t, 0] and of w[t, t - 1]. (From t = 2 on, "first" and "previous" are different keys.)
    """
    t = ids.shape[-1]
    if not 1 <= min_query < t:
        raise ValueError(f"min_query must be in 1..T-1 = {t - 1}, got {min_query}")
    maps = attention_maps(model, ids)
    w = torch.stack([maps[i] for i in sorted(maps)])  # (L, H, T, T)
    queries = torch.arange(min_query, t)
    first = w[:, :, queries, 0].mean(-1)
    previous = w[:, :, queries, queries - 1].mean(-1)
    return first, previous


def striking_heads(scores: torch.Tensor, threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """(layer, head, score) of every head whose score (from ``first_and_previous_attention``) is at
    least ``threshold``, highest first."""
    check_tensor(scores, "scores", ndim=2, floating=True)
    found = [(int(layer), int(head), float(scores[layer, head])) for layer, head in (scores >= threshold).nonzero()]
    return sorted(found, key=lambda x: -x[2])


@torch.no_grad()
def attention_scores(model: Llama, ids: torch.Tensor, layers: list[int]) -> dict[int, torch.Tensor]:
    """{layer: raw scores q . k (n_heads, T, T)} for one sequence ids (1, T): after RoPE, before
    the 1/sqrt(head_dim) scale, the causal mask and the softmax (the explorer's first step).

    softmax(scores / sqrt(head_dim) with the causal mask) gives ``attention_maps``. Query head h
    meets the keys of KV head h // (n_heads / n_kv_heads).
    """
    check_tensor(ids, "ids", ndim=2, floating=False)
    if ids.shape[0] != 1:
        raise ValueError(f"ids must hold one sequence, shape (1, T), got {tuple(ids.shape)}")
    n = model.config.n_layers
    layers = list(layers)
    bad = [i for i in layers if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n]
    if not layers or bad:
        raise ValueError(f"layers must be a non-empty list of ints in 0..{n - 1}, got {layers}")
    inputs: dict[int, torch.Tensor] = {}  # what each chosen attention layer receives (after its RMSNorm)

    def keep(i: int):
        return lambda module, args: inputs.__setitem__(i, args[0])

    hooks = [model.blocks[i].attn.register_forward_pre_hook(keep(i)) for i in layers]
    try:
        model(ids)
    finally:
        for hook in hooks:
            hook.remove()
    t, out = ids.shape[1], {}
    positions = torch.arange(t)
    for i in layers:
        a, x = model.blocks[i].attn, inputs[i]
        q = a.q(x).view(1, t, a.n_heads, a.head_dim).transpose(1, 2)  # (1, H, T, hd)
        k = a.k(x).view(1, t, a.n_kv_heads, a.head_dim).transpose(1, 2)  # (1, H_kv, T, hd)
        q = apply_rope_layout(q, positions, a.rope_base, a.rope_layout)
        k = repeat_kv(apply_rope_layout(k, positions, a.rope_base, a.rope_layout), a.n_heads // a.n_kv_heads)
        out[i] = (q @ k.transpose(-2, -1))[0]  # (H, T, T)
    return out


def token_label(tokenizer, token_id: int) -> str:
    """A token as the explorer shows it: its text, a space as "·", a newline as "↵", broken UTF-8 in hex."""
    raw = tokenizer.token_bytes(token_id)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return "⟨" + " ".join(f"{b:02x}" for b in raw) + "⟩"
    return text.replace(" ", "·").replace("\n", "↵").replace("\t", "→")


def explorer_data(model: Llama, tokenizer, texts: list[str], layers: list[int], max_tokens: int = 16) -> dict:
    """The real model's attention in the format of ``helpers.explorers.attention_explorer_html``.

    For each text (its first ``max_tokens`` tokens): the raw q . k scores of every head of the chosen
    ``layers``, as one kind of attention, "decoder" (masked self-attention). ``layer_names`` and
    ``head_names`` keep the model's own numbering (from 0), e.g. "layer 16" and "head 0".
    Every q . k is stored, the future ones (above the diagonal) too, as ``attention_data`` stores the
    translator's decoder scores: the explorer's mask step hides them.
    """
    if isinstance(texts, str) or not texts or not all(isinstance(s, str) and s for s in texts):
        raise ValueError("texts must be a non-empty list of non-empty strings")
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 2:
        raise ValueError(f"max_tokens must be an int >= 2, got {max_tokens!r}")
    c = model.config
    sentences = []
    for text in texts:
        ids = tokenizer.encode(text)[:max_tokens]
        scores = attention_scores(model, torch.tensor([ids]), list(layers))
        t = len(ids)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        labels = [token_label(tokenizer, i) for i in ids]
        shown = [[[[round(x, 2) for x in row] for row in scores[layer][h].tolist()]
                  for h in range(c.n_heads)] for layer in layers]
        sentences.append({"name": text if len(text) <= 60 else text[:57] + "...",
                          "kinds": {"decoder": {"q_tokens": labels, "k_tokens": labels, "mask": mask.tolist(),
                                                "scores": shown}}})
    return {"d_k": c.head_dim, "n_layers": len(layers), "n_heads": c.n_heads,
            "kind_names": {"decoder": "masked self-attention"},
            "layer_names": [f"layer {i}" for i in layers], "head_names": [f"head {h}" for h in range(c.n_heads)],
            "sentences": sentences}


# --------------------------------------------------------------------------- induction heads
def repeated_random_tokens(n_sequences: int, half: int, vocab_size: int, seed: int = 0,
                           low: int = 100) -> torch.Tensor:
    """(n_sequences, 2 * half) token ids: ``half`` random tokens (ids in ``low``..vocab_size-1, so no
    special token), then the same ``half`` tokens again. Seeded: the same ids for the same seed."""
    for name, value in (("n_sequences", n_sequences), ("half", half), ("vocab_size", vocab_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    if not 0 <= low < vocab_size:
        raise ValueError(f"low must be in 0..{vocab_size - 1}, got {low}")
    g = torch.Generator().manual_seed(seed)
    first = torch.randint(low, vocab_size, (n_sequences, half), generator=g)
    return torch.cat([first, first], dim=1)


@torch.no_grad()
def induction_test(model: Llama, ids: torch.Tensor, scores: bool = True) -> dict[str, torch.Tensor]:
    """Run sequences of random tokens repeated twice, ids (B, 2n), and measure induction.

    In the second copy, the token at position i (i >= n) appeared before at i - n, and what
    followed it then is the token at i - n + 1: the one an induction head attends to, to copy it.
    Returns {"score": (B, n_layers, n_heads), each head's mean attention from the queries i = n..2n-1
    to their key i - n + 1 (left out with ``scores=False``, which runs faster); "loss": (B, 2n - 1),
    the next-token loss at every position, in nats}.
    """
    check_tensor(ids, "ids", ndim=2, floating=False)
    b, t = ids.shape
    n = t // 2
    if t % 2 or n < 2 or not torch.equal(ids[:, :n], ids[:, n:]):
        raise ValueError("ids must be sequences of n >= 2 tokens repeated twice, shape (B, 2n)")
    out: dict[str, torch.Tensor] = {}
    if scores:
        logits, maps = model(ids, attention_layers=list(range(model.config.n_layers)))
        w = torch.stack([maps[i] for i in sorted(maps)], dim=1)  # (B, L, H, T, T)
        queries = torch.arange(n, t)
        out["score"] = w[..., queries, queries - n + 1].mean(-1)  # (B, L, H)
    else:
        logits = model(ids)
    out["loss"] = torch.nn.functional.cross_entropy(logits[:, :-1].transpose(1, 2), ids[:, 1:], reduction="none")
    return out


class ablate_heads:
    """Within ``with ablate_heads(model, [(layer, head), ...]):`` those heads' outputs are zero.

    A head's output is its slice of the vector that enters the output projection W^O; zeroing it
    removes what the head adds to the residual stream (a forward pre-hook on ``attn.o``).
    """

    def __init__(self, model: Llama, heads: list[tuple[int, int]]):
        c = model.config
        bad = [(a, h) for a, h in heads if not (0 <= a < c.n_layers and 0 <= h < c.n_heads)]
        if bad:
            raise ValueError(f"heads {bad} are outside {c.n_layers} layers x {c.n_heads} heads")
        self.model, self.heads, self.hooks = model, list(heads), []

    def __enter__(self) -> ablate_heads:
        hd = self.model.config.head_dim
        by_layer: dict[int, list[int]] = {}
        for layer, head in self.heads:
            by_layer.setdefault(layer, []).append(head)

        def hook_for(heads: list[int]):
            def zero(module, args):
                x = args[0].clone()
                for h in heads:
                    x[..., h * hd:(h + 1) * hd] = 0
                return (x,)
            return zero

        for layer, heads in by_layer.items():
            self.hooks.append(self.model.blocks[layer].attn.o.register_forward_pre_hook(hook_for(heads)))
        return self

    def __exit__(self, *exc) -> None:
        for hook in self.hooks:
            hook.remove()
        self.hooks = []


# --------------------------------------------------------------------------- the explorer
def heads_explorer_html(data: dict, layer: int = 0, head: int = 0) -> str:
    """The book's attention explorer (``helpers.explorers.attention_explorer_html``) for
    ``explorer_data``: one kind of attention only (masked self-attention), so its menu of kinds,
    which would offer a single choice, is hidden."""
    import re

    from ..explorers import attention_explorer_html

    page = attention_explorer_html(data, kind="decoder", layer=layer, head=head)
    root = re.search(r'class="ax-root" id="(ax-[0-9a-f]+)"', page)
    if root is None:  # pragma: no cover - the explorer's markup changed
        return page
    return f"<style>#{root.group(1)} .ax-kind{{display:none}}</style>" + page


def heads_widget(data: dict):
    """The explorer as ipywidgets (needs a kernel), without the single-choice menu of kinds."""
    from ..explorers import attention_widget

    box = attention_widget(data)
    for row in box.children:
        for control in getattr(row, "children", ()):
            if getattr(control, "description", None) == "attention":
                control.layout.display = "none"
    return box
