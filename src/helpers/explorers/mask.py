"""The mask explorer: padding and causal masks, -inf vs -1e9, and what softmax makes of them (chapter 5)."""

from __future__ import annotations

import html

from .._checks import check_bool, check_str_list, show
from ..i18n import t
from ._embed import json_payload, new_root_id, script_call
from .attention import _AX_STYLE, _matrix_html

_MX_STYLE = """
<style>
.mx-table td {min-width: 30px; padding: 2px;}
.mx-table th {padding: 2px 4px;}
.mx-bad > th:first-child {background: #ffd8a8 !important; font-weight: bold;}
.mx-note.mx-warn {color: #a33; font-weight: bold;}
.mx-root .mx-narrow {display: none;}  /* the note on scrolling tables: phones only */
@media (max-width: 480px) {.mx-root .mx-narrow {display: block;}
                           .mx-table {font-size: 13px;} .mx-table td {min-width: 30px; padding: 2px 1px;}
                           .mx-table th {padding: 2px 1px;}
                           .mx-root th.mx-p {writing-mode: vertical-rl; padding: 2px 0;}
                           .mx-root td.mx-p {min-width: 0; padding: 2px 1px;}}
</style>
"""


def mask_stages(scores, tokens: list[str], pad: bool, causal: bool, rows: bool = False, fill: str = "inf") -> dict:
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
    is_pad = torch.tensor([tok == "<pad>" for tok in tokens])
    mask = torch.ones(n, n, dtype=torch.bool)
    if pad:
        mask &= ~is_pad[None, :]
        if rows:
            mask &= ~is_pad[:, None]
    if causal:
        mask &= causal_mask(n)
    masked = s.masked_fill(~mask, float("-inf") if fill == "inf" else -1e9)
    return {"mask": mask, "scores": masked, "weights": torch.softmax(masked, dim=-1), "empty": ~mask.any(-1)}


def mask_labels() -> dict[str, str]:
    """The words mask.js writes, in the current language: templates whose ``{fields}`` the script
    (and ``mask_note``) fills in. mask.js keeps the English as a fallback for a missing key."""
    return {
        "nan": t("{nan} weights are NaN: a fully masked row with −∞ is 0/0."),
        "empty_one": t(
            "Every row sums to 1, but {n} row has no allowed key: −1e9 made it uniform ({share} on "
            "each of {keys} keys, the forbidden ones included). A silent bug: no error, no NaN, wrong "
            "weights (rows marked in orange)."
        ),
        "empty_many": t(
            "Every row sums to 1, but {n} rows have no allowed key: −1e9 made them uniform ({share} on "
            "each of {keys} keys, the forbidden ones included). A silent bug: no error, no NaN, wrong "
            "weights (rows marked in orange)."
        ),
        "ok": t("Every row sums to 1."),
    }


def mask_note(st: dict, fill: str) -> str:
    """The explorer's status line: NaN rows with −∞, silently uniform rows with −1e9, else all fine."""
    empty = int(st["empty"].sum())
    nan = int(st["weights"].isnan().sum())
    labels = mask_labels()
    if nan:
        return labels["nan"].format(nan=nan)
    if empty and fill != "inf":
        n = st["weights"].shape[-1]
        return labels["empty_many" if empty > 1 else "empty_one"].format(n=empty, share=f"{1 / n:.2f}", keys=n)
    return labels["ok"]


def _as_grid(scores, n: int) -> list:
    """(T, T) or (layers, heads, T, T) scores -> nested lists [layer][head][T][T], rounded."""
    raw = scores.tolist() if hasattr(scores, "tolist") else scores
    if not isinstance(raw, list):
        raise TypeError(
            f"scores must be a (T, T) or (layers, heads, T, T) matrix (nested lists or a tensor), got {show(scores)}"
        )
    grid = raw if raw and isinstance(raw[0], list) and raw[0] and isinstance(raw[0][0], list) else [[raw]]
    out = []
    for layer in grid:
        out.append([])
        for head in layer:
            if len(head) != n or any(not isinstance(r, list) or len(r) != n for r in head):
                raise ValueError(f"scores must be ({n}, {n}) for {n} tokens, got {len(head)} rows")
            out[-1].append([[round(float(x), 2) for x in r] for r in head])
    return out


def _row_labels(rows: list[str] | None, tokens: list[str]) -> list[str]:
    """The row labels (default: the tokens), checked: one per token."""
    if rows is None:
        return tokens
    rows = check_str_list(rows, "rows", nonempty=True)
    if len(rows) != len(tokens):
        raise ValueError(f"rows must hold one label per token ({len(tokens)}), got {len(rows)}")
    return rows


