"""The attention explorer: Q Kᵀ -> scale -> mask -> softmax for every layer and head (chapters 4, 6, 12).

``_AX_STYLE`` and ``_matrix_html`` are shared with the mask explorer. Its words (controls, notes, the
kinds' names and hints) follow the edition's language (``helpers.i18n``); the data stay in English.
"""

from __future__ import annotations

import html
import re

from .._checks import check_int, check_str, show
from ..i18n import t
from ._embed import json_payload, new_root_id, script_call

_AX_STYLE = """
<style>
.ax-root, .mx-root {font-family: var(--pst-font-family-base, sans-serif); border: 1px solid #ccc;
                    border-radius: 6px; padding: 10px; max-width: 100%; box-sizing: border-box;}
.ax-root select, .ax-root button, .mx-root button {font-family: inherit; max-width: 100%;}
.ax-view, .mx-grid > div {max-width: 100%; min-width: 0; overflow-x: auto;}
.ax-table, .mx-table {border-collapse: collapse; font-size: 13px; margin: 6px 0;}
.ax-table td, .mx-table td {min-width: 38px; text-align: center; padding: 3px; border: 1px solid #eee;}
.ax-table th, .mx-table th {padding: 3px 6px; font-weight: normal; white-space: nowrap;}
@media (max-width: 480px) {.ax-root, .mx-root {padding: 6px;}
                           .ax-table td, .mx-table td {min-width: 32px; padding: 2px 1px;}}
.ax-table tr > th:first-child, .mx-table tr > th:first-child {position: sticky; left: 0; z-index: 1;
                    background: var(--pst-color-background, #fff); border-right: 2px solid #bbb;}
.ax-table tr.ax-sel > th:first-child {background: #fff3bf;}
.ax-out td {font-weight: bold; border-top: 2px solid #888;}
.ax-hint {font-size: 13px; color: #555; margin: 4px 0;}
.ax-q {cursor: pointer; text-decoration: underline dotted;}
.ax-sel th {font-weight: bold; background: #fff3bf;}
.ax-tok {padding: 2px 4px; border-radius: 3px; border: 1px solid rgba(0,0,0,.15);}
.ax-focus {margin: 6px 0; line-height: 2;}
.ax-all[aria-pressed=true] {background: #fff3bf; font-weight: bold;}
.ax-heads {display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0;}
.ax-h {background: #fff; color: #222; border: 1px solid #bbb; border-radius: 4px; padding: 4px 6px;
       cursor: pointer; font-size: 13px; text-align: left;}
.ax-h.ax-cur {border: 2px solid #333;}
.ax-hl {display: block; font-size: 13px; margin-bottom: 3px;}
.ax-mini {display: grid; gap: 1px;}
.mx-grid {display: flex; flex-wrap: wrap; gap: 14px;}
.mx-note {font-size: 13px; color: #444;}
</style>
"""
STAGES = {"raw": "Q Kᵀ", "scaled": "÷ √d_k", "masked": "+ mask", "weights": "softmax", "output": "× V"}
# The stages as the page shows them: HTML with a real radical over a subscripted d_k (no MathJax, so
# it works offline, in the static page and in an ipywidgets 7 or 8 HTML widget alike).
_RADICAL = ("<span class='ax-rad' style='white-space:nowrap'>√<span style='border-top:1px solid currentColor;"
            "padding:0 1px'><i>d</i><sub style='font-size:75%'><i>{sub}</i></sub></span></span>")


