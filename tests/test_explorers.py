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


def test_tokens_show_their_spaces_and_a_tap_target(tok):
    from helpers.explorers.tokenizer import chip_html

    assert chip_html(" cat") == '<span class="tx-sp">␣</span>cat'
    assert chip_html("a\n") == 'a<span class="tx-sp">↵</span>'
    assert chip_html("<eos>") == "&lt;eos&gt;"
    page = tokenizer_explorer_html(tok, "the cat")
    assert 'class="tx-info"' in page and '<span class="tx-sp">␣</span>' in page
    assert 'addEventListener("click"' in page  # touch screens: a tap shows id and bytes


def test_attention_output_stage_equals_the_heads_output():
    import torch
    import torch.nn.functional as F

    from helpers import translator
    from helpers.explorers import attention_view_html, explorer_stages
    from helpers.mha import split_heads

    model, en, zh, pairs, data = attention_fixture()
    model.eval()
    src, _, _ = translator.encode_pairs(pairs[1:], en, zh)
    with torch.no_grad():
        x = model.embed(model.src_emb, src)  # what the first encoder layer reads
        mod = model.encoder[0].self_attn
        q, k, v = (split_heads(p(x), mod.n_heads) for p in (mod.q_proj, mod.k_proj, mod.v_proj))
        ref = F.scaled_dot_product_attention(q, k, v)[0]  # (heads, S, d_k), PyTorch's attention
    kind = data["sentences"][1]["kinds"]["encoder"]
    for head in range(mod.n_heads):
        st = explorer_stages(kind["scores"][0][head], kind["mask"], data["d_k"], kind["values"][0][head])
        assert torch.allclose(st["output"].float(), ref[head], atol=0.05), head
    view = attention_view_html(data, sentence=1, kind="cross", layer=0, head=0, stage="output", query=2)
    assert "output" in view and "Σ" in view
    # decoder rows are labelled by the token they write, in both kinds of decoder attention
    dec, cross = data["sentences"][0]["kinds"]["decoder"], data["sentences"][0]["kinds"]["cross"]
    assert dec["q_tokens"] == cross["q_tokens"] == ["→猫", "→坐着", "→<eos>"]
    assert dec["k_tokens"] == ["<sos>", "猫", "坐着"]
    with pytest.raises(ValueError, match="stage must be one of"):
        attention_view_html(data, stage="nope")


def test_text_pair_translates_any_text():
    from helpers.explorers.attention import text_pair

    model, en, zh, *_ = attention_fixture()
    pair = text_pair(model, "The cat sat", en, zh)
    assert pair.zh == ("猫", "坐着")
    assert text_pair(model, "The zebra sat", en, zh).en == ("The", "<unk>", "sat")
    with pytest.raises(ValueError, match="at least one word"):
        text_pair(model, "   ", en, zh)


def test_mask_explorer_layers_heads_and_the_silent_bug():
    import torch

    from helpers.explorers import mask_explorer_html, mask_stages
    from helpers.explorers.mask import mask_note

    tokens = ["<sos>", "猫", "<pad>", "<pad>"]
    scores = torch.randn(2, 4, 4, 4)
    page = mask_explorer_html(tokens, scores, layer=1, head=2)
    data = json.loads(re.search(r'class="mx-data">(.*?)</script>', page, re.S).group(1))
    assert len(data["scores"]) == 2 and len(data["scores"][1]) == 4
    assert "value='1' selected" in page and "value='2' selected" in page
    with pytest.raises(ValueError, match=r"head must be an int in \[0, 4\)"):
        mask_explorer_html(tokens, scores, head=4)
    big = mask_stages(scores[1, 2], tokens, pad=True, causal=True, rows=True, fill="big")
    assert int(big["empty"].sum()) == 2  # the two padded queries
    assert torch.allclose(big["weights"][3], torch.full((4,), 0.25, dtype=torch.float64))
    note = mask_note(big, "big")
    assert "2 rows have no allowed key" in note and "0.25" in note and "silent bug" in note
    inf = mask_stages(scores[1, 2], tokens, pad=True, causal=True, rows=True, fill="inf")
    assert "NaN" in mask_note(inf, "inf")
    ok = mask_stages(scores[1, 2], tokens, pad=True, causal=True, rows=False, fill="big")
    assert mask_note(ok, "big") == "Every row sums to 1."
