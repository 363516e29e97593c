"""The loss explorer (chapter 8): move the correct word's logit, watch softmax, −ln p and the gradient.

Five logits, the chapter's example [2.0, 1.0, 0.1, z_y, −1.0] with the correct word at id 3. A slider
sets z_y (−5 to 6 in steps of 0.5); the view shows each word's probability (softmax), the gradient of
the loss with respect to each logit (p − e_y; with label smoothing p − ỹ) and the loss itself
(−ln p_y; with label smoothing the smoothed loss and its floor, the entropy of ỹ). A check box
switches label smoothing (ε = 0.1) on and off. Every number is computed here, in Python, with
``torch.softmax``, ``F.cross_entropy`` (``label_smoothing``) and autograd, and embedded in the output
(a few KB); the browser only picks the precomputed row (``loss.js``), so it works on the static site
with no kernel and no network. Before the script runs, the view of the opening z_y rendered in Python
is shown, so the output is never blank.
"""

from __future__ import annotations

import html
import math

from .._checks import show
from ..i18n import t
from ._embed import json_payload, new_root_id, script_call

_STYLE = """
<style>
/* every text 13 px or more: readable on a 390-px phone */
.lx-root {font-family: var(--pst-font-family-base, sans-serif); border: 1px solid #ccc; border-radius: 6px;
          padding: 10px; color: #111; background: #fff; max-width: 100%; box-sizing: border-box;
          font-size: 15px;}
.lx-controls {display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; margin-bottom: 6px;}
.lx-slide {display: flex; flex: 1 1 12em; align-items: center; gap: 8px; min-width: 0;}
.lx-slide input[type=range] {flex: 1 1 auto; min-width: 0;}
.lx-value {font-variant-numeric: tabular-nums; min-width: 2.6em; font-weight: bold;}
.lx-head {font-weight: bold; margin-bottom: 4px;}
.lx-grid {display: grid; grid-template-columns: auto auto minmax(0, 1fr) minmax(0, 1fr); gap: 3px 8px;
          align-items: end; font-size: 14px; font-variant-numeric: tabular-nums;}
.lx-th {font-size: 13px; color: #444;}
.lx-y {font-weight: bold;}
.lx-bar {height: 8px; background: #eee; position: relative; margin-top: 2px;}
.lx-bar > span {position: absolute; top: 0; bottom: 0;}
.lx-loss {margin-top: 8px; font-weight: bold;}
.lx-note {font-size: 13px; color: #444; margin-top: 6px;}
</style>
"""

LOGITS = (2.0, 1.0, 0.1, 3.0, -1.0)  # the chapter's five logits; the correct word is id 3
CORRECT = 3
EPS = 0.1  # the label smoothing of the original Transformer


