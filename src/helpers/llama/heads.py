"""What the real model's attention heads do: attention maps, and two measured head types.

Many heads of trained decoders put most of their weight on the first token, whatever it is (an
"attention sink", Xiao et al., 2023: a place to park attention when a head has nothing to do), and
some attend to the previous token (the first half of an induction circuit, Olsson et al., 2022).
``first_and_previous_attention`` measures both for every layer and head. ``explorer_data`` puts a
few layers into the book's attention explorer (``helpers.explorers``).

Induction heads (Olsson et al., 2022) are found with random tokens repeated twice
(``repeated_random_tokens``, ``induction_test``); ``ablate_heads`` switches heads off (their slice
of the input of W^O set to zero), and ``ablation_effects`` measures what that does to the copying.
"""

from __future__ import annotations

import contextlib
import ctypes
import html
import sys

import torch

from .._checks import check_bool, check_tensor, show
from ..head_slices import zero_head_slices
from ..i18n import t
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
    _, maps = model(ids, attention_layers=layers, last_only=True)  # the logits are not needed
    return {layer: w[0] for layer, w in maps.items()}


@torch.no_grad()
def first_and_previous_attention(
    model: Llama, ids: torch.Tensor, min_query: int = 2
) -> tuple[torch.Tensor, torch.Tensor]:
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
        model(ids, last_only=True)  # the hooks keep what is needed; the logits are not
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
    ``head_names`` keep the model's own numbering (from 0), e.g. "layer 16" and "head 0", in the
    book's language (``helpers.i18n``; the explorer shows the kind's name in it too).
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
        n = len(ids)
        mask = torch.ones(n, n, dtype=torch.bool).tril()
        labels = [token_label(tokenizer, i) for i in ids]
        shown = [
            [[[round(x, 2) for x in row] for row in scores[layer][h].tolist()] for h in range(c.n_heads)]
            for layer in layers
        ]
        sentences.append(
            {
                "name": text if len(text) <= 60 else text[:57] + "...",
                "kinds": {"decoder": {"q_tokens": labels, "k_tokens": labels, "mask": mask.tolist(), "scores": shown}},
            }
        )
    return {
        "d_k": c.head_dim,
        "n_layers": len(layers),
        "n_heads": c.n_heads,
        "kind_names": {"decoder": "masked self-attention"},
        "layer_names": [t("layer {n}", n=i) for i in layers],
        "head_names": [t("head {n}", n=h) for h in range(c.n_heads)],
        "sentences": sentences,
    }


# --------------------------------------------------------------------------- induction heads
def repeated_random_tokens(n_sequences: int, half: int, vocab_size: int, seed: int = 0, low: int = 100) -> torch.Tensor:
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
def induction_test(
    model: Llama, ids: torch.Tensor, scores: bool = True, streams: bool = False, prefix: int = 0
) -> dict[str, torch.Tensor]:
    """Run sequences of random tokens repeated twice, ids (B, prefix + 2n), and measure induction.

    ``prefix`` tokens come before the repeats (e.g. 1: a document-start token); positions below
    count from the first repeated token. In the second copy, the token at position i (i >= n)
    appeared before at i - n, and what followed it then is the token at i - n + 1: the one an
    induction head attends to, to copy it. Returns {"score": (B, n_layers, n_heads), each head's
    mean attention from the queries i = n..2n-1 to their key i - n + 1 (left out with
    ``scores=False``, which runs faster); "loss": (B, 2n - 1), the next-token loss at predicting
    repeated tokens 1..2n-1, in nats}; with ``streams=True`` also "streams":
    (n_layers, B, prefix + 2n, d_model), the residual stream where it enters each layer, which
    ``ablation_effects`` starts from instead of running the model again.
    """
    check_tensor(ids, "ids", ndim=2, floating=False)
    check_bool(scores, "scores")
    check_bool(streams, "streams")
    n = _repeat_half(ids, prefix)
    out: dict[str, torch.Tensor] = {}
    kept: list[torch.Tensor] = []
    hooks = (
        [block.register_forward_pre_hook(lambda module, args: kept.append(args[0])) for block in model.blocks]
        if streams
        else []
    )
    try:
        if scores:
            logits, maps = model(ids, attention_layers=list(range(model.config.n_layers)))
            out["score"] = _induction_scores(maps, n, prefix)  # (B, L, H)
        else:
            logits = model(ids)
    finally:
        for hook in hooks:
            hook.remove()
    out["loss"] = torch.nn.functional.cross_entropy(
        logits[:, :-1].transpose(1, 2), ids[:, 1:], reduction="none"
    )[:, prefix:]
    if streams:
        out["streams"] = torch.stack(kept)
    del logits
    release_freed_memory()
    return out