def stage_html(stage: str, sub: str = "k") -> str:
    """The label of one explorer stage (a key of ``STAGES``), as typeset HTML, in the current language.

    "scaled" becomes "÷ √d_k" with an overlined radicand and a subscript ``sub`` ("k"; chapter 12
    writes a head's width d_h); the others are their ``STAGES`` text (through ``t``), with the
    matrices in italics.
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {sorted(STAGES)}, got {show(stage)}")
    if sub not in ("k", "h"):
        raise ValueError(f"sub must be 'k' or 'h' (d_k or d_h), got {show(sub)}")
    if stage == "scaled":
        return "÷ " + _RADICAL.format(sub=sub)
    if stage == "raw":
        return "<i>Q</i> <i>K</i><sup style='font-size:70%'>⊤</sup>"
    if stage == "output":
        return "× <i>V</i>"
    return html.escape(t(STAGES[stage]))
HINTS = {
    "decoder": (
        "A decoder row is labelled by an arrow and the token it writes; the token it reads is the one before it."
    ),
    "cross": "A decoder row is labelled by an arrow and the token it writes; the columns are the source words.",
}
KIND_NAMES = {"encoder": "encoder self-attention", "decoder": "decoder masked self-attention",
              "cross": "cross-attention"}
# STAGES, HINTS and KIND_NAMES stay in English (the data keeps them so); the explorer shows them through
# t(...) (their Chinese is in data/strings_zh_CN/attention_explorer.json), as it does the names a
# caller's data brings (e.g. "masked self-attention" from helpers.llama.heads), when they are catalogued.


def attention_labels() -> dict[str, str]:
    """The words attention.js writes, in the current language: templates whose ``{fields}`` the script
    (and ``attention_view_html``) fills in. attention.js keeps the English as a fallback for a missing key."""
    return {
        "layer_n": t("layer {n}"),
        "head_n": t("head {n}"),
        "key": t("key"),
        "weight": t("weight"),
        "output": t("output"),
        "attends": t("<b>{token}</b> attends to: {tokens}"),
        "output_note": t("output of <b>{token}</b> = the weighted sum of the value rows above (one head; "
                         "W<sup>O</sup> then mixes the heads)"),
        "heads_note": t("Every head of this layer, one grid each (rows: queries, columns: keys). "
                        "Click a head to open it."),
    }


_LATIN_CJK = re.compile(r"([A-Za-z0-9])(?=[\u3400-\u9fff])|([\u3400-\u9fff])(?=[A-Za-z0-9])")


def spaced(text: str) -> str:
    """``text`` (HTML) with a half-width space where a Latin letter or digit meets a Chinese character
    in what it shows, tags between them or not: a Latin token in a Chinese sentence reads "<b>The</b> 关注
    的词元", as the house style writes it, while a Chinese token stays unspaced ("<b>猫</b>关注的词元").
    attention.js does the same (``spaced`` there); English text is left as it is."""
    out, prev = [], ""
    for i, part in enumerate(re.split(r"(<[^>]*>)", text)):
        if i % 2 or not part:
            out.append(part)
            continue
        part = _LATIN_CJK.sub(lambda m: (m.group(1) or m.group(2)) + " ", part)
        if prev and _LATIN_CJK.match(prev + part[0]):  # across a tag
            part = " " + part
        prev = part[-1]
        out.append(part)
    return "".join(out)


def _shown_names(data: dict) -> tuple[dict, dict]:
    """The kinds' names and hints the explorer shows for ``data``, in the current language."""
    names = {**KIND_NAMES, **data.get("kind_names", {})}
    return {k: t(v) for k, v in names.items()}, {k: t(v) for k, v in data.get("hints", {}).items()}


def _round(rows, digits: int = 2) -> list:
    return [[round(float(x), digits) for x in row] for row in rows]


def attention_data(model, pairs, en, zh) -> dict:
    """Raw Q Kᵀ scores and values of every layer and head of ``model`` for each pair (teacher forcing).

    Returns the JSON-ready dict the attention explorer embeds: for each sentence and kind of
    attention, ``scores[layer][head]`` (T_q, T_k) raw Q Kᵀ, ``values[layer][head]`` (T_k, d_k) the
    head's values V, the ``mask`` and the row and column tokens. Decoder rows, in the decoder's
    self-attention and in cross-attention alike, are labelled by the token being written there
    ("→猫"); the token a row reads is the one before it.
    """
    import torch

    from ..corpus import Pair
    from ..masks import causal_mask
    from ..transformer import Seq2SeqTransformer
    from ..translator import encode_pairs

    if not isinstance(model, Seq2SeqTransformer):
        raise TypeError(f"model must be a Seq2SeqTransformer, got {show(model)}")
    if isinstance(pairs, Pair) or not isinstance(pairs, (list, tuple)):
        raise TypeError(f"pairs must be a list of corpus.Pair, got {show(pairs)}")
    if not pairs:
        raise ValueError("pairs must hold at least one sentence pair, got an empty list")
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
            writes = [f"→{w}" for w in out_tok]

            def kind(mods, q_tokens, k_tokens, mask):
                return {"q_tokens": q_tokens, "k_tokens": k_tokens, "mask": mask,
                        "scores": [[_round(m.last_scores[0, h].tolist()) for h in range(m.n_heads)] for m in mods],
                        "values": [[_round(m.last_values[0, h].tolist()) for h in range(m.n_heads)] for m in mods]}

            kinds = {
                "encoder": kind([layer.self_attn for layer in model.encoder], src_tok, src_tok,
                                [[True] * s for _ in range(s)]),
                "decoder": kind([layer.self_attn for layer in model.decoder], writes, in_tok,
                                causal_mask(t).tolist()),
                "cross": kind([layer.cross_attn for layer in model.decoder], writes, src_tok,
                              [[True] * s for _ in range(t)]),
            }
            sentences.append({"name": f"{pair.en_text} → {pair.zh_text}", "kinds": kinds})
    finally:
        model.keep_attention(False)
        for m in model.modules():
            if hasattr(m, "last_values"):
                m.last_values = None
    c = model.config
    return {"d_k": c.d_model // c.n_heads, "n_layers": c.n_layers, "n_heads": c.n_heads,
            "kind_names": KIND_NAMES, "hints": HINTS, "sentences": sentences}


