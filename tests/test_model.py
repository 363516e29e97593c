"""Multi-head attention, encoder/decoder layers and masks, against PyTorch's own modules."""

import pytest
import torch
import torch.nn as nn

from helpers.masks import causal_mask, combine_masks, padding_mask, to_pytorch_blocked
from helpers.mha import MultiHeadAttention, merge_heads, split_heads
from helpers.transformer import DecoderLayer, EncoderLayer, Seq2SeqTransformer, TransformerConfig

D, H = 16, 4


@pytest.fixture
def pair():
    torch.manual_seed(0)
    ref = nn.MultiheadAttention(D, H, batch_first=True).eval()
    return MultiHeadAttention(D, H).load_from_pytorch(ref).eval(), ref


def test_split_merge_round_trip():
    x = torch.randn(2, 5, D)
    assert split_heads(x, H).shape == (2, H, 5, D // H)
    assert torch.equal(merge_heads(split_heads(x, H)), x)


def test_self_attention_matches_pytorch(pair):
    ours, ref = pair
    x = torch.randn(3, 7, D)
    ours.keep_weights = True
    expected, w = ref(x, x, x, average_attn_weights=False)
    assert torch.allclose(ours(x, x, x), expected, atol=1e-5)
    assert torch.allclose(ours.last_weights, w, atol=1e-5)


def test_cross_attention_with_key_padding_matches_pytorch(pair):
    ours, ref = pair
    q, mem = torch.randn(2, 4, D), torch.randn(2, 6, D)
    ids = torch.tensor([[5, 6, 7, 8, 0, 0], [5, 6, 7, 8, 9, 9]])
    keep = padding_mask(ids, pad_id=0)                      # (B, 1, 1, S), True = real token
    expected, _ = ref(q, mem, mem, key_padding_mask=to_pytorch_blocked(keep[:, 0, 0]))
    assert torch.allclose(ours(q, mem, mem, keep), expected, atol=1e-5)


def test_causal_and_padding_combined_match_pytorch(pair):
    ours, ref = pair
    x = torch.randn(2, 5, D)
    ids = torch.tensor([[1, 2, 3, 0, 0], [1, 2, 3, 4, 5]])
    mask = combine_masks(padding_mask(ids, 0), causal_mask(5))
    assert mask.shape == (2, 1, 5, 5)
    expected, _ = ref(x, x, x, attn_mask=to_pytorch_blocked(causal_mask(5)),
                      key_padding_mask=to_pytorch_blocked(padding_mask(ids, 0)[:, 0, 0]))
    assert torch.allclose(ours(x, x, x, mask), expected, atol=1e-5)


@pytest.mark.parametrize("norm_first", [False, True])
def test_encoder_layer_matches_pytorch(norm_first):
    torch.manual_seed(1)
    ref = nn.TransformerEncoderLayer(D, H, 32, dropout=0.0, batch_first=True, norm_first=norm_first).eval()
    ours = EncoderLayer(D, H, 32, dropout=0.0, norm_first=norm_first).load_from_pytorch(ref).eval()
    x = torch.randn(2, 6, D)
    ids = torch.tensor([[1, 2, 3, 4, 0, 0], [1, 2, 3, 4, 5, 6]])
    expected = ref(x, src_key_padding_mask=to_pytorch_blocked(padding_mask(ids, 0)[:, 0, 0]))
    got = ours(x, padding_mask(ids, 0))
    real = padding_mask(ids, 0)[:, 0, 0]   # PyTorch's fast path may zero padded rows: compare real ones
    assert torch.allclose(got[real], expected[real], atol=1e-5)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_matches_pytorch(norm_first):
    torch.manual_seed(2)
    ref = nn.TransformerDecoderLayer(D, H, 32, dropout=0.0, batch_first=True, norm_first=norm_first).eval()
    ours = DecoderLayer(D, H, 32, dropout=0.0, norm_first=norm_first).load_from_pytorch(ref).eval()
    y, mem = torch.randn(2, 5, D), torch.randn(2, 7, D)
    src = torch.tensor([[1, 2, 3, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6, 7]])
    expected = ref(y, mem, tgt_mask=to_pytorch_blocked(causal_mask(5)),
                   memory_key_padding_mask=to_pytorch_blocked(padding_mask(src, 0)[:, 0, 0]))
    got = ours(y, mem, causal_mask(5), padding_mask(src, 0))
    assert torch.allclose(got, expected, atol=1e-5)


def small_model(**kw):
    torch.manual_seed(0)
    return Seq2SeqTransformer(TransformerConfig(src_vocab_size=20, tgt_vocab_size=15, d_model=16, n_heads=4,
                                                n_layers=2, d_ff=32, dropout=0.0, **kw)).eval()


def test_decoder_output_at_t_ignores_later_tokens():
    model = small_model()
    src = torch.tensor([[4, 5, 6, 7]])
    a = torch.tensor([[1, 3, 4, 5, 6]])
    b = torch.tensor([[1, 3, 4, 9, 10]])           # differs from position 3 on
    la, lb = model(src, a), model(src, b)
    assert torch.allclose(la[:, :3], lb[:, :3], atol=1e-6)
    assert not torch.allclose(la[:, 3:], lb[:, 3:], atol=1e-3)


def test_padding_in_source_does_not_change_output():
    model = small_model()
    tgt = torch.tensor([[1, 3, 4]])
    short = model(torch.tensor([[4, 5, 6]]), tgt)
    padded = model(torch.tensor([[4, 5, 6, 0, 0]]), tgt)
    assert torch.allclose(short, padded, atol=1e-5)


def test_greedy_decode_and_attention_maps():
    model = small_model()
    model.keep_attention(True)
    out = model.greedy_decode(torch.tensor([[4, 5, 6]]), sos_id=1, eos_id=2, max_len=5)
    assert len(out) == 1 and len(out[0]) <= 5
    maps = model.attention_maps()
    assert maps["cross"][0].shape[:2] == (1, 4) and maps["cross"][0].shape[-1] == 3


def test_fully_masked_rows_are_zero_not_nan(pair):
    ours, _ = pair
    x = torch.randn(1, 3, D)
    mask = torch.zeros(1, 1, 3, 3, dtype=torch.bool)
    out = ours(x, x, x, mask)
    assert not torch.isnan(out).any()
    assert torch.allclose(out, ours.out_proj.bias.expand_as(out))   # attention output 0, then W^O bias


def test_bad_input():
    with pytest.raises(ValueError, match="d_model=10 is not divisible by n_heads=4"):
        MultiHeadAttention(10, 4)
    with pytest.raises(ValueError, match="d_model=10 is not divisible by n_heads=4"):
        TransformerConfig(5, 5, d_model=10, n_heads=4)
    mha = MultiHeadAttention(D, H)
    with pytest.raises(ValueError, match=r"query must have shape \(batch, T, d_model=16\), got \(2, 5, 8\)"):
        mha(torch.randn(2, 5, 8), torch.randn(2, 5, D), torch.randn(2, 5, D))
    with pytest.raises(ValueError, match="must share the batch size"):
        mha(torch.randn(2, 5, D), torch.randn(2, 5, D), torch.randn(2, 4, D))
    with pytest.raises(ValueError, match=r"mask of shape \(3, 3\) does not broadcast"):
        mha(torch.randn(2, 5, D), torch.randn(2, 5, D), torch.randn(2, 5, D), torch.ones(3, 3, dtype=torch.bool))
    with pytest.raises(TypeError, match="bool tensor"):
        mha(torch.randn(2, 5, D), torch.randn(2, 5, D), torch.randn(2, 5, D), torch.ones(5, 5))
    with pytest.raises(ValueError, match="do not broadcast"):
        combine_masks(torch.ones(2, 3, dtype=torch.bool), torch.ones(4, 4, dtype=torch.bool))
    model = small_model()
    with pytest.raises(ValueError, match="src has ids outside"):
        model(torch.tensor([[99]]), torch.tensor([[1]]))
    with pytest.raises(ValueError, match="integer tensor of shape"):
        model(torch.randn(1, 3), torch.tensor([[1]]))
