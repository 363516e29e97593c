"""Bad inputs to the public helpers of LoRA, generation, fine-tuning, positions, the translator, MLM,
the poems' batches, n-grams, the GPT, the seq2seq Transformer and the optimizers (tracker issue 15).

TALLY (``python tests/test_bad_inputs_more.py``; "before" with the package of the last commit first
on PYTHONPATH, "after" with this tree). Outcomes: clear error naming the argument / deep error not
naming it / silent (wrong) result / hang.

    module                   cases    before: clear deep silent hang    after: clear deep silent hang
    lora                        22               6   10      6    0              22    0      0    0
    generate                    38               9    9     20    0              38    0      0    0
    finetune                    36               4   20     12    0              36    0      0    0
    positional                  13               0    3     10    0              13    0      0    0
    translator_transformer      15               1    9      5    0              15    0      0    0
    mlm_get_batch               18               2    7      9    0              18    0      0    0
    ngram_gpt_optim             21               6    7      8    0              21    0      0    0
    loss_embeddings              7               0    1      6    0               7    0      0    0
    total                      170              28   66     76    0             170    0      0    0

"silent" counts both wrong results (NaN encodings, the index of a NaN logit, a mean pool divided
by a length past the row, an empty batch) and arguments taken without a check that then meant
something else (a str target read as characters, greedy="yes", an eos_id that can never occur).
The six "clear" before in ngram_gpt_optim are the optimizer and MultiHeadAttention cases the
previous pass had fixed (kept here to confirm NaN/inf rates and decays are refused).

Each case is (id, call, exception type, fragment): the call must raise exactly that exception type,
and its message must contain the fragment, which names the argument at fault.
"""

from __future__ import annotations

import functools
import math

import pytest
import torch
import torch.nn as nn
from bad_inputs import check, params, sweep

from helpers import embeddings, finetune, generate, lora, loss, mlm, ngram, poems, positional, translator
from helpers.gpt import GPT, GPTConfig, KVCache
from helpers.transformer import TransformerConfig

NAN, INF = float("nan"), float("inf")
T = torch.tensor


# ---------------------------------------------------------------------------------- fixtures
@functools.cache
def gpt_config() -> GPTConfig:
    return GPTConfig(vocab_size=20, block_size=8, n_layer=1, n_head=2, n_embd=8)


def gpt() -> GPT:
    torch.manual_seed(0)
    return GPT(gpt_config())


@functools.cache
def shared_gpt() -> GPT:
    return gpt()


@functools.cache
def cvocab() -> poems.CharVocab:
    return poems.CharVocab(list("abcdefghijklmno"))  # 5 specials + 15 characters = 20, the GPT's vocabulary


@functools.cache
def pdata() -> finetune.PoetData:
    return finetune.encode(["abc", "ba"], [0, 1], cvocab(), 8)


def empty_data() -> finetune.PoetData:
    z = torch.zeros(0, dtype=torch.long)
    return finetune.PoetData(torch.zeros(0, 3, dtype=torch.long), z, z, [])


@functools.cache
def clf() -> finetune.PoetClassifier:
    return finetune.PoetClassifier(gpt())


@functools.cache
def vocabs():
    return translator.vocabularies()


@functools.cache
def s2s():
    torch.manual_seed(0)
    en, zh = vocabs()
    return translator.build_model(translator.TrainSettings(d_model=8, d_ff=16, n_heads=2, n_layers=1,
                                                           dropout=0.0), en, zh)


@functools.cache
def fitted_ngram() -> ngram.NGramLM:
    return ngram.NGramLM(2, 10, pad_id=1).fit([[1, 2, 3, 2], [1, 3, 3]])


def lora_twice():
    m = gpt()
    lora.add_lora(m)
    return lora.add_lora(m)


def unknown_target_freezes_nothing():
    """The old add_lora froze the model, then raised: a failed call must leave the model as it was."""
    m = gpt()
    try:
        lora.add_lora(m, targets=("nothing",))
    except ValueError as err:
        assert all(p.requires_grad for p in m.parameters()), "add_lora froze the model before it failed"
        raise err


def grad_param(*shape: int) -> torch.Tensor:
    return torch.randn(*shape, requires_grad=True)


