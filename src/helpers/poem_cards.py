"""Poems shown as cards side by side: each poem line by line, tagged with its regular form.

Chapter 11 shows the poems its GPT writes this way (sampled from ``<sos>``, from a prompt, and by
beam search). Each card is an inline block, so the cards wrap on a narrow screen; the caption is
escaped, so a caption that names ``<sos>`` shows it instead of reading it as an HTML tag.

    >>> poem_cards_html(["白日依山尽，黄河入海流。"], "one couplet")[:32]
    '<div><b>one couplet</b><br><div '
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from . import poems
from ._checks import check_str, check_str_list
from .i18n import t

CARD_STYLE = "display:inline-block;vertical-align:top;margin:4px 10px;font-size:17px;line-height:1.5"
TAG_STYLE = "font-size:12px;color:#666"


def form_tag(text: str) -> str:
    """The label of the regular form of the poem ``text``, as "五言绝句 (4 × 5)" (its Chinese name,
    lines × characters), or "no regular form" (both through ``t``)."""
    text = check_str(text, "text")
    form = poems.form_of(text)
    if not form:
        return t("no regular form")
    chars, n_lines = poems.FORMS[form]
    return t("{name} ({lines} × {chars})", name=poems.FORM_NAMES_ZH[form], lines=n_lines, chars=chars)


def poem_cards_html(texts: Sequence[str], caption: str) -> str:
    """HTML for the poems ``texts`` (a list of str, each a poem's text with its ，and 。) under the
    bold ``caption``: one card per poem, its lines (cut by ``poems.split_lines``) one under the
    other, and under them the form tag of ``form_tag``. Text is escaped.

    Raises TypeError for ``texts`` that is not a list of str (a single str included) or a
    ``caption`` that is not a str.
    """
    texts = check_str_list(texts, "texts")
    caption = check_str(caption, "caption")
    cards = []
    for text in texts:
        body = "<br>".join(html.escape(line, quote=False) for line in poems.split_lines(text))
        tag = html.escape(form_tag(text), quote=False)
        cards.append(f"<div style='{CARD_STYLE}'>{body}<div style='{TAG_STYLE}'>{tag}</div></div>")
    return f"<div><b>{html.escape(caption)}</b><br>{''.join(cards)}</div>"


def show_poems(texts: Sequence[str], caption: str) -> None:
    """Display ``poem_cards_html(texts, caption)`` in the notebook (same arguments, same errors)."""
    from IPython.display import HTML, display

    display(HTML(poem_cards_html(texts, caption)))
