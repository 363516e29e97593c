"""The sampling explorer (chapter 11): the next-token distribution, and what temperature, top-k and top-p keep.

For a few poems, at every position, the model's logits for the next token are stored compactly:
the ``top`` largest exactly (token and logit), and the other V - top logits as a histogram of
their values rounded to ``bin_width`` ([value, count] pairs). From that the cut is recomputed for
any setting in the same order as ``helpers.generate.filter_logits``: logits / temperature, then
top-k (ties with the k-th kept), then top-p (the token that makes the kept mass reach p is kept),
then a softmax over what survives. The histogram makes the probabilities of the rare tokens
approximate (a rounding of at most bin_width / 2 in each of their logits); the top tokens' logits
are exact, and the tests check the result against ``next_token_probs`` on the full logits. So
that the number of tokens top-p keeps is exact too, each position also stores, for every setting
of the sliders with top-k off (``T_GRID`` x ``P_GRID``), the count ``filter_logits`` keeps on the
full logits; the cut then keeps that many of the most probable tokens.

Like the other explorers it comes in two forms:

* ``sampling_explorer_html``: one self-contained HTML+JavaScript output with the data embedded; the
  browser recomputes the cut (``sampling.js``), with no kernel and no network, and a view
  rendered in Python is shown before the script runs, so it is never blank.
* ``sampling_widget``: the same view driven by Python through ipywidgets (7 or 8).
"""

from __future__ import annotations

import html
import math
from collections import Counter

import torch

from ..i18n import t
from ..poems import UNK_SHOWN
from ._embed import json_payload, new_root_id, script_call

SHOW = 12  # rows of the bar list
T_GRID = (0.1, 2.0, 0.1)  # the temperature slider: min, max, step
P_GRID = (0.05, 0.95, 0.05)  # the top-p slider below 1 (1 is off): min, max, step


def _grid(lo: float, hi: float, step: float) -> list[float]:
    return [round(lo + i * step, 10) for i in range(round((hi - lo) / step) + 1)]


def _grid_index(x: float, grid: tuple[float, float, float]) -> int | None:
    """The index of x among the slider's values, or None if x is not one of them."""
    lo, hi, step = grid
    i = round((x - lo) / step)
    return i if 0 <= i <= round((hi - lo) / step) and abs(lo + i * step - x) < 1e-6 else None

_STYLE = """
<style>
.se-root {font-family: var(--pst-font-family-base, sans-serif); border: 1px solid #ccc; border-radius: 6px;
          padding: 10px; color: #111; background: #fff; max-width: 100%; box-sizing: border-box;
          overflow-wrap: anywhere;}
.se-root select, .se-root input {font-family: inherit;}
.se-controls {display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 13px; margin-bottom: 8px;}
.se-controls label {white-space: nowrap;}
.se-controls input[type=range] {width: 120px; vertical-align: middle;}
.se-context {font-size: 18px; margin: 4px 0; line-height: 1.6;}
.se-context .se-next {border-bottom: 2px solid #b3261e;}
.se-context .se-future {color: #bbb;}
.se-head {font-size: 13px; color: #333; margin: 4px 0 6px 0;}
.se-scroll {max-width: 100%; overflow-x: auto;}
.se-table {border-collapse: collapse; font-size: 13px;}
.se-table td {padding: 1px 4px; white-space: nowrap;}
.se-tok {font-size: 16px; text-align: center;}
.se-bar {position: relative; width: 220px; height: 14px; background: #f3f3f3;}
.se-bar div {position: absolute; left: 0; height: 7px;}
.se-b0 {top: 0; background: #bbb;}
.se-b1 {top: 7px; background: #2166ac;}
.se-cut td {color: #aaa; text-decoration: line-through;}
.se-note {font-size: 12px; color: #555; margin-top: 4px;}
@media (max-width: 600px) {.se-bar {width: 110px;}}  /* a phone sees the p column and the ◀ too */
</style>
"""


def sampling_labels() -> dict[str, str]:
    """The words of the view and the controls sampling.js writes, in the current language: templates
    whose ``{fields}`` the script (and ``sampling_view_html``) fills in; the script keeps the English
    as a fallback for a missing key. The fields of ``head`` and ``note`` are HTML."""
    return {
        "off": t("off"),
        "rank": t("rank {rank}, {p0} → {p}"),
        "not_top": t("not among the top {top}"),
        "head": t("next token after token {pos}: the poem has “<b>{next}</b>” ({where}) — <b>{kept}</b> of "
                  "{vocab} tokens survive the cut"),
        "note": t("grey: probability at temperature 1, no cut; blue: what sampling draws from (bars scaled to "
                  "the largest). The other {others} tokens: {p0} → {p} ({kept} kept)."),
    }


