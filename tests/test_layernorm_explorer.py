"""The LayerNorm explorer (chapter 7): its numbers against nn.LayerNorm, its self-contained HTML in both
languages, and on a phone (text size, width, the slider changes the view)."""

from __future__ import annotations

import json
import re

import pytest
import torch
import torch.nn as nn
from phone_page import phone_page
from test_explorers import script_english, visible

from helpers.explorers.layernorm import (
    layernorm_data,
    layernorm_explorer_html,
    layernorm_labels,
    layernorm_view_html,
)
from helpers.layernorm import naive_layer_norm


@pytest.fixture(scope="module")
def data():
    return layernorm_data()


def payload(page: str) -> dict:
    return json.loads(re.search(r'class="ln-data">(.*?)</script>', page, re.S).group(1).replace("<\\/", "</"))


def test_the_numbers_are_nn_layernorms(data):
    """Every d = 4 output shown is nn.LayerNorm's (and naive_layer_norm's) output for the input shown;
    the spreads and differences at d = 4 and 512 are recomputed here from the stated inputs."""
    sigmas = [r["sigma"] for r in data["rows"]]
    assert sigmas[0] == pytest.approx(1e-5) and sigmas[-1] == pytest.approx(10.0) and len(sigmas) == 25
    torch.manual_seed(data["seed"])
    z512 = torch.randn(512)
    z512 = (z512 - z512.mean()) / (z512 - z512.mean()).std(correction=0)
    for r in data["rows"]:
        x = torch.tensor(r["x"])
        assert x.std(correction=0).item() == pytest.approx(r["sigma"], rel=1e-4)  # the spread is σ
        ln = nn.LayerNorm(4, eps=data["eps"])(x)
        torch.testing.assert_close(torch.tensor(r["ln"]), ln.detach(), atol=1e-4, rtol=0)
        torch.testing.assert_close(torch.tensor(r["naive"]), naive_layer_norm(x, eps=data["eps"]), atol=1e-4, rtol=0)
        with torch.no_grad():
            x512 = r["sigma"] * z512
            ln512, naive512 = nn.LayerNorm(512, eps=data["eps"])(x512), naive_layer_norm(x512, eps=data["eps"])
        assert r["spread512"] == pytest.approx([ln512.std(correction=0).item(), naive512.std(correction=0).item()],
                                               abs=2e-5)
        assert r["diff512"] == pytest.approx((ln512 - naive512).abs().max().item(), abs=2e-5)
        assert r["spread4"][0] == pytest.approx(ln.std(correction=0).item(), abs=2e-5)
    # the chapter's numbers: at σ = 1e-3 nn.LayerNorm damps (0.30), x.std() + eps does not (0.86, 0.99);
    # for ordinary inputs the common version is off by sqrt(3/4) at d = 4
    opening = data["rows"][data["start"]]
    assert opening["sigma_text"] == "1e-3"
    assert opening["spread4"] == pytest.approx([0.3015, 0.8586], abs=1e-3)
    assert opening["spread512"][1] == pytest.approx(0.989, abs=1e-3)
    one = next(r for r in data["rows"] if r["sigma_text"] == "1")
    assert one["spread4"][1] / one["spread4"][0] == pytest.approx((3 / 4) ** 0.5, abs=1e-4)


def test_bad_inputs_have_clear_messages(data):
    with pytest.raises(ValueError, match="steps_per_decade"):
        layernorm_data(steps_per_decade=0)
    with pytest.raises(ValueError, match="start must lie"):
        layernorm_data(start=100.0)
    with pytest.raises(ValueError, match="eps must be a positive number"):
        layernorm_data(eps=-1)
    with pytest.raises(ValueError, match="index must be an int"):
        layernorm_view_html(data, len(data["rows"]))
    with pytest.raises(ValueError, match="layernorm_data"):
        layernorm_explorer_html({})


def test_html_is_self_contained(data):
    page = layernorm_explorer_html(data)
    assert re.search(r'<div class="ln-root" id="ln-[0-9a-f]+">', page)
    assert "data-live" not in page.split("<script>")[0]  # set by the script, not by Python
    assert "http" not in page and "src=" not in page  # nothing loaded from the network
    assert len(page.encode()) < 60_000
    assert payload(page) == {**data, "labels": layernorm_labels()}
    assert layernorm_view_html(data, data["start"]) in page  # the opening view, before any script runs


def test_script_fallback_is_the_english_of_the_labels(monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    english = layernorm_labels()
    assert script_english("layernorm") == english
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    chinese = layernorm_labels()
    assert chinese.keys() == english.keys()
    for key, text in chinese.items():
        assert text != english[key] and re.search(r"[\u4e00-\u9fff]", text), key


def test_explorer_in_english_and_chinese(monkeypatch, data):
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    page = layernorm_explorer_html(data)
    for words in ("input spread σ = 1e-3", "input x (4 features)", "spread 0.302", "largest difference",
                  'aria-label="input spread σ (log scale)"', "Bars: each value's size and sign."):
        assert words in page, words
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    page = layernorm_explorer_html(data)
    for words in ("输入的标准差 σ = 1e-3", "输入 x（4 个特征）", "标准差 0.302", "最大差值", "输出的标准差",
                  'aria-label="输入的标准差 σ（对数刻度）"', "条形表示每个值的大小和正负"):
        assert words in page, words
    # the only Latin words a reader sees: the two functions' names and d
    assert set(re.findall(r"[A-Za-z]{2,}", visible(page))) == {"nn", "LayerNorm", "std", "eps"}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_explorer_on_a_phone(language, monkeypatch, tmp_path, data):
    """On a 390-px phone (a 352-px column) every text is at least 13 CSS px, nothing is wider than the
    column, and moving the slider redraws the view from the embedded numbers."""
    monkeypatch.setenv("BOOK_LANGUAGE", language)
    with phone_page(layernorm_explorer_html(data), tmp_path, "layernorm.html") as page:
        root = page.locator(".ln-root")
        assert root.get_attribute("data-live") == "1" and root.get_attribute("data-state") == str(data["start"])
        fit = page.evaluate("""() => {
            const root = document.querySelector('.ln-root');
            const texts = [...root.querySelectorAll('*')].filter(e => e.tagName !== 'SCRIPT' && e.tagName !== 'STYLE'
                && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
            return {smallest: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize))),
                    wide: root.scrollWidth - root.clientWidth, page: document.documentElement.scrollWidth}; }""")
        assert fit["smallest"] >= 13 and fit["wide"] <= 0 and fit["page"] <= 390, fit
        live_view = page.locator(".ln-view").inner_html()
        # the script draws what Python drew before it ran: the same words and numbers
        static = visible(layernorm_view_html(data, data["start"]))
        assert re.sub(r"\s+", "", page.locator(".ln-view").inner_text()) == re.sub(r"\s+", "", static)
        last = len(data["rows"]) - 1
        page.locator(".ln-slider").fill(str(last))  # fires input: the view of σ = 10
        assert root.get_attribute("data-state") == str(last)
        assert page.locator(".ln-view").inner_text().count("0.866") >= 1  # sqrt(3/4) at d = 4
        page.locator(".ln-slider").fill(str(data["start"]))
        assert page.locator(".ln-view").inner_html() == live_view