def text_pair(model, text: str, en, zh):
    """Any English text as a pair the explorer can show: words outside the vocabulary become
    ``<unk>``, and the Chinese side is the model's own greedy translation (no reference needed)."""
    from ..corpus import Pair
    from ..translator import translate

    check_str(text, "text")
    words = tuple(w if w in en else "<unk>" for w in text.split())
    if not words:
        raise ValueError("text must contain at least one word")
    if len(words) >= model.config.max_len:
        raise ValueError(f"text has {len(words)} words; the model reads at most {model.config.max_len - 1}")
    return Pair(words, translate(model, [words], en, zh)[0])


def explorer_stages(raw, mask, d_k: int, values=None) -> dict:
    """The stages the explorer shows, computed with torch: raw, scaled, masked, weights, and, given
    the values (T_k, d_v), the output weights @ values (T_q, d_v)."""
    import math

    import torch

    from ..attention import masked_softmax

    check_int(d_k, "d_k", low=1)
    raw = _as_tensor(raw, "raw", torch.float64)
    mask = _as_tensor(mask, "mask", torch.bool)
    if raw.dim() != 2 or mask.shape != raw.shape:
        raise ValueError(f"raw and mask must be (T_q, T_k) matrices of the same shape, got raw {tuple(raw.shape)} "
                         f"and mask {tuple(mask.shape)}")
    scaled = raw / math.sqrt(d_k)
    weights = masked_softmax(scaled, mask)
    out = {"raw": raw, "scaled": scaled, "masked": scaled.masked_fill(~mask, float("-inf")), "weights": weights}
    if values is not None:
        values = _as_tensor(values, "values", torch.float64)
        if values.dim() != 2 or values.shape[0] != raw.shape[1]:
            raise ValueError(f"values must be (T_k, d_v) with T_k = {raw.shape[1]} rows, got {tuple(values.shape)}")
        out["output"] = weights @ values
    return out


def explorer_head(data: dict, sentence: int, kind: str, layer: int, head: int) -> dict:
    """One head of ``attention_data``'s dict, as the explorer shows it: its stages and its values.

    sentence, layer and head count from 0 (the explorer's "layer 2" is ``layer=1``); kind is
    "encoder", "decoder" or "cross". Returns the row and column labels ``q_tokens`` (T_q) and
    ``k_tokens`` (T_k), the ``values`` V (T_k, d_k) and the stages of :func:`explorer_stages`:
    ``raw``, ``scaled``, ``masked``, ``weights`` (T_q, T_k) and ``output`` (T_q, d_k), all
    float64 tensors.
    """
    import torch

    data = _check_data(data)
    check_int(sentence, "sentence", low=0, high=len(data["sentences"]) - 1)
    kinds = data["sentences"][sentence]["kinds"]
    if kind not in kinds:
        raise ValueError(f"kind must be one of {sorted(kinds)}, got {show(kind)}")
    check_int(layer, "layer", low=0, high=data["n_layers"] - 1)
    check_int(head, "head", low=0, high=data["n_heads"] - 1)
    k = kinds[kind]
    values = k["values"][layer][head]
    stages = explorer_stages(k["scores"][layer][head], k["mask"], data["d_k"], values)
    return {"q_tokens": list(k["q_tokens"]), "k_tokens": list(k["k_tokens"]),
            "values": torch.as_tensor(values, dtype=torch.float64), **stages}


