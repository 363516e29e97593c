"""Interactive explorers that work everywhere.

Each explorer comes in two forms:

* ``*_html``: one self-contained HTML+JavaScript output with its data embedded. It runs in
  the browser with no kernel and no network, so it stays interactive on the static website,
  and also works in JupyterLab, VS Code and Colab. Before its script runs it already shows
  a view rendered in Python, so it is never blank.
* ``*_widget``: the same view driven by Python through ipywidgets (7 or 8), for a live kernel.
"""

from __future__ import annotations

import html
import json
import uuid
from importlib import resources

from .bpe import BPETokenizer

PALETTE = ["#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff", "#ffadad"]

_STYLE = """
<style>
.tx-root {font-family: var(--pst-font-family-base, sans-serif); border: 1px solid #ccc; border-radius: 6px;
         padding: 10px; max-width: 100%; box-sizing: border-box; overflow-wrap: anywhere;}
.tx-root textarea, .tx-root button {font-family: inherit;}
.tx-root textarea {width: 100%; font-size: 15px; box-sizing: border-box;}
.tx-tokens {margin: 8px 0; font-size: 16px; display: flex; flex-wrap: wrap; align-items: center; row-gap: 6px;}
.tx-tok {white-space: pre; line-height: 1.5; padding: 2px 1px; margin: 0 1px; border-radius: 3px;
         border: 1px solid rgba(0,0,0,.15); color: #111;}
.tx-ids {font-family: monospace; font-size: 12px; color: #333; word-break: break-all;}
.tx-stats {font-size: 13px; color: #444; margin-top: 4px;}
.tx-example {margin: 2px; font-size: 12px;}
</style>
"""


def token_label(tok: BPETokenizer, token_id: int) -> str:
    """How a token is shown: its text, or its bytes in hex if they are not valid UTF-8 alone."""
    if token_id in tok.inverse_special:
        return tok.inverse_special[token_id]
    raw = tok.token_bytes(token_id)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "⟨" + " ".join(f"{b:02x}" for b in raw) + "⟩"


def tokens_html(tok: BPETokenizer, text: str, allowed_special: bool = False) -> str:
    """The tokens of ``text`` as coloured spans (hover: id and bytes), plus a counts line."""
    ids = tok.encode(text, allowed_special=allowed_special)
    spans = []
    for i, t in enumerate(ids):
        raw = "(special)" if t in tok.inverse_special else tok.token_bytes(t).hex(" ")
        spans.append(
            f'<span class="tx-tok" title="id {t} — bytes {raw}" '
            f'style="background:{PALETTE[i % len(PALETTE)]}">{html.escape(token_label(tok, t))}</span>'
        )
    n_bytes = len(text.encode("utf-8"))
    return (
        f'<div class="tx-tokens">{"".join(spans)}</div>'
        f'<div class="tx-ids">{html.escape(str(ids))}</div>'
        f'<div class="tx-stats">{len(text)} characters → {n_bytes} bytes → {len(ids)} tokens</div>'
    )


def tokenizer_explorer_html(tok: BPETokenizer, text: str, examples: list[str] | None = None) -> str:
    """A self-contained tokenizer explorer: type text, see its tokens and ids, vary the merges."""
    if not isinstance(tok, BPETokenizer):
        raise TypeError(f"tok must be a BPETokenizer, got {type(tok).__name__}")
    root_id = "tx-" + uuid.uuid4().hex[:10]
    data = {
        "merges": [list(m) for m in tok.merges],
        "specials": tok.special_tokens,
        "palette": PALETTE,
        "pattern": tok.pattern,  # the pre-tokenizer; GPT-2's pattern is also valid JavaScript
    }
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    js = resources.files("helpers").joinpath("tokenizer_explorer.js").read_text(encoding="utf-8")
    buttons = "".join(
        f'<button class="tx-example" data-text="{html.escape(e, quote=True)}">{html.escape(e[:24])}</button>'
        for e in (examples or [])
    )
    n = len(tok.merges)
    return f"""{_STYLE}
<div class="tx-root" id="{root_id}">
  <script type="application/json" class="tx-data">{payload}</script>
  <div class="tx-controls" style="display:none">
    <textarea class="tx-input" rows="2">{html.escape(text)}</textarea><br>
    <label>merges used: <input class="tx-merges" type="range" min="0" max="{n}" value="{n}"
      style="width:50%"></label> <span class="tx-n"></span><br>
    <label><input class="tx-special" type="checkbox"> read &lt;sos&gt; &lt;eos&gt; &lt;pad&gt;
      &lt;unk&gt; as special tokens</label><br>{buttons}
  </div>
  <div class="tx-view">{tokens_html(tok, text)}</div>
</div>
<script>{js}("{root_id}");</script>
"""


def tokenizer_widget(tok: BPETokenizer, text: str):
    """The tokenizer explorer as ipywidgets, computed by the Python tokenizer (needs a kernel)."""
    import ipywidgets as w

    box = w.Textarea(value=text, description="text", layout=w.Layout(width="95%"))
    merges = w.IntSlider(value=len(tok.merges), min=0, max=len(tok.merges), description="merges")
    special = w.Checkbox(value=False, description="special tokens")
    out = w.HTML()

    def update(_=None):
        t = tok.truncated(merges.value)
        out.value = _STYLE + tokens_html(t, box.value, allowed_special=special.value)

    for control in (box, merges, special):
        control.observe(update, names="value")
    update()
    return w.VBox([box, merges, special, out])


# ---------------------------------------------------------------------------------------------
# Attention explorer
# ---------------------------------------------------------------------------------------------
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

    from .masks import causal_mask
    from .translator import encode_pairs

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

    from .attention import masked_softmax

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
    w = st["weights"][query].tolist()
    focus = " ".join(
        f"<span class='ax-tok' style='background:rgba(33,102,172,{x:.3f});color:{'white' if x > 0.55 else 'black'}'"
        f" title='{x:.3f}'>{html.escape(t)}</span>" for t, x in zip(k["k_tokens"], w)
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
    js = resources.files("helpers").joinpath("attention_explorer.js").read_text(encoding="utf-8")
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


# ---------------------------------------------------------------------------------------------
# Mask explorer
# ---------------------------------------------------------------------------------------------
def mask_stages(scores, tokens: list[str], pad: bool, causal: bool, rows: bool = False,
                fill: str = "inf") -> dict:
    """Mask, masked scores and plain-softmax weights, as the mask explorer computes them."""
    import torch

    from .masks import causal_mask

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
    js = resources.files("helpers").joinpath("mask_explorer.js").read_text(encoding="utf-8")
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
