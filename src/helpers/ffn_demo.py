"""Why the feed-forward network has a nonlinearity and a wide hidden layer: a small measured demo.

A two-layer network is fitted to a 3 x 3 checkerboard of two classes in the plane (a stand-in for
"a pattern in a token's vector"). Without a nonlinearity the two layers collapse into one linear
map, which cannot separate the squares; with ReLU, more hidden units give the network more
pieces to bend its decision boundary with. Several seeds are trained at once as one batched
network, so the demo takes a few seconds on a CPU.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def checkerboard(n: int, seed: int, cells: int = 3) -> tuple[torch.Tensor, torch.Tensor]:
    """n points uniform in the square [-cells/2, cells/2]^2, labelled by the colour of their cell.

    Returns x (n, 2) float and y (n,) float in {0, 1}.
    """
    if n < 1 or cells < 1:
        raise ValueError(f"n and cells must be >= 1, got n={n}, cells={cells}")
    g = torch.Generator().manual_seed(seed)
    x = (torch.rand(n, 2, generator=g) - 0.5) * cells
    square = torch.floor(x + cells / 2).long().clamp(0, cells - 1)
    y = ((square[:, 0] + square[:, 1]) % 2).float()
    return x, y


def init_mlp(n_models: int, d_in: int, width: int, seed: int) -> list[torch.Tensor]:
    """Weights of ``n_models`` independent two-layer networks, initialised as ``nn.Linear`` does
    (uniform in +-1/sqrt(fan_in)): W1 (n, d_in, width), b1 (n, 1, width), W2 (n, width, 1), b2 (n, 1, 1)."""
    g = torch.Generator().manual_seed(seed)

    def uniform(shape: tuple[int, ...], fan_in: int) -> torch.Tensor:
        bound = 1 / math.sqrt(fan_in)
        return ((torch.rand(shape, generator=g) * 2 - 1) * bound).requires_grad_()

    return [
        uniform((n_models, d_in, width), d_in),
        uniform((n_models, 1, width), d_in),
        uniform((n_models, width, 1), width),
        uniform((n_models, 1, 1), width),
    ]


def mlp(params: list[torch.Tensor], x: torch.Tensor, relu: bool = True) -> torch.Tensor:
    """Batched two-layer network: x (n_models, N, d_in) -> logits (n_models, N)."""
    w1, b1, w2, b2 = params
    h = x @ w1 + b1
    if relu:
        h = torch.relu(h)
    return (h @ w2 + b2)[..., 0]


def fit_checkerboard_models(
    width: int, relu: bool, seeds: tuple[int, ...] = (0, 1, 2), steps: int = 300, lr: float = 0.02, n: int = 1000
) -> tuple[list[float], list[torch.Tensor]]:
    """Train one network per seed (Adam, full batch, logistic loss) on a checkerboard; return each
    network's accuracy on fresh test points of the same board, and the trained weights (the batched
    ``params`` of :func:`init_mlp`, model k = seeds[k], detached). Seed s sets the weights and the
    training points (test points use seed 1000 + s)."""
    if width < 1 or steps < 1 or not seeds:
        raise ValueError(f"need width >= 1, steps >= 1 and at least one seed, got {width}, {steps}, {seeds}")
    train = [checkerboard(n, s) for s in seeds]
    test = [checkerboard(n, 1000 + s) for s in seeds]
    x, y = torch.stack([a for a, _ in train]), torch.stack([b for _, b in train])
    xt, yt = torch.stack([a for a, _ in test]), torch.stack([b for _, b in test])
    params = init_mlp(len(seeds), 2, width, seed=seeds[0] * 7919 + width)
    opt = torch.optim.Adam(params, lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        # sum over the models of each model's mean loss: the models do not interact
        F.binary_cross_entropy_with_logits(mlp(params, x, relu), y, reduction="none").mean(1).sum().backward()
        opt.step()
    with torch.no_grad():
        correct = ((mlp(params, xt, relu) > 0).float() == yt).float().mean(1)
    return correct.tolist(), [p.detach() for p in params]


def fit_checkerboard(
    width: int, relu: bool, seeds: tuple[int, ...] = (0, 1, 2), steps: int = 300, lr: float = 0.02, n: int = 1000
) -> list[float]:
    """The test accuracies of :func:`fit_checkerboard_models` (one per seed), without the weights."""
    return fit_checkerboard_models(width, relu, seeds, steps, lr, n)[0]


def decision_regions(
    params: list[torch.Tensor], relu: bool, model: int = 0, cells: int = 3, resolution: int = 150
) -> torch.Tensor:
    """The colour (0 or 1) that trained network ``model`` of the batch ``params`` predicts on a
    ``resolution`` x ``resolution`` grid over the board [-cells/2, cells/2]^2: a (resolution,
    resolution) float tensor, row 0 at the bottom (y = -cells/2), column 0 at the left."""
    if len(params) != 4 or params[0].dim() != 3 or params[0].shape[1] != 2:
        shapes = [tuple(p.shape) for p in params]
        raise ValueError(f"params must be the 4 batched weights of init_mlp with d_in = 2, got shapes {shapes}")
    if not 0 <= model < params[0].shape[0]:
        raise ValueError(f"model must index one of the {params[0].shape[0]} networks, got {model}")
    if resolution < 2 or cells < 1:
        raise ValueError(f"need resolution >= 2 and cells >= 1, got resolution={resolution}, cells={cells}")
    ticks = (torch.arange(resolution) + 0.5) / resolution * cells - cells / 2  # cell centres of the grid
    yy, xx = torch.meshgrid(ticks, ticks, indexing="ij")
    grid = torch.stack([xx.flatten(), yy.flatten()], dim=1)  # (resolution**2, 2): (x, y)
    one = [p[model : model + 1] for p in params]
    with torch.no_grad():
        colour = (mlp(one, grid[None], relu)[0] > 0).float()
    return colour.reshape(resolution, resolution)


def board_colours(cells: int = 3, resolution: int = 150) -> torch.Tensor:
    """The true colour of the board on the same grid as :func:`decision_regions`: (resolution, resolution)."""
    if resolution < 2 or cells < 1:
        raise ValueError(f"need resolution >= 2 and cells >= 1, got resolution={resolution}, cells={cells}")
    ticks = (torch.arange(resolution) + 0.5) / resolution * cells - cells / 2
    square = torch.floor(ticks + cells / 2).long().clamp(0, cells - 1)
    return ((square[:, None] + square[None, :]) % 2).float()
