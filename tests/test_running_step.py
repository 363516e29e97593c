"""helpers.running_step: chapter 0's tiny model, checked against PyTorch's attention and loss."""

import torch
import torch.nn.functional as F

from helpers import running_example, running_step


def test_forward_matches_pytorch_attention_and_is_deterministic():
    step = running_step.build()
    f = running_step.forward(step)
    p = step.params
    X = p["E_src"][step.src_ids] + running_example.toy_positions()
    assert torch.allclose(X[:, :], running_example.encoder_input())  # the toy rows are used
    C = X + F.scaled_dot_product_attention(X @ p["Wq_enc"], X @ p["Wk_enc"], X @ p["Wv_enc"])
    assert torch.allclose(f["C"], C, atol=1e-6)
    H2 = f["H1"] + F.scaled_dot_product_attention(f["H1"] @ p["Wq_x"], C @ p["Wk_x"], C @ p["Wv_x"])
    assert torch.allclose(f["H2"], H2, atol=1e-6)
    assert torch.allclose(f["A_dec"].triu(1), torch.zeros(3, 3))  # causal
    assert torch.allclose(f["A_x"].sum(-1), torch.ones(3))
    again = running_step.forward(running_step.build())
    assert torch.equal(again["logits"], f["logits"])


def test_same_draws_as_the_global_generator_seeded_like_chapter_0():
    torch.manual_seed(0)
    e_src = torch.randn(len(running_step.build().en_vocab), 4) * 0.5
    step = running_step.build()
    keep = torch.ones(len(e_src), dtype=torch.bool)
    keep[step.src_ids] = False
    assert torch.equal(step.params["E_src"][keep], e_src[keep])


def test_gradients_flow_to_every_parameter():
    step = running_step.build(requires_grad=True)
    f = running_step.forward(step)
    F.cross_entropy(f["logits"], step.tgt_ids).backward()
    for name, w in step.params.items():
        assert w.grad is not None and w.grad.abs().sum() > 0, name
