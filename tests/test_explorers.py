"""The tokenizer explorer: static content present, widget updates with ipywidgets 7 or 8."""

import json
import re

import pytest

from helpers import bpe
from helpers.explorers import token_label, tokenizer_explorer_html


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


def test_bad_input():
    with pytest.raises(TypeError, match="BPETokenizer"):
        tokenizer_explorer_html("not a tokenizer", "x")


def attention_fixture():
    from helpers import corpus, explorers, translator

    model, _ = translator.load()
    en, zh = translator.vocabularies()
    pairs = [corpus.RUNNING_EXAMPLE, corpus.make_pair(0, 0, place=0, time=0)]
    return model, en, zh, pairs, explorers.attention_data(model, pairs, en, zh)


def test_attention_data_reproduces_model_weights():
    import torch

    from helpers import translator
    from helpers.explorers import explorer_stages

    model, en, zh, pairs, data = attention_fixture()
    model.keep_attention(True)
    src, tgt_in, _ = translator.encode_pairs(pairs[1:], en, zh)
    model(src, tgt_in)
    for kind, mods in (("encoder", [layer.self_attn for layer in model.encoder]),
                       ("decoder", [layer.self_attn for layer in model.decoder]),
                       ("cross", [layer.cross_attn for layer in model.decoder])):
        k = data["sentences"][1]["kinds"][kind]
        for layer, mod in enumerate(mods):
            for head in range(mod.n_heads):
                shown = explorer_stages(k["scores"][layer][head], k["mask"], data["d_k"])["weights"]
                assert torch.allclose(shown.float(), mod.last_weights[0, head], atol=0.02), (kind, layer, head)
    model.keep_attention(False)


def test_attention_and_mask_html_are_self_contained_and_small():
    import torch

    from helpers.explorers import attention_explorer_html, mask_explorer_html

    *_, data = attention_fixture()
    page = attention_explorer_html(data)
    assert "https://" not in page and "src=" not in page and len(page.encode()) < 300_000
    assert "<table class='ax-table'>" in page           # a static view before any script runs
    tokens = ["<sos>", "猫", "坐着", "<pad>"]
    mpage = mask_explorer_html(tokens, torch.zeros(4, 4))
    assert "mx-table" in mpage and len(mpage.encode()) < 300_000
    with pytest.raises(ValueError, match=r"scores must be \(4, 4\)"):
        mask_explorer_html(tokens, torch.zeros(3, 3))
    with pytest.raises(ValueError, match="attention_data"):
        attention_explorer_html({})


def test_attention_explorer_opens_on_chosen_layer_and_head():
    from helpers.explorers import attention_explorer_html, attention_view_html

    *_, data = attention_fixture()
    page = attention_explorer_html(data, kind="encoder", layer=1, head=2)
    assert attention_view_html(data, kind="encoder", layer=1, head=2) in page  # the static view
    assert '.value="1"' in page and '.value="2"' in page  # and the live one
    with pytest.raises(ValueError, match=r"layer must be an int in \[0, 2\), got 2"):
        attention_explorer_html(data, layer=2)
    with pytest.raises(ValueError, match=r"head must be an int in \[0, 4\), got -1"):
        attention_explorer_html(data, head=-1)
    with pytest.raises(ValueError, match="kind must be one of"):
        attention_explorer_html(data, kind="self")


def test_mask_stages_nan_and_large_negative():
    import torch

    from helpers.explorers import mask_stages

    tokens = ["<sos>", "猫", "<pad>"]
    s = torch.zeros(3, 3)
    inf = mask_stages(s, tokens, pad=True, causal=True, rows=True, fill="inf")
    big = mask_stages(s, tokens, pad=True, causal=True, rows=True, fill="big")
    assert torch.isnan(inf["weights"][2]).all()
    assert torch.allclose(big["weights"][2], torch.full((3,), 1 / 3, dtype=torch.float64))
    assert torch.allclose(inf["weights"][1], torch.tensor([0.5, 0.5, 0.0], dtype=torch.float64))