def _label(vocab, i: int) -> str:
    """Token ``i`` as the explorer shows it: <unk> as ``UNK_SHOWN`` (□), as in decoded text; the
    other specials (<sos>, <eos>) by name."""
    return UNK_SHOWN if i == vocab.unk_id else vocab.itos[i]


def _top_p_counts(logits: torch.Tensor) -> torch.Tensor:
    """(T, V) float logits -> (T, n_t * n_p): how many tokens top-p keeps (top-k off) at every slider
    setting, temperature major. The arithmetic of ``filter_logits``/``top_p_filter`` (divide, sort
    ascending, softmax, cumulative sum, remove where it is <= 1 - p, keep the most probable), with
    one sort per temperature instead of one per setting; the tests check it against filter_logits."""
    V = logits.size(-1)
    rows = []
    for tau in _grid(*T_GRID):
        cumulative = torch.sort(logits / tau, descending=False, dim=-1).values.softmax(-1).cumsum(-1)
        rows.append(torch.stack([V - (cumulative[..., :-1] <= 1 - p).sum(-1) for p in _grid(*P_GRID)], -1))
    return torch.stack(rows, 1).flatten(1)


@torch.no_grad()
def sampling_data(model, vocab, texts: list[str], top: int = 50, bin_width: float = 0.1) -> dict:
    """The JSON-ready data the explorer embeds: per poem, per position, the compact next-token logits.

    texts: poems (characters of ``vocab``), each read as ``<sos> text <eos>``; at position t the
    context is tokens[0..t] and the next token is tokens[t + 1]. One forward pass per text.
    """
    from ..gpt import GPT

    if not isinstance(model, GPT):
        raise TypeError(f"model must be a helpers.gpt.GPT, got {type(model).__name__}")
    if not isinstance(texts, list | tuple) or not texts or not all(isinstance(x, str) and x for x in texts):
        raise ValueError("texts must be a non-empty list of non-empty strings")
    V = model.config.vocab_size
    if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= V:
        raise ValueError(f"top must be an int in 1..{V}, got {top!r}")
    if not isinstance(bin_width, float | int) or not 0 < bin_width <= 1:
        raise ValueError(f"bin_width must be in (0, 1], got {bin_width!r}")
    was = model.training
    model.eval()
    prompts = []
    try:
        for text in texts:
            ids = vocab.encode(text, add_sos=True, add_eos=True, strict=True)
            if len(ids) - 1 > model.config.block_size:
                raise ValueError(f"{text[:12]!r}... has {len(ids) - 1} tokens, more than the context "
                                 f"length {model.config.block_size}")
            full = model(torch.tensor([ids]))[0][0][:-1]  # (T, V), float32: as a chapter computes them
            logits = full.double()
            kept_p = _top_p_counts(full)  # (T, temperatures x top-p values)
            steps = []
            for row, row_kept in zip(logits, kept_p):
                vals, order = torch.sort(row, descending=True)
                rest = Counter(round(float(v) / bin_width) for v in vals[top:])
                steps.append({
                    "top": [[_label(vocab, int(i)), round(float(v), 4)] for v, i in zip(vals[:top], order[:top])],
                    "rest": [[round(b * bin_width, 4), n] for b, n in sorted(rest.items(), reverse=True)],
                    "top_p_kept": row_kept.tolist(),
                })
            prompts.append({"tokens": [_label(vocab, i) for i in ids], "steps": steps})
    finally:
        model.train(was)
    return {"vocab_size": V, "top": top, "bin_width": bin_width, "prompts": prompts, "show": SHOW,
            "t_grid": list(T_GRID), "p_grid": list(P_GRID)}


def _check_setting(temperature: float, top_k: int | None, top_p: float | None) -> None:
    from ..generate import check_sampling

    check_sampling(temperature, top_k, top_p)


