"""The script that makes the site's offline assets (_ext/site_assets.py), without a build or a browser."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXT = Path(__file__).resolve().parents[1] / "_ext" / "site_assets.py"


@pytest.fixture(scope="module")
def site_assets():
    spec = importlib.util.spec_from_file_location("site_assets", EXT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cjk_characters_finds_han_and_full_width_punctuation_only(site_assets):
    texts = ["The cat sat → 猫 坐着 <eos>", "（注意）：猫、狗。 café ∞ √"]
    assert site_assets.cjk_characters(texts) == "".join(sorted(set("猫坐着（注意）：、狗。")))
    assert site_assets.cjk_characters([]) == ""


def test_subset_has_exactly_the_characters_asked_for(site_assets, tmp_path):
    from fontTools.ttLib import TTFont

    out = tmp_path / "cjk.woff2"
    size = site_assets.subset_cjk_font("猫坐着", out)
    assert size == out.stat().st_size < 20_000
    font = TTFont(out)
    assert font.flavor == "woff2"
    assert {chr(c) for c in font.getBestCmap()} == set("猫坐着")
    assert "OFL" in str(font["name"].getDebugName(13)) or "Open Font" in str(font["name"].getDebugName(13))


def test_mathjax_source_has_the_pruned_files(site_assets, tmp_path):
    total = site_assets.copy_mathjax(tmp_path / "mathjax")
    assert 1_000_000 < total < 2_000_000
    assert (tmp_path / "mathjax" / "tex-chtml-full.js").exists()
    assert len(list((tmp_path / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))) > 10
