"""_ext/no_widget_state.py: no page of the site carries the ipywidgets state that executing a
chapter records (chapter 4's live explorer left ~34 KB of it, with numbers unlike the text's)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace

import yaml
from myst_nb.sphinx_ import NbMetadataCollector
from myst_nb.sphinx_ext import add_per_page_html_resources

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("no_widget_state", ROOT / "_ext" / "no_widget_state.py")
W = importlib.util.module_from_spec(spec)
spec.loader.exec_module(W)
STATE = "application/vnd.jupyter.widget-state+json"


def _app_with_page(pagename: str):
    """A stand-in Sphinx app whose environment holds what myst-nb registers for a chapter that
    made a widget: its state <script>, plus another script that must stay."""
    env = SimpleNamespace()
    NbMetadataCollector.add_js_file(env, pagename, "ipywidgets_state", None, {"type": STATE, "body": "{}"})
    NbMetadataCollector.add_js_file(env, pagename, "other", "other.js", {})
    added = []
    app = SimpleNamespace(env=env, builder=SimpleNamespace(format="html"),
                          add_js_file=lambda path, **kw: added.append((path, kw)))
    return app, added


def test_the_widget_state_never_reaches_the_page():
    app, added = _app_with_page("chapters/04_attention")
    W.drop_widget_state(app, "chapters/04_attention", "page.html", {}, None)
    add_per_page_html_resources(app, "chapters/04_attention")  # myst-nb's own handler, after ours
    assert added == [("other.js", {})]
    W.drop_widget_state(app, "intro", "page.html", {}, None)  # a page myst-nb knows nothing of


def test_it_runs_before_myst_nb_and_the_book_loads_it():
    connected = []
    W.setup(SimpleNamespace(connect=lambda event, f, priority=500: connected.append((event, f, priority))))
    assert connected == [("html-page-context", W.drop_widget_state, 400)]  # myst-nb's: 500
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["local_extensions"]["no_widget_state"] == "_ext"
