"""Two editions of one book (English at the site's root, Chinese under zh/): on every page a link to
the same page in the other edition, and the look of text the Chinese edition has not translated yet.

Chinese search: Sphinx's "zh" search cuts the pages into words with jieba (fed the glossary's
Chinese terms through ``html_search_options = {"dict": ...}``), but in the browser it splits a typed
query only at spaces and punctuation, so 最大的权重 would be one unknown word. ``SearchChineseBook``
adds a query splitter that cuts each run of Chinese characters into the longest words the index
knows.

Configuration (``_config.yml``, ``sphinx.config``): ``book_edition`` ("en" or "zh_CN") and
``book_other_edition_root``, the other edition's root relative to this one's ("zh/" or "../"); an
empty value leaves the pages without a switch. ``scripts/translation.py build`` sets both for the
Chinese edition.
"""

from __future__ import annotations

import html
from pathlib import Path

from docutils import nodes
from sphinx.search import languages
from sphinx.search.zh import SearchChinese
from sphinx.transforms.post_transforms import SphinxPostTransform

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


# The query splitter of the Chinese edition's search page (searchtools.js calls splitQuery).
SPLIT_QUERY_JS = r"""
var splitQuery = (query) => {
  const parts = query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).filter((t) => t);
  const index = (typeof Search !== "undefined" && Search._index) ? Search._index : null;
  const known = (w) => index !== null && (w in index.terms || w in index.titleterms);
  const out = [];
  for (const part of parts) {
    if (!/[\u3400-\u9fff]/.test(part)) { out.push(part); continue; }
    if (known(part)) { out.push(part); continue; }
    let i = 0;
    while (i < part.length) {  // the longest known word at i; a character no word starts with is skipped
      let j = Math.min(part.length, i + 12);
      while (j > i + 1 && !known(part.slice(i, j))) j -= 1;
      if (j > i + 1) out.push(part.slice(i, j));
      i = j;
    }
  }
  return out;
};
"""


class SearchChineseBook(SearchChinese):
    """Sphinx's Chinese search, with a query splitter that knows the index's words (see the module)."""

    js_splitter_code = SPLIT_QUERY_JS


class ChineseExerciseTitles(SphinxPostTransform):
    """Exercise and solution titles as Chinese writes them (the Chinese edition only).

    sphinx-exercise builds "练习 7.1 (缩放)" and "解答 练习 7.1 (缩放)" with half-width brackets and
    English word order; this gives "练习 7.1（缩放）" and "练习 7.1（缩放）的解答". It runs after
    sphinx-exercise has resolved the titles (its post-transforms have priorities 20-22).
    """

    default_priority = 40
    formats = ("html",)

    def run(self, **kwargs) -> None:
        if self.app.config.book_edition != "zh_CN":
            return
        for node in self.document.findall(nodes.Element):
            name = type(node).__name__
            if name not in ("exercise_node", "exercise_enumerable_node", "solution_node"):
                continue
            if not node.children or not isinstance(node.children[0], nodes.title):
                continue
            title = node.children[0]
            full_width_brackets(title)
            if name == "solution_node":
                solution_after_exercise(title)


def full_width_brackets(title: nodes.Element) -> None:
    """Replace the " (" and ")" that sphinx-exercise puts around an exercise's own title."""
    for text in list(title.findall(nodes.Text)):
        if str(text) in (" (", ")"):
            text.parent.replace(text, nodes.Text("（" if str(text) == " (" else "）"))


def solution_after_exercise(title: nodes.Element) -> None:
    """"解答 练习 7.1（缩放）" -> "练习 7.1（缩放）的解答" (the first child is the word 解答, the second the
    link to the exercise, whose first text starts with a space)."""
    if len(title.children) != 2 or not isinstance(title.children[0], nodes.Text):
        return
    word, link = title.children
    first = next(iter(link.findall(nodes.Text)), None)
    if first is not None and str(first).startswith(" "):
        first.parent.replace(first, nodes.Text(str(first).lstrip()))
    last = str(link.astext())
    title.remove(word)
    title += nodes.Text(("的" if last.endswith("）") else " 的") + str(word).strip())


def setup(app):
    languages["zh"] = SearchChineseBook
    app.add_config_value("book_edition", "en", "html")
    app.add_config_value("book_other_edition_root", "", "html")
    app.connect("builder-inited", _static)
    app.connect("html-page-context", _switch)
    app.add_post_transform(ChineseExerciseTitles)
    app.add_css_file("edition.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
