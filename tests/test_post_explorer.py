"""The post-training explorer (chapter 13): its data, its Python view, and its self-contained HTML."""

from __future__ import annotations

import json
import re

import pytest
from phone_page import phone_page
from test_explorers import visible

from helpers.explorers.post_training import (
    answer_checks,
    post_data,
    post_explorer_html,
    post_training_labels,
    post_view_html,
)
from helpers.post.chat import Request

POEM = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"


def test_answer_checks_follow_the_form_checker():
    ok = answer_checks(POEM, "quatrain5", "床")
    assert ok["form_ok"] and ok["first_ok"] and ok["punct_ok"] and ok["lengths"] == [5, 5, 5, 5]
    bad = answer_checks("床前明月，疑是地上霜。", "quatrain5", "春")
    assert not bad["form_ok"] and not bad["first_ok"] and bad["lengths"] == [4, 5]
    with pytest.raises(ValueError, match="form"):
        answer_checks(POEM, "haiku", "床")


def test_explorer_html_is_self_contained():
    reqs = [Request("quatrain5", "床"), Request("quatrain7", "春")]
    data = post_data(["A", "B"], reqs, {"A": [POEM, "春，"], "B": ["", POEM]})
    page = post_explorer_html(data)
    assert re.search(r'<div class="pt-root" id="pt-[0-9a-f]+">', page)
    assert "data-live" not in page.split("<script>")[0]  # set by the script, not by Python
    assert 'root.dataset.live = "1"' in page
    assert "http" not in page  # nothing loaded from the network
    payload = re.search(r'<script type="application/json" class="pt-data">(.*?)</script>', page, re.S).group(1)
    assert json.loads(payload) == {**data, "labels": post_training_labels()}
    view = post_view_html(data, 0)
    assert view in page and "(empty)" in view and "✓ form" in view and "✗ form" in view  # B answered ""
    with pytest.raises(ValueError, match="one answer per request"):
        post_data(["A"], reqs, {"A": [POEM]})


def test_explorer_in_english_and_chinese(monkeypatch):
    reqs = [Request("quatrain5", "床"), Request("quatrain7", "春")]
    models = ["SFT", "GRPO"]
    answers = {"SFT": [POEM, "春，"], "GRPO": ["", POEM]}
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    page = post_explorer_html(post_data(models, reqs, answers))
    for words in (
        'aria-label="previous instruction"',
        'aria-label="instruction"',
        'aria-label="next instruction"',
        "(五言绝句: 4 lines of 5, first character 床)",
        "✓ form",
        "✓ first character",
        "Each line's number is its length without the mark (red: not the requested length). form: ",
        "✓ marks a check its answer passes and ✗ one it fails",
    ):
        assert words in page, words
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    page = post_explorer_html(post_data(models, reqs, answers), prompt=1)
    for words in (
        'aria-label="上一条指令"',
        'aria-label="指令"',
        'aria-label="下一条指令"',
        "（七言绝句：4 句，每句 7 字，首字“春”）",
        "✗ 体式",
        "✓ 首字",
        "✗ 首字",
        "（空）",
        "每句后面的数字",
        "✓ 表示回答通过了这项检查",
    ):
        assert words in page, words
    assert set(re.findall(r"[A-Za-z]{2,}", visible(page))) == set(models)  # the model names, nothing else
    data = json.loads(re.search(r'class="pt-data">(.*?)</script>', page, re.S).group(1))
    assert data["labels"] == post_training_labels()


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_explorer_text_is_large_enough_on_a_phone(language, monkeypatch, tmp_path):
    """On a 390-px phone, where the site gives an output 352 px, every text of the explorer (the
    line lengths too) is at least 13 CSS px, and nothing is wider than the column, so the browser
    has no reason to zoom the page out."""

    monkeypatch.setenv("BOOK_LANGUAGE", language)
    reqs = [Request("regulated7", "春"), Request("quatrain5", "床")]
    long_line = "春" * 30 + "，" + "风" * 7 + "。"  # a run-away answer: one very long line
    data = post_data(["pretrained", "SFT"], reqs, {"pretrained": [long_line, POEM], "SFT": [POEM, ""]})
    page_html = post_explorer_html(data)
    with phone_page(page_html, tmp_path, "post.html") as page:
        sizes = page.evaluate("""() => {
            const root = document.querySelector('.pt-root');
            const texts = [...root.querySelectorAll('*')].filter(e => e.tagName !== 'SCRIPT' && e.tagName !== 'STYLE'
                && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
            return {smallest: Math.min(...texts.map(e => parseFloat(getComputedStyle(e).fontSize))),
                    numbers: [...root.querySelectorAll('.pt-line .pt-n')].map(e => parseFloat(getComputedStyle(e).fontSize)),
                    wide: root.scrollWidth - root.clientWidth, page: document.documentElement.scrollWidth}; }""")
        assert sizes["numbers"] and min(sizes["numbers"]) >= 13, sizes
        assert sizes["smallest"] >= 13, sizes
        assert sizes["wide"] <= 0 and sizes["page"] <= 390, sizes
