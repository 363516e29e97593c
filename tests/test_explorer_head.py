"""explorer_head: one head of attention_data's dict, its stages and values, with its inputs checked."""

import math

import pytest
import torch

from helpers.explorers import explorer_head, explorer_stages


def small_data():
    """A dict shaped like attention_data's: 1 sentence, 2 layers, 2 heads, d_k = 4."""
    gen = torch.Generator().manual_seed(0)

    def kind(t_q, t_k, mask):
        return {
            "q_tokens": [f"q{i}" for i in range(t_q)],
            "k_tokens": [f"k{j}" for j in range(t_k)],
            "mask": mask,
            "scores": [[torch.randn(t_q, t_k, generator=gen).tolist() for _ in range(2)] for _ in range(2)],
            "values": [[torch.randn(t_k, 4, generator=gen).tolist() for _ in range(2)] for _ in range(2)],
        }

    causal = torch.ones(3, 3, dtype=torch.bool).tril().tolist()
    kinds = {"encoder": kind(2, 2, [[True] * 2] * 2), "decoder": kind(3, 3, causal),
             "cross": kind(3, 2, [[True] * 2] * 3)}
    return {"d_k": 4, "n_layers": 2, "n_heads": 2, "sentences": [{"name": "s", "kinds": kinds}]}


def test_head_is_the_explorers_stages_and_values():
    data = small_data()
    k = data["sentences"][0]["kinds"]["decoder"]
    got = explorer_head(data, sentence=0, kind="decoder", layer=1, head=0)
    want = explorer_stages(k["scores"][1][0], k["mask"], 4, k["values"][1][0])
    for name in ("raw", "scaled", "weights", "output"):
        assert torch.equal(got[name], want[name]), name
    assert torch.equal(got["values"], torch.tensor(k["values"][1][0], dtype=torch.float64))
    assert got["q_tokens"] == ["q0", "q1", "q2"] and got["k_tokens"] == ["k0", "k1", "k2"]
    # the output is the weighted sum of the value rows; the mask hides the later keys
    assert torch.allclose(got["output"], got["weights"] @ got["values"])
    assert got["weights"][0, 1:].abs().max() == 0 and math.isclose(got["weights"][0, 0].item(), 1.0)


@pytest.mark.parametrize(
    ("kwargs", "error", "name"),
    [
        ({"sentence": 1}, ValueError, "sentence"),
        ({"sentence": "0"}, TypeError, "sentence"),
        ({"kind": "self"}, ValueError, "kind"),
        ({"layer": 2}, ValueError, "layer"),
        ({"layer": -1}, ValueError, "layer"),
        ({"head": 2}, ValueError, "head"),
        ({"head": 1.0}, TypeError, "head"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs, error, name):
    args = {"sentence": 0, "kind": "cross", "layer": 0, "head": 0, **kwargs}
    with pytest.raises(error, match=name):
        explorer_head(small_data(), **args)


def test_data_not_from_attention_data():
    with pytest.raises(ValueError, match="attention_data"):
        explorer_head({"sentences": []}, 0, "cross", 0, 0)