prompt = T([[1, 2, 3]])
logits2 = torch.randn(2, 5)
STREAM = torch.randint(5, 20, (50,))

# --------------------------------------------------------------------------------------- cases
LORA = [
    ("LoRALinear base Conv1d", lambda: lora.LoRALinear(nn.Conv1d(2, 2, 1)), TypeError, "base"),
    ("LoRALinear base LoRALinear", lambda: lora.LoRALinear(lora.LoRALinear(nn.Linear(4, 4), r=1)), TypeError,
     "base"),
    ("LoRALinear r 0", lambda: lora.LoRALinear(nn.Linear(4, 3), r=0), ValueError, "rank r"),
    ("LoRALinear r too big", lambda: lora.LoRALinear(nn.Linear(4, 3), r=4), ValueError, "rank r"),
    ("LoRALinear r float", lambda: lora.LoRALinear(nn.Linear(4, 3), r=2.0), TypeError, "rank r"),
    ("LoRALinear r str", lambda: lora.LoRALinear(nn.Linear(4, 3), r="2"), TypeError, "rank r"),
    ("LoRALinear alpha 0", lambda: lora.LoRALinear(nn.Linear(4, 3), r=1, alpha=0), ValueError, "alpha"),
    ("LoRALinear alpha nan", lambda: lora.LoRALinear(nn.Linear(4, 3), r=1, alpha=NAN), ValueError, "alpha"),
    ("LoRALinear alpha inf", lambda: lora.LoRALinear(nn.Linear(4, 3), r=1, alpha=INF), ValueError, "alpha"),
    ("LoRALinear alpha str", lambda: lora.LoRALinear(nn.Linear(4, 3), r=1, alpha="16"), TypeError, "alpha"),
    ("add_lora unknown target", unknown_target_freezes_nothing, ValueError, "targets"),
    ("add_lora twice", lora_twice, ValueError, "already has"),
    ("add_lora empty targets", lambda: lora.add_lora(gpt(), targets=[]), ValueError, "targets"),
    ("add_lora empty target str", lambda: lora.add_lora(gpt(), targets=[""]), ValueError, "targets[0]"),
    ("add_lora target int", lambda: lora.add_lora(gpt(), targets=[3]), TypeError, "targets[0]"),
    ("add_lora targets None", lambda: lora.add_lora(gpt(), targets=None), TypeError, "targets"),
    ("add_lora r too big", lambda: lora.add_lora(gpt(), r=100), ValueError, "rank r"),
    ("add_lora alpha nan", lambda: lora.add_lora(gpt(), alpha=NAN), ValueError, "alpha"),
    ("add_lora model str", lambda: lora.add_lora("gpt"), TypeError, "model"),
    ("merge_lora model None", lambda: lora.merge_lora(None), TypeError, "model"),
    ("set_lora_enabled str", lambda: lora.set_lora_enabled(gpt(), "no"), TypeError, "enabled"),
    ("count_parameters list", lambda: lora.count_parameters([1, 2]), TypeError, "model"),
]

