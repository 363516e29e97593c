"""Keep ipywidgets state out of the built pages.

When the build executes a chapter, the kernel records the state of every ipywidget the chapter
created (the live explorers, such as chapter 4's ``attention_widget``) in the executed notebook's
metadata (``widgets``, mime type ``application/vnd.jupyter.widget-state+json``), and myst-nb
embeds it in the page as a ``<script>`` of tens of KB. The static site has no widget manager
(``nb_ipywidgets_js: {}``) and the cells that make widgets hide their output, so that state is
never shown: it is dead weight, and it holds the numbers of whatever the widget showed at build
time, which need not be what the text says. This extension drops it from every page.
"""

from __future__ import annotations

from typing import Any

WIDGET_STATE_KEY = "ipywidgets_state"  # myst-nb's key for the state <script> of a page


def drop_widget_state(app: Any, pagename: str, *args: Any, **kwargs: Any) -> None:
    """Before myst-nb adds a page's JavaScript (html-page-context, priority 500), remove the
    widget state it registered for that page."""
    pages = getattr(app.env, "nb_metadata", None)
    if not pages or pagename not in pages:
        return
    js_files = pages[pagename].get("js_files", {})
    for key in [k for k in js_files if k == WIDGET_STATE_KEY or k.startswith("ipywidgets_")]:
        del js_files[key]


def setup(app: Any) -> dict:
    app.connect("html-page-context", drop_widget_state, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