class ablate_heads:
    """Within ``with ablate_heads(model, [(layer, head), ...]):`` those heads' outputs are zero.

    A head's output is its slice of the vector that enters the output projection W^O; zeroing it
    removes what the head adds to the residual stream (a forward pre-hook on ``attn.o``, from
    ``helpers.head_slices.zero_head_slices``, shared with the poem GPT's ``heads_off``).
    """

    def __init__(self, model: Llama, heads: list[tuple[int, int]]):
        c = model.config
        bad = [(a, h) for a, h in heads if not (0 <= a < c.n_layers and 0 <= h < c.n_heads)]
        if bad:
            raise ValueError(f"heads {bad} are outside {c.n_layers} layers x {c.n_heads} heads")
        self.model, self.heads = model, list(heads)
        self.stack = contextlib.ExitStack()

    def __enter__(self) -> ablate_heads:
        hd = self.model.config.head_dim
        by_layer: dict[int, list[int]] = {}
        for layer, head in self.heads:
            off = by_layer.setdefault(layer, [])
            if head not in off:  # a head listed twice is switched off once
                off.append(head)
        self.stack = contextlib.ExitStack()  # the hooks of this use of the block
        try:
            for layer, heads in by_layer.items():
                self.stack.enter_context(zero_head_slices(self.model.blocks[layer].attn.o, heads, hd))
        except BaseException:
            self.stack.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stack.close()


