"""Byte-level byte-pair encoding (BPE), written from scratch.

The design follows Karpathy's minbpe: text -> UTF-8 bytes -> ids 0..255, then a list of
merges learned from a corpus, each merge replacing one adjacent pair of ids by a new id
(256, 257, ...). Special tokens get the ids after the last merge. Optionally, as in GPT-2,
a regular expression first cuts the text into words (``GPT2_SPLIT_PATTERN``), so that no
token spans two words.

Three details make the learned merges identical to those of the Hugging Face ``tokenizers``
library configured alike (see ``hf_reference_tokenizer``):

1. pairs are counted inside each training item (a line) — and inside each word when there
   is a pre-tokenizer — never across two;
2. ties between equally frequent pairs go to the pair that is smallest in the library's own
   id order, in which the 256 bytes are sorted by their GPT-2 "byte-to-unicode" character;
3. pre-splitting uses the same pattern as the library's ``ByteLevel(use_regex=True)``.

Modules: ``core`` (bytes, pairs, merge, pre-tokenizer), ``train`` (the reference trainer and
the fast one), ``tokenizer`` (``BPETokenizer``), ``reference`` (the ``tokenizers`` library),
``subword`` (WordPiece and Unigram encoding), ``stream`` (decoding tokens that end inside a
character), ``display`` (aligned columns for mixed Latin and Chinese text).
"""

from .core import (
    GPT2_SPLIT_PATTERN,
    Pair,
    bytes_to_unicode,
    check_pattern,
    get_pair_counts,
    merge,
    pretokenize,
    tie_key,
    word_table,
)
from .display import display_width, pad
from .reference import (
    hf_id_map,
    hf_merges_as_ids,
    hf_reference_tokenizer,
    hf_unigram_tokenizer,
    hf_wordpiece_tokenizer,
    unigram_scores,
    with_byte_fallback,
)
from .stream import StreamDecoder, utf8_length
from .subword import META, byte_tokens, metaspace, unigram_word, wordpiece_word
from .tokenizer import FORMAT_NAME, FORMAT_VERSION, SPECIAL_TOKENS, BPETokenizer
from .train import merge_word, train_merges, train_merges_simple

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "GPT2_SPLIT_PATTERN",
    "SPECIAL_TOKENS",
    "META",
    "BPETokenizer",
    "StreamDecoder",
    "byte_tokens",
    "display_width",
    "hf_unigram_tokenizer",
    "hf_wordpiece_tokenizer",
    "metaspace",
    "pad",
    "unigram_scores",
    "unigram_word",
    "utf8_length",
    "with_byte_fallback",
    "wordpiece_word",
    "Pair",
    "bytes_to_unicode",
    "check_pattern",
    "get_pair_counts",
    "hf_id_map",
    "hf_merges_as_ids",
    "hf_reference_tokenizer",
    "merge",
    "merge_word",
    "pretokenize",
    "tie_key",
    "train_merges",
    "train_merges_simple",
    "word_table",
]
