"""The mask explorer: padding and causal masks, -inf vs -1e9, and what softmax makes of them (chapter 5)."""

from __future__ import annotations

import html
import json
import uuid
from importlib import resources

from .attention import _AX_STYLE, _matrix_html


def mask_stages(scores, tokens: list[str], pad: bool, causal: bool, rows: bool = False,
                fill: str = "inf") -> dict:
    """Mask, masked scores and plain-softmax weights, as the mask explorer computes them."""
    import torch

    from ..masks import causal_mask

    s = torch.as_tensor(scores, dtype=torch.float64)
    n = len(tokens)
    is_pad = torch.tensor([t == "<pad>" for t in tokens])
    mask = torch.ones(n, n, dtype=torch.bool)
    if pad:
        mask &= ~is_pad[None, :]
        if rows:
            mask &= ~is_pad[:, None]
    if causal:
        mask &= causal_mask(n)
    masked = s.masked_fill(~mask, float("-inf") if fill == "inf" else -1e9)
    return {"mask": mask, "scores": masked, "weights": torch.softmax(masked, dim=-1)}


def mask_explorer_html(tokens: list[str], scores) -> str:
    """Self-contained mask explorer for one padded sentence and its (T, T) raw scores."""
    n = len(tokens)
    rows = [[round(float(x), 2) for x in r] for r in (scores.tolist() if hasattr(scores, "tolist") else scores)]
    if len(rows) != n or any(len(r) != n for r in rows):
        raise ValueError(f"scores must be ({n}, {n}) for {n} tokens, got {len(rows)} rows")
    root_id = "mx-" + uuid.uuid4().hex[:10]
    payload = json.dumps({"tokens": tokens, "scores": rows}, ensure_ascii=False).replace("</", "<\\/")
    js = resources.files("helpers.explorers").joinpath("mask.js").read_text(encoding="utf-8")
    st = mask_stages(rows, tokens, pad=True, causal=True)
    scores_table = _matrix_html(st["scores"].tolist(), tokens, tokens, False)
    weights_table = _matrix_html(st["weights"].tolist(), tokens, tokens, True)
    static = (f"<div class='mx-grid'><div>mask (✓ = may attend)<div class='mx-mask'>"
              f"{_mask_table(st['mask'].tolist(), tokens)}</div></div>"
              f"<div>scores after masking<div class='mx-scores'>{scores_table}</div></div>"
              f"<div>weights after softmax<div class='mx-weights'>{weights_table}</div></div></div>")
    return f"""{_AX_STYLE}
<div class="mx-root" id="{root_id}">
  <script type="application/json" class="mx-data">{payload}</script>
  <div class="mx-controls" style="display:none">
    <label><input type="checkbox" class="mx-pad" checked> padding mask</label>
    <label><input type="checkbox" class="mx-causal" checked> causal (look-ahead) mask</label>
    <label><input type="checkbox" class="mx-rows"> also mask padded <i>queries</i></label> &nbsp;
    fill: <label><input type="radio" class="mx-fill" name="{root_id}-fill" value="inf" checked> −∞</label>
    <label><input type="radio" class="mx-fill" name="{root_id}-fill" value="big"> −1e9</label>
  </div>
  {static}
  <div class="mx-note"></div>
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
    """The mask explorer as ipywidgets (needs a kernel); works with ipywidgets 7 and 8."""
    import ipywidgets as w

    pad, causal = w.Checkbox(value=True, description="padding mask"), w.Checkbox(value=True, description="causal mask")
    rows = w.Checkbox(value=False, description="mask padded queries")
    fill = w.RadioButtons(options=[("−∞", "inf"), ("−1e9", "big")], value="inf", description="fill")
    out = w.HTML()

    def update(_=None):
        st = mask_stages(scores, tokens, pad.value, causal.value, rows.value, fill.value)
        nan = int(st["weights"].isnan().sum())
        note = f"{nan} weights are NaN (a fully masked row with −∞ is 0/0)." if nan else "Every row sums to 1."
        out.value = (_AX_STYLE + "<div class='mx-grid'>"
                     f"<div>mask{_mask_table(st['mask'].tolist(), tokens)}</div>"
                     f"<div>scores{_matrix_html(st['scores'].tolist(), tokens, tokens, False)}</div>"
                     f"<div>weights{_matrix_html(st['weights'].nan_to_num(-1.0).tolist(), tokens, tokens, True)}</div>"
                     f"</div><div class='mx-note'>{note}</div>")

    for c in (pad, causal, rows, fill):
        c.observe(update, names="value")
    update()
    return w.VBox([w.HBox([pad, causal, rows]), fill, out])
