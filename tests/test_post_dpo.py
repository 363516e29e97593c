"""DPO (chapter 13): the loss and its hand-derived gradient against autograd, and the loss against trl's."""

from __future__ import annotations

import importlib.util

import pytest
import torch

from helpers.gpt import GPT, GPTConfig
from helpers.post import dpo


def _logps(seed: int = 0, B: int = 6) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [-30 * torch.rand(B, generator=g, dtype=torch.float64) for _ in range(4)]


@pytest.mark.parametrize("beta", [0.05, 0.1, 1.0])
def test_dpo_grads_equal_autograd(beta):
    pc, pr, rc, rr = _logps()
    pc.requires_grad_(True)
    pr.requires_grad_(True)
    dpo.dpo_loss(pc, pr, rc, rr, beta).backward()
    gc, gr = dpo.dpo_grads(pc.detach(), pr.detach(), rc, rr, beta)
    torch.testing.assert_close(gc, pc.grad)
    torch.testing.assert_close(gr, pr.grad)


def test_dpo_loss_formula_and_limits():
    pc, pr, rc, rr = _logps(1)
    beta = 0.3
    h = (pc - rc) - (pr - rr)
    manual = torch.log1p(torch.exp(-beta * h)).mean()  # -ln sigma(x) = ln(1 + e^-x)
    torch.testing.assert_close(dpo.dpo_loss(pc, pr, rc, rr, beta), manual)
    # policy == reference: h = 0 and the loss is ln 2
    assert dpo.dpo_loss(rc, rr, rc, rr, beta).item() == pytest.approx(0.6931471805599453)
    with pytest.raises(ValueError, match="beta"):
        dpo.dpo_loss(pc, pr, rc, rr, 0.0)
    with pytest.raises(ValueError, match="same shape"):
        dpo.dpo_loss(pc, pr[:2], rc, rr, beta)


def test_sequence_log_probs_counts_only_the_answer():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=12, block_size=16, n_layer=1, n_head=2, n_embd=8)).eval()
    rows, n_prompt = [[1, 5, 6, 7, 2], [1, 5, 8, 2]], [2, 3]
    got = dpo.sequence_log_probs(model, rows, n_prompt, pad_id=0)
    for b, (row, n) in enumerate(zip(rows, n_prompt)):
        total = 0.0
        for t in range(n, len(row)):  # one forward pass per answer token, unpadded
            logits = model(torch.tensor([row[:t]]))[0][0, -1]
            total += torch.log_softmax(logits, -1)[row[t]].item()
        assert got[b].item() == pytest.approx(total, abs=1e-5)


def test_make_pairs_takes_best_and_worst():
    groups = [([[1], [2], [3]], [1.0, 0.0, 1.0], 1), ([[4], [5]], [1.0, 1.0], 1), ([[6], [7]], [0.0, 0.5], 1)]
    pairs = dpo.make_pairs(groups, seed=0)
    assert len(pairs) == 2  # the all-equal group gives none
    assert pairs[0][0] in ([1], [3]) and pairs[0][1] == [2]
    assert pairs[1] == ([7], [6], 1)


