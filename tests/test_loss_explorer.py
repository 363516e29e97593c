"""The loss explorer (chapter 8): its numbers against torch.softmax, F.cross_entropy and autograd, its
self-contained HTML in both languages, and on a phone (text size, width, the controls change the view)."""

from __future__ import annotations

import json
import math
import re

import pytest
import torch
import torch.nn.functional as F
from phone_page import phone_page
from test_explorers import script_english, visible

from helpers.explorers.loss import loss_data, loss_explorer_html, loss_labels, loss_view_html


@pytest.fixture(scope="module")
def data():
    return loss_data()


def payload(page: str) -> dict:
    return json.loads(re.search(r'class="lx-data">(.*?)</script>', page, re.S).group(1).replace("<\\/", "</"))


def test_the_numbers_are_pytorchs(data):
    """Each row: the softmax of the five logits, F.cross_entropy without and with label smoothing and
    its gradient (p − e_y, and p − ỹ with smoothing), recomputed here in float32; the floor is H(ỹ)."""
    y, eps = data["y"], data["eps"][1]
    assert data["logits"] == [2.0, 1.0, 0.1, 3.0, -1.0] and y == 3 and eps == 0.1
    zys = [r["zy"] for r in data["rows"]]
    assert zys[0] == -5.0 and zys[-1] == 6.0 and len(zys) == 23
    one_hot = F.one_hot(torch.tensor(y), 5).float()
    smoothed = (1 - eps) * one_hot + eps / 5
    for r in data["rows"]:
        z = torch.tensor(data["logits"])
        z[y] = r["zy"]
        p = torch.softmax(z, -1)
        torch.testing.assert_close(torch.tensor(r["p"]), p, atol=1e-4, rtol=0)
        for k, (e, target) in enumerate(((0.0, one_hot), (eps, smoothed))):
            zz = z.clone().requires_grad_()
            value = F.cross_entropy(zz[None], torch.tensor([y]), label_smoothing=e)
            value.backward()
            assert r["loss"][k] == pytest.approx(value.item(), abs=1e-4)
            torch.testing.assert_close(torch.tensor(r["grad"][k]), zz.grad, atol=1e-4, rtol=0)
            torch.testing.assert_close(zz.grad, p - target, atol=1e-6, rtol=0)  # the chapter's formula
        assert r["loss"][0] == pytest.approx(-math.log(r["p"][y]), abs=2e-3)
        assert r["loss"][1] >= data["floor"][1] - 1e-4  # no loss below the floor
    assert data["floor"] == [0.0, pytest.approx(-(smoothed * smoothed.log()).sum().item(), abs=1e-4)]
    # the chapter's numbers: the example (z_y = 3) opens the explorer, loss 0.455 and 0.653 smoothed
    opening = data["rows"][data["start"]]
    assert opening["zy"] == 3.0 and opening["loss"] == pytest.approx([0.4552, 0.6532], abs=1e-4)


def test_bad_inputs_have_clear_messages(data):
    with pytest.raises(ValueError, match="low < high"):
        loss_data(low=2.0, high=1.0)
    with pytest.raises(ValueError, match="eps must be a number in"):
        loss_data(eps=1.5)
    with pytest.raises(ValueError, match="start must lie"):
        loss_data(start=10.0)
    with pytest.raises(ValueError, match="step must be a finite number"):
        loss_data(step=float("nan"))
    with pytest.raises(ValueError, match="index must be an int"):
        loss_view_html(data, len(data["rows"]))
    with pytest.raises(TypeError, match="smoothed must be a bool"):
        loss_view_html(data, 0, smoothed=1)
    with pytest.raises(ValueError, match="loss_data"):
        loss_explorer_html({})


def test_html_is_self_contained(data):
    page = loss_explorer_html(data)
    assert re.search(r'<div class="lx-root" id="lx-[0-9a-f]+">', page)
    assert "data-live" not in page.split("<script>")[0]  # set by the script, not by Python
    assert "http" not in page and "src=" not in page  # nothing loaded from the network
    assert len(page.encode()) < 40_000
    assert payload(page) == {**data, "labels": loss_labels()}
    assert loss_view_html(data, data["start"]) in page  # the opening view, before any script runs


