"""No page of the built site (both editions) carries the ipywidgets state that executing a chapter
records (_ext/no_widget_state.py drops it; chapter 4's live explorer once left ~34 KB of it in the page,
with numbers unlike the text's). Run after the build, with the other tests of the built site."""

from __future__ import annotations

import os
from pathlib import Path

SITE = Path(os.environ.get("BOOK_SITE") or Path(__file__).resolve().parents[2] / "_build" / "html")
STATE = "application/vnd.jupyter.widget-state+json"


def test_no_built_page_carries_widget_state():
    pages = sorted(SITE.rglob("*.html"))
    assert len(pages) > 30, f"no built site in {SITE}: run make book first"
    assert any(p.parent.name == "chapters" and "zh" in p.parts for p in pages), "the Chinese edition is missing"
    stale = [str(p.relative_to(SITE)) for p in pages if STATE in p.read_text(encoding="utf-8")]
    assert not stale, f"pages with ipywidgets state: {stale}"
