"""The tokenizer explorer draws no character that needs an emoji font (chapter 1)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib import resources

import pytest
from bad_inputs import check, params

from helpers import bpe
from helpers.explorers.tokenizer import (
    button_label,
    needs_code_point,
    token_label,
    tokenizer_explorer_html,
    visible_text,
)

SAMPLES = ["zebra 🦓", "a\u200db", "♥\ufe0f", "tab\tnl\n", "猫坐着", "naïve €", "\x00\x7f", "𠀀", "👍🏽"]


def test_visible_text_writes_code_points():
    assert visible_text("zebra 🦓") == "zebra [U+1F993]"
    assert visible_text("a\u200db") == "a[U+200D]b"  # zero-width joiner: format character
    assert visible_text("♥\ufe0f") == "♥[U+FE0F]"  # emoji variation selector
    assert visible_text("猫坐着 naïve € tab\tnl\n") == "猫坐着 naïve € tab\tnl\n"  # unchanged
    assert not needs_code_point("猫") and needs_code_point("🙂") and needs_code_point("\x00")


def test_an_emoji_token_is_shown_as_its_code_point():
    tok = bpe.BPETokenizer.train(["🦓🦓 🦓🦓 🦓"] * 3, vocab_size=256 + 3 + len(bpe.SPECIAL_TOKENS))
    (zebra,) = [i for i in range(256, 259) if tok.token_bytes(i) == "🦓".encode()]
    assert token_label(tok, zebra) == "[U+1F993]"
    page = tokenizer_explorer_html(tok, "🦓", examples=["The zebra 🦓 sat"])
    buttons = re.findall(r'<button class="tx-example"[^>]*>([^<]*)</button>', page)
    assert buttons == ["The zebra [U+1F993] sat"]
    view = page.split('<div class="tx-view">')[1].split("</div>")[0]
    assert "🦓" not in view and "[U+1F993]" in view


def test_a_long_example_button_ends_with_an_ellipsis():
    assert button_label("The cat sat") == "The cat sat"
    assert button_label("The zebra 斑马 costs 5 € <eos>") == "The zebra 斑马 costs 5 € <eos>"
    long = "a fairly long example sentence for the explorer"
    assert button_label(long, limit=10) == "a fairly…" and len(button_label(long)) <= 32
    tok = bpe.BPETokenizer.train(["ab ab"] * 3, vocab_size=256 + 1 + len(bpe.SPECIAL_TOKENS))
    page = tokenizer_explorer_html(tok, "ab", examples=[long])
    assert f'title="{long}"' in page and button_label(long) in page


def test_the_example_buttons_have_a_label_and_none_without_examples():
    tok = bpe.BPETokenizer.train(["ab ab"] * 3, vocab_size=256 + 1 + len(bpe.SPECIAL_TOKENS))
    page = tokenizer_explorer_html(tok, "ab", examples=["ab", "ba"])
    assert page.count(">Examples:</span>") == 1
    assert page.index(">Examples:</span>") < page.index('<button class="tx-example"')
    assert "Examples:" not in tokenizer_explorer_html(tok, "ab")


def test_javascript_applies_the_same_rule():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    js = resources.files("helpers.explorers").joinpath("tokenizer.js").read_text(encoding="utf-8")
    body = js.split("// <visible>")[1].split("// </visible>")[0]
    script = body + "\nconsole.log(JSON.stringify(JSON.parse(process.argv[1]).map(visible)));"
    out = subprocess.run([node, "-e", script, json.dumps(SAMPLES)], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == [visible_text(s) for s in SAMPLES]


CASES = [
    ("visible-not-str", lambda: visible_text(b"x"), TypeError, "text"),
    ("char-not-str", lambda: needs_code_point(65), TypeError, "char"),
    ("char-two", lambda: needs_code_point("ab"), ValueError, "char"),
    ("char-empty", lambda: needs_code_point(""), ValueError, "char"),
    ("button-not-str", lambda: button_label(3), TypeError, "text"),
    ("button-limit-small", lambda: button_label("abc", limit=1), ValueError, "limit"),
    ("button-limit-bool", lambda: button_label("abc", limit=True), ValueError, "limit"),
]


@params(CASES)
def test_bad_inputs(case):
    check(case)
