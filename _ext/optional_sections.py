"""Optional sections fold on the website: heading and first paragraph shown, the rest behind a click.

A chapter marks a side study as an Optional section: a heading whose first paragraph (labels and
comments aside) opens with ``**Optional.**`` (the Chinese catalog's ``**选读**``; the same rule as
``core_path()`` in tests/test_intro_plan.py). On each HTML page, once Sphinx has resolved the
page's doctree (after the page's table of contents was collected, so the subsections of an
optional section stay in the "On this page" list), everything in such a section after that first
paragraph (its subsections too) is wrapped in

    <details class="optional-section"><summary class="optional-section-summary">
    <span class="optional-section-show">Show this optional section</span>
    <span class="optional-section-hide">Hide this optional section</span>
    <span class="optional-section-size">1 figure, 2 code cells</span></summary>
    <div class="optional-section-body"> … </div></details>

The summary's words follow Sphinx's ``language`` (English, or Chinese for ``zh*``); it counts the
fold's figures, shown code cells and explorers. An optional section inside an optional one is
folded with its parent only. Other builders (and the notebooks) get the content unchanged. The
section's text stays in the page, so Sphinx's search finds it; book-site.js opens a fold when a link,
the address's #fragment or printing needs what it holds (book-site.css styles it).
"""

from __future__ import annotations

import html
import re

from docutils import nodes

MARKERS = ("Optional", "选读")
WORDS = {
    "en": {"show": "Show this optional section", "hide": "Hide this optional section",
           "figure": ("figure", "figures"), "code": ("code cell", "code cells"),
           "explorer": ("explorer", "explorers"), "sep": ", "},
    "zh": {"show": "展开这一选读小节", "hide": "收起这一选读小节",
           "figure": ("幅图", "幅图"), "code": ("个代码单元", "个代码单元"),
           "explorer": ("个交互式探索器", "个交互式探索器"), "sep": "、"},
}
_EXPLORER = re.compile(r"""<div\b[^>]*\bid=[^>]*\bclass="[^"]*-root"|<div\b[^>]*\bclass="[^"]*-root"[^>]*\bid=""")
_HIDDEN_CODE = {"tag_hide-input", "tag_hide-cell", "tag_remove-input", "tag_remove-cell"}


class optional_fold(nodes.General, nodes.Element):
    """The folded part of an optional section (attributes ``show``, ``hide``, ``size``: the summary's words)."""


def words_for(language: str | None) -> dict:
    """The summary's words for Sphinx's ``language`` (Chinese for zh, zh_CN, ...; English otherwise)."""
    return WORDS["zh" if (language or "").lower().startswith("zh") else "en"]


_HTML_COMMENTS = re.compile(r"\s*(<!--.*?-->\s*)+", re.S)


def _visible(node: nodes.Node) -> bool:
    """False for a section's title, a label, a comment (``% ...``, or ``<!-- ... -->``: raw HTML)."""
    if isinstance(node, nodes.raw):
        return not _HTML_COMMENTS.fullmatch(node.astext())
    return not isinstance(node, (nodes.Invisible, nodes.title, nodes.system_message))


def first_paragraph(section: nodes.section) -> int | None:
    """The index in ``section`` of its first paragraph, if the first thing after its title (labels and
    comments aside) is a paragraph; else None."""
    for i, child in enumerate(section.children):
        if not _visible(child):
            continue
        return i if isinstance(child, nodes.paragraph) else None
    return None


def is_optional(section: nodes.section) -> bool:
    """True if the section's first paragraph opens with a bold "Optional" (or "选读")."""
    i = first_paragraph(section)
    if i is None:
        return False
    para = section.children[i]
    first = next((c for c in para.children if not (isinstance(c, nodes.Text) and not c.astext().strip())), None)
    return isinstance(first, nodes.strong) and first.astext().strip().startswith(MARKERS)


def fold_size(content: list[nodes.Node], words: dict) -> str:
    """What the fold holds, e.g. "3 figures, 2 code cells" ("" when it holds none of these)."""
    figures = code = explorers = 0
    for part in content:
        figures += sum(1 for _ in part.findall(nodes.image))
        for cell in part.findall(nodes.container):
            if cell.get("nb_element") == "cell_code" and not _HIDDEN_CODE & set(cell.get("classes", [])):
                code += 1
        explorers += sum(len(_EXPLORER.findall(r.astext())) for r in part.findall(nodes.raw)
                         if "html" in r.get("format", "").split())
    parts = []
    for n, key in ((figures, "figure"), (explorers, "explorer"), (code, "code")):
        if n:
            one, many = words[key]
            parts.append(f"{n} {one if n == 1 else many}")
    return words["sep"].join(parts)


def fold_optional_sections(doctree: nodes.Node, language: str | None) -> int:
    """Wrap the content of each optional section after its first paragraph in an ``optional_fold``
    (outermost optional sections only); returns how many were folded."""
    words = words_for(language)
    folded: list[nodes.section] = []
    for section in list(doctree.findall(nodes.section)):
        if any(isinstance(a, optional_fold) for a in _ancestors(section)) or not is_optional(section):
            continue
        i = first_paragraph(section)
        rest = section.children[i + 1 :]
        if not any(_visible(c) for c in rest):
            continue
        fold = optional_fold(show=words["show"], hide=words["hide"], size=fold_size(rest, words))
        for child in rest:
            section.remove(child)
        fold.extend(rest)
        section.append(fold)
        folded.append(section)
    return len(folded)


def _ancestors(node: nodes.Node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def visit_fold_html(self, node: optional_fold) -> None:
    size = f'<span class="optional-section-size">{html.escape(node["size"])}</span>' if node["size"] else ""
    self.body.append(
        '<details class="optional-section">'
        '<summary class="optional-section-summary">'
        f'<span class="optional-section-show">{html.escape(node["show"])}</span>'
        f'<span class="optional-section-hide">{html.escape(node["hide"])}</span>{size}</summary>\n'
        '<div class="optional-section-body">\n'
    )


def depart_fold_html(self, node: optional_fold) -> None:
    self.body.append("</div>\n</details>\n")


def visit_fold_plain(self, node: optional_fold) -> None:
    pass  # not inserted for other builders; kept so a stray node never stops a build


def depart_fold_plain(self, node: optional_fold) -> None:
    pass


def doctree_resolved(app, doctree: nodes.document, docname: str) -> None:
    if app.builder.format == "html" and not app.builder.name.startswith("epub"):
        fold_optional_sections(doctree, app.config.language)


def setup(app) -> dict:
    plain = (visit_fold_plain, depart_fold_plain)
    app.add_node(optional_fold, html=(visit_fold_html, depart_fold_html), latex=plain, text=plain, man=plain,
                 texinfo=plain)
    app.connect("doctree-resolved", doctree_resolved)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
