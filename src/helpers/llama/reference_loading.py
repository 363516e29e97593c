"""Loading the reference (``transformers``) from a GGUF file on a page, quietly and at the cost of
one parse of the file: what chapter 12's visible reference code wraps its two ``from_pretrained``
calls in, and the clean-up after it (``helpers.llama.reference`` explains both)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from .reference import _give_back_freed_memory, _parse_gguf_once, _quiet_transformers


@contextmanager
def quiet_gguf_loading() -> Iterator[None]:
    """Within this block ``transformers`` loads from a GGUF file without progress bars or warnings,
    and parses the file's metadata once for the model and its tokenizer. Nothing else changes: the
    same weights, the same tokenizer, only less time and nothing printed. Needs ``transformers``."""
    with _quiet_transformers(), _parse_gguf_once():
        yield


def free_memory() -> None:
    """Collect garbage and ask the C allocator to return freed memory to the system (Linux, glibc),
    so that a reference model just deleted (about 600 MB) is no longer counted against the process."""
    gc.collect()
    _give_back_freed_memory()
