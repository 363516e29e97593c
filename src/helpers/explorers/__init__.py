"""Interactive explorers that work everywhere.

Each explorer comes in two forms:

* ``*_html``: one self-contained HTML+JavaScript output with its data embedded. It runs in
  the browser with no kernel and no network, so it stays interactive on the static website,
  and also works in JupyterLab, VS Code and Colab. Before its script runs it already shows
  a view rendered in Python, so it is never blank.
* ``*_widget``: the same view driven by Python through ipywidgets (7 or 8), for a live kernel.

One module per explorer: ``tokenizer`` (chapter 1), ``neighbours`` (chapter 2), ``attention``
(chapters 4, 6 and 12), ``mask`` (chapter 5), ``layernorm`` (chapter 7), ``loss`` (chapter 8),
``timeline`` (chapter 9), ``sampling`` (chapter 11) and ``post_training`` (chapter 13); each keeps
its script beside it (``tokenizer.js``, ...); ``_embed`` holds what all of them embed (a fresh root
id, the data as JSON that cannot close its ``<script>``, the call of the script). The tokenizer,
attention and mask explorers are also importable from here.
"""

from .attention import (
    KIND_NAMES,
    STAGES,
    attention_data,
    attention_explorer_html,
    attention_view_html,
    attention_widget,
    explorer_head,
    explorer_stages,
)
from .mask import mask_explorer_html, mask_stages, mask_widget
from .tokenizer import PALETTE, token_label, tokenizer_explorer_html, tokenizer_widget, tokens_html

__all__ = [
    "KIND_NAMES", "PALETTE", "STAGES", "attention_data", "attention_explorer_html", "attention_view_html",
    "attention_widget", "explorer_head", "explorer_stages", "mask_explorer_html", "mask_stages", "mask_widget",
    "token_label", "tokenizer_explorer_html", "tokenizer_widget", "tokens_html",
]
