"""Chapter 6's alignment figure (helpers.plots.alignment): weights written in the cells."""

import pytest
import torch

from helpers.plots._phone import figure_violations
from helpers.plots.alignment import plot_alignments


def _texts(ax):
    return [text.get_text() for text in ax.texts]


def test_cells_hold_the_weight_in_percent_and_stay_legible():
    w = torch.tensor([[0.73, 0.08, 0.19], [0.005, 0.5, 0.495]])
    fig = plot_alignments([w], [("mao", "zuozhe")], [("The", "cat", "sat")], ["mao zuozhe"])
    assert _texts(fig.axes[0]) == ["73", "8", "19", "0", "50", "50"]
    assert len(fig.axes) == 1  # the numbers replace the colour bar
    assert figure_violations(fig)[1] == []


def test_without_percent_a_colour_bar_gives_the_scale():
    fig = plot_alignments(
        [torch.full((2, 3), 1 / 3)], [("mao", "zuozhe")], [("The", "cat", "sat")], ["t"], percent=False
    )
    assert _texts(fig.axes[0]) == [] and len(fig.axes) == 2


def test_bad_inputs_fail_with_a_clear_message():
    one = [torch.full((2, 3), 1 / 3)]
    with pytest.raises(TypeError, match="percent must be True or False, got 'yes'"):
        plot_alignments(one, [("mao", "zuozhe")], [("The", "cat", "sat")], ["t"], percent="yes")
    with pytest.raises(ValueError, match="same length"):
        plot_alignments(one, [], [("The", "cat", "sat")], ["t"])
