"""helpers.mlm: BERT's 80/10/10 masking rule, checked statistically and against transformers' collator."""

import pytest
import torch

from helpers import mlm

V, MASK = 500, 4


def _ids(n_rows=200, n_cols=64, seed=0):
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(5, V, (n_rows, n_cols), generator=g)
    ids[:, 0] = 1  # <sos>
    ids[:, -1] = 2  # <eos>
    return ids


def test_structure():
    ids = _ids()
    m = mlm.mask_tokens(ids, MASK, V, generator=torch.Generator().manual_seed(1))
    assert not m.selected[:, 0].any() and not m.selected[:, -1].any()  # specials never selected
    assert torch.equal(m.labels[m.selected], ids[m.selected])
    assert (m.labels[~m.selected] == -100).all()
    assert torch.equal(m.inputs[~m.selected], ids[~m.selected])
    assert (m.inputs[m.replaced] == MASK).all()
    assert torch.equal(m.inputs[m.kept], ids[m.kept])
    assert torch.equal(m.replaced | m.randomised | m.kept, m.selected)
    assert not (m.replaced & m.randomised).any() and not (m.kept & (m.replaced | m.randomised)).any()


def test_rule_statistically():
    ids = _ids(1000, 64)
    m = mlm.mask_tokens(ids, MASK, V, generator=torch.Generator().manual_seed(2))
    ordinary = int((ids >= 5).sum())
    n_sel = int(m.selected.sum())
    _, p_sel = mlm.chi_square([n_sel, ordinary - n_sel], [0.15, 0.85])
    counts = [int(m.replaced.sum()), int(m.randomised.sum()), int(m.kept.sum())]
    _, p_rule = mlm.chi_square(counts, [0.8, 0.1, 0.1])
    assert p_sel > 0.001 and p_rule > 0.001
    # a wrong rule is rejected
    assert mlm.chi_square(counts, [0.7, 0.15, 0.15])[1] < 1e-6


def test_chi_square_p_value_against_erfc():
    stat, p = mlm.chi_square([60, 40], [0.5, 0.5])
    assert stat == pytest.approx(4.0)
    # one degree of freedom: p = erfc(sqrt(stat / 2))
    assert p == pytest.approx(float(torch.erfc(torch.tensor(4.0 / 2, dtype=torch.float64).sqrt())), rel=1e-9)


def test_same_proportions_as_transformers():
    pytest.importorskip("transformers")
    ids = _ids(1000, 64)
    special = ids < 5
    inputs, labels = mlm.transformers_masking(ids, MASK, V, seed=0)
    sel = labels != -100
    ref = [
        int((sel & (inputs == MASK)).sum()),
        int((sel & (inputs != MASK) & (inputs != ids)).sum()),
        int((sel & (inputs == ids)).sum()),
    ]
    assert torch.equal(labels[sel], ids[sel]) and torch.equal(inputs[~sel], ids[~sel]) and not sel[special].any()
    m = mlm.mask_tokens(ids, MASK, V, generator=torch.Generator().manual_seed(0))
    ours = [
        int(m.replaced.sum()),
        int((m.randomised & (m.inputs != ids)).sum()),
        int((m.selected & (m.inputs == ids)).sum()),
    ]
    # the two selection rates and the three shares agree (a 2 x 3 contingency test would be stricter;
    # here: each within 4 standard errors of the rule)
    for counts in (ours, ref):
        n = sum(counts)
        assert abs(n / int((~special).sum()) - 0.15) < 4 * (0.15 * 0.85 / int((~special).sum())) ** 0.5
        assert mlm.chi_square(counts, [0.8, 0.1 * (1 - 1 / V), 0.1 + 0.1 / V])[1] > 0.001


def test_mlm_batch_shapes():
    stream = torch.randint(5, V, (1000,))
    x, y = mlm.mlm_batch(stream, 4, 16, MASK, V, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (4, 16)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(ids=torch.zeros(3)), "shape"),
        (dict(ids=torch.zeros(2, 3)), "integer"),
        (dict(p=0.0), "selection probability"),
        (dict(mask_share=0.9, random_share=0.2), "sum"),
        (dict(mask_id=V), "mask_id"),
        (dict(ids=torch.full((2, 3), V)), "ids must be in"),
    ],
)
def test_bad_inputs(kwargs, match):
    args = dict(ids=torch.zeros(2, 3, dtype=torch.long), mask_id=MASK, vocab_size=V) | kwargs
    with pytest.raises(ValueError, match=match):
        mlm.mask_tokens(**args)


def test_chi_square_bad_inputs():
    with pytest.raises(ValueError, match="same length"):
        mlm.chi_square([1, 2], [1.0])
    with pytest.raises(ValueError, match="sum to 1"):
        mlm.chi_square([1, 2], [0.5, 0.6])


def test_mlm_batch_windows_start_at_start_id():
    stream = torch.tensor(([1] + list(range(5, 20)) + [2]) * 30)
    x, y = mlm.mlm_batch(stream, 8, 10, MASK, V, torch.Generator().manual_seed(0), start_id=1)
    assert (x[:, 0] == 1).all() and (y[:, 0] == -100).all()  # <sos> is never selected
    with pytest.raises(ValueError, match="no token 99"):
        mlm.mlm_batch(stream, 2, 10, MASK, V, start_id=99)


def test_pretrain_small_objectives_learn_and_differ_only_in_the_mask():
    sos, mask_id, vocab_size = 2, 4, 12
    pattern = [sos, 5, 6, 7, 8, 9, 10, 11]
    stream = torch.tensor(pattern * 200)
    models = {}
    for objective in ("causal", "masked", "none"):
        model, loss = mlm.pretrain_small(stream, vocab_size, mask_id, sos, objective, steps=60, seed=0,
                                         n_layer=1, n_head=1, n_embd=16, block_size=8, batch_size=8, lr=1e-2)
        models[objective] = (model, loss)
    assert models["causal"][0].config.causal and not models["masked"][0].config.causal
    assert models["none"][0].config.causal and torch.isnan(torch.tensor(models["none"][1]))
    # a periodic stream is easy: both objectives end far below a uniform guess (ln 12 = 2.48)
    assert models["causal"][1] < 0.5 and models["masked"][1] < 1.0
    a, b = (models[o][0].config.to_dict() for o in ("causal", "masked"))
    assert {k for k in a if a[k] != b[k]} == {"causal"}
    with pytest.raises(ValueError, match="objective must be"):
        mlm.pretrain_small(stream, vocab_size, mask_id, sos, "both", steps=1)
    with pytest.raises(ValueError, match="no token"):
        mlm.window_starts(torch.tensor([5, 6, 7]), 2, sos)
