"""The tokenizer explorer: type text, see its BPE tokens, ids and merges (chapter 1)."""

from __future__ import annotations

import html
import re
import unicodedata

from .._checks import check_str, check_str_list, show
from ..bpe import BPETokenizer
from ..i18n import t
from ._embed import json_payload, new_root_id, script_call


def _check_tok(tok: object) -> BPETokenizer:
    if not isinstance(tok, BPETokenizer):
        raise TypeError(f"tok must be a BPETokenizer, got {show(tok)}")
    return tok


PALETTE = ["#ffd6a5", "#caffbf", "#9bf6ff", "#bdb2ff", "#ffc6ff", "#fdffb6", "#a0c4ff", "#ffadad"]

_STYLE = """
<style>
.tx-root {font-family: var(--pst-font-family-base, sans-serif); border: 1px solid #ccc; border-radius: 6px;
         padding: 10px; max-width: 100%; box-sizing: border-box; overflow-wrap: anywhere;}
.tx-root textarea, .tx-root button {font-family: inherit;}
.tx-root textarea {width: 100%; font-size: 15px; box-sizing: border-box;}
.tx-tokens {margin: 8px 0; font-size: 16px; display: flex; flex-wrap: wrap; align-items: center; row-gap: 6px;}
.tx-tok {white-space: pre; line-height: 1.5; padding: 2px 1px; margin: 0 1px; border-radius: 3px;
         border: 1px solid rgba(0,0,0,.15); color: #111;}
/* the ids break only at the spaces between them ("[150, 145, 233]"), never inside a number */
.tx-root .tx-ids {font-family: monospace; font-size: 12px; color: #333; word-break: normal; overflow-wrap: normal;}
.tx-stats {font-size: 13px; color: #444; margin-top: 4px;}
.tx-example {margin: 2px; font-size: 12px;}
.tx-examples-label {font-size: 13px; color: #444; margin-right: 2px;}
.tx-sp {color: #888;}
.tx-tok {cursor: pointer;}
.tx-picked {outline: 2px solid #333;}
.tx-info {font-size: 13px; color: #333; min-height: 1.3em;}
</style>
"""


def tokenizer_labels() -> dict[str, str]:
    """The words tokenizer.js writes, in the current language: templates whose ``{fields}`` the script
    (and ``tokens_html``) fills in; the script keeps the English as a fallback for a missing key."""
    return {
        "hint": t("Tap or hover a token to see its id and bytes."),
        "title": t("id {id} — bytes {bytes}"),
        "special": t("(special)"),
        "stats": t("{chars} characters → {bytes} bytes → {tokens} tokens"),
        "merges": t("{n} of {total} · vocabulary {size}"),
        "picked": t("token {k}: “{text}”, {title}"),
    }


def needs_code_point(char: str) -> bool:
    """Whether ``char`` is shown as its code point rather than drawn: it lies outside the Basic
    Multilingual Plane (emoji, which need an emoji font, and rare characters), is a variation
    selector (U+FE00..U+FE0F), or is not printable (Unicode category C: control, format, private
    use, unassigned) other than a tab, newline or carriage return (chips draw those as marks)."""
    check_str(char, "char")
    if len(char) != 1:
        raise ValueError(f"char must be one character, got {show(char)}")
    code = ord(char)
    if code > 0xFFFF or 0xFE00 <= code <= 0xFE0F:
        return True
    return unicodedata.category(char).startswith("C") and char not in "\t\n\r"


def visible_text(text: str) -> str:
    """``text`` with every character that ``needs_code_point`` written as ``[U+XXXX]``.

    So no font is needed beyond the page's own: "zebra 🦓" -> "zebra [U+1F993]". tokenizer.js
    applies the same rule (its function ``visible``) to the tokens it draws.
    """
    check_str(text, "text")
    return "".join(f"[U+{ord(c):04X}]" if needs_code_point(c) else c for c in text)


def button_label(text: str, limit: int = 32) -> str:
    """An example button's label: ``visible_text(text)``, cut to at most ``limit`` characters,
    with "…" as the last one when something was cut (so a reader sees that it goes on)."""
    check_str(text, "text")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 2:
        raise ValueError(f"limit must be an int >= 2, got {limit!r}")
    shown = visible_text(text)
    if len(shown) <= limit:
        return shown
    return shown[: limit - 1].rstrip() + "…"


def token_label(tok: BPETokenizer, token_id: int) -> str:
    """How a token is shown: its text (``visible_text``: an emoji as ``[U+1F993]``), or its
    bytes in hex between ⟨ ⟩ if they are not valid UTF-8 alone."""
    _check_tok(tok)
    token_id = tok._check_id(token_id)
    if token_id in tok.inverse_special:
        return tok.inverse_special[token_id]
    raw = tok.token_bytes(token_id)
    try:
        return visible_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return "⟨" + " ".join(f"{b:02x}" for b in raw) + "⟩"


WHITESPACE_MARKS = {" ": "␣", "\t": "⇥", "\n": "↵", "\r": "␍"}


