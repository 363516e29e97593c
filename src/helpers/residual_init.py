"""GPT-2's scaled initialisation of the residual writes, measured on the book's pre-norm block (chapter 7).

In a pre-norm stack every sub-layer reads a LayerNorm of the stream and ADDS its output to it, so at
initialisation the stream after N layers is the input plus 2N writes (attention and feed-forward in
every layer). Each write reads a normalised vector, so its size does not depend on the depth, and
the writes are nearly uncorrelated: the stream's variance grows by about one write's variance per
sub-layer, linearly in N. GPT-2 (Radford et al., 2019) draws every weight from N(0, 0.02^2) but
the output projection of every sub-layer (the matrix that writes into the stream) from
N(0, (0.02 / sqrt(2N))^2): each of the 2N writes then has 1/(2N) of the variance, and what the
whole stack adds no longer grows with N.

    residual_std(n_layers)               0.02 / sqrt(2 n_layers)
    pre_norm_stack(n_layers, scaled=...) n_layers of helpers.transformer.EncoderLayer, GPT-2's init
    stream_stds(stack, x0)               std of the stream before the first layer and after each
    stream_growth(depths, seeds)         the same for several depths and seeds, scaled and not
    gpt2_reference(n_layers)             transformers' GPT2Model (random init, no download): the std
                                         of its weights and of its own stream after each block
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

from ._checks import check_bool, check_int, check_int_list, check_number, check_tensor
from .transformer import EncoderLayer

#: GPT-2's standard deviation for every weight (``initializer_range`` in transformers' GPT2Config).
BASE_STD = 0.02


def residual_std(n_layers: int, base_std: float = BASE_STD) -> float:
    """The std of every sub-layer's output projection in GPT-2: ``base_std / sqrt(2 n_layers)``
    (two writes into the stream per layer: attention and feed-forward)."""
    check_int(n_layers, "n_layers", low=1)
    check_number(base_std, "base_std", low=0.0, low_open=True)
    return base_std / math.sqrt(2 * n_layers)


def pre_norm_stack(
    n_layers: int,
    *,
    scaled: bool,
    seed: int = 0,
    d_model: int = 64,
    n_heads: int = 4,
    d_ff: int = 128,
    base_std: float = BASE_STD,
) -> nn.ModuleList:
    """``n_layers`` pre-norm layers of the book's block (``helpers.transformer.EncoderLayer``,
    ``norm_first=True``, no dropout) initialised as GPT-2: every Linear weight from
    N(0, base_std^2), biases 0, LayerNorms weight 1 and bias 0. With ``scaled`` the two
    projections of each layer that write into the stream (``self_attn.out_proj`` and
    ``ff.linear2``) are drawn with std ``residual_std(n_layers, base_std)`` instead.
    The defaults are the translator's sizes (d_model 64, 4 heads, d_ff 128)."""
    check_int(n_layers, "n_layers", low=1)
    check_bool(scaled, "scaled")
    check_int(seed, "seed", low=0)
    check_int(d_model, "d_model", low=1)
    check_int(n_heads, "n_heads", low=1)
    check_int(d_ff, "d_ff", low=1)
    check_number(base_std, "base_std", low=0.0, low_open=True)
    if d_model % n_heads:
        raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():  # PyTorch's own init, overwritten below, leaves the global RNG alone
        stack = nn.ModuleList(
            EncoderLayer(d_model, n_heads, d_ff, dropout=0.0, norm_first=True) for _ in range(n_layers)
        )
    out_std = residual_std(n_layers, base_std) if scaled else base_std
    with torch.no_grad():
        for layer in stack:
            writers = {id(layer.self_attn.out_proj), id(layer.ff.linear2)}
            for module in layer.modules():
                if isinstance(module, nn.Linear):
                    std = out_std if id(module) in writers else base_std
                    module.weight.copy_(torch.randn(module.weight.shape, generator=gen) * std)
                    module.bias.zero_()
                elif isinstance(module, nn.LayerNorm):
                    module.weight.fill_(1.0)
                    module.bias.zero_()
    return stack.eval()


def stream_stds(stack: nn.ModuleList, x0: torch.Tensor) -> list[float]:
    """The std of the residual stream: x0 (B, T, d) before the first layer, then after each layer
    of ``stack`` (no mask). Returns len(stack) + 1 floats."""
    if not isinstance(stack, nn.ModuleList) or len(stack) == 0:
        raise TypeError(f"stack must be a non-empty nn.ModuleList of layers, got {type(stack).__name__}")
    check_tensor(x0, "x0", ndim=3, floating=True)
    stds = [x0.std().item()]
    x = x0
    with torch.no_grad():
        for layer in stack:
            x = layer(x)
            stds.append(x.std().item())
    return stds


