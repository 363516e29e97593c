"""The running example: "The cat sat" -> "猫 坐着 <eos>", with d_model = 4.

The toy vectors are illustrative numbers chosen to be easy to add by hand: they are neither
trained embeddings nor real sinusoidal encodings (chapter 3 compares them with the real ones).
"""

from __future__ import annotations

import torch

SOURCE_TOKENS = ["The", "cat", "sat"]
DECODER_INPUT = ["<sos>", "猫", "坐着"]  # what the decoder reads (teacher forcing)
TARGET = ["猫", "坐着", "<eos>"]  # what it must predict: the input shifted left by one
D_MODEL = 4


def toy_embeddings() -> torch.Tensor:
    """Embedding rows of The, cat, sat: shape (3, 4)."""
    return torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 0.8, 0.7, 0.6]])


def toy_positions() -> torch.Tensor:
    """Toy positional vectors for positions 0, 1, 2 (evenly spaced, not sinusoidal): shape (3, 4)."""
    return torch.tensor([[0.0, 0.1, 0.2, 0.3], [0.4, 0.5, 0.6, 0.7], [0.8, 0.9, 1.0, 1.1]])


def encoder_input() -> torch.Tensor:
    """X = embedding + position, the encoder's input: shape (3, 4)."""
    return toy_embeddings() + toy_positions()
