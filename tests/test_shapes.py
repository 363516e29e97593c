"""helpers.shapes.trace_shapes: the shapes each named piece receives and returns, in call order."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from helpers.shapes import trace_shapes


def _net() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 4), nn.LayerNorm(4))


def test_traces_every_named_piece_in_call_order_and_removes_its_hooks():
    net = _net()
    x = torch.randn(2, 3, 4)
    trace = trace_shapes(net, ["3", "0", "2"], x)
    assert trace == [("0", (2, 3, 4), (2, 3, 8)), ("2", (2, 3, 8), (2, 3, 4)), ("3", (2, 3, 4), (2, 3, 4))]
    assert all(not m._forward_hooks for m in net.modules())


def test_a_translator_layer_keeps_its_shape():
    from helpers import translator

    en, zh = translator.vocabularies()
    model = translator.build_model(translator.TrainSettings(dropout=0.0), en, zh).eval()
    layer = model.encoder[0]
    x = torch.randn(2, 5, model.config.d_model)
    with torch.no_grad():
        trace = trace_shapes(layer, ["self_attn", "ff.linear1", "norm2"], x, None)
    d, d_ff = model.config.d_model, model.config.d_ff
    assert [out for *_, out in trace] == [(2, 5, d), (2, 5, d_ff), (2, 5, d)]


def test_refuses_unknown_or_no_names_and_removes_hooks_when_the_call_fails():
    net = _net()
    with pytest.raises(ValueError, match="'9'"):
        trace_shapes(net, ["9"], torch.randn(1, 4))
    with pytest.raises(ValueError, match="names"):
        trace_shapes(net, [], torch.randn(1, 4))
    with pytest.raises(RuntimeError):
        trace_shapes(net, ["0"], torch.randn(1, 5))  # wrong width
    assert all(not m._forward_hooks for m in net.modules())
