"""The training-timeline explorer (chapter 9): slide over snapshots saved while a model trained.

At each snapshot it shows the loss curve so far (marked at the first snapshot where held-out exact
match exceeds ``MARK_LEVEL``), one cross-attention map (rows: the Chinese
word being written, labelled "→今天" as in the attention explorer; columns: the English
words) and the greedy translation of a held-out sentence, so that a reader can watch the alignment emerge.

Like the other explorers it comes in two forms:

* ``timeline_explorer_html``: one self-contained HTML+JavaScript output with the data embedded
  (tens of KB). It needs no kernel and no network, and shows a view rendered in Python before
  its script runs, so it is never blank.
* ``timeline_widget``: the same view driven by Python through ipywidgets (7 or 8).
"""

from __future__ import annotations

import html
import math

from .._checks import check_int, check_str_list, show
from ..i18n import t
from ._embed import json_payload, new_root_id, script_call

# The loss plot, in SVG pixels (its tick and axis texts are 12 px: shown unscaled on a phone).
PLOT_W, PLOT_H, PAD_L, PAD_B, PAD_T, PAD_R = 280, 170, 42, 26, 10, 8
MARK_LEVEL = 0.5  # the loss curve is marked where held-out exact match first exceeds this

_STYLE = """
<style>
.tl-root {font-family: var(--pst-font-family-base, sans-serif); border: 1px solid #ccc; border-radius: 6px;
          padding: 10px; color: #111; background: #fff; max-width: 100%; box-sizing: border-box;
          overflow-wrap: anywhere;}
.tl-root button, .tl-root input {font-family: inherit;}
/* one line, also on a 390-px phone: the play button, the slider (it takes the room left) and "step 299/299" */
.tl-controls {display: flex; flex-wrap: nowrap; align-items: center; gap: 8px; margin-bottom: 6px;}
.tl-controls input[type=range] {flex: 1 1 auto; min-width: 0; width: auto; margin: 0;}
.tl-play {flex: none; min-width: 2.4em;}
.tl-label {flex: none; white-space: nowrap; font-size: 14px; font-variant-numeric: tabular-nums;}
.tl-head {font-size: 14px; margin: 4px 0 8px 0;}
.tl-grid {display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start;}
.tl-grid > div {min-width: 0; max-width: 100%;}
.tl-scroll {overflow-x: auto; max-width: 100%;}
.tl-svg {max-width: 100%; height: auto;}
.tl-table {border-collapse: collapse; font-size: 13px;}
.tl-table td {min-width: 40px; text-align: center; padding: 3px; border: 1px solid #eee;}
.tl-table th {padding: 3px 6px; font-weight: normal; white-space: nowrap; text-align: right;}
.tl-table tr > th:first-child {position: sticky; left: 0; background: #fff; z-index: 1;}
@media (max-width: 600px) {
  .tl-table {font-size: 13px;}
  .tl-table td {min-width: 28px; padding: 2px;}
  .tl-table th {padding: 2px 3px;}
  .tl-root {padding: 6px;}
}
.tl-caption {font-size: 13px; color: #444; margin-bottom: 2px;}
.tl-out {font-size: 15px; margin: 4px 0 8px 0;}
.tl-ok {color: #1b7f3b; font-weight: bold;}
.tl-bad {color: #b3261e; font-weight: bold;}
</style>
"""


def timeline_labels() -> dict[str, str]:
    """The words timeline.js writes, in the current language: templates whose ``{fields}`` the script
    (and ``timeline_view_html``) fills in; timeline.js keeps the English as a fallback for a missing
    key. The fields of ``head``, ``accuracy`` and ``reference`` are HTML (escaped text)."""
    return {
        "head": t("step <b>{step}</b> — training loss <b>{loss}</b>"),
        "accuracy": t(" — held-out exact match <b>{acc}%</b>"),
        "nothing": t("(nothing)"),
        "reference": t("✗ (reference: {reference})"),
        "loss_caption": t("training loss (log scale)"),
        "cross_caption": t("cross-attention, last decoder layer (mean of heads); row →w writes w"),
        "axis": t("step"),
        "play": t("play"),
        "pause": t("pause"),
        "position": t("step {step}/{last}"),
        "mark": t("exact match > {p}%"),
    }


