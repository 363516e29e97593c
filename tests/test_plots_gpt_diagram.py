"""Chapter 11's architecture diagram (helpers.plots.gpt_diagram): it draws, writes the sizes it is
given, stays readable on a phone in both languages, and rejects bad sizes clearly."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import pytest

from helpers.plots._phone import figure_violations, min_font
from helpers.plots.gpt_diagram import draw_gpt_diagram

pytestmark = pytest.mark.usefixtures("book_style")

SIZES = {"vocab_size": 4000, "n_embd": 128, "block_size": 96, "n_layer": 4, "n_head": 4}


def _texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.findobj(matplotlib.text.Text))


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_diagram_holds_the_given_sizes_and_is_readable_on_a_phone(lang, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    fig = draw_gpt_diagram(**SIZES)
    text = _texts(fig)
    for shown in ("wte (4000, 128)", "wpe (96, 128)", "lm_head 128 → 4000", "logits (B, T, 4000)",
                  "128 → 512 → 128", "x (B, T, 128)", "96"):
        assert shown in text, (shown, lang)
    assert ("4 blocks" if lang == "en" else "4 个块") in text
    assert ("4 heads of 32 dims" if lang == "en" else "4 个头，每个 32 维") in text
    assert ("tied" if lang == "en" else "权重共享") in text
    width_px, small = figure_violations(fig)
    assert not small, [str(s) for s in small]
    assert width_px <= 400  # shown at natural size on a 390-px phone
    smallest = min(t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip())
    assert smallest >= min_font(width_px / fig.dpi), smallest


def test_other_sizes_are_written_too():
    text = _texts(draw_gpt_diagram(vocab_size=65, n_embd=48, block_size=64, n_layer=2, n_head=3))
    for shown in ("wte (65, 48)", "wpe (64, 48)", "48 → 192 → 48", "3 heads of 16 dims", "2 blocks"):
        assert shown in text, shown


@pytest.mark.parametrize(
    "name, value, fragment",
    [
        ("vocab_size", 0, "vocab_size must be a positive int"),
        ("n_embd", -128, "n_embd must be a positive int"),
        ("block_size", 96.0, "block_size must be a positive int"),
        ("n_layer", True, "n_layer must be a positive int"),
        ("n_head", "4", "n_head must be a positive int"),
        ("n_head", 5, "n_embd=128 must be a multiple of n_head=5"),
    ],
)
def test_bad_sizes_fail_clearly(name, value, fragment):
    with pytest.raises(ValueError, match=fragment):
        draw_gpt_diagram(**(SIZES | {name: value}))
