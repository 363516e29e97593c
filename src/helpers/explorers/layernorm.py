"""The LayerNorm explorer (chapter 7): where ε sits, nn.LayerNorm against the common ``x.std() + eps``.

A slider over the input spread σ (10⁻⁵ to 10, log scale) shows a vector of d_model = 4 features, its
``nn.LayerNorm`` output and the output of the hand-written ``(x - mean) / (x.std() + eps)``, with the
spread of each output, and the same spreads and the largest difference for d_model = 512. Every
number is computed here, in Python, with ``torch.nn.LayerNorm`` as the reference (and
``helpers.layernorm.naive_layer_norm``) and embedded in the output (a few KB); the browser only picks
the precomputed row the slider points at (``layernorm.js``), so it works on the static site with no
kernel and no network. Before the script runs, the view of the opening σ rendered in Python is
shown, so the output is never blank.
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
.ln-root {font-family: var(--pst-font-family-base, sans-serif); border: 1px solid #ccc; border-radius: 6px;
          padding: 10px; color: #111; background: #fff; max-width: 100%; box-sizing: border-box;
          font-size: 15px;}
.ln-controls {display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; margin-bottom: 6px;}
.ln-controls input {flex: 1 1 10em; min-width: 0;}
.ln-sigma {font-weight: bold; margin-bottom: 4px;}
.ln-row {margin: 6px 0 2px 0;}
.ln-name {font-family: var(--pst-font-family-monospace, monospace); font-size: 14px;}
.ln-sp {font-size: 14px; color: #444; margin-left: 6px;}
.ln-cells {display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 4px;}
.ln-cell {font-size: 14px; text-align: center; font-variant-numeric: tabular-nums;}
.ln-bar {height: 8px; background: #eee; position: relative; margin-top: 2px;}
.ln-bar > span {position: absolute; top: 0; bottom: 0;}
.ln-table {border-collapse: collapse; margin-top: 8px; font-size: 14px; width: 100%;}
.ln-table th, .ln-table td {padding: 2px 4px; text-align: right; border-bottom: 1px solid #e4e4e4;}
.ln-table th:first-child {text-align: left;}
.ln-note {font-size: 13px; color: #444; margin-top: 6px;}
</style>
"""

NAIVE = "x.std() + eps"
REFERENCE = "nn.LayerNorm"
_BAR_FULL = 1.5  # a bar's half-width stands for |value| = 1.5


def _sigma_text(s: float) -> str:
    """σ as the slider shows it: 1e-5, 1.8e-3, 0.032, 1, 5.6, 10."""
    if 0.01 <= s < 100:
        return f"{s:.2g}"
    mant, exp = f"{s:.1e}".split("e")
    return f"{mant.removesuffix('.0')}e{int(exp)}"


def _input_text(v: float) -> str:
    """An input value, 3 significant digits, with a true minus."""
    if v == 0 or abs(v) >= 0.01:
        text = f"{v:.3g}"
    else:
        mant, exp = f"{v:.2e}".split("e")
        text = f"{mant}e{int(exp)}"
    return text.replace("-", "−")