GENERATE = [
    ("pick_next nan greedy", lambda: generate.pick_next(T([[0.0, NAN, 1.0]]), greedy=True), ValueError, "NaN"),
    ("pick_next nan sampled", lambda: generate.pick_next(T([[0.0, NAN, 1.0]])), ValueError, "NaN"),
    ("pick_next +inf", lambda: generate.pick_next(T([[0.0, INF, 1.0]])), ValueError, "+inf"),
    ("pick_next all -inf", lambda: generate.pick_next(T([[-INF, -INF]]), greedy=True), ValueError, "-inf"),
    ("pick_next greedy str", lambda: generate.pick_next(logits2, greedy="yes"), TypeError, "greedy"),
    ("pick_next generator int", lambda: generate.pick_next(logits2, generator=0), TypeError, "generator"),
    ("pick_next logits list", lambda: generate.pick_next([[0.0, 1.0]]), TypeError, "logits"),
    ("filter_logits nan", lambda: generate.filter_logits(T([NAN, 1.0])), ValueError, "logits"),
    ("top_k_filter nan", lambda: generate.top_k_filter(T([NAN, 1.0]), 1), ValueError, "logits"),
    ("temperature inf", lambda: generate.next_token_probs(logits2, temperature=INF), ValueError, "temperature"),
    ("temperature nan", lambda: generate.next_token_probs(logits2, temperature=NAN), ValueError, "temperature"),
    ("generate prompt str", lambda: generate.generate(shared_gpt(), "abc", 2), TypeError, "prompt"),
    ("generate prompt floats", lambda: generate.generate(shared_gpt(), [1.7, 2.2], 2), TypeError, "prompt[0]"),
    ("generate prompt None", lambda: generate.generate(shared_gpt(), None, 2), TypeError, "prompt"),
    ("generate prompt empty batch", lambda: generate.generate(shared_gpt(), torch.zeros(0, 3, dtype=torch.long), 2),
     ValueError, "prompt"),
    ("generate eos outside vocab", lambda: generate.generate(shared_gpt(), prompt, 2, eos_id=999), ValueError,
     "eos_id"),
    ("generate eos negative", lambda: generate.generate(shared_gpt(), prompt, 2, eos_id=-1), ValueError, "eos_id"),
    ("generate eos str", lambda: generate.generate(shared_gpt(), prompt, 2, eos_id="<eos>"), TypeError, "eos_id"),
    ("generate max_new_tokens float", lambda: generate.generate(shared_gpt(), prompt, 2.0), TypeError,
     "max_new_tokens"),
    ("generate max_new_tokens -1", lambda: generate.generate(shared_gpt(), prompt, -1), ValueError, "max_new_tokens"),
    ("generate greedy str", lambda: generate.generate(shared_gpt(), prompt, 2, greedy="yes"), TypeError, "greedy"),
    ("generate use_cache int", lambda: generate.generate(shared_gpt(), prompt, 2, use_cache=2), TypeError,
     "use_cache"),
    ("generate generator seed", lambda: generate.generate(shared_gpt(), prompt, 2, generator=0), TypeError,
     "generator"),
    ("generate_penalized max -1", lambda: generate.generate_penalized(shared_gpt(), prompt, -1, 1.3), ValueError,
     "max_new_tokens"),
    ("generate_penalized max str", lambda: generate.generate_penalized(shared_gpt(), prompt, "3", 1.3), TypeError,
     "max_new_tokens"),
    ("generate_penalized penalty nan", lambda: generate.generate_penalized(shared_gpt(), prompt, 2, NAN), ValueError,
     "penalty"),
    ("generate_penalized penalty inf", lambda: generate.generate_penalized(shared_gpt(), prompt, 2, INF), ValueError,
     "penalty"),
    ("generate_penalized eos 999", lambda: generate.generate_penalized(shared_gpt(), prompt, 2, 1.3, eos_id=999),
     ValueError, "eos_id"),
    ("generate_penalized temperature 0", lambda: generate.generate_penalized(shared_gpt(), prompt, 2, 1.3,
                                                                             greedy=False, temperature=0),
     ValueError, "temperature"),
    ("beam_search eos 999", lambda: generate.beam_search(shared_gpt(), prompt, 2, 2, eos_id=999), ValueError,
     "eos_id"),
    ("beam_search length_penalty nan", lambda: generate.beam_search(shared_gpt(), prompt, 2, 2,
                                                                    length_penalty=NAN), ValueError,
     "length_penalty"),
    ("repetition_penalty idx float", lambda: generate.repetition_penalty(logits2, T([[0.0], [1.0]]), 1.3), TypeError,
     "idx"),
    ("repetition_penalty idx too big", lambda: generate.repetition_penalty(logits2, T([[0], [9]]), 1.3), ValueError,
     "idx"),
    ("token_log_probs idx float", lambda: generate.token_log_probs(shared_gpt(), T([[1.0, 2.0]])), TypeError, "idx"),
    ("token_log_probs model str", lambda: generate.token_log_probs("gpt", T([[1, 2]])), TypeError, "model"),
    ("cut_at_eos str ids", lambda: generate.cut_at_eos("abc", 2), TypeError, "ids"),
    ("cut_at_eos eos str", lambda: generate.cut_at_eos([1, 2], "2"), TypeError, "eos_id"),
    ("cut_at_eos 2-D tensor", lambda: generate.cut_at_eos(T([[1, 2]]), 2), ValueError, "ids"),
]

