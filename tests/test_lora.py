"""helpers.lora: LoRA from scratch, B = 0 gives the base outputs, merging keeps them, parameter counts."""

import copy

import pytest
import torch
import torch.nn as nn

from helpers import lora
from helpers.gpt import GPT, GPTConfig


def _gpt():
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=50, block_size=16, n_layer=2, n_head=2, n_embd=32)).eval()


def test_zero_b_gives_base_outputs_and_merge_keeps_them():
    torch.manual_seed(0)
    base = nn.Linear(12, 7)
    layer = lora.LoRALinear(copy.deepcopy(base), r=3, alpha=6.0)
    x = torch.randn(5, 4, 12)
    assert torch.equal(layer(x), base(x))  # B = 0: exactly the base layer
    with torch.no_grad():
        layer.lora_B.normal_()
    assert not torch.allclose(layer(x), base(x))
    # the update written out: x W^T + b + (alpha / r) x A^T B^T
    ref = base(x) + 2.0 * x @ layer.lora_A.T @ layer.lora_B.T
    torch.testing.assert_close(layer(x), ref)
    torch.testing.assert_close(layer.merged()(x), layer(x), rtol=1e-5, atol=1e-6)
    layer.enabled = False
    assert torch.equal(layer(x), base(x))


def test_gpt_with_lora():
    model = _gpt()
    ref = copy.deepcopy(model)
    names = lora.add_lora(model, r=4, alpha=8.0)
    assert len(names) == 2 * 4  # four linear layers per block
    idx = torch.randint(50, (2, 16))
    assert torch.equal(model(idx)[0], ref(idx)[0])
    trainable, total = lora.count_parameters(model)
    # per block: c_attn 32->96, c_proj 32->32, c_fc 32->128, c_proj 128->32; r (in + out) each
    expected = 2 * 4 * ((32 + 96) + (32 + 32) + (32 + 128) + (128 + 32))
    assert trainable == expected
    assert total == ref.num_params() + expected
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    loss = model(idx, idx)[1]
    loss.backward()
    opt.step()
    base_params = {n: p for n, p in model.named_parameters() if "lora_" not in n}
    for n, p in ref.named_parameters():
        key = (
            n.replace(".weight", ".base.weight")
            if n.rsplit(".", 2)[-2] in ("c_attn", "c_proj", "c_fc") and ".h." in n
            else n
        )
        assert torch.equal(base_params[key], p), n  # the body did not move
    adapted = model(idx)[0]
    assert not torch.allclose(adapted, ref(idx)[0])  # the adapters moved
    assert lora.merge_lora(model) == 8
    assert not lora.lora_layers(model)
    torch.testing.assert_close(model(idx)[0], adapted, rtol=1e-5, atol=1e-5)


def test_bad_inputs():
    with pytest.raises(TypeError, match="nn.Linear"):
        lora.LoRALinear(nn.Conv1d(2, 2, 1))
    with pytest.raises(ValueError, match="rank r"):
        lora.LoRALinear(nn.Linear(4, 3), r=4)
    with pytest.raises(ValueError, match="rank r"):
        lora.LoRALinear(nn.Linear(4, 3), r=0)
    with pytest.raises(ValueError, match="alpha"):
        lora.LoRALinear(nn.Linear(4, 3), r=1, alpha=0)
    with pytest.raises(ValueError, match="no nn.Linear"):
        lora.add_lora(_gpt(), targets=("nothing",))