def loss_points(losses: list[float]) -> tuple[list[list[float]], dict]:
    """SVG coordinates of a loss curve on a log scale: ([[x, y] per step], axis info with tick labels)."""
    if hasattr(losses, "tolist"):  # a numpy array or a tensor
        losses = losses.tolist()
    if isinstance(losses, (str, bytes)) or not isinstance(losses, (list, tuple)):
        raise TypeError(f"losses must be a list of positive finite numbers, got {show(losses)}")
    for x in losses:
        if isinstance(x, bool) or not isinstance(x, (int, float)):
            raise TypeError(f"losses must be a list of positive finite numbers, got the item {show(x)}")
    if not losses or any(not (x > 0 and math.isfinite(x)) for x in losses):
        raise ValueError("losses must be a non-empty list of positive finite numbers")
    lo, hi = math.log10(min(losses)), math.log10(max(losses))
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    n = len(losses)
    w, h = PLOT_W - PAD_L - PAD_R, PLOT_H - PAD_T - PAD_B

    def y_of(value: float) -> float:
        return round(PAD_T + h * (hi - math.log10(value)) / (hi - lo), 1)

    points = [[round(PAD_L + w * i / max(1, n - 1), 1), y_of(x)] for i, x in enumerate(losses)]
    ticks = [
        v
        for e in range(math.floor(lo), math.ceil(hi) + 1)
        for v in (10.0**e, 3 * 10.0**e)
        if lo - 1e-9 <= math.log10(v) <= hi + 1e-9
    ]
    return points, {"ticks": [[y_of(v), f"{v:g}"] for v in ticks], "n": n}


def timeline_data(
    losses: list[float],
    snapshots: list[dict],
    src_tokens: list[str],
    rows: list[str],
    reference: list[str],
    accuracy: list[float | None] | None = None,
) -> dict:
    """The JSON-ready data the explorer embeds.

    losses: training loss at every step (length = number of steps); snapshots: dicts from
    ``helpers.training.snapshot`` ({"step", "cross" (T, S), "translation"}); src_tokens: the S English
    tokens; rows: the T tokens being written (reference + <eos>); reference: the correct translation;
    accuracy: held-out exact match at each snapshot (or None). "mark" in the result: the step of the
    first snapshot whose accuracy exceeds ``MARK_LEVEL`` and that level ({"step", "level"}), or None.
    """
    if isinstance(snapshots, (str, dict)) or not isinstance(snapshots, (list, tuple)):
        raise TypeError(f"snapshots must be a list of dicts from training.snapshot, got {show(snapshots)}")
    if not snapshots:
        raise ValueError("need at least one snapshot")
    for name, tokens in (("src_tokens", src_tokens), ("rows", rows), ("reference", reference)):
        check_str_list(tokens, name)
    points, axis = loss_points(losses)
    losses = losses.tolist() if hasattr(losses, "tolist") else list(losses)
    for i, s in enumerate(snapshots):
        if not isinstance(s, dict):
            raise TypeError(f"snapshots[{i}] must be a dict from training.snapshot, got {show(s)}")
        if not {"step", "cross", "translation"} <= set(s):
            raise ValueError(f"snapshot {i} must have 'step', 'cross' and 'translation', got {sorted(s)}")
        check_int(s["step"], f"snapshot {i}'s step")
        if not 0 <= s["step"] < len(losses):
            raise ValueError(f"snapshot {i} is at step {s['step']}, outside the {len(losses)} logged steps")
        shape = (len(s["cross"]), {len(r) for r in s["cross"]})
        if shape != (len(rows), {len(src_tokens)}):
            raise ValueError(
                f"snapshot {i}: cross-attention has {shape[0]} rows of lengths {sorted(shape[1])}, "
                f"expected ({len(rows)}, {len(src_tokens)}) for the rows and source tokens"
            )
        if not all(isinstance(x, (int, float)) and -1e-6 <= x <= 1 + 1e-6 for row in s["cross"] for x in row):
            raise ValueError(f"snapshot {i}: cross-attention weights must be numbers in [0, 1] (no NaN)")
    if accuracy is not None:
        if len(accuracy) != len(snapshots):
            raise ValueError(f"{len(accuracy)} accuracies for {len(snapshots)} snapshots")
        for a in accuracy:
            if a is not None and not (isinstance(a, (int, float)) and not isinstance(a, bool) and 0 <= a <= 1):
                raise ValueError(f"accuracy must hold numbers in [0, 1] or None, got {show(a)}")
    return {
        "losses": [round(float(x), 3) for x in losses],  # rounded as shown, so JS and Python print alike
        "points": points,
        "axis": axis,
        "plot": [PLOT_W, PLOT_H, PAD_L, PAD_B, PAD_T, PAD_R],
        "src": list(src_tokens),
        "rows": list(rows),
        "reference": list(reference),
        "snapshots": [
            {
                "step": int(s["step"]),
                "cross": [[round(float(x), 2) for x in row] for row in s["cross"]],
                "translation": list(s["translation"]),
            }
            for s in snapshots
        ],
        "accuracy": None if accuracy is None else [None if a is None else round(float(a), 2) for a in accuracy],
        "mark": _mark(snapshots, accuracy),
    }