FINETUNE = [
    ("pooled length > T", lambda: clf().pooled(T([[1, 2, 3]]), T([5])), ValueError, "lengths"),
    ("pooled length 0", lambda: clf().pooled(T([[1, 2, 3]]), T([0])), ValueError, "lengths"),
    ("pooled lengths float", lambda: clf().pooled(T([[1, 2, 3]]), T([2.0])), TypeError, "lengths"),
    ("pooled x float", lambda: clf().pooled(T([[1.0, 2.0]]), T([2])), TypeError, "x"),
    ("PoetClassifier body str", lambda: finetune.PoetClassifier("gpt"), TypeError, "body"),
    ("PoetClassifier n_classes 1", lambda: finetune.PoetClassifier(gpt(), n_classes=1), ValueError, "n_classes"),
    ("accuracy zero rows", lambda: finetune.accuracy(clf(), empty_data()), ValueError, "data"),
    ("accuracy data tuple", lambda: finetune.accuracy(clf(), (pdata().x, pdata().y)), TypeError, "data"),
    ("accuracy batch_size 0", lambda: finetune.accuracy(clf(), pdata(), batch_size=0), ValueError, "batch_size"),
    ("train_classifier zero rows", lambda: finetune.train_classifier(clf(), empty_data(), 1, 1e-3), ValueError,
     "data"),
    ("train_classifier lr nan", lambda: finetune.train_classifier(clf(), pdata(), 1, NAN), ValueError, "lr"),
    ("train_classifier lr inf", lambda: finetune.train_classifier(clf(), pdata(), 1, INF), ValueError, "lr"),
    ("train_classifier weight_decay nan", lambda: finetune.train_classifier(clf(), pdata(), 1, 1e-3,
                                                                            weight_decay=NAN), ValueError,
     "weight_decay"),
    ("train_classifier steps float", lambda: finetune.train_classifier(clf(), pdata(), 1.5, 1e-3), TypeError,
     "steps"),
    ("train_classifier batch_size 0", lambda: finetune.train_classifier(clf(), pdata(), 1, 1e-3, batch_size=0),
     ValueError, "batch_size"),
    ("train_to_best empty val", lambda: finetune.train_to_best(clf(), pdata(), empty_data(), 1, 1e-3), ValueError,
     "val"),
    ("train_to_best lr nan", lambda: finetune.train_to_best(clf(), pdata(), pdata(), 1, NAN), ValueError, "lr"),
    ("train_to_best eval_every 0", lambda: finetune.train_to_best(clf(), pdata(), pdata(), 1, 1e-3, eval_every=0),
     ValueError, "eval_every"),
    ("lm_loss batches 0", lambda: finetune.lm_loss(shared_gpt(), STREAM, batches=0), ValueError, "batches"),
    ("lm_loss batch_size 0", lambda: finetune.lm_loss(shared_gpt(), STREAM, batch_size=0), ValueError, "batch_size"),
    ("prepare pretrained str", lambda: finetune.prepare("gpt", "full"), TypeError, "pretrained"),
    ("encode block_size 0", lambda: finetune.encode(["ab"], [0], cvocab(), 0), ValueError, "block_size"),
    ("encode texts str", lambda: finetune.encode("ab", [0, 1], cvocab(), 8), TypeError, "texts"),
    ("encode label -1", lambda: finetune.encode(["ab"], [-1], cvocab(), 8), ValueError, "labels[0]"),
    ("poet_split authors str", lambda: finetune.poet_split("李白"), TypeError, "authors"),
    ("fit_logistic l2 nan", lambda: finetune.fit_logistic(torch.ones(2, 3), T([0, 1]), NAN), ValueError, "l2"),
    ("fit_logistic x nan", lambda: finetune.fit_logistic(T([[NAN], [1.0]]), T([0, 1]), 0.1), ValueError, "x"),
    ("fit_logistic no rows", lambda: finetune.fit_logistic(torch.ones(0, 3), T([], dtype=torch.long), 0.1),
     ValueError, "x"),
    ("fit_logistic y float", lambda: finetune.fit_logistic(torch.ones(2, 3), T([0.0, 1.0]), 0.1), TypeError, "y"),
    ("fit_logistic y 5", lambda: finetune.fit_logistic(torch.ones(2, 3), T([0, 5]), 0.1), ValueError, "y"),
    ("logistic_accuracy no rows", lambda: finetune.logistic_accuracy(nn.Linear(3, 2), torch.ones(0, 3),
                                                                     T([], dtype=torch.long)), ValueError, "x"),
    ("fit_logistic_on_val empty grid", lambda: finetune.fit_logistic_on_val(torch.ones(2, 3), T([0, 1]),
                                                                            torch.ones(2, 3), T([0, 1]), ()),
     ValueError, "l2_grid"),
    ("fit_logistic_on_val grid nan", lambda: finetune.fit_logistic_on_val(torch.ones(2, 3), T([0, 1]),
                                                                          torch.ones(2, 3), T([0, 1]), (NAN,)),
     ValueError, "l2_grid[0]"),
    ("energy_in_top nan", lambda: finetune.energy_in_top(T([[NAN, 1.0]])), ValueError, "delta"),
    ("energy_in_top rank 0", lambda: finetune.energy_in_top(torch.eye(3), (0,)), ValueError, "ranks[0]"),
    ("bag_of_characters vocab small", lambda: finetune.bag_of_characters(pdata(), 3), ValueError, "vocab_size"),
]

