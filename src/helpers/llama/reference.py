"""The references the book's Llama is checked against (tests, and chapter 12 when installed).

- ``transformers`` loads the same GGUF file into its own Llama (``LlamaForCausalLM``) and builds a
  tokenizer from its metadata. Optional: not needed to run the book's model.
- ``smollm2_original_tokenizer``: the ``tokenizers`` library configured as SmolLM2's own tokenizer
  (digits split one by one, then GPT-2's byte-level pattern), with the file's vocabulary and merges.
"""

from __future__ import annotations

import functools
import importlib
import types
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

from .. import clock
from .._checks import _is_int, check_int, check_list, check_str_list, show
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
    if path is not None and not isinstance(path, (str, Path)) and not hasattr(path, "__fspath__"):
        raise TypeError(f"path must be a str, a pathlib.Path or None, got {show(path)}")
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


@contextmanager
def _parse_gguf_once():
    """Within this block, reading a GGUF file's metadata through ``transformers`` costs one parse.

    Loading a model and a tokenizer from a GGUF file, ``transformers`` (its path for Llama) parses
    the file's metadata with ``gguf.GGUFReader`` in each of ``load_gguf_checkpoint``'s calls
    (config, tokenizer), turns every value of it into Python objects each time (the 49,152
    tokens and 48,900 merges too), and builds gguf's tensor-name table once per module (about 400
    times). Here ``GGUFReader`` parses each file once, and over a plain array view of the mapped
    file (numpy's ``memmap`` subclass makes each of its million small reads several times slower);
    ``load_gguf_checkpoint`` without tensors runs once per file and hands out copies of its config; the
    name table is built once. All of these are pure functions of their arguments, so this changes
    nothing but the time (about 1.5 s of processor time here).
    """
    import copy

    import gguf
    import gguf.gguf_reader as gguf_reader
    import numpy as np

    original_reader, original_map = gguf.GGUFReader, gguf.get_tensor_name_map
    readers: dict = {}

    class _PlainMap(types.ModuleType):
        """``numpy`` as ``gguf_reader`` sees it, with ``memmap`` giving a plain ndarray view."""

        def __getattr__(self, name):
            return getattr(np, name)

        @staticmethod
        def memmap(path, mode="r", **kwargs):
            return np.memmap(path, mode=mode, **kwargs).view(np.ndarray)

    def reader(path, mode="r"):
        key = (str(path), mode)
        if key not in readers:
            numpy_module, gguf_reader.np = gguf_reader.np, _PlainMap("numpy")
            try:
                readers[key] = original_reader(path, mode)
            finally:
                gguf_reader.np = numpy_module
        return readers[key]

    try:
        legacy = importlib.import_module("transformers.modeling_gguf_pytorch_utils")
    except ImportError:  # pragma: no cover - transformers without GGUF support
        legacy = None
    original_checkpoint = getattr(legacy, "load_gguf_checkpoint", None)
    parsed: dict = {}

    def checkpoint(path, return_tensors=False, *args, **kwargs):
        if return_tensors or args or kwargs:
            return original_checkpoint(path, return_tensors, *args, **kwargs)
        if str(path) not in parsed:
            parsed[str(path)] = original_checkpoint(path, return_tensors=False)
        # callers read (and may change) the "config" dict: theirs is a copy; the rest (the
        # tokenizer's 100,000 strings) is shared, in new containers
        return {key: copy.deepcopy(value) if key == "config" else copy.copy(value)
                for key, value in parsed[str(path)].items()}

    gguf.GGUFReader, gguf.get_tensor_name_map = reader, functools.lru_cache(maxsize=None)(original_map)
    if original_checkpoint is not None:
        legacy.load_gguf_checkpoint = checkpoint
    try:
        yield
    finally:
        gguf.GGUFReader, gguf.get_tensor_name_map = original_reader, original_map
        if original_checkpoint is not None:
            legacy.load_gguf_checkpoint = original_checkpoint