def _as_tensor(x, name: str, dtype):
    import torch

    try:
        return torch.as_tensor(x, dtype=dtype)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise TypeError(f"{name} must be a matrix of numbers (nested lists or a tensor), "
                        f"got {show(x)}: {exc}") from None


def _check_data(data: object) -> dict:
    """The dict of ``attention_data`` (or its like), with at least one sentence."""
    if not isinstance(data, dict) or not data.get("sentences") or not isinstance(data["sentences"], list):
        raise ValueError(f"data must come from attention_data(...) and hold at least one sentence, got {show(data)}")
    for key in ("d_k", "n_layers", "n_heads"):
        if key not in data:
            raise ValueError(f"data must come from attention_data(...): it has no {key!r}")
    return data


def _num(x: float) -> str:
    """A number with 2 decimals and a true minus sign (U+2212), as the mask explorer prints it."""
    return f"{x:.2f}".replace("-", "\u2212")


def _signed_colour(x: float, scale: float) -> tuple[str, str]:
    """Background and text colour of a signed number: red above zero, blue below (like RdBu_r)."""
    t = max(-1.0, min(1.0, x / scale)) if scale > 0 else 0.0
    rgb = "178,24,43" if t > 0 else "33,102,172"
    return f"rgba({rgb},{abs(t) * 0.9:.3f})", "white" if abs(t) > 0.6 else "black"


def _matrix_html(
    matrix, rows, cols, weights: bool, selected: int | None = None, narrow: list[bool] | None = None
) -> str:
    """A labelled table: weights in [0, 1] on a white-to-blue scale, scores on a diverging scale
    centred on zero (−∞ grey). The first column (the row labels) stays in view when it scrolls.
    ``narrow``: one flag per column; a flagged column's cells get the class ``mx-p`` (set narrow by CSS)."""
    narrow = narrow or [False] * len(cols)
    cls = [" class='mx-p'" if f else "" for f in narrow]
    vals = [[float(x) for x in r] for r in matrix]
    finite = [abs(x) for r in vals for x in r if abs(x) != float("inf") and x == x and x > -1e8]
    scale = max(finite) if finite else 1.0
    out = ["<table class='ax-table'><tr><th></th>", *(f"<th{k}>{html.escape(c)}</th>" for c, k in zip(cols, cls))]
    out.append("</tr>")
    for i, (label, r) in enumerate(zip(rows, vals)):
        out.append(f"<tr class='{'ax-sel' if i == selected else ''}'><th class='ax-q'>{html.escape(label)}</th>")
        for x, k in zip(r, cls):
            if x == float("-inf"):
                bg, fg, txt = "#d0d0d0", "black", "−∞"
            elif x != x:
                bg, fg, txt = "#ff4d4d", "black", "NaN"
            elif x <= -1e8:
                bg, fg, txt = "#d0d0d0", "black", "−1e9"
            elif weights:
                bg, fg, txt = f"rgba(33,102,172,{0.05 + 0.95 * x:.3f})", "white" if x > 0.55 else "black", _num(x)
            else:
                (bg, fg), txt = _signed_colour(x, scale), _num(x)
            out.append(f"<td{k} style='background:{bg};color:{fg}'>{txt}</td>")
        out.append("</tr>")
    return "".join(out) + "</table>"


def _output_html(weights, values, keys, allowed, output) -> str:
    """The × V step for one query: each visible key's weight and value row, then their weighted sum."""
    dims = len(values[0]) if values else 0
    flat = [abs(float(x)) for r in values for x in r]
    scale = max(flat) if flat else 1.0
    labels = {k: html.escape(v) for k, v in attention_labels().items() if k in ("key", "weight", "output")}
    out = [f"<table class='ax-table'><tr><th>{labels['key']}</th><th>{labels['weight']}</th>",
           *(f"<th>v{c + 1}</th>" for c in range(dims)), "</tr>"]
    for tok, w, v, ok in zip(keys, weights, values, allowed):
        if not ok:
            continue
        cells = "".join("<td style='background:{};color:{}'>{}</td>".format(*_signed_colour(float(x), scale), _num(x))
                        for x in v)
        out.append(f"<tr><th>{html.escape(tok)}</th><td style='background:rgba(33,102,172,{0.05 + 0.95 * w:.3f});"
                   f"color:{'white' if w > 0.55 else 'black'}'>{_num(w)}</td>{cells}</tr>")
    cells = "".join("<td style='background:{};color:{}'>{}</td>".format(*_signed_colour(float(x), scale), _num(x))
                    for x in output)
    out.append(f"<tr class='ax-out'><th>{labels['output']}</th><td>Σ</td>{cells}</tr>")
    return "".join(out) + "</table>"