POSITIONAL = [
    ("sinusoidal base 0", lambda: positional.sinusoidal_encoding(4, 4, base=0.0), ValueError, "base"),
    ("sinusoidal base negative", lambda: positional.sinusoidal_encoding(4, 4, base=-10.0), ValueError, "base"),
    ("sinusoidal base nan", lambda: positional.sinusoidal_encoding(4, 4, base=NAN), ValueError, "base"),
    ("sinusoidal base inf", lambda: positional.sinusoidal_encoding(4, 4, base=INF), ValueError, "base"),
    ("sinusoidal base str", lambda: positional.sinusoidal_encoding(4, 4, base="1e4"), TypeError, "base"),
    ("frequencies base 0", lambda: positional.frequencies(4, 0.0), ValueError, "base"),
    ("apply_rope base nan", lambda: positional.apply_rope(torch.randn(3, 4), base=NAN), ValueError, "base"),
    ("offset_matrix delta float", lambda: positional.offset_matrix(1.5, 4), TypeError, "delta"),
    ("rope_angles positions nan", lambda: positional.rope_angles(T([0.0, NAN]), 4), ValueError, "positions"),
    ("rotate_pairs angles list", lambda: positional.rotate_pairs(torch.randn(3, 4), [[0.0, 0.0]] * 3), TypeError,
     "angles"),
    ("t5_bucket num_buckets 1", lambda: positional.t5_bucket(T([-3, 0, 3]), num_buckets=1), ValueError,
     "num_buckets"),
    ("t5_bucket max_distance 1", lambda: positional.t5_bucket(T([-3, 0, 3]), max_distance=1), ValueError,
     "max_distance"),
    ("t5_bucket bidirectional str", lambda: positional.t5_bucket(T([1]), bidirectional="yes"), TypeError,
     "bidirectional"),
]