def stream_growth(
    depths: list[int] | tuple[int, ...] = (12, 24),
    seeds: list[int] | tuple[int, ...] = (0, 1, 2),
    batch: int = 8,
    positions: int = 16,
    input_std: float = BASE_STD,
    **sizes: int,
) -> dict[tuple[int, bool], list[list[float]]]:
    """For every depth N in ``depths`` and both initialisations (scaled False/True), one list of
    ``stream_stds`` per seed: result[(N, scaled)][i] holds N + 1 stds for seeds[i]. The input is
    random (batch, positions, d_model) entries of std ``input_std`` (GPT-2's embeddings start at
    0.02), drawn from the seed, the same for both initialisations. ``sizes``: d_model, n_heads, d_ff."""
    depths = check_int_list(depths, "depths")
    seeds = check_int_list(seeds, "seeds")
    if not depths or not seeds:
        raise ValueError(f"depths and seeds must be non-empty, got depths={depths}, seeds={seeds}")
    for n in depths:
        check_int(n, "depths' items", low=1)
    for s in seeds:
        check_int(s, "seeds' items", low=0)
    check_int(batch, "batch", low=1)
    check_int(positions, "positions", low=1)
    check_number(input_std, "input_std", low=0.0, low_open=True)
    d_model = sizes.get("d_model", 64)
    out: dict[tuple[int, bool], list[list[float]]] = {}
    for n in depths:
        for scaled in (False, True):
            runs = []
            for seed in seeds:
                gen = torch.Generator().manual_seed(10_000 + seed)
                x0 = torch.randn(batch, positions, d_model, generator=gen) * input_std
                runs.append(stream_stds(pre_norm_stack(n, scaled=scaled, seed=seed, **sizes), x0))
            out[n, scaled] = runs
    return out


def gpt2_reference(
    n_layers: int, d_model: int = 64, n_heads: int = 4, seed: int = 0, positions: int = 16, batch: int = 8
) -> dict[str, object]:
    """transformers' ``GPT2Model`` built from a ``GPT2Config`` (random init, nothing downloaded):
    ``proj_std`` the std of all its ``c_proj`` weights (the writes into the stream), ``other_std``
    the std of its ``c_attn`` and ``c_fc`` weights, ``stream`` the std of its residual stream after
    each block, on random token ids (hooks on the blocks; the last hidden state of GPT2Model has
    the final LayerNorm applied, so it is not used)."""
    check_int(n_layers, "n_layers", low=1)
    check_int(d_model, "d_model", low=1)
    check_int(n_heads, "n_heads", low=1)
    check_int(seed, "seed", low=0)
    check_int(positions, "positions", low=1)
    check_int(batch, "batch", low=1)
    if d_model % n_heads:
        raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")
    try:
        from transformers import GPT2Config, GPT2Model
    except ImportError as err:  # an optional dependency (the "reference" extra)
        raise ImportError("gpt2_reference needs transformers: pip install 'transformers>=5.18'") from err

    config = GPT2Config(
        n_layer=n_layers,
        n_embd=d_model,
        n_head=n_heads,
        n_positions=positions,
        vocab_size=100,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=None,  # GPT-2's 50256 lies outside this small vocabulary
        eos_token_id=None,
    )
    with torch.random.fork_rng():  # seeded, without touching the caller's global RNG
        torch.manual_seed(seed)
        model = GPT2Model(config).eval()
    proj = torch.cat([p.flatten() for n, p in model.named_parameters() if n.endswith("c_proj.weight")])
    other = torch.cat(
        [p.flatten() for n, p in model.named_parameters() if n.endswith(("c_attn.weight", "c_fc.weight"))]
    )
    stream: list[float] = []

    def keep(module: nn.Module, args: object, output: object) -> None:
        hidden = output[0] if isinstance(output, tuple) else output
        stream.append(hidden.std().item())

    hooks = [block.register_forward_hook(keep) for block in model.h]
    ids = torch.randint(0, config.vocab_size, (batch, positions), generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        model(input_ids=ids)
    for h in hooks:
        h.remove()
    return {
        "proj_std": proj.std().item(),
        "other_std": other.std().item(),
        "stream": stream,
        "initializer_range": config.initializer_range,
    }
