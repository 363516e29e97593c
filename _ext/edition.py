"""Two editions of one book (English at the site's root, Chinese under zh/): on every page a link to
the same page in the other edition, and the look of text the Chinese edition has not translated yet.

Configuration (``_config.yml``, ``sphinx.config``): ``book_edition`` ("en" or "zh_CN") and
``book_other_edition_root``, the other edition's root relative to this one's ("zh/" or "../"); an
empty value leaves the pages without a switch. ``scripts/translation.py build`` sets both for the
Chinese edition.
"""

from __future__ import annotations

import html
from pathlib import Path

LABELS = {"en": ("中文版", "zh-CN"), "zh_CN": ("English", "en")}


def _switch(app, pagename, templatename, context, doctree) -> None:
    other = app.config.book_other_edition_root
    if not other or doctree is None or "body" not in context:
        return
    label, lang = LABELS.get(app.config.book_edition, LABELS["en"])
    href = "../" * pagename.count("/") + other + pagename + ".html"
    link = (f'<p class="edition-switch"><a href="{html.escape(href)}" hreflang="{lang}" lang="{lang}">'
            f"{label}</a></p>\n")
    context["body"] = link + context["body"]


def _static(app) -> None:
    app.config.html_static_path.append(str(Path(__file__).parent / "edition_static"))


def setup(app):
    app.add_config_value("book_edition", "en", "html")
    app.add_config_value("book_other_edition_root", "", "html")
    app.connect("builder-inited", _static)
    app.connect("html-page-context", _switch)
    app.add_css_file("edition.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