TRANSLATOR = [
    ("translate unknown word", lambda: translator.translate(s2s(), [("The", "zebra")], *vocabs()), ValueError,
     "zebra"),
    ("translate sentence str", lambda: translator.translate(s2s(), ["The cat"], *vocabs()), TypeError,
     "sentences[0]"),
    ("translate sentences str", lambda: translator.translate(s2s(), "The cat", *vocabs()), TypeError, "sentences"),
    ("translate empty sentence", lambda: translator.translate(s2s(), [()], *vocabs()), ValueError, "sentences[0]"),
    ("translate batch_size 0", lambda: translator.translate(s2s(), [("The",)], *vocabs(), batch_size=0), ValueError,
     "batch_size"),
    ("translate model str", lambda: translator.translate("model", [("The",)], *vocabs()), TypeError, "model"),
    ("translate allow_unknown str", lambda: translator.translate(s2s(), [("The",)], *vocabs(), allow_unknown="y"),
     TypeError, "allow_unknown"),
    ("exact_match no pairs", lambda: translator.exact_match(s2s(), [], *vocabs()), ValueError, "pairs"),
    ("encode_pairs tuples", lambda: translator.encode_pairs([(("The",), ("猫",))], *vocabs()), TypeError,
     "pairs[0]"),
    ("lr_factor warmup float", lambda: translator.lr_factor(0, 2.5, 10), TypeError, "warmup"),
    ("greedy_decode max_len 0", lambda: s2s().greedy_decode(T([[4, 5]]), 1, 2, max_len=0), ValueError, "max_len"),
    ("greedy_decode sos 999", lambda: s2s().greedy_decode(T([[4, 5]]), 999, 2), ValueError, "sos_id"),
    ("Seq2Seq src no tokens", lambda: s2s()(torch.zeros(1, 0, dtype=torch.long), T([[1]])), ValueError, "src"),
    ("TransformerConfig pad_id 99", lambda: TransformerConfig(10, 10, pad_id=99), ValueError, "pad_id"),
    ("TransformerConfig norm_first str", lambda: TransformerConfig(10, 10, norm_first="no"), TypeError,
     "norm_first"),
]

MLM_BATCHES = [
    ("mlm_batch batch 0", lambda: mlm.mlm_batch(STREAM, 0, 4, 4, 20), ValueError, "batch_size"),
    ("mlm_batch block 0", lambda: mlm.mlm_batch(STREAM, 2, 0, 4, 20), ValueError, "block_size"),
    ("mlm_batch batch float", lambda: mlm.mlm_batch(STREAM, 2.0, 4, 4, 20), TypeError, "batch_size"),
    ("mlm_batch stream float", lambda: mlm.mlm_batch(STREAM.float(), 2, 4, 4, 20), TypeError, "stream"),
    ("mask_tokens mask_share nan", lambda: mlm.mask_tokens(T([[5, 6]]), 4, 20, mask_share=NAN), ValueError,
     "mask_share"),
    ("mask_tokens random_share nan", lambda: mlm.mask_tokens(T([[5, 6]]), 4, 20, random_share=NAN), ValueError,
     "random_share"),
    ("mask_tokens p str", lambda: mlm.mask_tokens(T([[5, 6]]), 4, 20, p="0.15"), TypeError, "p"),
    ("mask_tokens vocab_size float", lambda: mlm.mask_tokens(T([[5, 6]]), 4, 20.0), TypeError, "vocab_size"),
    ("mask_tokens special_ids str", lambda: mlm.mask_tokens(T([[5, 6]]), 4, 20, special_ids="0"), TypeError,
     "special_ids"),
    ("chi_square nan counts", lambda: mlm.chi_square([NAN, 1.0], [0.5, 0.5]), ValueError, "counts"),
    ("chi_square zero counts", lambda: mlm.chi_square([0, 0], [0.5, 0.5]), ValueError, "counts"),
    ("window_starts length 0", lambda: mlm.window_starts(STREAM, 0, 1), ValueError, "length"),
    ("pretrain_small steps 0", lambda: mlm.pretrain_small(STREAM, 20, 4, 1, "causal", 0), ValueError, "steps"),
    ("get_batch batch 0", lambda: poems.get_batch(STREAM, 0, 4), ValueError, "batch_size"),
    ("get_batch block 0", lambda: poems.get_batch(STREAM, 2, 0), ValueError, "block_size"),
    ("get_batch block float", lambda: poems.get_batch(STREAM, 2, 4.0), TypeError, "block_size"),
    ("get_batch stream float", lambda: poems.get_batch(STREAM.float(), 2, 4), TypeError, "stream"),
    ("get_batch generator int", lambda: poems.get_batch(STREAM, 2, 4, generator=0), TypeError, "generator"),
]

