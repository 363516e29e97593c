"""The references the book's Llama is checked against (tests, and chapter 12 when installed).

- ``transformers`` loads the same GGUF file into its own Llama (``LlamaForCausalLM``) and builds a
  tokenizer from its metadata. Optional: not needed to run the book's model.
- ``smollm2_original_tokenizer``: the ``tokenizers`` library configured as SmolLM2's own tokenizer
  (digits split one by one, then GPT-2's byte-level pattern), with the file's vocabulary and merges.
"""

from __future__ import annotations

from pathlib import Path

from .package import smollm2_path
from .tokenizer import LlamaTokenizer

REFERENCE_INSTALL_HINT = "pip install transformers accelerate gguf"


def _transformers():
    try:
        import transformers
    except ImportError:
        raise ImportError(f"the reference model needs transformers: {REFERENCE_INSTALL_HINT}") from None
    return transformers


def transformers_available() -> bool:
    """Whether ``transformers`` (and ``gguf``, which it uses to read the file) can be imported."""
    try:
        import accelerate  # noqa: F401  (transformers needs it to load a GGUF file)
        import gguf  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


def _folder_and_name(path: str | Path | None) -> tuple[str, str]:
    path = Path(smollm2_path() if path is None else path)
    return str(path.parent), path.name


def load_reference_model(path: str | Path | None = None):
    """``transformers``' ``LlamaForCausalLM`` from the GGUF file (default SmolLM2), float32, eval mode.

    About 17 s and 600 MB here: transformers dequantises the file too.
    """
    import torch

    folder, name = _folder_and_name(path)
    auto = _transformers().AutoModelForCausalLM
    return auto.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()


def reference_outputs(prompt_ids: list[int], max_new_tokens: int = 20, path: str | Path | None = None) -> dict:
    """What ``transformers`` computes for a prompt, with its model loaded only for this call.

    Returns {"logits": (T, V) float32 tensor for the T prompt tokens, "greedy": the ``max_new_tokens``
    ids of greedy generation, "load_s": seconds to load}. The reference model (about 600 MB) is freed
    before returning, so that it and the book's model need not be in memory at the same time.
    """
    import gc
    import time

    import torch

    start = time.perf_counter()
    model = load_reference_model(path)
    load_s = time.perf_counter() - start
    ids = torch.tensor([list(prompt_ids)])
    with torch.no_grad():
        logits = model(ids).logits[0].clone()
        greedy = model.generate(ids, max_new_tokens=max_new_tokens, do_sample=False,
                                min_new_tokens=max_new_tokens)[0, ids.shape[1]:].tolist()
    del model
    gc.collect()
    return {"logits": logits, "greedy": greedy, "load_s": load_s}


def load_reference_tokenizer(path: str | Path | None = None):
    """``transformers``' tokenizer built from the GGUF file's metadata (GPT-2's pre-tokenizer)."""
    folder, name = _folder_and_name(path)
    return _transformers().AutoTokenizer.from_pretrained(folder, gguf_file=name)


def smollm2_original_tokenizer(tokenizer: LlamaTokenizer):
    """A ``tokenizers.Tokenizer`` set up as SmolLM2's own: Digits(individual_digits=True), then
    ByteLevel (GPT-2's pattern), BPE with the same vocabulary and merges, control tokens whole."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers

    merges = [tuple(m.split(" ")) for m in tokenizer.merges]
    tok = Tokenizer(models.BPE(vocab=dict(tokenizer.vocab), merges=merges))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(s, normalized=False, special=True) for s in tokenizer.special_ids])
    return tok

