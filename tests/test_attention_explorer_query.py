"""The attention explorer can open on a chosen query row (chapter 4 opens it on "sat", the row the
text discusses), and rejects a query that is not a row of the chosen kind."""

import functools

import pytest
from bad_inputs import check, params


@functools.cache
def data() -> dict:
    from helpers import corpus, explorers, translator

    model, _ = translator.load()
    en, zh = translator.vocabularies()
    return explorers.attention_data(model, [corpus.RUNNING_EXAMPLE], en, zh)


def test_opens_on_the_chosen_query():
    from helpers.explorers import attention_explorer_html, attention_view_html

    page = attention_explorer_html(data(), kind="encoder", layer=0, head=3, query=2)
    # the static view (before any script runs) shows the row of "sat" selected and its weights
    assert attention_view_html(data(), kind="encoder", layer=0, head=3, query=2) in page
    assert "<tr class='ax-sel'><th class='ax-q'>sat</th>" in page
    # the live view picks the query after the kind (a kind change sends the query back to row 0)
    assert page.index('k.dispatchEvent') < page.index('q.value="2"') < page.index('q.dispatchEvent')


def test_query_zero_leaves_the_page_as_before():
    from helpers.explorers import attention_explorer_html

    page = attention_explorer_html(data(), kind="encoder")
    assert "ax-query\"); if(q)" not in page and "<tr class='ax-sel'><th class='ax-q'>The</th>" in page


CASES = [
    ("query too large", lambda: _html(query=3), ValueError, "query"),
    ("query negative", lambda: _html(query=-1), ValueError, "query"),
    ("query str", lambda: _html(query="2"), TypeError, "query"),
    ("query bool", lambda: _html(query=True), TypeError, "query"),
    ("query float", lambda: _html(query=2.0), TypeError, "query"),
]


def _html(**kw):
    from helpers.explorers import attention_explorer_html

    return attention_explorer_html(data(), kind="encoder", **kw)


@params(CASES)
def test_bad_query(case):
    check(case)


def test_bad_query_message_names_the_range():
    with pytest.raises(ValueError, match=r"query must be an int in \[0, 3\), got 3"):
        _html(query=3)