def chip_html(label: str) -> str:
    """A token's label as HTML, with its spaces, tabs and newlines drawn as grey marks (␣ ⇥ ↵)."""
    check_str(label, "label")
    parts = re.split(r"([ \t\n\r]+)", label)
    return "".join(
        f'<span class="tx-sp">{"".join(WHITESPACE_MARKS[c] for c in part)}</span>'
        if part and part[0] in WHITESPACE_MARKS
        else html.escape(part)
        for part in parts
        if part
    )


def _chip(tok: BPETokenizer, token_id: int) -> str:
    """A token's chip HTML; a hex label's spaces separate bytes, so they are not drawn as ␣."""
    label = token_label(tok, token_id)
    if token_id not in tok.inverse_special and label.startswith("⟨") and label.endswith("⟩"):
        try:
            tok.token_bytes(token_id).decode("utf-8")
        except UnicodeDecodeError:
            return html.escape(label)
    return chip_html(label)


def tokens_html(tok: BPETokenizer, text: str, allowed_special: bool = False) -> str:
    """The tokens of ``text`` as coloured spans (hover: id and bytes), plus a counts line."""
    _check_tok(tok)
    check_str(text, "text")
    ids = tok.encode(text, allowed_special=allowed_special)
    words = tokenizer_labels()
    spans = []
    for i, token_id in enumerate(ids):
        raw = words["special"] if token_id in tok.inverse_special else tok.token_bytes(token_id).hex(" ")
        title = html.escape(words["title"].format(id=token_id, bytes=raw), quote=True)
        spans.append(
            f'<span class="tx-tok" title="{title}" '
            f'style="background:{PALETTE[i % len(PALETTE)]}">{_chip(tok, token_id)}</span>'
        )
    n_bytes = len(text.encode("utf-8"))
    stats = words["stats"].format(chars=len(text), bytes=n_bytes, tokens=len(ids))
    return (
        f'<div class="tx-tokens">{"".join(spans)}</div>'
        f'<div class="tx-info">{html.escape(words["hint"])}</div>'
        f'<div class="tx-ids">{html.escape(str(ids))}</div>'
        f'<div class="tx-stats">{html.escape(stats)}</div>'
    )


def tokenizer_explorer_html(tok: BPETokenizer, text: str, examples: list[str] | None = None) -> str:
    """A self-contained tokenizer explorer: type text, see its tokens and ids, vary the merges.

    ``examples``: texts, each a button (after an "Examples:" label) that loads it into the text box.
    """
    _check_tok(tok)
    check_str(text, "text")
    examples = [] if examples is None else check_str_list(examples, "examples")
    root_id = new_root_id("tx")
    data = {
        "merges": [list(m) for m in tok.merges],
        "specials": tok.special_tokens,
        "palette": PALETTE,
        "pattern": tok.pattern,  # the pre-tokenizer; GPT-2's pattern is also valid JavaScript
        "labels": tokenizer_labels(),
    }
    payload = json_payload(data)
    buttons = "".join(
        f'<button class="tx-example" data-text="{html.escape(e, quote=True)}" '
        f'title="{html.escape(visible_text(e), quote=True)}">'
        f"{html.escape(button_label(e))}</button>"
        for e in (examples or [])
    )
    if buttons:  # a label, so that a reader sees the buttons load example texts
        buttons = f'<span class="tx-examples-label">{html.escape(t("Examples:"))}</span> {buttons}'
    n = len(tok.merges)
    special = html.escape(t("read {names} as special tokens", names="<sos> <eos> <pad> <unk>"))
    return f"""{_STYLE}
<div class="tx-root" id="{root_id}">
  <script type="application/json" class="tx-data">{payload}</script>
  <div class="tx-controls" style="display:none">
    <textarea class="tx-input" rows="2">{html.escape(text)}</textarea><br>
    <label>{html.escape(t("merges used:"))} <input class="tx-merges" type="range" min="0" max="{n}" value="{n}"
      style="width:50%"></label> <span class="tx-n" style="white-space:nowrap"></span><br>
    <label><input class="tx-special" type="checkbox"> {special}</label><br>{buttons}
  </div>
  <div class="tx-view">{tokens_html(tok, text)}</div>
</div>
{script_call("tokenizer.js", root_id)}
"""


def tokenizer_widget(tok: BPETokenizer, text: str):
    """The tokenizer explorer as ipywidgets, computed by the Python tokenizer (needs a kernel)."""
    _check_tok(tok)
    check_str(text, "text")
    import ipywidgets as w

    box = w.Textarea(value=text, description=t("text"), layout=w.Layout(width="95%"))
    merges = w.IntSlider(value=len(tok.merges), min=0, max=len(tok.merges), description=t("merges"))
    special = w.Checkbox(value=False, description=t("special tokens"))
    out = w.HTML()

    def update(_=None):
        cut = tok.truncated(merges.value)
        out.value = _STYLE + tokens_html(cut, box.value, allowed_special=special.value)

    for control in (box, merges, special):
        control.observe(update, names="value")
    update()
    return w.VBox([box, merges, special, out])
