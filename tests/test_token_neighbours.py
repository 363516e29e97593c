"""helpers.token_neighbours: a real embedding table and cosine nearest neighbours (chapter 2)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from bad_inputs import check, params

from helpers.token_neighbours import cosine_to_all, nearest_tokens, token_embedding_table


def test_cosine_matches_pytorch():
    torch.manual_seed(0)
    table = torch.randn(50, 7)
    table[3] = 0.0  # a zero row: cosine 0 with everything, as in PyTorch
    for i in (0, 3, 49):
        ref = F.cosine_similarity(table, table[i][None], dim=1)
        assert torch.allclose(cosine_to_all(table, i), ref, atol=1e-6)


def test_nearest_is_the_brute_force_ranking_without_itself():
    torch.manual_seed(1)
    table = torch.randn(40, 5)
    table[7] = 3 * table[2]  # same direction, longer: cosine 1
    ids, cos = nearest_tokens(table, 2, k=4)
    assert ids[0] == 7 and 2 not in ids and cos[0] == pytest.approx(1.0, abs=1e-6)
    ref = F.cosine_similarity(table, table[2][None], dim=1)
    ref[2] = -2
    assert ids == ref.topk(4).indices.tolist()
    assert torch.all(cos[:-1] >= cos[1:])


CASES = [
    ("table-not-tensor", lambda: cosine_to_all([[1.0]], 0), TypeError, "table"),
    ("table-1d", lambda: cosine_to_all(torch.ones(4), 0), ValueError, "table"),
    ("table-int", lambda: cosine_to_all(torch.ones(4, 2, dtype=torch.long), 0), TypeError, "table"),
    ("id-too-large", lambda: cosine_to_all(torch.ones(4, 2), 4), ValueError, "token_id"),
    ("id-negative", lambda: cosine_to_all(torch.ones(4, 2), -1), ValueError, "token_id"),
    ("id-float", lambda: cosine_to_all(torch.ones(4, 2), 1.0), TypeError, "token_id"),
    ("id-bool", lambda: nearest_tokens(torch.ones(4, 2), True), TypeError, "token_id"),
    ("k-zero", lambda: nearest_tokens(torch.ones(4, 2), 0, k=0), ValueError, "k"),
    ("k-too-large", lambda: nearest_tokens(torch.ones(4, 2), 0, k=4), ValueError, "k"),
    ("path-int", lambda: token_embedding_table(3), TypeError, "path"),
    ("path-missing", lambda: token_embedding_table("/no/such/model.gguf"), FileNotFoundError, "no such file"),
]


@params(CASES)
def test_bad_inputs(case):
    check(case)


def test_smollm2_table():
    try:
        from helpers.llama import LlamaTokenizer
        from helpers.llama.gguf_file import GGUFFile
        from helpers.llama.package import smollm2_path

        file = GGUFFile(smollm2_path())
    except (ImportError, FileNotFoundError) as exc:
        pytest.skip(f"SmolLM2 not installed: {exc}")
    table = token_embedding_table(file)
    d = file.metadata["llama.embedding_length"]
    assert table.shape == (LlamaTokenizer.from_gguf(file).vocab_size, d)
    assert table.dtype == torch.float32 and torch.isfinite(table).all()
    assert torch.equal(table, torch.from_numpy(file.dequantize("token_embd.weight")))  # row chunks = whole
    no_embedding = type(file).__new__(type(file))
    no_embedding.path, no_embedding.tensors = file.path, {}
    with pytest.raises(KeyError, match="token_embd.weight"):
        token_embedding_table(no_embedding)