@pytest.mark.skipif(importlib.util.find_spec("trl") is None, reason="trl is not installed (pip install trl==1.16.0)")
@pytest.mark.parametrize("sft_weight", [0.0, 0.7])
def test_dpo_loss_equals_trl(tmp_path, sft_weight):
    """trl's DPOTrainer computes its loss inside the trainer: run it on a tiny GPT converted to GPT-2.

    With ``sft_weight`` > 0, trl's loss_type ["sigmoid", "sft"] weighted [1, sft_weight] (RPO) against
    our dpo_loss + sft_weight * chosen_nll."""
    import warnings

    from datasets import Dataset
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast
    from trl import DPOConfig, DPOTrainer

    from helpers.gpt import to_hf_gpt2

    words = ["<pad>", "<eos>", "<unk>"] + [f"w{i}" for i in range(13)]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="<eos>",
                                        unk_token="<unk>")
    torch.manual_seed(0)
    ours = GPT(GPTConfig(vocab_size=len(words), block_size=32, n_layer=2, n_head=2, n_embd=16)).eval()
    ref_ours = GPT(GPTConfig(vocab_size=len(words), block_size=32, n_layer=2, n_head=2, n_embd=16)).eval()
    data = Dataset.from_dict({"prompt": ["w1 w2", "w3", "w4 w5 w6", "w7"],
                              "chosen": [" w8 w9", " w10 w11 w12", " w1", " w2 w3"],
                              "rejected": [" w3", " w4 w4", " w5 w6 w7 w8", " w9"]})
    beta = 0.2
    cfg = DPOConfig(output_dir=str(tmp_path), beta=beta, per_device_train_batch_size=4, report_to=[],
                    max_steps=1, use_cpu=True, bf16=False, logging_steps=1, save_strategy="no",
                    **({"loss_type": ["sigmoid", "sft"], "loss_weights": [1.0, sft_weight]} if sft_weight else {}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        trainer = DPOTrainer(model=to_hf_gpt2(ours), ref_model=to_hf_gpt2(ref_ours), args=cfg,
                             train_dataset=data, processing_class=tokenizer)
        batch = next(iter(trainer.get_train_dataloader()))
        trainer.model.eval()
        with torch.no_grad():
            trl_loss = trainer.compute_loss(trainer.model, batch).item()
    # the same token ids through our GPT, our sequence log-probabilities and our loss
    ids, comp, att = batch["input_ids"], batch["completion_mask"], batch["attention_mask"]
    rows = [ids[b][att[b].bool()].tolist() for b in range(ids.size(0))]
    n_prompt = [int((att[b].bool() & ~comp[b].bool()).sum()) for b in range(ids.size(0))]
    with torch.no_grad():
        lp = dpo.sequence_log_probs(ours, rows, n_prompt, pad_id=0)
        lr = dpo.sequence_log_probs(ref_ours, rows, n_prompt, pad_id=0)
    B = len(rows) // 2  # trl's batch is [chosen..., rejected...]
    loss = dpo.dpo_loss(lp[:B], lp[B:], lr[:B], lr[B:], beta).item()
    assert abs(loss - 0.6931) > 1e-3  # the two models differ: not the trivial ln 2
    if sft_weight:
        nll = dpo.chosen_nll(lp[:B], [int(comp[b].sum()) for b in range(B)]).item()
        assert nll > 1.0  # a random model: the SFT term is not negligible
        loss += sft_weight * nll
    assert loss == pytest.approx(trl_loss, abs=1e-5)


def test_pair_diagnostics_match_a_direct_computation():
    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=12, block_size=16, n_layer=1, n_head=2, n_embd=8)
    ref, policy = GPT(cfg).eval(), GPT(cfg).train()
    pairs = [([1, 5, 6, 7, 2], [1, 5, 8, 2], 2), ([1, 4, 9, 2], [1, 4, 3, 3, 10, 2], 2), ([1, 6, 6, 2], [1, 6, 2], 3)]
    beta = 0.3
    d = dpo.pair_diagnostics(policy, ref, pairs, pad_id=0, beta=beta)
    assert policy.training and not ref.training  # modes restored

    def logp(model, row, n):  # one unpadded forward pass per pair answer
        lp = torch.log_softmax(model.eval()(torch.tensor([row]))[0][0], -1)
        return sum(lp[t - 1, row[t]].item() for t in range(n, len(row)))

    for i, (c, r, n) in enumerate(pairs):
        rc, rr, pc, pr = logp(ref, c, n), logp(ref, r, n), logp(policy, c, n), logp(policy, r, n)
        assert d["ref_chosen"][i].item() == pytest.approx(rc, abs=1e-5)
        assert d["rejected"][i].item() == pytest.approx(pr, abs=1e-5)
        assert d["margin"][i].item() == pytest.approx(beta * ((pc - rc) - (pr - rr)), abs=1e-5)
    assert d["accuracy"] == pytest.approx((d["margin"] > 0).float().mean().item())
    args = (d["chosen"], d["rejected"], d["ref_chosen"], d["ref_rejected"], beta)
    assert d["loss"] == pytest.approx(dpo.dpo_loss(*args).item())
    # the policy as its own reference: every implicit reward is 0, nothing is ranked
    same = dpo.pair_diagnostics(ref, ref, pairs, pad_id=0, beta=beta)
    assert same["margin"].abs().max().item() == 0 and same["accuracy"] == 0
    with pytest.raises(ValueError, match="no preference pairs"):
        dpo.pair_diagnostics(policy, ref, [], pad_id=0, beta=beta)


def test_sample_groups_scores_every_answer_and_is_seeded():
    from helpers import poems
    from helpers.post import chat, rewards

    vocab = poems.CharVocab("春风花月夜江山，。写一首五言七绝句律诗以字开头")
    fmt = chat.ChatFormat(vocab)
    torch.manual_seed(0)
    base = GPT(GPTConfig(vocab_size=len(vocab), block_size=96, n_layer=1, n_head=2, n_embd=8)).eval()
    model = chat.extend_model(base, 2).eval()
    reqs = [chat.Request("quatrain5", "春"), chat.Request("regulated7", "月")] * 9  # 18: two chunks of 16
    groups = dpo.sample_groups(model, fmt, reqs, group_size=3, seed=4)
    assert len(groups) == len(reqs)
    for (rows, scores, tp), r in zip(groups, reqs):
        assert len(rows) == len(scores) == 3 and tp == len(fmt.prompt_ids(r))
        for row, s in zip(rows, scores):
            assert row[:tp] == fmt.prompt_ids(r) and row[-1] == fmt.eos_id
            assert s == rewards.form_reward(fmt.decode_answer(row[tp:]), r)
    again = dpo.sample_groups(model, fmt, reqs, group_size=3, seed=4)
    assert [g[0] for g in again] == [g[0] for g in groups]


def test_chosen_nll_is_cross_entropy_over_the_chosen_answers():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=12, block_size=16, n_layer=1, n_head=2, n_embd=8)).eval()
    rows, n_prompt = [[1, 5, 6, 7, 2], [1, 5, 8, 2]], [2, 3]
    lp = dpo.sequence_log_probs(model, rows, n_prompt, pad_id=0)
    got = dpo.chosen_nll(lp, [len(r) - n for r, n in zip(rows, n_prompt)])
    logits, targets = [], []
    for row, n in zip(rows, n_prompt):  # every answer token's logits, pooled: F.cross_entropy's mean
        out = model(torch.tensor([row]))[0][0]
        logits.append(out[n - 1: len(row) - 1])
        targets += row[n:]
    want = torch.nn.functional.cross_entropy(torch.cat(logits), torch.tensor(targets))
    assert got.item() == pytest.approx(want.item(), abs=1e-5)


