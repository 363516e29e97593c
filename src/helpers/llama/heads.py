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