def _mark(snapshots: list[dict], accuracy: list[float | None] | None) -> dict | None:
    """{"step", "level"}: the step of the first snapshot whose held-out exact match exceeds MARK_LEVEL,
    or None (no accuracies, or none exceeds it)."""
    for s, a in zip(snapshots, accuracy or []):
        if a is not None and a > MARK_LEVEL:
            return {"step": int(s["step"]), "level": MARK_LEVEL}
    return None


def _check_data(data: object) -> dict:
    if not isinstance(data, dict) or not data.get("snapshots"):
        raise ValueError(f"data must come from timeline_data(...) and hold at least one snapshot, got {show(data)}")
    return data


def _svg(data: dict, step: int, axis_label: str, mark_label: str) -> str:
    pts = data["points"]
    full = " ".join(f"{x},{y}" for x, y in pts)
    done = " ".join(f"{x},{y}" for x, y in pts[: step + 1])
    w, h, pad_l, pad_b, pad_t, pad_r = data["plot"]
    x0, x1, y1 = pad_l, w - pad_r, h - pad_b
    ticks = "".join(
        f"<line x1='{x0 - 3}' x2='{x0}' y1='{y}' y2='{y}' stroke='#666'/>"
        f"<text x='{x0 - 5}' y='{y + 4}' font-size='13' text-anchor='end'>{label}</text>"
        for y, label in data["axis"]["ticks"]
    )
    cx, cy = pts[step]
    mark = ""
    if data.get("mark"):  # a dashed line where held-out exact match first exceeds the level, and its label
        mx = pts[data["mark"]["step"]][0]
        left = mx > (x0 + x1) / 2  # the label on the side with more room
        text = html.escape(mark_label.format(p=f"{100 * data['mark']['level']:.0f}"))
        mark = (
            f"<line class='tl-mark' x1='{mx}' x2='{mx}' y1='{pad_t}' y2='{y1}' stroke='#1b7f3b' "
            f"stroke-dasharray='4 3'/>"
            f"<text x='{mx - 4 if left else mx + 4}' y='{pad_t + 12}' font-size='13' fill='#1b7f3b' "
            f"text-anchor='{'end' if left else 'start'}'>{text}</text>"
        )
    return (
        f"<svg class='tl-svg' width='{w}' height='{h}' viewBox='0 0 {w} {h}'>"
        f"<line x1='{x0}' x2='{x0}' y1='{pad_t}' y2='{y1}' stroke='#666'/>"
        f"<line x1='{x0}' x2='{x1}' y1='{y1}' y2='{y1}' stroke='#666'/>{ticks}"
        f"<text x='{x0}' y='{y1 + 16}' font-size='13'>0</text>"
        f"<text x='{x1}' y='{y1 + 16}' font-size='13' text-anchor='end'>{len(pts) - 1}</text>"
        f"<text x='{(x0 + x1) / 2}' y='{y1 + 16}' font-size='13' text-anchor='middle'>{html.escape(axis_label)}</text>"
        f"{mark}<polyline points='{full}' fill='none' stroke='#d0d0d0' stroke-width='1'/>"
        f"<polyline class='tl-done' points='{done}' fill='none' stroke='#2166ac' stroke-width='1.5'/>"
        f"<circle cx='{cx}' cy='{cy}' r='3.5' fill='#b3261e'/></svg>"
    )


