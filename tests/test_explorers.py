"""The tokenizer explorer: static content present, widget updates with ipywidgets 7 or 8."""

import json
import re

import pytest

from helpers import bpe
from helpers.explorers import token_label, tokenizer_explorer_html, tokenizer_widget


@pytest.fixture(scope="module")
def tok():
    return bpe.BPETokenizer.train(["the cat sat on the mat", "猫坐着", "猫在垫子上"], 256 + 30 + 4)


def test_html_embeds_merges_and_a_static_view(tok):
    page = tokenizer_explorer_html(tok, "the cat", examples=["猫坐着"])
    data = json.loads(re.search(r'class="tx-data">(.*?)</script>', page, re.S).group(1))
    assert data["merges"] == [list(m) for m in tok.merges]
    # before any script runs, the tokens are already on the page
    n_spans = page.count('class="tx-tok"')
    assert n_spans == len(tok.encode("the cat"))
    assert "https://" not in page and "src=" not in page  # nothing fetched
    assert len(page.encode()) < 300_000


def test_token_label_shows_partial_utf8_in_hex(tok):
    assert token_label(tok, 0xE7) == "⟨e7⟩"
    assert token_label(tok, ord("a")) == "a"
    assert token_label(tok, tok.token_to_id("<eos>")) == "<eos>"


def test_widget_updates(tok):
    box = tokenizer_widget(tok, "the cat")
    text, merges, special, out = box.children
    before = out.value
    merges.value = 0
    assert out.value != before and out.value.count('class="tx-tok"') == len("the cat")
    text.value = "猫<eos>"
    special.value = True
    assert "&lt;eos&gt;" in out.value


def test_bad_input():
    with pytest.raises(TypeError, match="BPETokenizer"):
        tokenizer_explorer_html("not a tokenizer", "x")