NGRAM_GPT_OPTIM = [
    ("NGramLM vocab_size 0", lambda: ngram.NGramLM(2, 0), ValueError, "vocab_size"),
    ("NGramLM pad_id outside", lambda: ngram.NGramLM(2, 5, pad_id=9), ValueError, "pad_id"),
    ("NGramLM lidstone k inf", lambda: ngram.NGramLM(2, 5, "lidstone", k=INF), ValueError, "k"),
    ("NGramLM fit str", lambda: ngram.NGramLM(2, 10).fit("abc"), TypeError, "sequences"),
    ("NGramLM fit token 99", lambda: ngram.NGramLM(2, 10).fit([[1, 99]]), ValueError, "sequences[0][1]"),
    ("NGramLM prob before fit", lambda: ngram.NGramLM(2, 10).prob(2, [1]), ValueError, "fit"),
    ("NGramLM prob token 99", lambda: fitted_ngram().prob(99, [1]), ValueError, "token"),
    ("NGramLM loss no tokens", lambda: fitted_ngram().loss([[1]]), ValueError, "sequences"),
    ("NGramLM unseen token", lambda: fitted_ngram().loss([[1, 7]]), ValueError, "seq[1]"),
    ("GPT targets float", lambda: shared_gpt()(prompt, prompt.float()), TypeError, "targets"),
    ("GPT targets 99", lambda: shared_gpt()(prompt, T([[1, 99, 2]])), ValueError, "targets"),
    ("KVCache batch 0", lambda: KVCache(gpt_config(), 0), ValueError, "batch_size"),
    ("configure_optimizer lr nan", lambda: shared_gpt().configure_optimizer(NAN), ValueError, "lr"),
    ("configure_optimizer wd inf", lambda: shared_gpt().configure_optimizer(1e-3, INF), ValueError, "weight_decay"),
    ("configure_optimizer betas nan", lambda: shared_gpt().configure_optimizer(1e-3, betas=(NAN, 0.9)), ValueError,
     "betas[0]"),
    ("SGD lr nan", lambda: __import__("helpers.optim").optim.SGD([grad_param(2)], lr=NAN), ValueError, "lr"),
    ("SGD lr inf", lambda: __import__("helpers.optim").optim.SGD([grad_param(2)], lr=INF), ValueError, "lr"),
    ("SGD weight_decay nan", lambda: __import__("helpers.optim").optim.SGD([grad_param(2)], lr=0.1,
                                                                           weight_decay=NAN), ValueError,
     "weight_decay"),
    ("Adam weight_decay inf", lambda: __import__("helpers.optim").optim.Adam([grad_param(2)], weight_decay=INF),
     ValueError, "weight_decay"),
    ("AdamW betas nan", lambda: __import__("helpers.optim").optim.AdamW([grad_param(2)], betas=(NAN, 0.9)),
     ValueError, "betas"),
    ("MultiHeadAttention n_heads 0", lambda: __import__("helpers.mha").mha.MultiHeadAttention(8, 0), ValueError,
     "n_heads"),
]

LOSS_EMBEDDINGS = [
    ("kl_divergence shapes broadcast", lambda: loss.kl_divergence(torch.full((2, 3), 1 / 3), torch.randn(4, 1, 3)),
     ValueError, "target and logits"),
    ("kl_divergence target negative", lambda: loss.kl_divergence(T([-0.5, 1.5]), T([0.0, 0.0])), ValueError,
     "target"),
    ("entropy negative probs", lambda: loss.entropy(T([-0.5, 1.5])), ValueError, "probs"),
    ("entropy nan probs", lambda: loss.entropy(T([NAN, 1.0])), ValueError, "probs"),
    ("cosine_similarity nan", lambda: embeddings.cosine_similarity_matrix(T([[NAN, 1.0], [1.0, 0.0]])), ValueError,
     "vectors"),
    ("principal_components nan", lambda: embeddings.principal_components(T([[NAN, 1.0], [1.0, 0.0], [0.0, 1.0]])),
     ValueError, "vectors"),
    ("principal_components no variance", lambda: embeddings.principal_components(T([[1.0, 1.0]]), 1), ValueError,
     "vectors"),
]

MODULES = {"lora": LORA, "generate": GENERATE, "finetune": FINETUNE, "positional": POSITIONAL,
           "translator_transformer": TRANSLATOR, "mlm_get_batch": MLM_BATCHES, "ngram_gpt_optim": NGRAM_GPT_OPTIM,
           "loss_embeddings": LOSS_EMBEDDINGS}