def copy_losses(loss: torch.Tensor, half: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The mean next-token loss on each copy of sequences repeated twice: ``loss`` (B, 2n - 1) from
    ``induction_test`` with n = ``half``. First copy: predicting tokens 1..n-1 (nothing to copy
    yet); second copy: tokens n+1..2n-1 (each can be copied from the first). Returns two (B,)."""
    check_tensor(loss, "loss", ndim=2, floating=True)
    if isinstance(half, bool) or not isinstance(half, int) or half < 2 or loss.shape[1] != 2 * half - 1:
        raise ValueError(f"loss must have 2 * half - 1 columns with half >= 2, got {loss.shape[1]} and half={half!r}")
    return loss[:, : half - 1].mean(1), loss[:, half:].mean(1)


def release_freed_memory() -> None:
    """Give memory that PyTorch has freed back to the system (glibc's ``malloc_trim``).

    On Linux, glibc keeps freed heap pages for reuse; a loop of forward passes, each with a few
    large temporaries (logits of every token over the vocabulary), then grows the process by
    about 25 MB a pass although nothing stays alive. A no-op elsewhere (macOS, Windows, musl).
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        pass


def _repeat_half(ids: torch.Tensor, prefix: int) -> int:
    """n for ids (B, prefix + 2n) whose last 2n tokens are n tokens repeated twice; else an error."""
    if isinstance(prefix, bool) or not isinstance(prefix, int) or prefix < 0:
        raise ValueError(f"prefix must be an int >= 0, got {prefix!r}")
    t = ids.shape[1] - prefix
    n = t // 2
    rest = ids[:, prefix:]
    if t % 2 or n < 2 or not torch.equal(rest[:, :n], rest[:, n:]):
        raise ValueError(
            f"ids must be {prefix} prefix token(s), then sequences of n >= 2 tokens repeated twice: "
            f"shape (B, {prefix} + 2n), got {tuple(ids.shape)}"
        )
    return n


def _induction_scores(maps: dict[int, torch.Tensor], n: int, prefix: int = 0) -> torch.Tensor:
    """(B, L, H) mean attention from the queries n..2n-1 to their keys i - n + 1 (positions counted
    after ``prefix`` tokens), for the layers of ``maps`` ({layer: (B, H, T, T)}, in layer order)."""
    w = torch.stack([maps[i] for i in sorted(maps)], dim=1)  # (B, L, H, T, T)
    queries = torch.arange(n, 2 * n)
    return w[..., queries + prefix, queries - n + 1 + prefix].mean(-1)


@torch.no_grad()
def ablation_effects(
    model: Llama,
    ids: torch.Tensor,
    ablations: dict[str, list[tuple[int, int]]],
    watch: list[tuple[int, int]],
    base: dict[str, torch.Tensor] | None = None,
    prefix: int = 0,
) -> dict[str, dict[str, torch.Tensor]]:
    """The induction test run once per entry of ``ablations`` ({name: heads switched off}, an empty
    list for the model as it is), on ``ids`` (B, prefix + 2n): ``prefix`` tokens, then a sequence
    from ``repeated_random_tokens`` (as ``induction_test``).

    For each name: "loss" (B, 2n - 1), the next-token loss at every position (as
    ``induction_test``); {"first": (B,), "second": (B,)} its mean on each copy (``copy_losses``);
    and "watch": (B, len(watch)), the induction score of each head in ``watch`` (layer, head).

    The same numbers as ``induction_test`` under ``ablate_heads``, computed faster: switching off
    heads of layer l changes nothing before it, so each run starts from what enters the first
    layer it switches off and computes only the layers from there on. What enters each layer
    comes from one pass of the model as it is, or from ``base``, the result of
    ``induction_test(model, ids, streams=True, prefix=prefix)`` on the same ``ids``, which saves
    that pass.
    """
    if not isinstance(ablations, dict) or not ablations:
        raise ValueError("ablations must be a non-empty dict {name: [(layer, head), ...]}")
    c = model.config
    bad = [(a, h) for a, h in watch if not (0 <= a < c.n_layers and 0 <= h < c.n_heads)]
    if not watch or bad:
        raise ValueError(f"watch must list (layer, head) pairs inside {c.n_layers} x {c.n_heads}, got {watch}")
    for off in ablations.values():
        ablate_heads(model, off)  # checks the heads
    check_tensor(ids, "ids", ndim=2, floating=False)
    n = _repeat_half(ids, prefix)
    if base is None:
        base = induction_test(model, ids, streams=True, prefix=prefix)
    elif not isinstance(base, dict) or not {"score", "loss", "streams"} <= set(base):
        raise ValueError(
            "base must be the result of induction_test(model, ids, streams=True): "
            f"a dict with 'score', 'loss' and 'streams', got {show(base)}"
        )
    elif tuple(base["streams"].shape[:3]) != (c.n_layers, *ids.shape) or tuple(base["loss"].shape) != (
        ids.shape[0],
        2 * n - 1,
    ):
        raise ValueError(
            f"base must come from induction_test on these ids {tuple(ids.shape)}, got streams of "
            f"shape {tuple(base['streams'].shape)}"
        )
    layers = torch.tensor([a for a, _ in watch])
    heads = torch.tensor([h for _, h in watch])
    positions = torch.arange(ids.shape[1])

    def result(loss: torch.Tensor, score: torch.Tensor) -> dict[str, torch.Tensor]:
        first, second = copy_losses(loss, n)
        return {"loss": loss, "first": first, "second": second, "watch": score[:, layers, heads]}

    out = {}
    for name, off in ablations.items():
        if not off:
            out[name] = result(base["loss"], base["score"])
            continue
        start = min(a for a, _ in off)
        x, maps = base["streams"][start], {}
        with ablate_heads(model, off):
            for i in range(start, c.n_layers):  # the layers from the first one switched off
                x, maps[i] = model.blocks[i](x, positions, None, True)
        logits = model.norm(x) @ model.output_weight().T
        loss = torch.nn.functional.cross_entropy(
            logits[:, :-1].transpose(1, 2), ids[:, 1:], reduction="none"
        )[:, prefix:]
        score = base["score"].clone()  # the layers before ``start`` are as they were
        score[:, start:] = _induction_scores(maps, n, prefix)
        out[name] = result(loss, score)
        del x, maps, logits
        release_freed_memory()  # else each pass leaves its freed temporaries in the process
    return out


# --------------------------------------------------------------------------- the explorer
def heads_explorer_html(data: dict, layer: int = 0, head: int = 0, query: int = 0) -> str:
    """The book's attention explorer (``helpers.explorers.attention_explorer_html``) for
    ``explorer_data``: one kind of attention only (masked self-attention), so it has no menu of
    kinds (``attention_explorer_html`` leaves out a menu of a single choice), and the scaling step
    is named with the chapter's symbol, "÷ √d_h" (a head's width; chapter 4's explorer says d_k). On
    a narrow screen (a phone) the table is made compact, so that every column of a text of up to 11
    tokens fits a 360-px explorer at the weights step, where it opens: smaller cells and digits, the
    tokens above the columns written upwards, the sentence menu on a line of its own. The raw and
    scaled scores (wider numbers) still scroll inside the explorer, row labels in view: a shadow at
    the right edge and a note above the table say so. It opens on the first text at ``layer``,
    ``head`` and the row ``query`` (0-based, checked as ``attention_explorer_html`` checks it)."""
    from ..explorers import attention_explorer_html

    return _fit_for_phone(
        attention_explorer_html(data, kind="decoder", layer=layer, head=head, query=query)
    )


def _fit_for_phone(page: str) -> str:
    """``page`` (an attention explorer of one kind) with the changes ``heads_explorer_html`` describes."""
    import re

    from ..explorers.attention import stage_html

    root = re.search(r'class="ax-root" id="(ax-[0-9a-f]+)"', page)
    if root is None:  # pragma: no cover - the explorer's markup changed
        return page
    r = "#" + root.group(1)
    # the scaling step in the chapter's notation (d_h, the width of one head)
    page = re.sub(
        r"(value='scaled'[^>]*>) .*?</label>",
        lambda m: f"{m.group(1)} {stage_html('scaled', sub='h')}</label>",
        page,
        count=1,
    )
    # the query menu named for screen readers too (its visible label is the word before it)
    page = page.replace(
        '<select class="ax-query">',
        f'<select class="ax-query" aria-label="{html.escape(t("query: the row shown"), quote=True)}">',
        1,
    )
    note = html.escape(t("the scores are wider: swipe the table sideways for every column"), quote=False)
    page = page.replace("<div class='ax-view'>", f"<div class='ax-wide-note'>{note}</div><div class='ax-view'>", 1)
    style = (
        f"{r} .ax-wide-note{{display:none}}\n"
        "@media (max-width: 540px) {\n"
        f"{r}.ax-root {{padding: 2px;}}\n"
        f"{r} select {{font-size: 13px;}}\n"
        f"{r} .ax-sentence {{display: block; width: 100%; margin-bottom: 4px;}}\n"
        f"{r} .ax-table {{font-size: 11px;}}\n"
        # the weights (0.00 to 1.00) fit a 360-px column; the wider scores scroll
        f"{r} .ax-table td {{min-width: 0; padding: 2px 1px; letter-spacing: -0.03em; "
        "border-color: #ddd;}\n"
        f"{r} .ax-table th {{padding: 1px 2px;}}\n"
        f"{r} .ax-table tr > th:first-child {{padding: 1px;}}\n"
        f"{r} .ax-table th.ax-col {{writing-mode: vertical-rl; transform: rotate(180deg); "
        "padding: 2px 0; text-align: left;}\n"
        # a shadow at the right edge while more columns lie beyond it (covers scroll with the table)
        f"{r} .ax-view {{background: linear-gradient(to left, var(--pst-color-background, #fff) 30%, "
        "transparent) right center / 2em 100% no-repeat local, "
        "radial-gradient(farthest-side at 100% 50%, rgba(0,0,0,.3), "
        "rgba(0,0,0,0)) right center / 0.9em 100% no-repeat scroll;}\n"
        f"{r}:has(.ax-stage[value=raw]:checked) .ax-wide-note, "
        f"{r}:has(.ax-stage[value=scaled]:checked) .ax-wide-note, "
        f"{r}:has(.ax-stage[value=masked]:checked) .ax-wide-note "
        "{display: block; font-size: 12px; color: #555;}\n"
        "}"
    )
    return f"<style>{style}</style>" + page


def heads_widget(data: dict):
    """The explorer as ipywidgets (needs a kernel); ``attention_widget`` itself hides the menu of
    kinds, which offers a single choice here. As in ``heads_explorer_html``, the scaling step is
    named "÷ √d_h"."""
    from ..explorers import attention_widget

    return attention_widget(data, sub="h")
