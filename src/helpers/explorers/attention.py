"""The attention explorer: Q Kᵀ -> scale -> mask -> softmax for every layer and head (chapters 4, 6, 12).

``_AX_STYLE`` and ``_matrix_html`` are shared with the mask explorer.
"""

from __future__ import annotations

import html
import json
import uuid
from importlib import resources

_AX_STYLE = """
<style>
.ax-root, .mx-root {font-family: var(--pst-font-family-base, sans-serif); border: 1px solid #ccc;
                    border-radius: 6px; padding: 10px; max-width: 100%; box-sizing: border-box;}
.ax-root select, .ax-root button, .mx-root button {font-family: inherit; max-width: 100%;}
.ax-view, .mx-grid > div {max-width: 100%; min-width: 0; overflow-x: auto;}
.ax-table, .mx-table {border-collapse: collapse; font-size: 12px; margin: 6px 0;}
.ax-table td, .mx-table td {min-width: 38px; text-align: center; padding: 3px; border: 1px solid #eee;}
.ax-table th, .mx-table th {padding: 3px 6px; font-weight: normal; white-space: nowrap;}
.ax-q {cursor: pointer; text-decoration: underline dotted;}
.ax-sel th {font-weight: bold; background: #fff3bf;}
.ax-tok {padding: 2px 4px; border-radius: 3px; border: 1px solid rgba(0,0,0,.15);}
.ax-focus {margin: 6px 0; line-height: 2;}
.mx-grid {display: flex; flex-wrap: wrap; gap: 14px;}
.mx-note {font-size: 13px; color: #444;}
</style>
"""
STAGES = {"raw": "Q Kᵀ", "scaled": "÷ √d_k", "masked": "+ mask", "weights": "softmax"}
KIND_NAMES = {"encoder": "encoder self-attention", "decoder": "decoder masked self-attention",
              "cross": "cross-attention"}


def attention_data(model, pairs, en, zh) -> dict:
    """Raw Q Kᵀ scores of every layer and head of ``model`` for each sentence pair (teacher forcing).

    Returns the JSON-ready dict the attention explorer embeds. Decoder rows of cross-attention
    are labelled by the token being written at that position.
    """
    import torch

    from ..masks import causal_mask
    from ..translator import encode_pairs

    model.keep_attention(True)
    sentences = []
    try:
        for pair in pairs:
            src, tgt_in, tgt_out = encode_pairs([pair], en, zh)
            with torch.no_grad():
                model(src, tgt_in)
            src_tok = en.decode(src[0].tolist())
            in_tok, out_tok = zh.decode(tgt_in[0].tolist()), zh.decode(tgt_out[0].tolist())
            t, s = len(in_tok), len(src_tok)

            def scores(mods):
                return [[[[round(x, 2) for x in row] for row in m.last_scores[0, h].tolist()]
                         for h in range(m.n_heads)] for m in mods]

            kinds = {
                "encoder": {"q_tokens": src_tok, "k_tokens": src_tok, "mask": [[True] * s for _ in range(s)],
                            "scores": scores([layer.self_attn for layer in model.encoder])},
                "decoder": {"q_tokens": in_tok, "k_tokens": in_tok, "mask": causal_mask(t).tolist(),
                            "scores": scores([layer.self_attn for layer in model.decoder])},
                "cross": {"q_tokens": [f"→{w}" for w in out_tok], "k_tokens": src_tok,
                          "mask": [[True] * s for _ in range(t)],
                          "scores": scores([layer.cross_attn for layer in model.decoder])},
            }
            sentences.append({"name": f"{pair.en_text} → {pair.zh_text}", "kinds": kinds})
    finally:
        model.keep_attention(False)
    c = model.config
    return {"d_k": c.d_model // c.n_heads, "n_layers": c.n_layers, "n_heads": c.n_heads,
            "kind_names": KIND_NAMES, "sentences": sentences}


def explorer_stages(raw, mask, d_k: int) -> dict:
    """The four stages the explorer shows, computed with torch: raw, scaled, masked, weights."""
    import math

    import torch

    from ..attention import masked_softmax

    raw = torch.as_tensor(raw, dtype=torch.float64)
    mask = torch.as_tensor(mask, dtype=torch.bool)
    scaled = raw / math.sqrt(d_k)
    return {"raw": raw, "scaled": scaled, "masked": scaled.masked_fill(~mask, float("-inf")),
            "weights": masked_softmax(scaled, mask)}


def _matrix_html(matrix, rows, cols, weights: bool, selected: int | None = None) -> str:
    vals = [[float(x) for x in r] for r in matrix]
    finite = [x for r in vals for x in r if x != float("-inf") and x == x]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 1.0)
    out = ["<table class='ax-table'><tr><th></th>", *(f"<th>{html.escape(c)}</th>" for c in cols), "</tr>"]
    for i, (label, r) in enumerate(zip(rows, vals)):
        out.append(f"<tr class='{'ax-sel' if i == selected else ''}'><th class='ax-q'>{html.escape(label)}</th>")
        for x in r:
            if x == float("-inf"):
                bg, txt = "#d0d0d0", "−∞"
            elif weights:
                bg, txt = f"rgba(33,102,172,{0.05 + 0.95 * x:.3f})", f"{x:.2f}"
            else:
                t = (x - lo) / (hi - lo) if hi > lo else 0.5
                bg, txt = f"rgba({round(255 - 120 * t)},{round(255 - 60 * t)},255,1)", f"{x:.2f}"
            fg = "white" if weights and x > 0.55 else "black"
            out.append(f"<td style='background:{bg};color:{fg}'>{txt}</td>")
        out.append("</tr>")
    return "".join(out) + "</table>"


