"""The ipywidgets explorers update when their controls change.

Run twice by `make test`: with ipywidgets 8 (requirements.txt) and with ipywidgets 7.7.1
shadowing it (EXPECT_IPYWIDGETS=7), the version Colab ships.
"""

import os

import ipywidgets
import pytest
import torch

from helpers import bpe, corpus, explorers, translator


def test_running_the_expected_ipywidgets():
    expected = os.environ.get("EXPECT_IPYWIDGETS")
    if expected:
        assert ipywidgets.__version__.split(".")[0] == expected, ipywidgets.__version__


@pytest.fixture(scope="module")
def tok():
    return bpe.BPETokenizer.train(["the cat sat on the mat", "猫坐着", "猫在垫子上"], 256 + 30 + 4)


def test_tokenizer_widget_updates(tok):
    box = explorers.tokenizer_widget(tok, "the cat")
    text, merges, special, out = box.children
    before = out.value
    merges.value = 0
    assert out.value != before and out.value.count('class="tx-tok"') == len("the cat")
    text.value = "猫<eos>"
    special.value = True
    assert "&lt;eos&gt;" in out.value


def test_attention_widget_updates():
    model, _ = translator.load()
    en, zh = translator.vocabularies()
    data = explorers.attention_data(model, [corpus.RUNNING_EXAMPLE, corpus.make_pair(0, 0, time=1)], en, zh)
    box = explorers.attention_widget(data)
    sentence, kind = box.children[0].children
    layer, head, query = box.children[1].children
    stage, out = box.children[2], box.children[3]
    first = out.value
    stage.value = "raw"
    assert out.value != first
    kind.value = "decoder"
    assert "−∞" not in out.value            # raw scores: nothing masked yet
    stage.value = "masked"
    assert "−∞" in out.value                 # the causal mask at work
    sentence.value = 1
    assert [o[0] for o in query.options] == data["sentences"][1]["kinds"]["decoder"]["q_tokens"]
    head.value, layer.value, query.value = 3, 1, 2
    assert "ax-sel" in out.value


def test_mask_widget_updates():
    tokens = ["<sos>", "猫", "坐着", "<pad>"]
    box = explorers.mask_widget(tokens, torch.zeros(4, 4))
    (_pad, _causal, rows), fill, out = box.children[0].children, box.children[1], box.children[2]
    assert "Every row sums to 1" in out.value
    rows.value = True
    assert "NaN" in out.value
    fill.value = "big"
    assert "Every row sums to 1" in out.value