def layernorm_data(steps_per_decade: int = 4, start: float = 1e-3, seed: int = 0, eps: float = 1e-5) -> dict:
    """The explorer's numbers, for σ = 10⁻⁵ ... 10 (``steps_per_decade`` values per factor of 10).

    d_model = 4: the input σ·z with z = [-3, -1, 1, 3] scaled to (biased) std 1, so its spread is σ;
    its outputs under ``nn.LayerNorm(4, eps)`` and ``naive_layer_norm`` (weight 1, bias 0).
    d_model = 512: z drawn from N(0, 1) (``torch.manual_seed(seed)``), centred and scaled to std 1.
    For each width: the (biased) std of both outputs and their largest difference. Returns a
    JSON-ready dict; ``start`` is the σ the explorer opens on (the nearest grid value).
    """
    import torch
    import torch.nn as nn

    from ..layernorm import naive_layer_norm

    if isinstance(steps_per_decade, bool) or not isinstance(steps_per_decade, int) or not 1 <= steps_per_decade <= 20:
        raise ValueError(f"steps_per_decade must be an int in [1, 20], got {show(steps_per_decade)}")
    for name, value in (("start", start), ("eps", eps)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or math.isinf(value):
            raise ValueError(f"{name} must be a positive number, got {show(value)}")
    if not 1e-5 <= start <= 10:
        raise ValueError(f"start must lie in [1e-5, 10], got {start!r}")
    ks = range(-5 * steps_per_decade, steps_per_decade + 1)
    sigmas = [10 ** (k / steps_per_decade) for k in ks]
    z4 = torch.tensor([-3.0, -1.0, 1.0, 3.0])
    torch.manual_seed(seed)
    z512 = torch.randn(512)
    widths = {}
    for d, z in ((4, z4), (512, z512)):
        z = z - z.mean()
        widths[d] = z / z.std(correction=0)
    rows = []
    with torch.no_grad():
        for s in sigmas:
            row = {"sigma": s, "sigma_text": _sigma_text(s)}
            for d, z in widths.items():
                x = (s * z)[None]  # (1, d)
                ln = nn.LayerNorm(d, eps=eps)(x)[0]
                naive = naive_layer_norm(x, eps=eps)[0]
                row[f"spread{d}"] = [
                    round(ln.std(correction=0).item(), 5),
                    round(naive.std(correction=0).item(), 5),
                ]
                row[f"diff{d}"] = round((ln - naive).abs().max().item(), 5)
                if d == 4:
                    row["x"] = [float(f"{v:.6g}") for v in x[0].tolist()]
                    row["x_text"] = [_input_text(v) for v in row["x"]]
                    row["ln"] = [round(v, 4) for v in ln.tolist()]
                    row["naive"] = [round(v, 4) for v in naive.tolist()]
            rows.append(row)
    opening = min(range(len(sigmas)), key=lambda i: abs(math.log10(sigmas[i] / start)))
    return {"eps": eps, "seed": seed, "rows": rows, "start": opening}


def layernorm_labels() -> dict[str, str]:
    """The words layernorm.js writes, in the current language: templates whose ``{fields}`` the
    script (and ``layernorm_view_html``) fills in; the script keeps the English as a fallback."""
    return {
        "sigma": t("input spread σ = {s}"),
        "input": t("input x ({d} features)"),
        "spread": t("spread {v}"),
        "width": t("output spread"),
        "diff": t("largest difference"),
    }


def _fmt(v: float, digits: int = 3) -> str:
    return f"{v:.{digits}f}".replace("-", "−")


def _cells(values: list[float], texts: list[str], full: float) -> str:
    out = []
    for v, text in zip(values, texts):
        w = min(abs(v) / full, 1.0) * 50
        left = 50 if v >= 0 else 50 - w
        colour = "#b2182b" if v >= 0 else "#2166ac"
        out.append(
            f"<div class='ln-cell'>{html.escape(text)}<div class='ln-bar'><span style='left:{left:.1f}%;"
            f"width:{w:.1f}%;background:{colour}'></span></div></div>"
        )
    return "<div class='ln-cells'>" + "".join(out) + "</div>"


def layernorm_view_html(data: dict, index: int) -> str:
    """The view for one σ (the same HTML the script renders)."""
    rows = data["rows"]
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(rows):
        raise ValueError(f"index must be an int in [0, {len(rows)}), got {show(index)}")
    r = rows[index]
    L = layernorm_labels()
    x_full = max(abs(v) for v in r["x"]) or 1.0
    parts = [f"<div class='ln-sigma'>{html.escape(L['sigma'].format(s=r['sigma_text']))}</div>"]
    inputs = html.escape(L["input"].format(d=4))
    parts.append(f"<div class='ln-row'>{inputs}</div>" + _cells(r["x"], r["x_text"], x_full))
    for name, key, k in ((REFERENCE, "ln", 0), (NAIVE, "naive", 1)):
        spread = L["spread"].format(v=_fmt(r["spread4"][k]))
        parts.append(
            f"<div class='ln-row'><span class='ln-name'>{html.escape(name)}</span>"
            f"<span class='ln-sp'>{html.escape(spread)}</span></div>"
            + _cells(r[key], [_fmt(v) for v in r[key]], _BAR_FULL)
        )
    head = "".join(f"<th>d = {d}</th>" for d in (4, 512))
    body = "".join(
        f"<tr><th class='ln-name'>{html.escape(name)}</th>"
        + "".join(f"<td>{_fmt(r[f'spread{d}'][k])}</td>" for d in (4, 512))
        + "</tr>"
        for name, k in ((REFERENCE, 0), (NAIVE, 1))
    )
    body += f"<tr><th>{html.escape(L['diff'])}</th>" + "".join(f"<td>{_fmt(r[f'diff{d}'])}</td>" for d in (4, 512))
    body += "</tr>"
    parts.append(
        f"<table class='ln-table'><tr><th>{html.escape(L['width'])}</th>{head}</tr>{body}</table>"
    )
    return "".join(parts)


def layernorm_explorer_html(data: dict) -> str:
    """Self-contained explorer: a slider over σ, the view of ``layernorm_view_html`` for each."""
    if not isinstance(data, dict) or not data.get("rows") or "start" not in data:
        raise ValueError("data must come from layernorm_data(...)")
    root_id = new_root_id("ln")
    labels = layernorm_labels()
    payload = json_payload({**data, "labels": labels})
    aria = html.escape(t("input spread σ (log scale)"), quote=True)
    note = html.escape(
        t(
            "Bars: each value's size and sign. Output spread: the standard deviation of the output's "
            "entries (1 for ordinary inputs). Largest difference: between the two outputs, entry by entry."
        ),
        quote=False,
    )
    n = len(data["rows"])
    return f"""{_STYLE}
<div class="ln-root" id="{root_id}">
  <script type="application/json" class="ln-data">{payload}</script>
  <div class="ln-controls" style="display:none">
    <span>σ</span><input type="range" class="ln-slider" min="0" max="{n - 1}" step="1" value="{data["start"]}"
      aria-label="{aria}">
  </div>
  <div class="ln-view">{layernorm_view_html(data, data["start"])}</div>
  <div class="ln-note">{note}</div>
</div>
{script_call("layernorm.js", root_id)}
"""