# --------------------------------------------------------------------------------------- checks
@params(LORA)
def test_lora(case):
    check(case, 20)


@params(GENERATE)
def test_generate(case):
    check(case, 20)


@params(FINETUNE)
def test_finetune(case):
    check(case, 20)


@params(POSITIONAL)
def test_positional(case):
    check(case, 20)


@params(TRANSLATOR)
def test_translator_transformer(case):
    check(case, 20)


@params(MLM_BATCHES)
def test_mlm_and_get_batch(case):
    check(case, 20)


@params(NGRAM_GPT_OPTIM)
def test_ngram_gpt_optim(case):
    check(case, 20)


@params(LOSS_EMBEDDINGS)
def test_loss_embeddings(case):
    check(case, 20)


def test_every_case_id_is_unique():
    ids = [c[0] for cases in MODULES.values() for c in cases]
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------- valid inputs still work
def test_lora_follows_a_float64_layer_and_merges_without_rounding():
    torch.manual_seed(0)
    base = nn.Linear(6, 5).double()
    layer = lora.LoRALinear(base, r=2, alpha=4.0)
    assert layer.lora_A.dtype == layer.lora_B.dtype == torch.float64
    with torch.no_grad():
        layer.lora_B.normal_()  # a non-zero update
    x = torch.randn(3, 6, dtype=torch.float64)
    merged = layer.merged()
    assert merged.weight.dtype == torch.float64
    out, ref = merged(x), layer(x)
    assert out.dtype == torch.float64
    assert (out - ref).abs().max().item() < 1e-12


def test_add_lora_takes_one_str_as_one_target_and_leaves_the_model_unchanged_on_failure():
    m = gpt()
    names = lora.add_lora(m, targets="attn.c_attn", r=2)
    assert names == ["transformer.h.0.attn.c_attn"]
    assert [n for n, _ in lora.lora_layers(m)] == names
    fresh = gpt()
    with pytest.raises(ValueError, match="rank r"):
        lora.add_lora(fresh, r=1000)
    assert all(p.requires_grad for p in fresh.parameters()) and not lora.lora_layers(fresh)


def test_generate_and_generate_penalized_share_the_loop_and_keep_their_results():
    m = shared_gpt()
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    a = generate.generate(m, prompt, 6, generator=g1, use_cache=True)
    b = generate.generate(m, prompt, 6, generator=g2, use_cache=False)
    assert torch.equal(a, b) and a.shape == (1, 9)
    assert generate.generate(m, [1, 2, 3], 0).tolist() == [[1, 2, 3]]
    eos = int(generate.generate(m, prompt, 1, greedy=True)[0, -1])
    assert generate.generate(m, prompt, 5, greedy=True, eos_id=eos).shape == (1, 4)  # stops at <eos>
    assert generate.generate_penalized(m, prompt, 5, 1.3, eos_id=eos).shape[1] <= 8
    assert generate.pick_next(T([[0.0, -INF, 1.0]]), greedy=True).tolist() == [[2]]  # -inf is allowed


def test_translate_reads_unknown_words_only_when_asked():
    en, zh = vocabs()
    out = translator.translate(s2s(), [("The", "zebra")], en, zh, allow_unknown=True)
    assert out == translator.translate(s2s(), [("The", "<unk>")], en, zh)


def test_classifier_accepts_lengths_from_1_to_T():
    c = clf()
    x = T([[1, 2, 3], [4, 5, 0]])
    assert c.pooled(x, T([3, 1])).shape == (2, 8)
    assert 0.0 <= finetune.accuracy(c, pdata()) <= 1.0


def test_t5_bucket_smallest_valid_settings():
    out = positional.t5_bucket(torch.arange(-5, 6), bidirectional=True, num_buckets=4, max_distance=2)
    assert out.min() >= 0 and out.max() < 4
    assert math.isfinite(positional.sinusoidal_encoding(3, 4, base=2).sum().item())


# --------------------------------------------------------------------------------- the sweep


if __name__ == "__main__":
    # a fixture's own AssertionError (e.g. the model was frozen before the error) is a silent wrong result
    sweep(MODULES, seconds=20, silent=(AssertionError,))