def cut(step: dict, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None) -> dict:
    """Apply temperature, top-k and top-p to one stored step; the same arithmetic as the JS.

    Returns ``p0`` (probabilities of the top tokens before the cut, at temperature 1), ``p``
    (after: 0 for the cut ones), ``kept`` (how many of all V tokens survive), ``rest0``/``rest``
    (the mass of the other tokens before/after) and ``rest_kept`` (how many of them survive).
    """
    _check_setting(temperature, top_k, top_p)
    top = [v for _, v in step["top"]]
    rest = [(v, n) for v, n in step["rest"]]  # descending values
    # groups in descending order: (logit, count)
    groups = [(v, 1) for v in top] + rest

    def softmax_groups(gs: list[tuple[float, float]], tau: float) -> list[float]:
        m = max(v for v, n in gs if n > 0) / tau
        w = [n * math.exp(v / tau - m) for v, n in gs]
        z = sum(w)
        return [x / z for x in w]  # mass of each group

    p0 = softmax_groups(groups, 1.0)
    # top-k: keep counts
    counts = [float(n) for _, n in groups]
    if top_k is not None:
        if top_k <= len(top):
            kth = top[top_k - 1]
            counts = [1.0 if (i < len(top) and top[i] >= kth) else 0.0 for i in range(len(groups))]
        else:
            left = top_k - len(top)
            for i in range(len(top), len(groups)):
                take = min(counts[i], left)
                left -= take
                counts[i] = take
    # top-p over what survived, at this temperature
    ti, pi = _grid_index(temperature, T_GRID), None if top_p is None else _grid_index(top_p, P_GRID)
    if top_p is not None and top_k is None and "top_p_kept" in step and ti is not None and pi is not None:
        # the exact count filter_logits keeps: that many of the most probable tokens
        left = step["top_p_kept"][ti * len(_grid(*P_GRID)) + pi]
        for i in range(len(groups)):
            counts[i] = float(min(counts[i], left))
            left -= counts[i]
    elif top_p is not None:
        alive = [(groups[i][0], counts[i]) for i in range(len(groups))]
        mass = softmax_groups(alive, temperature)
        before = 0.0
        for i, (_, n) in enumerate(alive):
            if n == 0:
                continue
            per = mass[i] / n
            if before >= top_p:
                counts[i] = 0.0
            elif before + mass[i] >= top_p:  # the token that crosses p is kept
                counts[i] = float(min(n, max(1, math.ceil((top_p - before) / per - 1e-9))))
            before += mass[i]
    final = softmax_groups([(groups[i][0], counts[i]) for i in range(len(groups))], temperature)
    n_top = len(top)
    return {"p0": p0[:n_top], "p": final[:n_top], "kept": int(sum(counts)), "rest0": sum(p0[n_top:]),
            "rest": sum(final[n_top:]), "rest_kept": int(sum(counts[n_top:]))}


def _fmt(x: float) -> str:
    return f"{100 * x:.1f}%" if x >= 0.001 or x == 0 else "<0.1%"


def sampling_view_html(data: dict, prompt: int = 0, position: int = 0, temperature: float = 1.0,
                       top_k: int | None = None, top_p: float | None = None) -> str:
    """The view for one poem and position at one setting, rendered in Python (static view and widget)."""
    if not -len(data["prompts"]) <= prompt < len(data["prompts"]):
        raise ValueError(f"prompt must be in [0, {len(data['prompts'])}), got {prompt}")
    pr = data["prompts"][prompt]
    if not 0 <= position < len(pr["steps"]):
        raise ValueError(f"position must be in [0, {len(pr['steps'])}), got {position}")
    r = cut(pr["steps"][position], temperature, top_k, top_p)
    toks = pr["tokens"]
    nxt = toks[position + 1]
    ctx = "".join(html.escape(tok) for tok in toks[: position + 1])
    fut = "".join(html.escape(tok) for tok in toks[position + 2:])
    rows = []
    scale = max(max(r["p0"][: data["show"]]), max(r["p"][: data["show"]]))  # the longest bar fills the row
    for (tok, _), a, b in list(zip(pr["steps"][position]["top"], r["p0"], r["p"]))[: data["show"]]:
        mark = " ◀" if tok == nxt else ""
        cls = " class='se-cut'" if b == 0 else ""
        rows.append(f"<tr{cls}><td class='se-tok'>{html.escape(tok)}</td><td><div class='se-bar'>"
                    f"<div class='se-b0' style='width:{100 * a / scale:.1f}%'></div>"
                    f"<div class='se-b1' style='width:{100 * b / scale:.1f}%'></div></div></td>"
                    f"<td>{_fmt(a)} → {_fmt(b)}{mark}</td></tr>")
    show = min(data["show"], len(r["p0"]))
    others = data["vocab_size"] - show  # every token not in the table
    hidden0 = r["rest0"] + sum(r["p0"][show:])
    hidden = r["rest"] + sum(r["p"][show:])
    hidden_kept = r["rest_kept"] + sum(1 for b in r["p"][show:] if b > 0)
    words = sampling_labels()
    labels = [tok for tok, _ in pr["steps"][position]["top"]]
    if nxt in labels:
        j = labels.index(nxt)
        where = words["rank"].format(rank=j + 1, p0=_fmt(r["p0"][j]), p=_fmt(r["p"][j]))
    else:
        where = words["not_top"].format(top=data["top"])
    head = words["head"].format(pos=position, next=html.escape(nxt), where=where, kept=f"{r['kept']:,}",
                                vocab=f"{data['vocab_size']:,}")  # 4,000 as in the prose
    note = words["note"].format(others=f"{others:,}", p0=_fmt(hidden0), p=_fmt(hidden), kept=f"{hidden_kept:,}")
    return (
        f"<div class='se-context'>{ctx}<span class='se-next'>{html.escape(nxt)}</span>"
        f"<span class='se-future'>{fut}</span></div>"
        f"<div class='se-head'>{head}</div>"
        f"<div class='se-scroll'><table class='se-table'>{''.join(rows)}</table></div>"
        f"<div class='se-note'>{note}</div>"
    )


