"""helpers.llama.reference_loading: the context chapter 12's visible reference code loads in."""

import pytest

from helpers.llama.reference import transformers_available
from helpers.llama.reference_loading import free_memory, quiet_gguf_loading


def test_free_memory_runs():
    assert free_memory() is None


@pytest.mark.skipif(not transformers_available(), reason="needs transformers, accelerate and gguf")
def test_quiet_gguf_loading_restores_what_it_changes():
    import gguf
    import transformers

    logging = transformers.utils.logging
    level, reader = logging.get_verbosity(), gguf.GGUFReader
    with quiet_gguf_loading():
        assert logging.get_verbosity() == logging.ERROR
        assert gguf.GGUFReader is not reader  # the one-parse reader
    assert logging.get_verbosity() == level and gguf.GGUFReader is reader
