"""Chapter 2's similarity heatmaps keep an even colour bar on the site.

The site re-saves every figure with a palette of 256 colours (_ext/site_assets.compress_images). A
reader found the colour bars of Figs. 2.2 and 2.5 smooth in one part and in coarse steps in the
other: with a continuous colour map the palette kept the shades the heatmap uses often and merged
the rare ones. helpers.plots.embeddings now draws them in a few even steps of a round size; here
figures like the chapter's, in both editions' labels, go through the site's own compression, and
every step must come out, each of about the same height.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from bad_inputs import check, params
from PIL import Image

from helpers.plots.embeddings import (
    context_similarity,
    grouped_similarity,
    round_colour_steps,
    stepped_cmap,
)

DPI = 200  # the inline backend's retina PNG: 2 pixels per point-unit

pytestmark = pytest.mark.usefixtures("book_style")


def _similarities(n: int, spread: float, seed: int) -> torch.Tensor:
    """Cosines of n random rows around a common direction (spread: how far they stray), (n, n)."""
    g = torch.Generator().manual_seed(seed)
    rows = F.normalize(torch.ones(16) + spread * torch.randn(n, 16, generator=g), dim=1)
    return rows @ rows.T


WORDS = {  # the chapter's 21 words in 4 groups, and its 11 sentences
    "en": ["cat", "dog", "bird", "teacher", "child", "farmer", "sat", "slept", "ran", "sang", "waited",
           "played", "mat", "tree", "garden", "house", "river", "yesterday", "today", "morning", "night"],
    "zh_CN": ["猫", "狗", "鸟", "老师", "孩子", "农夫", "坐着", "睡了", "跑了", "唱了", "等着", "玩了", "垫子",
              "树", "花园", "房子", "河", "昨天", "今天", "早上", "晚上"],
}
GROUPS = {"en": ["who", "verb", "place", "time"], "zh_CN": ["人和动物", "动词", "地点", "时间"]}
SENTENCES = ["in the morning", "on the mat", "under the tree", "in the garden", "in the house",
             "near the river", "with the dog", "with the bird", "with the teacher", "with the child",
             "with the farmer"]


def _figures(language: str) -> dict[str, tuple[plt.Figure, int]]:
    """The two figures as chapter 2 draws them, each with the number of colour steps it should show."""
    grouped = _similarities(21, 1.5, 0)
    layers = {"layer 1": _similarities(11, 0.25, 1), "layer 2": _similarities(11, 0.4, 2)}
    low = min(float(s.min()) for s in layers.values())
    return {
        "grouped": (grouped_similarity(grouped, WORDS[language], [6, 6, 5, 4], title="after training (seed 0)",
                                       group_names=GROUPS[language]), round_colour_steps(-1.0)[2]),
        "context": (context_similarity(layers, SENTENCES), round_colour_steps(low)[2]),
    }


def _bar_runs(fig: plt.Figure, image: np.ndarray) -> list[list[int]]:
    """For each colour bar of ``fig``: the heights in pixels of the runs of one colour down its middle."""
    height = image.shape[0]
    scale = DPI / fig.dpi
    out = []
    for cax in (a for a in fig.axes if a.get_label() == "<colorbar>"):
        box = cax.get_window_extent()
        x = int(scale * (box.x0 + box.x1) / 2)
        top, bottom = int(height - scale * box.y1) + 3, int(height - scale * box.y0) - 3  # inside the frame
        column = [tuple(p) for p in image[top:bottom, x]]
        runs = [1]
        for above, here in zip(column, column[1:]):
            if here == above:
                runs[-1] += 1
            else:
                runs.append(1)
        out.append(runs)
    return out


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_step_of_the_colour_bar_survives_the_site_palette(site_assets, tmp_path, language):
    images = tmp_path / "_images"
    images.mkdir()
    figures = _figures(language)
    for name, (fig, _) in figures.items():
        fig.savefig(images / f"{name}.png", dpi=DPI)
    site_assets.compress_images(tmp_path)
    for name, (fig, levels) in figures.items():
        with Image.open(images / f"{name}.png") as im:
            assert im.mode == "P", (name, im.mode)  # the palette was applied
            shown = np.asarray(im.convert("RGB"))
        fig.canvas.draw()
        bars = _bar_runs(fig, shown)
        assert len(bars) == (2 if name == "context" else 1), name
        for runs in bars:
            assert len(runs) == levels, (name, levels, runs)  # every step of the colour map drawn
            middle = runs[1:-1]  # the two ends are cut by the frame
            assert max(middle) - min(middle) <= 2, (name, runs)  # even: no merged steps


def test_round_steps():
    assert round_colour_steps(0.8088) == (0.8, 0.025, 8)  # Fig. 2.5: 0.8 to 1 in steps of 0.025
    assert round_colour_steps(-1.0) == (-1.0, 0.25, 8)  # Fig. 2.2
    assert round_colour_steps(0.0) == (0.0, 0.1, 10)
    assert round_colour_steps(0.99999994) == (0.98, 0.01, 2)  # all alike: still two steps
    for low in (-1.0, -0.37, 0.0, 0.5, 0.93, 1.0):
        vmin, step, levels = round_colour_steps(low)
        assert vmin <= low and 2 <= levels <= 10 and abs(vmin + levels * step - 1) < 1e-9


def test_the_steps_are_the_colour_map_resampled():
    cmap = stepped_cmap("viridis", 8)
    assert cmap.N == 8
    assert np.allclose(cmap(0.0), matplotlib.colormaps["viridis"](0.0))
    assert np.allclose(cmap(1.0), matplotlib.colormaps["viridis"](1.0))
    assert len({cmap(x) for x in np.linspace(0, 1, 100)}) == 8
    assert stepped_cmap("coolwarm").N == 8  # the default: 0.25 wide from -1 to 1


BAD = [
    ("unknown colour map", lambda: stepped_cmap("no-such-map"), ValueError, "name"),
    ("colour map not a name", lambda: stepped_cmap(3), ValueError, "name"),
    ("one level", lambda: stepped_cmap("viridis", 1), ValueError, "levels"),
    ("too many levels", lambda: stepped_cmap("viridis", 1000), ValueError, "levels"),
    ("levels a float", lambda: stepped_cmap("viridis", 2.5), ValueError, "levels"),
    ("low below -1", lambda: round_colour_steps(-2.0), ValueError, "low"),
    ("low not a number", lambda: round_colour_steps("0.5"), TypeError, "low"),
    ("most too small", lambda: round_colour_steps(0.5, most=2), ValueError, "most"),
    ("vmin above 1", lambda: grouped_similarity(torch.eye(2), ["a", "b"], [1, 1], "t", vmin=1.5), ValueError,
     "vmin"),
]


@params(BAD)
def test_bad_inputs_name_the_argument(case):
    check(case)