def loss_data(low: float = -5.0, high: float = 6.0, step: float = 0.5, eps: float = EPS,
              start: float = 3.0) -> dict:
    """The explorer's numbers: for z_y = low, low + step, ..., high (the other four logits fixed), the
    softmax p, and for ε = 0 and ``eps`` the loss ``F.cross_entropy(z, y, label_smoothing=ε)`` and its
    gradient with respect to the five logits (autograd), with the floor H(ỹ) of each ε. Returns a
    JSON-ready dict; ``start`` is the z_y the explorer opens on (the nearest grid value)."""
    import torch
    import torch.nn.functional as F

    for name, value in (("low", low), ("high", high), ("step", step), ("start", start)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, got {show(value)}")
    if not step > 0 or not low < high or (high - low) / step > 200:
        raise ValueError(f"need low < high and 0 < step with at most 200 steps, got low={low!r}, "
                         f"high={high!r}, step={step!r}")
    if isinstance(eps, bool) or not isinstance(eps, (int, float)) or not 0 < eps < 1:
        raise ValueError(f"eps must be a number in (0, 1), got {show(eps)}")
    if not low <= start <= high:
        raise ValueError(f"start must lie in [low, high] = [{low}, {high}], got {start!r}")
    n = round((high - low) / step)
    grid = [round(low + k * step, 6) for k in range(n + 1)]
    target = torch.tensor([CORRECT])
    rows = []
    for zy in grid:
        row = {"zy": zy, "loss": [], "grad": []}
        for e in (0.0, eps):
            z = torch.tensor(LOGITS, dtype=torch.float64)
            z[CORRECT] = zy
            z.requires_grad_()
            value = F.cross_entropy(z[None], target, label_smoothing=e)
            value.backward()
            row["loss"].append(round(value.item(), 4))
            row["grad"].append([round(g, 4) for g in z.grad.tolist()])
        row["p"] = [float(f"{v:.4g}") for v in torch.softmax(z.detach(), -1).tolist()]  # 4 digits
        rows.append(row)
    floors = []
    for e in (0.0, eps):
        q = torch.full((len(LOGITS),), e / len(LOGITS), dtype=torch.float64)
        q[CORRECT] += 1 - e
        floors.append(round(-(q * q.log()).sum().item() if e > 0 else 0.0, 4))
    opening = min(range(len(grid)), key=lambda i: abs(grid[i] - start))
    return {"logits": list(LOGITS), "y": CORRECT, "eps": [0.0, eps], "floor": floors, "rows": rows,
            "start": opening}


def loss_labels() -> dict[str, str]:
    """The words loss.js writes, in the current language: templates whose ``{fields}`` the script (and
    ``loss_view_html``) fills in; the script keeps the English as a fallback."""
    return {
        "head": t("logit of the correct word (id {y}): {v}"),
        "p": t("probability p"),
        "grad0": t("gradient p − e_y"),
        "grad1": t("gradient p − ỹ"),
        "loss0": t("loss = −ln {p} = {v}"),
        "loss1": t("smoothed loss {v} (floor {f})"),
        "smooth": t("label smoothing ε = {e}"),
        "slider": t("z_y (correct word, id {y})"),
    }


def _num(v: float, digits: int = 3) -> str:
    return f"{v:.{digits}f}".replace("-", "−")


def _bar(v: float, centred: bool, colour: str) -> str:
    if centred:  # −1 ... 1 around the middle
        w = min(abs(v), 1.0) * 50
        left, colour = (50, "#b2182b") if v >= 0 else (50 - w, "#2166ac")
    else:  # 0 ... 1 from the left
        w, left = min(max(v, 0.0), 1.0) * 100, 0
    return f"<div class='lx-bar'><span style='left:{left:.1f}%;width:{w:.1f}%;background:{colour}'></span></div>"


def loss_view_html(data: dict, index: int, smoothed: bool = False) -> str:
    """The view for one z_y (``index`` into ``data["rows"]``), without or with label smoothing (the same
    HTML the script renders)."""
    rows = data["rows"]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(rows):
        raise ValueError(f"index must be an int in [0, {len(rows)}), got {show(index)}")
    if not isinstance(smoothed, bool):
        raise TypeError(f"smoothed must be a bool, got {show(smoothed)}")
    r, k, y = rows[index], int(smoothed), data["y"]
    L = loss_labels()
    out = [f"<div class='lx-head'>{html.escape(L['head'].format(y=y, v=_num(r['zy'], 1)))}</div>",
           "<div class='lx-grid'>",
           "<div class='lx-th'>id</div><div class='lx-th'>z</div>",
           f"<div class='lx-th'>{html.escape(L['p'])}</div><div class='lx-th'>{html.escape(L['grad' + str(k)])}</div>"]
    for c, base in enumerate(data["logits"]):
        z = r["zy"] if c == y else base
        cls = " class='lx-y'" if c == y else ""
        p, g = r["p"][c], r["grad"][k][c]
        out.append(f"<div{cls}>{c}</div><div{cls}>{_num(z, 1)}</div>"
                   f"<div{cls}>{_num(p)}{_bar(p, False, '#08306b' if c == y else '#6baed6')}</div>"
                   f"<div{cls}>{_num(g)}{_bar(g, True, '')}</div>")
    out.append("</div>")
    if smoothed:
        text = L["loss1"].format(v=_num(r["loss"][1]), f=_num(data["floor"][1]))
    else:
        text = L["loss0"].format(p=f"{r['p'][y]:.4g}", v=_num(r["loss"][0]))
    out.append(f"<div class='lx-loss'>{html.escape(text)}</div>")
    return "".join(out)


def loss_explorer_html(data: dict) -> str:
    """Self-contained explorer: a slider over z_y (labelled with the correct word's id, its value
    beside it) and a label-smoothing check box, the view of ``loss_view_html`` for each."""
    if not isinstance(data, dict) or not data.get("rows") or "start" not in data:
        raise ValueError("data must come from loss_data(...)")
    root_id = new_root_id("lx")
    labels = loss_labels()
    payload = json_payload({**data, "labels": labels})
    aria = html.escape(t("logit of the correct word"), quote=True)
    smooth = html.escape(labels["smooth"].format(e=data["eps"][1]))
    slider = html.escape(labels["slider"].format(y=data["y"]))  # the correct word's id, from the data
    value = _num(data["rows"][data["start"]]["zy"], 1)  # the slider's value; loss.js keeps it current
    note = html.escape(
        t(
            "Bars: probabilities from 0 to 1, gradients from −1 to 1 (red: positive, blue: negative). "
            "A gradient-descent step moves each logit against its gradient."
        ),
        quote=False,
    )
    n = len(data["rows"])
    return f"""{_STYLE}
<div class="lx-root" id="{root_id}">
  <script type="application/json" class="lx-data">{payload}</script>
  <div class="lx-controls" style="display:none">
    <span class="lx-zlabel">{slider}</span>
    <span class="lx-slide"><input type="range" class="lx-slider" min="0" max="{n - 1}" step="1"
      value="{data["start"]}" aria-label="{aria}"><output class="lx-value">{value}</output></span>
    <label><input type="checkbox" class="lx-smooth"> {smooth}</label>
  </div>
  <div class="lx-view">{loss_view_html(data, data["start"])}</div>
  <div class="lx-note">{note}</div>
</div>
{script_call("loss.js", root_id)}
"""
