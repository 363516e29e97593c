"""The tied embedding's gradient (chapter 9): output-layer part + lookup part = autograd's gradient."""

import pytest
import torch
from bad_inputs import check, params

from helpers import tied
from helpers.gpt import GPT, GPTConfig


def _model(vocab=17, n_layer=1):
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=vocab, block_size=8, n_layer=n_layer, n_head=2, n_embd=16))


def test_parts_add_up_to_autograd():
    model = _model()
    g = torch.Generator().manual_seed(1)
    idx = torch.randint(0, 17, (3, 8), generator=g)
    targets = torch.randint(0, 17, (3, 8), generator=g)
    parts = tied.tied_parts(model, idx, targets)
    assert torch.allclose(parts.head + parts.lookup, parts.autograd, atol=1e-6)
    # reference for the head part: the gradient of an UNtied copy's output layer
    untied = _model()
    untied.lm_head.weight = torch.nn.Parameter(model.lm_head.weight.detach().clone())
    untied.transformer.wte.weight = torch.nn.Parameter(model.lm_head.weight.detach().clone())
    _, loss = untied(idx, targets)
    loss.backward()
    assert torch.allclose(parts.head, untied.lm_head.weight.grad, atol=1e-6)
    assert torch.allclose(parts.lookup, untied.transformer.wte.weight.grad, atol=1e-6)
    assert loss.item() == pytest.approx(parts.loss, rel=1e-6)


def test_unused_rows_get_only_the_head_part():
    model = _model()
    idx = torch.tensor([[1, 2, 3, 1]])
    parts = tied.tied_parts(model, idx, torch.tensor([[2, 3, 1, 4]]))
    unused = [r for r in range(17) if r not in (1, 2, 3)]
    assert torch.equal(parts.lookup[unused], torch.zeros(len(unused), 16))
    assert bool((parts.head[unused].abs().sum(1) > 0).all())
    assert torch.allclose(parts.d_logits.sum(1), torch.zeros(4), atol=1e-6)  # p - e_y sums to 0


def _bad_cases():
    m = _model()
    ids = torch.zeros(1, 4, dtype=torch.long)
    untied = _model()
    untied.transformer.wte.weight = torch.nn.Parameter(untied.lm_head.weight.detach().clone())
    return [
        ("model", lambda: tied.tied_parts("gpt", ids, ids), TypeError, "model"),
        ("untied", lambda: tied.tied_parts(untied, ids, ids), ValueError, "tie"),
        ("idx-float", lambda: tied.tied_parts(m, ids.float(), ids), TypeError, "idx"),
        ("idx-1d", lambda: tied.tied_parts(m, ids[0], ids), ValueError, "idx"),
        ("targets-shape", lambda: tied.tied_parts(m, ids, ids[:, :2]), ValueError, "targets"),
        ("targets-range", lambda: tied.tied_parts(m, ids, ids + 40), ValueError, "targets"),
    ]


@params(_bad_cases())
def test_bad_inputs(case):
    check(case)
