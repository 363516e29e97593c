"""helpers.poem_cards: chapter 11's poems as cards, each tagged with its form; bad inputs refused."""

import sys
from types import ModuleType

import pytest

from helpers import poem_cards
from helpers.i18n import t
from helpers.poem_cards import form_tag, poem_cards_html, show_poems

QUATRAIN = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"


def test_a_card_holds_the_lines_one_under_the_other_and_the_form():
    out = poem_cards_html([QUATRAIN], "a quatrain")
    assert out.startswith("<div><b>a quatrain</b><br><div style='display:inline-block;")
    assert "白日依山尽，<br>黄河入海流。<br>欲穷千里目，<br>更上一层楼。" in out
    assert form_tag(QUATRAIN) == t("{name} ({lines} × {chars})", name="五言绝句", lines=4, chars=5)
    assert f"<div style='{poem_cards.TAG_STYLE}'>{form_tag(QUATRAIN)}</div>" in out


def test_a_text_without_a_regular_form_says_so_and_every_poem_gets_a_card():
    out = poem_cards_html([QUATRAIN, "白日依山尽，黄河"], "two")
    assert form_tag("白日依山尽，黄河") == t("no regular form")
    assert out.count(f"<div style='{poem_cards.CARD_STYLE}'>") == 2
    assert poem_cards_html([], "none") == "<div><b>none</b><br></div>"


def test_the_caption_and_the_text_are_escaped():
    out = poem_cards_html(["a<b"], "from <sos>:")
    assert "from &lt;sos&gt;:" in out and "<sos>" not in out
    assert "a&lt;b" in out


def test_show_poems_displays_the_same_html(monkeypatch):
    shown = []
    fake = ModuleType("IPython.display")
    fake.HTML = lambda data: ("HTML", data)
    fake.display = shown.append
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    show_poems([QUATRAIN], "c")
    assert shown == [("HTML", poem_cards_html([QUATRAIN], "c"))]


@pytest.mark.parametrize("call, exc, fragment", [
    (lambda: poem_cards_html(QUATRAIN, "c"), TypeError, "texts must be a list of str"),
    (lambda: poem_cards_html([QUATRAIN, 3], "c"), TypeError, "texts[1] must be a str"),
    (lambda: poem_cards_html(None, "c"), TypeError, "texts must be a list of str"),
    (lambda: poem_cards_html([QUATRAIN], None), TypeError, "caption must be a str"),
    (lambda: form_tag(5), TypeError, "text must be a str"),
    (lambda: show_poems([QUATRAIN], 1), TypeError, "caption must be a str"),
])
def test_bad_inputs_name_the_argument(call, exc, fragment):
    with pytest.raises(exc) as info:
        call()
    assert info.type is exc and fragment in str(info.value)
