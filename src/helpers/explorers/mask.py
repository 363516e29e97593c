"""The mask explorer: padding and causal masks, -inf vs -1e9, and what softmax makes of them (chapter 5)."""

from __future__ import annotations

import html
import json
import uuid
from importlib import resources

from .._checks import check_bool, check_str_list, show
from .attention import _AX_STYLE, _matrix_html

_MX_STYLE = """
<style>
.mx-table td {min-width: 30px; padding: 2px;}
.mx-table th {padding: 2px 4px;}
.mx-bad > th:first-child {background: #ffd8a8 !important; font-weight: bold;}
.mx-note.mx-warn {color: #a33; font-weight: bold;}
</style>
"""


def mask_stages(scores, tokens: list[str], pad: bool, causal: bool, rows: bool = False,
                fill: str = "inf") -> dict:
    """Mask, masked scores and plain-softmax weights, as the mask explorer computes them.

    Also ``empty``: the rows with no key left to attend to (all False in the mask).
    """
    import torch

    from ..masks import causal_mask

    tokens = check_str_list(tokens, "tokens", nonempty=True)
    for name, flag in (("pad", pad), ("causal", causal), ("rows", rows)):
        check_bool(flag, name)
    if fill not in ("inf", "big"):
        raise ValueError(f"fill must be 'inf' (-inf) or 'big' (-1e9), got {show(fill)}")
    try:
        s = torch.as_tensor(scores, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"scores must be a (T, T) matrix of numbers, got {show(scores)}: {exc}") from None
    n = len(tokens)
    if s.shape != (n, n):
        raise ValueError(f"scores must be ({n}, {n}) for {n} tokens, got shape {tuple(s.shape)}")
    is_pad = torch.tensor([t == "<pad>" for t in tokens])
    mask = torch.ones(n, n, dtype=torch.bool)
    if pad:
        mask &= ~is_pad[None, :]
        if rows:
            mask &= ~is_pad[:, None]
    if causal:
        mask &= causal_mask(n)
    masked = s.masked_fill(~mask, float("-inf") if fill == "inf" else -1e9)
    return {"mask": mask, "scores": masked, "weights": torch.softmax(masked, dim=-1), "empty": ~mask.any(-1)}


def mask_note(st: dict, fill: str) -> str:
    """The explorer's status line: NaN rows with −∞, silently uniform rows with −1e9, else all fine."""
    empty = int(st["empty"].sum())
    nan = int(st["weights"].isnan().sum())
    if nan:
        return f"{nan} weights are NaN: a fully masked row with −∞ is 0/0."
    if empty and fill != "inf":
        n = st["weights"].shape[-1]
        return (f"Every row sums to 1, but {empty} row{'s have' if empty > 1 else ' has'} no allowed key: "
                f"−1e9 made {'them' if empty > 1 else 'it'} uniform ({1 / n:.2f} on each of {n} keys, the forbidden "
                "ones included). A silent bug: no error, no NaN, wrong weights (rows marked in orange).")
    return "Every row sums to 1."


def _as_grid(scores, n: int) -> list:
    """(T, T) or (layers, heads, T, T) scores -> nested lists [layer][head][T][T], rounded."""
    raw = scores.tolist() if hasattr(scores, "tolist") else scores
    if not isinstance(raw, list):
        raise TypeError(f"scores must be a (T, T) or (layers, heads, T, T) matrix (nested lists or a tensor), "
                        f"got {show(scores)}")
    grid = raw if raw and isinstance(raw[0], list) and raw[0] and isinstance(raw[0][0], list) else [[raw]]
    out = []
    for layer in grid:
        out.append([])
        for head in layer:
            if len(head) != n or any(not isinstance(r, list) or len(r) != n for r in head):
                raise ValueError(f"scores must be ({n}, {n}) for {n} tokens, got {len(head)} rows")
            out[-1].append([[round(float(x), 2) for x in r] for r in head])
    return out