def test_script_fallback_is_the_english_of_the_labels(monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    english = loss_labels()
    assert script_english("loss") == english
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    chinese = loss_labels()
    assert chinese.keys() == english.keys()
    for key, text in chinese.items():
        assert text != english[key] and re.search(r"[\u4e00-\u9fff]", text), key


def test_explorer_in_english_and_chinese(monkeypatch, data):
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    page = loss_explorer_html(data)
    for words in ("logit of the correct word (id 3): 3.0", "probability p", "gradient p − e_y",
                  "loss = −ln 0.6343 = 0.455", "label smoothing ε = 0.1", "Bars: probabilities",
                  '>z_y (correct word, id 3)</span>', '<output class="lx-value">3.0</output>'):
        assert words in page, words
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    page = loss_explorer_html(data)
    for words in ("正确词（id 3）的 logit：3.0", "概率 p", "梯度 p − e_y", "损失 = −ln 0.6343 = 0.455",
                  "标签平滑 ε = 0.1", "条形：概率从 0 到 1", ">z_y（正确词，id 3）</span>"):
        assert words in page, words
    # the only Latin words a Chinese reader sees: id, logit and the formulas' ln
    assert set(re.findall(r"[A-Za-z]{2,}", visible(page))) <= {"id", "logit", "ln"}
    smoothed = loss_view_html(data, data["start"], smoothed=True)
    assert "梯度 p − ỹ" in smoothed and "平滑后的损失 0.653（下限 0.390）" in smoothed


def test_the_slider_label_takes_the_correct_words_id_from_the_data(data):
    moved = {**data, "y": 1}
    assert ">z_y (correct word, id 1)</span>" in loss_explorer_html(moved)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_explorer_on_a_phone(language, monkeypatch, tmp_path, data):
    """On a 390-px phone (a 352-px column) every text is at least 13 CSS px, nothing is wider than the
    column, and the slider and the check box redraw the view from the embedded numbers."""
    monkeypatch.setenv("BOOK_LANGUAGE", language)
    with phone_page(loss_explorer_html(data), tmp_path, "loss.html") as page:
        root = page.locator(".lx-root")
        assert root.get_attribute("data-live") == "1" and root.get_attribute("data-state") == str(data["start"])
        fit = page.evaluate("""() => {
            const root = document.querySelector('.lx-root');
            const texts = [...root.querySelectorAll('*')].filter(e => e.tagName !== 'SCRIPT' && e.tagName !== 'STYLE'
                && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
            return {smallest: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize))),
                    wide: root.scrollWidth - root.clientWidth, page: document.documentElement.scrollWidth}; }""")
        assert fit["smallest"] >= 13 and fit["wide"] <= 0 and fit["page"] <= 390, fit
        # the script draws what Python drew before it ran: the same words and numbers
        static = visible(loss_view_html(data, data["start"]))
        assert re.sub(r"\s+", "", page.locator(".lx-view").inner_text()) == re.sub(r"\s+", "", static)
        # the live value sits beside the slider
        label, value = page.locator(".lx-zlabel").bounding_box(), page.locator(".lx-value").bounding_box()
        slider = page.locator(".lx-slider").bounding_box()
        assert value["y"] < slider["y"] + slider["height"] and slider["y"] < value["y"] + value["height"]
        assert value["x"] > slider["x"] and label["width"] > 0
        assert page.locator(".lx-value").inner_text() == "3.0"
        page.locator(".lx-slider").fill("0")  # z_y = -5: confidently wrong
        assert root.get_attribute("data-state") == "0"
        assert page.locator(".lx-value").inner_text() == "−5.0"
        wrong = visible(loss_view_html(data, 0))
        assert re.sub(r"\s+", "", page.locator(".lx-view").inner_text()) == re.sub(r"\s+", "", wrong)
        page.locator(".lx-smooth").check()
        assert root.get_attribute("data-state") == "0s"
        smooth = visible(loss_view_html(data, 0, smoothed=True))
        assert re.sub(r"\s+", "", page.locator(".lx-view").inner_text()) == re.sub(r"\s+", "", smooth)