def _checked_view(data: dict, sentence: int, kind: str, layer: int, head: int) -> dict:
    """The data of one sentence's attention ``kind``, after checking every argument of a view."""
    _check_data(data)
    check_int(sentence, "sentence", low=0, high=len(data["sentences"]) - 1)
    kinds = data["sentences"][sentence]["kinds"]
    if kind not in kinds:
        raise ValueError(f"kind must be one of {sorted(kinds)}, got {kind!r}")
    k = kinds[kind]
    check_int(layer, "layer", low=0, high=len(k["scores"]) - 1)
    check_int(head, "head", low=0, high=len(k["scores"][layer]) - 1)
    return k


def attention_view_html(data: dict, sentence: int = 0, kind: str = "cross", layer: int = 0, head: int = 0,
                        stage: str = "weights", query: int = 0) -> str:
    """One view of the explorer rendered in Python (the static fallback and the widget's view)."""
    k = _checked_view(data, sentence, kind, layer, head)
    check_int(query, "query", low=0, high=len(k["q_tokens"]) - 1)
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {sorted(STAGES)}, got {stage!r}")
    values = k["values"][layer][head] if "values" in k else None
    st = explorer_stages(k["scores"][layer][head], k["mask"], data["d_k"], values)
    if stage not in st:
        raise ValueError(f"stage must be one of {sorted(st)}, got {stage!r}")
    w, allowed = st["weights"][query].tolist(), k["mask"][query]
    labels, token = attention_labels(), html.escape(k["q_tokens"][query])
    focus = " ".join(  # only the keys the query may see (a causal mask hides the future)
        f"<span class='ax-tok' style='background:rgba(33,102,172,{x:.3f});color:{'white' if x > 0.55 else 'black'}'"
        f" title='{x:.3f}'>{html.escape(tok)}</span>" for tok, x, ok in zip(k["k_tokens"], w, allowed) if ok
    )
    if stage == "output":
        table = _output_html(w, values, k["k_tokens"], allowed, st["output"][query].tolist())
        note = spaced(labels["output_note"].format(token=token))
    else:
        table = _matrix_html(st[stage].tolist(), k["q_tokens"], k["k_tokens"], stage == "weights", query)
        note = html.escape(_shown_names(data)[1].get(kind, ""))
    return (f"<div class='ax-view'>{table}</div><div class='ax-hint'>{note}</div>"
            f"<div class='ax-focus'>{spaced(labels['attends'].format(token=token, tokens=focus))}</div>")


