"""The Hugging Face ``tokenizers`` byte-level BPE, configured like ours: the reference to match."""

from __future__ import annotations

import json
from collections.abc import Iterable

from .._checks import check_bool, check_int, check_str, show
from .core import Pair, bytes_to_unicode, check_texts


def _check_hf(tok: object, name: str, kind: str | None = None) -> dict:
    """The model part of a trained ``tokenizers.Tokenizer`` (of ``kind``, e.g. "Unigram", if given)."""
    if not hasattr(tok, "to_str") or not hasattr(tok, "get_vocab"):
        raise TypeError(f"{name} must be a trained tokenizers.Tokenizer, got {show(tok)}")
    model = json.loads(tok.to_str())["model"]
    if kind is not None and model.get("type") != kind:
        raise ValueError(f"{name} must be a {kind} tokenizer, got a {model.get('type')} one")
    return model


def hf_reference_tokenizer(texts: Iterable[str], num_merges: int, use_regex: bool = False):
    """Train the Hugging Face ``tokenizers`` byte-level BPE configured like ours.

    Returns the trained ``tokenizers.Tokenizer``: no special tokens, no prefix space, every
    byte in the initial alphabet, and GPT-2's regex pre-tokenizer if ``use_regex`` (ours:
    ``pattern=GPT2_SPLIT_PATTERN``), none otherwise (ours: ``pattern=None``).
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    items = check_texts(texts)
    check_int(num_merges, "num_merges", low=0)
    check_bool(use_regex, "use_regex")
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=use_regex)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=256 + num_merges,
        min_frequency=0,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[],
        show_progress=False,
    )
    tok.train_from_iterator(items, trainer=trainer)
    return tok


def hf_merges_as_ids(hf_tokenizer) -> list[Pair]:
    """The merges of a trained HF byte-level BPE, translated into our token ids."""
    model = _check_hf(hf_tokenizer, "hf_tokenizer", "BPE")
    byte_of = {c: b for b, c in bytes_to_unicode().items()}
    ids: dict[bytes, int] = {bytes([b]): b for b in range(256)}
    out: list[Pair] = []
    for i, m in enumerate(model["merges"]):
        left, right = m if isinstance(m, list) else m.split(" ")
        lb = bytes(byte_of[c] for c in left)
        rb = bytes(byte_of[c] for c in right)
        out.append((ids[lb], ids[rb]))
        ids[lb + rb] = 256 + i
    return out


def hf_id_map(hf_tokenizer) -> dict[int, int]:
    """{the library's id: our id} for every token of a trained HF byte-level BPE.

    The library numbers its 256 byte tokens in another order than we do (by their GPT-2
    character); a token's bytes identify it. Use it as ``[m[i] for i in hf.encode(s).ids]``.
    """
    _check_hf(hf_tokenizer, "hf_tokenizer", "BPE")
    byte_of = {c: b for b, c in bytes_to_unicode().items()}
    vocab = [bytes([b]) for b in range(256)]
    for a, b in hf_merges_as_ids(hf_tokenizer):
        vocab.append(vocab[a] + vocab[b])
    ours = {raw: i for i, raw in enumerate(vocab)}
    return {i: ours[bytes(byte_of[c] for c in token)] for token, i in hf_tokenizer.get_vocab().items()}


def hf_wordpiece_tokenizer(texts: Iterable[str], vocab_size: int, unk: str = "[UNK]"):
    """A WordPiece tokenizer (BERT's kind) trained by the ``tokenizers`` library on ``texts``.

    BERT's pre-tokenizer cuts at spaces and punctuation. The library's ``WordPieceTrainer``
    learns the vocabulary with BPE merges (continuations spelled "##..."); what makes the result
    WordPiece is how it encodes: greedy longest match first (``subword.wordpiece_word``).
    """
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    items = check_texts(texts)
    check_int(vocab_size, "vocab_size", low=1)
    check_str(unk, "unk", nonempty=True)
    tok = Tokenizer(models.WordPiece(unk_token=unk))
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    # show_progress=False: the progress display writes newlines to the process's stdout, which a
    # notebook shows as stray blank lines, at random places among the cell's own printed lines
    trainer = trainers.WordPieceTrainer(vocab_size=vocab_size, special_tokens=[unk], show_progress=False)
    tok.train_from_iterator(items, trainer)
    return tok


def hf_unigram_tokenizer(texts: Iterable[str], vocab_size: int, unk: str = "<unk>"):
    """A Unigram tokenizer (SentencePiece's default kind) trained by the ``tokenizers`` library.

    Spaces become "▁" (``pre_tokenizers.Metaspace``). Training starts from many candidate pieces
    and repeatedly drops those whose loss hurts the likelihood of the text least (EM), down to
    ``vocab_size`` pieces, each with a log-probability.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    items = check_texts(texts)
    check_int(vocab_size, "vocab_size", low=1)
    check_str(unk, "unk", nonempty=True)
    tok = Tokenizer(models.Unigram())
    tok.pre_tokenizer = pre_tokenizers.Metaspace()
    trainer = trainers.UnigramTrainer(vocab_size=vocab_size, unk_token=unk, special_tokens=[unk],
                                      show_progress=False)  # no stray newlines (see hf_wordpiece_tokenizer)
    tok.train_from_iterator(items, trainer)
    return tok


def unigram_scores(tok) -> dict[str, float]:
    """A trained ``tokenizers`` Unigram model's pieces and their log-probabilities, in id order."""
    model = _check_hf(tok, "tok", "Unigram")
    return {piece: score for piece, score in model["vocab"]}


def with_byte_fallback(tok):
    """The same Unigram model plus 256 byte tokens ``<0x00>``..``<0xFF>`` and ``byte_fallback``:
    text its pieces cannot cover is written as UTF-8 bytes instead of the unknown token."""
    from tokenizers import Tokenizer, models

    model = _check_hf(tok, "tok", "Unigram")
    vocab = [(piece, score) for piece, score in model["vocab"]]
    lowest = min(score for _, score in vocab)
    vocab += [(f"<0x{b:02X}>", lowest) for b in range(256)]
    out = Tokenizer(models.Unigram(vocab, unk_id=model["unk_id"], byte_fallback=True))
    out.pre_tokenizer = tok.pre_tokenizer
    return out
