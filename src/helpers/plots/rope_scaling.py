"""Chapter 3: how much each RoPE pair is slowed when a model is stretched to longer inputs."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from .._checks import check_number, show
from ..i18n import t
from ._phone import min_font, set_fonts

_STYLES = {"linear": ("o", "-"), "ntk": ("s", "--"), "yarn": ("^", "-.")}


def plot_slowdown(
    omegas: Mapping[str, torch.Tensor],
    labels: Mapping[str, str],
    ramp: tuple[int, int] | None = None,
    width: float = 3.66,
) -> Figure:
    """The slow-down factor ``omega_j / omega_j'`` of every pair j, one line per recipe.

    omegas: ``"none"`` (RoPE's own speeds) and any of ``"linear"``, ``"ntk"``, ``"yarn"``; each a
        1-D tensor of shape (d_head / 2,), fastest pair first.
    labels: the legend text of each recipe (same keys).
    ramp: YaRN's ramp ``(low, high)`` in pair indices, shaded when given.
    width: inches; the default 3.66 in is shown unscaled on a 390-px phone (text 12 pt: 16.7 px).
    """
    if not isinstance(omegas, Mapping) or "none" not in omegas:
        raise ValueError(f"omegas must be a dict holding 'none' (RoPE's own speeds), got {show(omegas)}")
    base = omegas["none"]
    if not isinstance(base, torch.Tensor) or base.dim() != 1 or not bool((base > 0).all()):
        raise ValueError(f"omegas['none'] must be a 1-D tensor of positive speeds, got {show(base)}")
    recipes = [m for m in omegas if m != "none"]
    if not recipes or any(m not in _STYLES for m in recipes):
        raise ValueError(f"omegas must hold some of {tuple(_STYLES)} besides 'none', got {list(omegas)}")
    for m in recipes:
        w = omegas[m]
        if not isinstance(w, torch.Tensor) or tuple(w.shape) != tuple(base.shape) or not bool((w > 0).all()):
            raise ValueError(
                f"omegas[{m!r}] must be a tensor of positive speeds shaped like omegas['none'] "
                f"{tuple(base.shape)}, got {show(w)}"
            )
        if not isinstance(labels, Mapping) or not isinstance(labels.get(m), str):
            raise ValueError(f"labels must give a string for {m!r}, got {show(labels)}")
    check_number(width, "width", 1.0, 20.0)
    fig, ax = plt.subplots(figsize=(width, width * 0.8))
    if ramp is not None:
        low, high = ramp
        ax.axvspan(low, high, color="0.9", zorder=0)
        top = max(float((base / omegas[m]).max()) for m in recipes)
        ax.set_ylim(1 - 0.15 * (top - 1), top + 0.07 * (top - 1))  # room for the label below the lines
        ax.text((low + high) / 2, 1 - 0.08 * (top - 1), t("YaRN's ramp"), ha="center", va="center")
    pairs = torch.arange(len(base))
    for m in recipes:
        marker, style = _STYLES[m]
        ax.plot(pairs, (base / omegas[m]).double(), linestyle=style, marker=marker, markersize=3, label=labels[m])
    ax.set_xlabel(t("pair j (0 = fastest)"))
    ax.set_ylabel(t("slowed by (x)"))
    ax.legend(loc="center left", handlelength=1.4, handletextpad=0.4, borderaxespad=0.2)
    set_fonts(fig, max(12.0, round(1.3 * min_font(width), 1)))  # well above the phone minimum
    fig.tight_layout()
    return fig