def sampling_explorer_html(data: dict, prompt: int = 0, position: int = 0) -> str:
    """Self-contained explorer: pick a poem and a position, move temperature / top-k / top-p."""
    if not isinstance(data, dict) or not data.get("prompts"):
        raise ValueError("data must come from sampling_data(...) and hold at least one poem")
    root_id = new_root_id("se")
    words = sampling_labels()
    payload = json_payload({**data, "labels": words})
    options = "".join(f"<option value='{i}'>{html.escape(''.join(p['tokens'][1:9]))}…</option>"
                      for i, p in enumerate(data["prompts"]))
    n = len(data["prompts"][prompt]["steps"])
    position_label = html.escape(t("after token (<sos> is 0)"))  # positions count <sos> as token 0
    return f"""{_STYLE}
<div class="se-root" id="{root_id}">
  <script type="application/json" class="se-data">{payload}</script>
  <div class="se-controls" style="display:none">
    <label>{html.escape(t("poem"))} <select class="se-prompt">{options}</select></label>
    <label>{position_label} <input class="se-pos" type="range" min="0" max="{n - 1}" value="{position}">
      <span class="se-posv">{position}</span></label>
    <label>{html.escape(t("temperature"))} <input class="se-t" type="range" min="{T_GRID[0]}" max="{T_GRID[1]}"
      step="{T_GRID[2]}" value="1">
      <span class="se-tv">1.00</span></label>
    <label>top-k <input class="se-k" type="range" min="0" max="{data['top']}" step="1" value="0">
      <span class="se-kv">{html.escape(words["off"])}</span></label>
    <label>top-p <input class="se-p" type="range" min="{P_GRID[0]}" max="1" step="{P_GRID[2]}" value="1">
      <span class="se-pv">{html.escape(words["off"])}</span></label>
  </div>
  <div class="se-view">{sampling_view_html(data, prompt, position)}</div>
</div>
{script_call("sampling.js", root_id)}
"""


def sampling_widget(data: dict):
    """The sampling explorer as ipywidgets (needs a kernel); works with ipywidgets 7 and 8."""
    import ipywidgets as w

    if not isinstance(data, dict) or not data.get("prompts"):
        raise ValueError("data must come from sampling_data(...) and hold at least one poem")
    prompt = w.Dropdown(options=[("".join(p["tokens"][1:9]) + "…", i) for i, p in enumerate(data["prompts"])],
                        value=0, description=t("poem"))
    pos = w.IntSlider(value=0, min=0, max=len(data["prompts"][0]["steps"]) - 1,
                      description=t("after token (<sos> is 0)"))
    temp = w.FloatSlider(value=1.0, min=T_GRID[0], max=T_GRID[1], step=T_GRID[2], description=t("temperature"))
    k = w.IntSlider(value=0, min=0, max=data["top"], description=t("top-k (0 off)"))
    p = w.FloatSlider(value=1.0, min=P_GRID[0], max=1.0, step=P_GRID[2], description=t("top-p (1 off)"))
    out = w.HTML()

    def update(_=None):
        pos.max = len(data["prompts"][prompt.value]["steps"]) - 1
        view = sampling_view_html(data, prompt.value, min(pos.value, pos.max), temp.value,
                                  k.value or None, None if p.value >= 1 else p.value)
        out.value = _STYLE + f"<div class='se-root'>{view}</div>"

    for c in (prompt, pos, temp, k, p):
        c.observe(update, names="value")
    update()
    return w.VBox([w.HBox([prompt, pos]), w.HBox([temp, k, p]), out])