def _table(data: dict, cross: list[list[float]]) -> str:
    head = "".join(f"<th>{html.escape(tok)}</th>" for tok in data["src"])
    out = [f"<div class='tl-scroll'><table class='tl-table'><tr><th></th>{head}</tr>"]
    for word, row in zip(data["rows"], cross):
        out.append(f"<tr><th>→{html.escape(word)}</th>")
        for x in row:
            fg = "white" if x > 0.55 else "black"
            out.append(f"<td style='background:rgba(33,102,172,{0.05 + 0.95 * x:.3f});color:{fg}'>{x:.2f}</td>")
        out.append("</tr>")
    return "".join(out) + "</table></div>"


def timeline_view_html(data: dict, index: int = 0) -> str:
    """The view of snapshot ``index``, rendered in Python (static fallback and widget view)."""
    _check_data(data)
    snaps = data["snapshots"]
    check_int(index, "index")
    if not -len(snaps) <= index < len(snaps):
        raise ValueError(f"index must be in [0, {len(snaps)}), got {index}")
    s = snaps[index]
    words = timeline_labels()
    loss = data["losses"][s["step"]]
    acc = data["accuracy"][index] if data.get("accuracy") else None
    acc_txt = "" if acc is None else words["accuracy"].format(acc=f"{100 * acc:.0f}")
    ok = s["translation"] == data["reference"]
    hyp = " ".join(s["translation"]) or words["nothing"]
    mark = "✓" if ok else words["reference"].format(reference=html.escape(" ".join(data["reference"])))
    head = words["head"].format(step=s["step"], loss=f"{loss:.3f}")
    return (
        f"<div class='tl-head'>{head}{acc_txt}</div>"
        f"<div class='tl-out'>{html.escape(' '.join(data['src']))} → <span class='{'tl-ok' if ok else 'tl-bad'}'>"
        f"{html.escape(hyp)}</span> {mark}</div>"
        f"<div class='tl-grid'><div><div class='tl-caption'>{html.escape(words['loss_caption'])}</div>"
        f"{_svg(data, s['step'], words['axis'], words['mark'])}</div>"
        f"<div><div class='tl-caption'>{html.escape(words['cross_caption'])}</div>"
        f"{_table(data, s['cross'])}</div></div>"
    )


def timeline_explorer_html(data: dict, index: int = 0) -> str:
    """Self-contained explorer: a play button, a slider over the snapshots and "step 120/299", on one
    line (also on a phone); ``index`` may count from the end (-1: the last)."""
    _check_data(data)
    n = len(data["snapshots"])
    check_int(index, "index")
    if not -n <= index < n:
        raise ValueError(f"index must be in [-{n}, {n}) for {n} snapshots, got {index}")
    index = index % n
    root_id = new_root_id("tl")
    words = timeline_labels()
    snapshot, play = html.escape(t("snapshot"), quote=True), html.escape(words["play"], quote=True)
    payload = json_payload({**data, "labels": words})
    return f"""{_STYLE}
<div class="tl-root" id="{root_id}">
  <script type="application/json" class="tl-data">{payload}</script>
  <div class="tl-controls" style="display:none">
    <button class="tl-play" type="button" title="{play}" aria-label="{play}">▶</button>
    <input class="tl-slider" type="range" min="0" max="{n - 1}" value="{index}" aria-label="{snapshot}">
    <span class="tl-label"></span>
  </div>
  <div class="tl-view">{timeline_view_html(data, index)}</div>
</div>
{script_call("timeline.js", root_id)}
"""


def timeline_widget(data: dict):
    """The timeline explorer as ipywidgets (needs a kernel); works with ipywidgets 7 and 8."""
    import ipywidgets as w

    _check_data(data)
    slider = w.SelectionSlider(
        options=[(t("step {step}", step=s["step"]), i) for i, s in enumerate(data["snapshots"])],
        value=0,
        description=t("snapshot"),
        continuous_update=True,
        layout=w.Layout(width="90%"),
    )
    out = w.HTML()

    def update(_=None):
        out.value = _STYLE + f"<div class='tl-root'>{timeline_view_html(data, slider.value)}</div>"

    slider.observe(update, names="value")
    update()
    return w.VBox([slider, out])