def mask_explorer_html(tokens: list[str], scores, layer: int = 0, head: int = 0,
                       layer_names: list[str] | None = None) -> str:
    """Self-contained mask explorer for one padded sentence.

    ``scores``: the scaled scores, (T, T), or (layers, heads, T, T) to let the reader pick a layer
    and a head; it opens on ``layer`` and ``head`` (0-based).
    """
    tokens = check_str_list(tokens, "tokens", nonempty=True)
    n = len(tokens)
    grid = _as_grid(scores, n)
    for name, value, m in (("layer", layer, len(grid)), ("head", head, len(grid[0]))):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int in [0, {m}), got {show(value)}")
        if not 0 <= value < m:
            raise ValueError(f"{name} must be an int in [0, {m}), got {value!r}")
    if layer_names is not None:
        layer_names = check_str_list(layer_names, "layer_names")
        if len(layer_names) != len(grid):
            raise ValueError(f"layer_names has {len(layer_names)} names for {len(grid)} layers of scores")
    names = layer_names or [f"layer {i + 1}" for i in range(len(grid))]
    root_id = "mx-" + uuid.uuid4().hex[:10]
    payload = json.dumps({"tokens": tokens, "scores": grid, "layer_names": names},
                         ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    js = resources.files("helpers.explorers").joinpath("mask.js").read_text(encoding="utf-8")
    st = mask_stages(grid[layer][head], tokens, pad=True, causal=True)
    scores_table = _matrix_html(st["scores"].tolist(), tokens, tokens, False)
    weights_table = _matrix_html(st["weights"].tolist(), tokens, tokens, True)
    static = (f"<div class='mx-grid'><div>mask (✓ = may attend)<div class='mx-mask'>"
              f"{_mask_table(st['mask'].tolist(), tokens)}</div></div>"
              f"<div>scores after masking<div class='mx-scores'>{scores_table}</div></div>"
              f"<div>weights after softmax<div class='mx-weights'>{weights_table}</div></div></div>")
    layers = "".join(f"<option value='{i}'{' selected' if i == layer else ''}>{html.escape(t)}</option>"
                     for i, t in enumerate(names))
    heads = "".join(f"<option value='{h}'{' selected' if h == head else ''}>head {h + 1}</option>"
                    for h in range(len(grid[0])))
    return f"""{_AX_STYLE}{_MX_STYLE}
<div class="mx-root" id="{root_id}">
  <script type="application/json" class="mx-data">{payload}</script>
  <div class="mx-controls" style="display:none">
    <select class="mx-layer" aria-label="layer">{layers}</select>
    <select class="mx-head" aria-label="head">{heads}</select><br>
    <label><input type="checkbox" class="mx-pad" checked> padding mask</label>
    <label><input type="checkbox" class="mx-causal" checked> causal (look-ahead) mask</label>
    <label><input type="checkbox" class="mx-rows"> also mask padded <i>queries</i></label><br>
    fill: <label><input type="radio" class="mx-fill" name="{root_id}-fill" value="inf" checked> −∞</label>
    <label><input type="radio" class="mx-fill" name="{root_id}-fill" value="big"> −1e9</label>
  </div>
  {static}
  <div class="mx-note">{html.escape(mask_note(st, "inf"))}</div>
</div>
<script>{js}("{root_id}");</script>
"""


def _mask_table(mask, tokens) -> str:
    out = ["<table class='mx-table'><tr><th></th>", *(f"<th>{html.escape(t)}</th>" for t in tokens), "</tr>"]
    for t, r in zip(tokens, mask):
        cells = "".join(f"<td style='background:{'#b7e4c7' if m else '#f4a6a6'}'>{'✓' if m else '✗'}</td>" for m in r)
        out.append(f"<tr><th>{html.escape(t)}</th>{cells}</tr>")
    return "".join(out) + "</table>"


def mask_widget(tokens: list[str], scores):
    """The mask explorer as ipywidgets (needs a kernel); works with ipywidgets 7 and 8.

    ``scores``: (T, T) scaled scores (one head).
    """
    mask_stages(scores, tokens, True, True)  # a bad input fails here, with a clear message
    import ipywidgets as w

    pad, causal = w.Checkbox(value=True, description="padding mask"), w.Checkbox(value=True, description="causal mask")
    rows = w.Checkbox(value=False, description="mask padded queries")
    fill = w.RadioButtons(options=[("−∞", "inf"), ("−1e9", "big")], value="inf", description="fill")
    out = w.HTML()

    def update(_=None):
        st = mask_stages(scores, tokens, pad.value, causal.value, rows.value, fill.value)
        out.value = (_AX_STYLE + _MX_STYLE + "<div class='mx-grid'>"
                     f"<div>mask{_mask_table(st['mask'].tolist(), tokens)}</div>"
                     f"<div>scores{_matrix_html(st['scores'].tolist(), tokens, tokens, False)}</div>"
                     f"<div>weights{_matrix_html(st['weights'].tolist(), tokens, tokens, True)}</div>"
                     f"</div><div class='mx-note'>{html.escape(mask_note(st, fill.value))}</div>")

    for c in (pad, causal, rows, fill):
        c.observe(update, names="value")
    update()
    return w.VBox([w.HBox([pad, causal, rows]), fill, out])