def mask_explorer_html(
    tokens: list[str],
    scores,
    layer: int = 0,
    head: int = 0,
    layer_names: list[str] | None = None,
    rows: list[str] | None = None,
) -> str:
    """Self-contained mask explorer for one padded sentence.

    ``tokens``: the T tokens read (the columns; ``"<pad>"`` marks padding); ``rows``: the labels of
    the T querying positions (default: ``tokens``; the book labels a decoder row by the token it
    writes, "→猫"). ``scores``: the scaled scores, (T, T), or (layers, heads, T, T) to let the
    reader pick a layer and a head; it opens on ``layer`` and ``head`` (0-based).
    """
    tokens = check_str_list(tokens, "tokens", nonempty=True)
    rows = _row_labels(rows, tokens)
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
    names = layer_names or [t("layer {n}", n=i + 1) for i in range(len(grid))]
    root_id = new_root_id("mx")
    data = {"tokens": tokens, "rows": rows, "scores": grid, "layer_names": names, "labels": mask_labels()}
    payload = json_payload(data)
    st = mask_stages(grid[layer][head], tokens, pad=True, causal=True)
    narrow = [tok == "<pad>" for tok in tokens]  # the <pad> columns: narrow, so the tables fit a phone
    scores_table = _matrix_html(st["scores"].tolist(), rows, tokens, False, narrow=narrow)
    weights_table = _matrix_html(st["weights"].tolist(), rows, tokens, True, narrow=narrow)
    headings = [
        html.escape(t("mask (✓ = may attend)")),
        html.escape(t("scores after masking")),
        html.escape(t("weights after softmax")),
    ]
    static = (
        f"<div class='mx-grid'><div>{headings[0]}<div class='mx-mask'>"
        f"{_mask_table(st['mask'].tolist(), tokens, rows)}</div></div>"
        f"<div>{headings[1]}<div class='mx-scores'>{scores_table}</div></div>"
        f"<div>{headings[2]}<div class='mx-weights'>{weights_table}</div></div></div>"
    )
    layers = "".join(
        f"<option value='{i}'{' selected' if i == layer else ''}>{html.escape(name)}</option>"
        for i, name in enumerate(names)
    )
    heads = "".join(
        f"<option value='{h}'{' selected' if h == head else ''}>{html.escape(t('head {n}', n=h + 1))}</option>"
        for h in range(len(grid[0]))
    )
    aria = {"layer": html.escape(t("layer"), quote=True), "head": html.escape(t("head"), quote=True)}
    fill = html.escape(t("fill:"))
    hint = html.escape(t("On a narrow screen the tables scroll sideways; the row labels stay in place."))
    return f"""{_AX_STYLE}{_MX_STYLE}
<div class="mx-root" id="{root_id}">
  <script type="application/json" class="mx-data">{payload}</script>
  <div class="mx-controls" style="display:none">
    <select class="mx-layer" aria-label="{aria["layer"]}">{layers}</select>
    <select class="mx-head" aria-label="{aria["head"]}">{heads}</select><br>
    <label><input type="checkbox" class="mx-pad" checked> {html.escape(t("padding mask"))}</label>
    <label><input type="checkbox" class="mx-causal" checked> {html.escape(t("causal (look-ahead) mask"))}</label>
    <label><input type="checkbox" class="mx-rows"> {html.escape(t("also mask padded queries"))}</label><br>
    {fill} <label><input type="radio" class="mx-fill" name="{root_id}-fill" value="inf" checked> −∞</label>
    <label><input type="radio" class="mx-fill" name="{root_id}-fill" value="big"> −1e9</label>
  </div>
  <div class="ax-hint mx-narrow">{hint}</div>
  {static}
  <div class="mx-note">{html.escape(mask_note(st, "inf"))}</div>
</div>
{script_call("mask.js", root_id)}
"""


def _mask_table(mask, tokens, rows=None) -> str:
    cls = [" class='mx-p'" if tok == "<pad>" else "" for tok in tokens]  # narrow <pad> columns
    out = ["<table class='mx-table'><tr><th></th>", *(f"<th{k}>{html.escape(tok)}</th>" for tok, k in zip(tokens, cls))]
    out.append("</tr>")
    for tok, r in zip(rows or tokens, mask):
        cells = "".join(
            f"<td{k} style='background:{'#b7e4c7' if m else '#f4a6a6'}'>{'✓' if m else '✗'}</td>"
            for m, k in zip(r, cls)
        )
        out.append(f"<tr><th>{html.escape(tok)}</th>{cells}</tr>")
    return "".join(out) + "</table>"


def mask_widget(tokens: list[str], scores, rows: list[str] | None = None):
    """The mask explorer as ipywidgets (needs a kernel); works with ipywidgets 7 and 8.

    ``scores``: (T, T) scaled scores (one head); ``rows``: the row labels (default: ``tokens``).
    """
    mask_stages(scores, tokens, True, True)  # a bad input fails here, with a clear message
    row_labels = _row_labels(rows, list(tokens))
    import ipywidgets as w

    pad = w.Checkbox(value=True, description=t("padding mask"))
    causal = w.Checkbox(value=True, description=t("causal mask"))
    rows = w.Checkbox(value=False, description=t("mask padded queries"))
    fill = w.RadioButtons(options=[("−∞", "inf"), ("−1e9", "big")], value="inf", description=t("fill"))
    narrow = [tok == "<pad>" for tok in tokens]
    heading = {"mask": html.escape(t("mask")), "scores": html.escape(t("scores")), "weights": html.escape(t("weights"))}
    out = w.HTML()

    def update(_=None):
        st = mask_stages(scores, tokens, pad.value, causal.value, rows.value, fill.value)
        scores_table = _matrix_html(st["scores"].tolist(), row_labels, tokens, False, narrow=narrow)
        weights_table = _matrix_html(st["weights"].tolist(), row_labels, tokens, True, narrow=narrow)
        out.value = (
            _AX_STYLE + _MX_STYLE + "<div class='mx-grid'>"
            f"<div>{heading['mask']}{_mask_table(st['mask'].tolist(), tokens, row_labels)}</div>"
            f"<div>{heading['scores']}{scores_table}</div>"
            f"<div>{heading['weights']}{weights_table}</div>"
            f"</div><div class='mx-note'>{html.escape(mask_note(st, fill.value))}</div>"
        )

    for c in (pad, causal, rows, fill):
        c.observe(update, names="value")
    update()
    return w.VBox([w.HBox([pad, causal, rows]), fill, out])