def attention_view_html(data: dict, sentence: int = 0, kind: str = "cross", layer: int = 0, head: int = 0,
                        stage: str = "weights", query: int = 0) -> str:
    """One view of the explorer rendered in Python (the static fallback and the widget's view)."""
    k = data["sentences"][sentence]["kinds"][kind]
    st = explorer_stages(k["scores"][layer][head], k["mask"], data["d_k"])
    w, allowed = st["weights"][query].tolist(), k["mask"][query]
    focus = " ".join(  # only the keys the query may see (a causal mask hides the future)
        f"<span class='ax-tok' style='background:rgba(33,102,172,{x:.3f});color:{'white' if x > 0.55 else 'black'}'"
        f" title='{x:.3f}'>{html.escape(t)}</span>" for t, x, ok in zip(k["k_tokens"], w, allowed) if ok
    )
    table = _matrix_html(st[stage].tolist(), k["q_tokens"], k["k_tokens"], stage == "weights", query)
    return (f"<div class='ax-view'>{table}</div>"
            f"<div class='ax-focus'><b>{html.escape(k['q_tokens'][query])}</b> attends to: {focus}</div>")


def attention_explorer_html(data: dict, kind: str = "cross", layer: int = 0, head: int = 0) -> str:
    """Self-contained attention explorer (sentence, kind, layer, head, stage; click a query token).

    It opens on the first sentence with the given ``kind``, ``layer`` and ``head`` (0-based).
    """
    if not isinstance(data, dict) or "sentences" not in data or not data["sentences"]:
        raise ValueError("data must come from attention_data(...) and hold at least one sentence")
    if kind not in data["sentences"][0]["kinds"]:
        raise ValueError(f"kind must be one of {sorted(data['sentences'][0]['kinds'])}, got {kind!r}")
    for name, value, n in (("layer", layer, data["n_layers"]), ("head", head, data["n_heads"])):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n:
            raise ValueError(f"{name} must be an int in [0, {n}), got {value!r}")
    root_id = "ax-" + uuid.uuid4().hex[:10]
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    js = resources.files("helpers.explorers").joinpath("attention.js").read_text(encoding="utf-8")
    radios = "".join(
        f"<label><input type='radio' class='ax-stage' name='{root_id}-stage' value='{v}'"
        f"{' checked' if v == 'weights' else ''}> {label}</label> " for v, label in STAGES.items()
    )
    return f"""{_AX_STYLE}
<div class="ax-root" id="{root_id}">
  <script type="application/json" class="ax-data">{payload}</script>
  <div class="ax-controls" style="display:none">
    <select class="ax-sentence"></select> <select class="ax-kind"></select>
    <select class="ax-layer"></select> <select class="ax-head"></select><br>
    step: {radios} <span style="color:#666">(click a row's token to focus on it)</span>
  </div>
  {attention_view_html(data, kind=kind, layer=layer, head=head)}
</div>
<script>{js}("{root_id}");</script>
<script>(function(){{var r=document.getElementById("{root_id}"); if(!r) return;
  r.querySelector(".ax-layer").value="{layer}"; r.querySelector(".ax-head").value="{head}";
  var k=r.querySelector(".ax-kind"); if(k){{k.value="{kind}"; k.dispatchEvent(new Event("change"));}}}})();</script>
"""


def attention_widget(data: dict):
    """The attention explorer as ipywidgets (needs a kernel); works with ipywidgets 7 and 8.

    Shows the kinds of attention ``data`` holds; optional ``data["layer_names"]`` and
    ``data["head_names"]`` label the layers and heads (as in the static explorer).
    """
    import ipywidgets as w

    sentence = w.Dropdown(options=[(s["name"], i) for i, s in enumerate(data["sentences"])], description="sentence")
    kinds, names = list(data["sentences"][0]["kinds"]), {**KIND_NAMES, **data.get("kind_names", {})}
    kind = w.Dropdown(options=[(names.get(k, k), k) for k in kinds], value="cross" if "cross" in kinds else kinds[0],
                      description="attention")
    layer_names = data.get("layer_names") or [f"layer {i + 1}" for i in range(data["n_layers"])]
    head_names = data.get("head_names") or [f"head {i + 1}" for i in range(data["n_heads"])]
    layer = w.Dropdown(options=[(n, i) for i, n in enumerate(layer_names)], description="layer")
    head = w.Dropdown(options=[(n, i) for i, n in enumerate(head_names)], description="head")
    stage = w.ToggleButtons(options=[(v, k) for k, v in STAGES.items()], value="weights", description="step")
    query = w.Dropdown(options=[], description="query")
    out = w.HTML()

    def tokens():
        return data["sentences"][sentence.value]["kinds"][kind.value]["q_tokens"]

    def update(_=None):
        if [o[0] for o in query.options] != tokens():
            query.options = [(t, i) for i, t in enumerate(tokens())]
            query.value = 0
        out.value = _AX_STYLE + attention_view_html(data, sentence.value, kind.value, layer.value, head.value,
                                                    stage.value, query.value or 0)

    for c in (sentence, kind, layer, head, stage, query):
        c.observe(update, names="value")
    update()
    return w.VBox([w.HBox([sentence, kind]), w.HBox([layer, head, query]), stage, out])