def test_chosen_nll_and_sft_weight_reject_bad_inputs(small_pair):
    with pytest.raises(ValueError, match="one token count each"):
        dpo.chosen_nll(torch.zeros(2), [3])
    with pytest.raises(ValueError, match="n_tokens must all be > 0"):
        dpo.chosen_nll(torch.zeros(2), [3, 0])
    model, ref, pairs = small_pair
    for bad in (-1.0, True, "1"):
        with pytest.raises(ValueError, match="sft_weight must be a number >= 0"):
            dpo.train_dpo(model, ref, pairs, 0, beta=0.1, steps=1, sft_weight=bad)


def test_sft_weight_adds_the_chosen_answers_nll_to_the_gradient(small_pair):
    """One step's gradient with sft_weight w equals DPO's gradient + w * the chosen NLL's gradient."""
    import copy

    model, ref, pairs = small_pair
    rows, n = [c for c, _, _ in pairs] + [r for _, r, _ in pairs], [k for _, _, k in pairs] * 2

    def grads(w: float) -> torch.Tensor:
        m = copy.deepcopy(model)
        opt_lr = 0.0  # lr 0: the step leaves the weights alone, the log records the loss
        log = dpo.train_dpo(m, ref, pairs, 0, beta=0.5, steps=1, batch_size=len(pairs), lr=opt_lr, sft_weight=w)
        m.train()
        lp = dpo.sequence_log_probs(m, rows, n, 0)
        with torch.no_grad():
            lr_ = dpo.sequence_log_probs(ref, rows, n, 0)
        B = len(pairs)
        loss = dpo.dpo_loss(lp[:B], lp[B:], lr_[:B], lr_[B:], 0.5)
        if w:
            loss = loss + w * dpo.chosen_nll(lp[:B], [len(c) - k for c, _, k in pairs])
            assert log[-1]["nll"] > 0
        assert log[-1]["loss"] == pytest.approx(loss.item(), abs=1e-3)
        return torch.autograd.grad(loss, m.lm_head.weight)[0]

    g0, g1 = grads(0.0), grads(1.0)
    assert (g1 - g0).abs().max() > 1e-4  # the SFT term changes the update


@pytest.fixture
def small_pair():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=12, block_size=16, n_layer=1, n_head=2, n_embd=8))
    ref = GPT(GPTConfig(vocab_size=12, block_size=16, n_layer=1, n_head=2, n_embd=8)).eval()
    return model, ref, [([1, 5, 6, 7, 2], [1, 5, 9, 2], 2), ([1, 4, 8, 2], [1, 4, 3, 3, 2], 2)]
