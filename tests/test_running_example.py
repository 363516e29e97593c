"""The running example's toy vectors add up to the sums the book states by hand."""

import torch

from helpers import running_example as rx


def test_encoder_input_is_embedding_plus_position():
    expected = torch.tensor([[0.1, 0.3, 0.5, 0.7], [0.9, 1.1, 1.3, 1.5], [1.7, 1.7, 1.7, 1.7]])
    assert torch.allclose(rx.encoder_input(), expected)
    assert rx.TARGET[:-1] == rx.DECODER_INPUT[1:] and rx.TARGET[-1] == "<eos>"