@contextmanager
def _quiet_transformers():
    """No progress bars and no warnings from ``transformers`` while loading (they would fill a page)."""
    logging = _transformers().utils.logging
    bars, level = logging.is_progress_bar_enabled(), logging.get_verbosity()
    logging.disable_progress_bar()
    logging.set_verbosity_error()
    # the GGUF loader draws its own tqdm bar, outside transformers' switch
    gguf_utils = importlib.import_module("transformers.modeling_gguf_pytorch_utils")
    tqdm = getattr(gguf_utils, "tqdm", None)
    if tqdm is not None:
        gguf_utils.tqdm = functools.partial(tqdm, disable=True)
    try:
        yield
    finally:
        if tqdm is not None:
            gguf_utils.tqdm = tqdm
        logging.set_verbosity(level)
        if bars:
            logging.enable_progress_bar()


def reference_outputs(prompt_ids: Sequence[int], max_new_tokens: int = 20, path: str | Path | None = None,
                      texts: Sequence[str] = (), chats: Sequence[Sequence[dict]] = (),
                      plain_texts: Sequence[str] = (), scored: Sequence[Sequence[int]] = ()) -> dict:
    """What ``transformers`` computes for a prompt (and its tokenizer for ``texts``), loaded only for this call.

    Returns {"logits": (T, V) float32 tensor for the T prompt tokens, "greedy": the ids of plain
    greedy generation (``max_new_tokens`` of them, or fewer ending with the end-of-text token if
    the model stops there, as ``generate(..., stop_ids=[eos])`` does), "encodings": the reference
    tokenizer's ids for each of ``texts``, "decodings": those ids decoded back by it, "load_s":
    seconds to load the model (and tokenizer),
    "chat_texts" and "chat_ids": each of ``chats`` through the tokenizer's ``apply_chat_template``
    (as text, and as ids with ``tokenize=True``), "plain_encodings": each of ``plain_texts`` encoded
    with ``split_special_tokens=True`` (special tokens written in the text are encoded as text),
    "scored_losses": for each token-id sequence of ``scored``, the mean next-token cross-entropy
    (nats per token) that ``transformers`` computes itself with ``labels=ids`` (a float)}.
    The reference model (about 600 MB) is freed before returning, so that it and the book's model
    need not be in memory at the same time. The file is parsed once for the model and the tokenizer.
    """
    import gc

    import torch

    if isinstance(texts, str) or isinstance(plain_texts, str):
        raise TypeError("texts and plain_texts must be sequences of strings, not one string")
    texts, plain_texts = check_str_list(texts, "texts"), check_str_list(plain_texts, "plain_texts")
    chats = check_list(chats, "chats", "chats (each a list of {'role', 'content'} dicts)")
    for i, c in enumerate(chats):
        if isinstance(c, (str, bytes, dict)) or not hasattr(c, "__iter__"):
            raise TypeError(f"chats[{i}] must be a list of {{'role', 'content'}} dicts, got {show(c)}")
    if isinstance(prompt_ids, (str, bytes)) or not isinstance(prompt_ids, Sequence):
        raise TypeError(f"prompt_ids must be a list of int token ids, got {show(prompt_ids)}")
    for i, t in enumerate(prompt_ids):
        if not _is_int(t):
            raise TypeError(f"prompt_ids[{i}] must be an int token id, got {show(t)}")
    if not prompt_ids:
        raise ValueError("prompt_ids must hold at least one token")
    if min(prompt_ids) < 0:
        raise ValueError(f"prompt_ids must be token ids >= 0, got {min(prompt_ids)}")
    check_int(max_new_tokens, "max_new_tokens", low=1)
    if isinstance(scored, (str, bytes)) or not isinstance(scored, Sequence):
        raise TypeError(f"scored must be a list of token-id lists, got {show(scored)}")
    for i, seq in enumerate(scored):
        if isinstance(seq, (str, bytes)) or not isinstance(seq, Sequence) or len(seq) < 2:
            raise TypeError(f"scored[{i}] must be a list of at least two int token ids, got {show(seq)}")
        if not all(_is_int(t) and t >= 0 for t in seq):
            raise TypeError(f"scored[{i}] must hold int token ids >= 0, got {show(seq)}")
    _folder_and_name(path)  # the path checked before the 17 s load
    start = clock.perf_counter()
    with _quiet_transformers(), _parse_gguf_once():
        model = load_reference_model(path)
        tokenizer = load_reference_tokenizer(path) if (texts or chats or plain_texts) else None
    load_s = clock.perf_counter() - start
    encodings = [tokenizer(text)["input_ids"] for text in texts]
    decodings = [tokenizer.decode(ids) for ids in encodings]
    chat_texts = [tokenizer.apply_chat_template(list(c), tokenize=False, add_generation_prompt=True)
                  for c in chats]
    chat_ids = [_as_ids(tokenizer.apply_chat_template(list(c), tokenize=True, add_generation_prompt=True))
                for c in chats]
    plain = [tokenizer(text, split_special_tokens=True)["input_ids"] for text in plain_texts]
    vocab = model.config.vocab_size
    if max(prompt_ids) >= vocab:
        raise ValueError(f"prompt_ids must be token ids in 0..{vocab - 1}, got {max(prompt_ids)}")
    ids = torch.tensor([[int(t) for t in prompt_ids]])
    with torch.no_grad(), _quiet_transformers():
        logits = model(ids).logits[0].clone()
        # plain greedy: the end-of-text token ends it, as it ends the book's generate with stop_ids
        greedy = model.generate(ids, max_new_tokens=max_new_tokens, do_sample=False)[0, ids.shape[1]:].tolist()
        scored_losses = []
        for i, seq in enumerate(scored):  # transformers shifts the labels and averages the loss itself
            if max(seq) >= vocab:
                raise ValueError(f"scored[{i}] must hold token ids in 0..{vocab - 1}, got {max(seq)}")
            seq_ids = torch.tensor([[int(t) for t in seq]])
            scored_losses.append(model(seq_ids, labels=seq_ids).loss.item())
    del model, tokenizer
    gc.collect()
    _give_back_freed_memory()
    return {"logits": logits, "greedy": greedy, "encodings": encodings, "decodings": decodings, "load_s": load_s,
            "chat_texts": chat_texts, "chat_ids": chat_ids, "plain_encodings": plain, "scored_losses": scored_losses}


