"""The intro's opening figure (scripts/make_intro_hook.py): what intro.md and its Chinese catalog say
of it is what the shipped translator computes, and both images are committed at the size the page
shows (360 px wide, drawn at 2x, so a 390-px phone shows them unscaled)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("make_intro_hook", ROOT / "scripts" / "make_intro_hook.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_hook_states_what_the_model_computes():
    problems = _script().check()
    assert not problems, "\n".join(problems) + "\n(python scripts/make_intro_hook.py redraws; --check checks)"


def test_both_images_are_committed_at_the_shown_width():
    for name in ("intro_alignment.png", "intro_alignment_zh.png"):
        with Image.open(ROOT / "images" / name) as image:
            assert image.width == 720, (name, image.size)  # 3.6 in at 200 dpi, shown 360 px wide
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    assert "```{figure} images/intro_alignment.png\n:name: fig-intro-alignment\n:width: 360px\n" in intro