def _mini_html(matrix, weights: bool) -> str:
    """One head's matrix as a small grid of coloured squares (no numbers), coloured as ``_matrix_html``
    colours its cells: weights white to blue, scores red above zero and blue below, −∞ grey."""
    vals = [[float(x) for x in r] for r in matrix]
    finite = [abs(x) for r in vals for x in r if x != float("-inf")]
    scale = max([0.0, *finite])
    cells = []
    for r in vals:
        for x in r:
            if x == float("-inf"):
                bg = "#d0d0d0"
            elif weights:
                bg = f"rgba(33,102,172,{0.05 + 0.95 * x:.3f})"
            else:
                bg = _signed_colour(x, scale)[0]
            cells.append(f"<span style='background:{bg}'></span>")
    cols = len(vals[0]) if vals else 0
    px = max(5, min(14, 168 // max(cols, 1)))  # a square's side: a grid stays at most 168 px wide
    return (f"<span class='ax-mini' style='grid-template-columns:repeat({cols},{px}px);grid-auto-rows:{px}px'>"
            f"{''.join(cells)}</span>")


def attention_heads_html(data: dict, sentence: int = 0, kind: str = "cross", layer: int = 0,
                         stage: str = "weights", head: int = 0) -> str:
    """The explorer's "all heads" view, as attention.js draws it: one small grid per head of ``layer``
    (its ``stage`` matrix, (T_q, T_k); the softmax weights for the "× V" stage), each a button that opens
    that head (``head``, the open one, is outlined). The script draws this view; Python renders the same
    HTML so that a test can check it."""
    k = _checked_view(data, sentence, kind, layer, head)
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {sorted(STAGES)}, got {stage!r}")
    shown = "weights" if stage == "output" else stage
    names = data.get("head_names") or []
    out = []
    for h, raw in enumerate(k["scores"][layer]):
        m = explorer_stages(raw, k["mask"], data["d_k"])[shown].tolist()
        name = names[h] if h < len(names) and names[h] else t("head {n}", n=h + 1)
        out.append(f"<button type='button' class='ax-h{' ax-cur' if h == head else ''}' data-h='{h}'>"
                   f"<span class='ax-hl'>{html.escape(name)}</span>{_mini_html(m, shown == 'weights')}</button>")
    return f"<div class='ax-heads'>{''.join(out)}</div>"


def attention_explorer_html(data: dict, kind: str = "cross", layer: int = 0, head: int = 0,
                            query: int = 0) -> str:
    """Self-contained attention explorer (sentence, kind, layer, head, query, stage; click a row's token;
    "all heads" shows every head of the layer as a small grid, ``attention_heads_html``).

    It opens on the first sentence with the given ``kind``, ``layer``, ``head`` and ``query`` (all
    0-based; ``query`` is a row of that sentence and kind, e.g. 2 for "sat" in "The cat sat"). The
    "× V" stage appears when ``data`` holds the values (``attention_data`` stores them). The menu of
    kinds appears only when ``data`` holds more than one kind (a menu of a single choice says nothing).
    """
    _check_data(data)
    if kind not in data["sentences"][0]["kinds"]:
        raise ValueError(f"kind must be one of {sorted(data['sentences'][0]['kinds'])}, got {kind!r}")
    n_queries = len(data["sentences"][0]["kinds"][kind]["q_tokens"])
    for name, value, n in (("layer", layer, data["n_layers"]), ("head", head, data["n_heads"]),
                           ("query", query, n_queries)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int in [0, {n}), got {show(value)}")
        if not 0 <= value < n:
            raise ValueError(f"{name} must be an int in [0, {n}), got {value!r}")
    root_id = new_root_id("ax")
    kind_names, hints = _shown_names(data)
    shown = {**data, "kind_names": kind_names, "hints": hints, "labels": attention_labels()}
    payload = json_payload(shown)
    has_values = "values" in data["sentences"][0]["kinds"][kind]
    radios = "".join(
        f"<label><input type='radio' class='ax-stage' name='{root_id}-stage' value='{v}'"
        f"{' checked' if v == 'weights' else ''}> {stage_html(v)}</label> " for v in STAGES
        if v != "output" or has_values
    )
    menus = {c: f'<select class="ax-{c}" aria-label="{html.escape(label, quote=True)}"></select>' for c, label in (
        ("sentence", t("sentence")), ("kind", t("attention")), ("layer", t("layer")), ("head", t("head")),
        ("query", t("query")))}
    if len(data["sentences"][0]["kinds"]) == 1:  # one kind: no menu (attention.js reads the kind from the data)
        menus["kind"] = ""
    words = {"query": html.escape(t("query"), quote=False), "step": html.escape(t("step:"), quote=False),
             "click": html.escape(t("(or click a row's token)"), quote=False),
             "all": html.escape(t("all heads"), quote=False)}  # text, not attributes
    pick = f'var k=r.querySelector(".ax-kind"); if(k){{k.value="{kind}"; k.dispatchEvent(new Event("change"));}}'
    if query:  # after the kind: changing the kind sends the query back to the first row
        pick += (f'\n  var q=r.querySelector(".ax-query"); if(q){{q.value="{query}"; '
                 'q.dispatchEvent(new Event("change"));}')
    return f"""{_AX_STYLE}
<div class="ax-root" id="{root_id}">
  <script type="application/json" class="ax-data">{payload}</script>
  <div class="ax-controls" style="display:none">
    {menus['sentence']} {menus['kind']}
    {menus['layer']} {menus['head']} <button type="button" class="ax-all" aria-pressed="false">{words['all']}</button>
    <label>{words['query']} {menus['query']}</label><br>
    {words['step']} {radios} <span style="color:#666">{words['click']}</span>
  </div>
  {attention_view_html(data, kind=kind, layer=layer, head=head, query=query)}
</div>
{script_call("attention.js", root_id)}
<script>(function(){{var r=document.getElementById("{root_id}"); if(!r) return;
  r.querySelector(".ax-layer").value="{layer}"; r.querySelector(".ax-head").value="{head}";
  {pick}}})();</script>
"""


def attention_widget(data: dict, compute=None, sub: str = "k"):
    """The attention explorer as ipywidgets (needs a kernel); works with ipywidgets 7 and 8.

    Shows the kinds of attention ``data`` holds; optional ``data["layer_names"]`` and
    ``data["head_names"]`` label the layers and heads (as in the static explorer). With
    ``compute`` (a function from a text to one sentence in the format of ``data["sentences"]``),
    a text box adds any sentence the reader types. ``sub`` names the scaling step's width,
    "k" (÷ √d_k) or "h" (÷ √d_h, chapter 12's notation).
    """
    _check_data(data)
    stage_html("scaled", sub)  # checks sub
    if compute is not None and not callable(compute):
        raise TypeError(f"compute must be a function from a text to one sentence, or None, got {show(compute)}")
    import ipywidgets as w

    sentence = w.Dropdown(options=[(s["name"], i) for i, s in enumerate(data["sentences"])],
                          description=t("sentence"))
    kinds, names = list(data["sentences"][0]["kinds"]), _shown_names(data)[0]
    kind = w.Dropdown(options=[(names.get(k, k), k) for k in kinds], value="cross" if "cross" in kinds else kinds[0],
                      description=t("attention"))
    if len(kinds) == 1:  # a menu with a single choice says nothing (helpers.llama.heads shows one kind)
        kind.layout.display = "none"
    layer_names = data.get("layer_names") or [t("layer {n}", n=i + 1) for i in range(data["n_layers"])]
    head_names = data.get("head_names") or [t("head {n}", n=i + 1) for i in range(data["n_heads"])]
    layer = w.Dropdown(options=[(n, i) for i, n in enumerate(layer_names)], description=t("layer"))
    head = w.Dropdown(options=[(n, i) for i, n in enumerate(head_names)], description=t("head"))
    has_values = "values" in data["sentences"][0]["kinds"][kinds[0]]
    # a button's label is plain text: "÷ √dₖ" there, and the typeset stage above the table
    plain = {"scaled": {"k": "÷ √dₖ", "h": "÷ √dₕ"}[sub]}
    stage = w.ToggleButtons(options=[(plain.get(k, t(v)), k) for k, v in STAGES.items()
                                     if k != "output" or has_values],
                            value="weights", description=t("step"))
    query = w.Dropdown(options=[], description=t("query"))
    out = w.HTML()

    def tokens():
        return data["sentences"][sentence.value]["kinds"][kind.value]["q_tokens"]

    def update(_=None):
        if [o[0] for o in query.options] != tokens():
            query.options = [(tok, i) for i, tok in enumerate(tokens())]
            query.value = 0
        shown = f"<div class='ax-hint'>{html.escape(t('step:'))} {stage_html(stage.value, sub)}</div>"
        out.value = _AX_STYLE + shown + attention_view_html(data, sentence.value, kind.value, layer.value,
                                                            head.value, stage.value, query.value or 0)

    for c in (sentence, kind, layer, head, stage, query):
        c.observe(update, names="value")
    update()
    children = [w.HBox([sentence, kind]), w.HBox([layer, head, query]), stage, out]
    if compute is not None:
        text = w.Text(placeholder=t("The dog ran in the garden"), description=t("your text"))
        add, status = w.Button(description=t("show")), w.HTML()

        def on_add(_=None):
            try:
                new = compute(text.value)
            except ValueError as err:
                status.value = html.escape(str(err))
                return
            data["sentences"].append(new)
            sentence.options = [(s["name"], i) for i, s in enumerate(data["sentences"])]
            sentence.value = len(data["sentences"]) - 1
            status.value = html.escape(new["name"])

        add.on_click(on_add)
        children.append(w.HBox([text, add, status]))
    return w.VBox(children)
