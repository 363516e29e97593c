"""Chat format, SFT batches and evaluation of chapter 13, against PyTorch references."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from helpers import poems
from helpers.gpt import GPT, GPTConfig
from helpers.post import chat, sampling, sft


@pytest.fixture(scope="module")
def vocab():
    return poems.CharVocab("春风花月夜江山，。写一首五言七绝句律诗以字开头")


def test_instruction_and_prompt(vocab):
    assert chat.instruction("quatrain5", "春") == "写一首五言绝句，以春字开头"
    fmt = chat.ChatFormat(vocab)
    ids = fmt.prompt_ids(chat.Request("regulated7", "月"))
    assert ids[:2] == [vocab.sos_id, len(vocab)] and ids[-1] == len(vocab) + 1
    assert fmt.decode(ids) == "<sos><|user|>写一首七言律诗，以月字开头<|assistant|>"
    full, n = fmt.example_ids(chat.Request("quatrain5", "春"), "春风花月夜，")
    assert n == len(fmt.prompt_ids(chat.Request("quatrain5", "春"))) and full[-1] == vocab.eos_id
    assert fmt.decode_answer(full[n:] + [5, 6]) == "春风花月夜，"  # cut at <eos>
    with pytest.raises(ValueError, match="form"):
        chat.instruction("sonnet", "春")
    with pytest.raises(ValueError, match="first_char"):
        chat.instruction("quatrain5", "春风")
    with pytest.raises(ValueError, match="unknown character"):
        fmt.prompt_ids(chat.Request("quatrain5", "龘"))


def test_extend_model_keeps_the_old_vocabulary(vocab):
    torch.manual_seed(0)
    base = GPT(GPTConfig(vocab_size=len(vocab), block_size=32, n_layer=2, n_head=2, n_embd=16)).eval()
    ext = chat.extend_model(base, 2).eval()
    assert ext.config.vocab_size == len(vocab) + 2
    assert ext.lm_head.weight is ext.transformer.wte.weight  # still tied
    x = torch.randint(0, len(vocab), (3, 10))
    # the same logits on every old token, for any input made of old tokens
    torch.testing.assert_close(ext(x)[0][..., : len(vocab)], base(x)[0])
    with pytest.raises(ValueError, match="n_new"):
        chat.extend_model(base, 0)


@pytest.mark.parametrize("loss_on", ["answer", "all"])
def test_collate_loss_equals_per_example_cross_entropy(vocab, loss_on):
    torch.manual_seed(1)
    fmt = chat.ChatFormat(vocab)
    model = chat.extend_model(GPT(GPTConfig(vocab_size=len(vocab), block_size=48, n_layer=1, n_head=2,
                                            n_embd=16)), 2).eval()
    exs = [fmt.example_ids(chat.Request("quatrain5", "春"), "春风花月夜，江山花月夜。"),
           fmt.example_ids(chat.Request("quatrain7", "江"), "江山，")]
    x, y = sft.collate(exs, fmt.pad_id, loss_on)
    _, loss = model(x, y)
    # reference: each example alone, unpadded, the counted targets chosen by hand
    nll, count = 0.0, 0
    for ids, n in exs:
        logits = model(torch.tensor([ids[:-1]]))[0][0]
        targets = torch.tensor(ids[1:])
        start = 0 if loss_on == "all" else n - 1
        nll += F.cross_entropy(logits[start:], targets[start:], reduction="sum").item()
        count += len(targets) - start
    assert loss.item() == pytest.approx(nll / count, rel=1e-5)
    assert (y[1] == -100).sum() >= x.size(1) - (len(exs[1][0]) - 1)  # padding never counts
    with pytest.raises(ValueError, match="loss_on"):
        sft.collate(exs, fmt.pad_id, "prompt")


def test_answer_mask():
    new = torch.tensor([[5, 6, 2, 7, 2], [5, 5, 5, 5, 5], [2, 9, 9, 9, 9]])
    torch.testing.assert_close(sampling.answer_mask(new, 2), torch.tensor(
        [[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=torch.float))


def test_wilson_interval():
    lo, hi = sampling.wilson(8, 10)
    assert (lo, hi) == pytest.approx((0.4902, 0.9433), abs=1e-4)  # the textbook example
    assert sampling.wilson(0, 20)[0] == 0.0 and sampling.wilson(20, 20)[1] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        sampling.wilson(3, 2)


def test_follow_rates():
    reqs = [chat.Request("quatrain5", "床"), chat.Request("quatrain7", "床"), chat.Request("quatrain5", "春")]
    poem = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"
    r = sampling.follow_rates([poem] * 3, reqs)
    assert r["regular"] == 1.0 and r["form_ok"] == pytest.approx(2 / 3)
    assert r["first_ok"] == pytest.approx(2 / 3) and r["both"] == pytest.approx(1 / 3)


def test_kl_from_itself_is_zero_and_positive_otherwise(vocab):
    torch.manual_seed(2)
    fmt = chat.ChatFormat(vocab)
    cfg = GPTConfig(vocab_size=len(vocab) + 2, block_size=96, n_layer=1, n_head=2, n_embd=16)
    a, b = GPT(cfg).eval(), GPT(cfg).eval()
    reqs = [chat.Request("quatrain5", "春")] * 4
    assert sampling.kl_from(a, a, fmt, reqs, seed=0)["kl"] == pytest.approx(0.0, abs=1e-6)
    out = sampling.kl_from(a, b, fmt, reqs, seed=0)
    assert out["kl"] > 0 and len(out["answers"]) == 4
    assert out["answers"] == sampling.answers(a, fmt, reqs, seed=0)  # the same draws


def test_mcnemar_exact_equals_scipy_binomtest():
    binomtest = pytest.importorskip("scipy.stats").binomtest
    rng = torch.Generator().manual_seed(0)
    for _ in range(20):
        n = int(torch.randint(1, 60, (1,), generator=rng))
        a = (torch.rand(n, generator=rng) < 0.6).tolist()
        b = (torch.rand(n, generator=rng) < 0.5).tolist()
        lost, won, p = sampling.mcnemar_exact(a, b)
        assert lost == sum(x and not y for x, y in zip(a, b))
        assert won == sum(y and not x for x, y in zip(a, b))
        if lost + won:
            assert p == pytest.approx(binomtest(min(lost, won), lost + won, 0.5).pvalue, rel=1e-9)
        else:
            assert p == 1.0
    assert sampling.mcnemar_exact([True] * 10, [False] * 10) == (10, 0, pytest.approx(2 / 2**10))


def test_mcnemar_exact_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        sampling.mcnemar_exact([True, False], [True])
    with pytest.raises(ValueError, match="non-empty"):
        sampling.mcnemar_exact([], [])
    with pytest.raises(TypeError, match="model must hold bools"):
        sampling.mcnemar_exact([True, False], [1, 0])
