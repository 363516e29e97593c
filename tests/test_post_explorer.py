"""The post-training explorer (chapter 13): its data, its Python view, and its self-contained HTML."""

from __future__ import annotations

import json
import re

import pytest

from helpers.explorers.post_training import answer_checks, post_data, post_explorer_html, post_view_html
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
    assert json.loads(payload) == data
    view = post_view_html(data, 0)
    assert view in page and "(empty)" in view and "✓ form" in view and "✗ form" in view  # B answered ""
    with pytest.raises(ValueError, match="one answer per request"):
        post_data(["A"], reqs, {"A": [POEM]})
