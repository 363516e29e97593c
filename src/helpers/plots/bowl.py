"""Optimizer paths on a two-parameter loss surface (chapter 9's stretched bowl)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from helpers.i18n import t
from helpers.plots._phone import set_fonts

#: Points for every text: in a figure at most 3.66 in wide (shown unscaled in a 366-px phone
#: column) 10.5 pt is 14.6 px.
PHONE_FONT = 10.5


def plot_bowl_paths(
    f: Callable[[tuple[torch.Tensor, torch.Tensor]], torch.Tensor],
    paths: Mapping[str, torch.Tensor],
    xlim: tuple[float, float] = (-4.5, 1.5),
    ylim: tuple[float, float] | None = None,
    width: float = 3.6,
) -> Figure:
    """Contours of ``f(theta)`` and one path per optimizer, stacked legend below the axes.

    paths: label -> (steps + 1, 2) tensor of (theta_1, theta_2) points. The legend gives each
    path's final value of f. ylim: the range of theta_2 shown; by default symmetric about 0, at
    least (-1.3, 1.3), and wide enough for every point of every path. Every text is
    ``PHONE_FONT`` points, about 14.6 px on a phone at the default width (shown unscaled).
    """
    if not paths:
        raise ValueError("need at least one path")
    for label, pts in paths.items():
        if not isinstance(pts, torch.Tensor) or pts.dim() != 2 or pts.shape[1] != 2:
            raise ValueError(f"paths[{label!r}] must be a (steps + 1, 2) tensor, got {pts!r:.60}")
    if ylim is None:
        heights = torch.cat([pts[:, 1].abs() for pts in paths.values()])
        heights = heights[heights.isfinite()]  # a diverged path does not stretch the axes to inf
        top = max([1.3] + [1.1 * float(heights.max())] * bool(len(heights)))
        ylim = (-top, top)
    t1, t2 = torch.meshgrid(torch.linspace(*xlim, 200), torch.linspace(*ylim, 200), indexing="xy")
    fig, ax = plt.subplots(figsize=(width, 3.9))
    ax.contour(t1, t2, f((t1, t2)), levels=12, colors="#bbb")
    for (label, pts), style in zip(paths.items(), ("o-", "s-", "^-", "d-")):
        final = f(pts[-1]).item()
        ax.plot(pts[:, 0], pts[:, 1], style, ms=3, lw=1, label=t("{label}: f = {f:.1e}", label=label, f=final))
    ax.plot(0, 0, "k*", ms=10)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, frameon=False)
    set_fonts(fig, PHONE_FONT)
    fig.tight_layout()
    return fig