def _give_back_freed_memory() -> None:
    """Ask the C allocator to return freed memory to the system (glibc's ``malloc_trim``), so that
    the reference's 600 MB, once freed, do not stay counted against the process. No-op elsewhere."""
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc
            pass


def _as_ids(encoded) -> list[int]:
    """``apply_chat_template(tokenize=True)`` gives a list of ids, or (newer ``transformers``) a
    mapping holding them under "input_ids"."""
    if hasattr(encoded, "keys"):
        encoded = encoded["input_ids"]
    return [int(i) for i in encoded]


def load_reference_tokenizer(path: str | Path | None = None):
    """``transformers``' tokenizer built from the GGUF file's metadata (GPT-2's pre-tokenizer)."""
    folder, name = _folder_and_name(path)
    return _transformers().AutoTokenizer.from_pretrained(folder, gguf_file=name)


def smollm2_original_tokenizer(tokenizer: LlamaTokenizer):
    """A ``tokenizers.Tokenizer`` set up as SmolLM2's own: Digits(individual_digits=True), then
    ByteLevel (GPT-2's pattern), BPE with the same vocabulary and merges, control tokens whole."""
    if not isinstance(tokenizer, LlamaTokenizer):
        raise TypeError(f"tokenizer must be a helpers.llama.LlamaTokenizer, got {show(tokenizer)}")
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

