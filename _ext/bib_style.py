"""Author-year citations and bibliography, in the edition's language, with links back to the text.

sphinxcontrib-bibtex's ``author_year`` referencing style cites "[Vaswani et al., 2017]" in the text,
in English whatever the page's language, and the bibliography's labels come from pybtex's label
style, "alpha" by default ("[VSP+17]"), which a reader cannot match to the citation. This extension:

- registers the pybtex formatting style ``authoryear``: pybtex's ``unsrt`` formatting (which prints
  an entry's DOI and URL as links), with labels "Vaswani et al., 2017", sorted as the labels read
  (first author, then one author / two / more, then year: "Vaswani et al., 2017" before
  "Vaswani et al., 2018" whoever the second authors are);
- picks the edition's words from Sphinx's ``language``: with ``bibtex_reference_style: author_year``
  and ``bibtex_default_style: authoryear`` in the book's configuration, an English build cites
  "Vaswani et al. (2017)" and "(Vaswani et al., 2017)", and a Chinese one (``language: zh_CN``)
  "Vaswani 等（2017）" and "（Vaswani 等，2017）", with labels "Vaswani 等，2017";
- in the Chinese edition, prints the English annotations of references.bib ("Blog post (in
  Chinese)", "A paid book; ...": ``howpublished``, ``note``, ``publisher``) in Chinese
  (``ZH_FIELDS``, ``in_chinese``);
- cites a work with the year its label shows: when one author has two works of a year, the list
  reads "Touvron et al., 2023a" and "2023b", and so do the citations in the text (``labelled_year``);
- decodes LaTeX accents in surnames (``M{\\"u}ller`` -> "Müller") for labels and order;
- in the Chinese edition, prints an address without pybtex's "URL:" and full-width separators
  after Chinese text (``tighten_chinese_entries``);
- adds to every bibliography entry, on a line of its own inside the entry, the pages that cite
  it ("Cited in chapters 4 and 11", each number a link to the place of the first citation in
  that chapter, which gets the id 'cite-<key>'; see ``record_citations``). sphinxcontrib-bibtex
  links back only to citations on the bibliography's own page (a label that is a link, or
  "(1,2,3)" before the entry): those back-links are dropped, so every label is plain text.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from dataclasses import dataclass, field

import latexcodec  # noqa: F401  (registers the "ulatex" codec; a dependency of pybtex)
from docutils import nodes
from pybtex.database import Entry
from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.unsrt import Style as UnsrtStyle
from pybtex.style.labels import BaseLabelStyle
from pybtex.style.sorting import BaseSortingStyle
from pybtex.style.template import field as bib_field
from pybtex.style.template import href, join, sentence
from pybtex.style.template import node as template_node
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinxcontrib.bibtex.plugin import register_plugin as register_bibtex_plugin
from sphinxcontrib.bibtex.style.referencing import BracketStyle, PersonStyle
from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
    BasicAuthorYearParentheticalReferenceStyle,
    BasicAuthorYearTextualReferenceStyle,
)
from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
from sphinxcontrib.bibtex.style.template import join as bib_join
from sphinxcontrib.bibtex.style.template import join2 as bib_join2
from sphinxcontrib.bibtex.style.template import post_text, pre_text, reference

# The words of each edition: (two authors joined, more than two abbreviated, label "who, year" separator)
WORDS = {
    "en": {"and": " and ", "et_al": " et al.", "sep": ", "},
    "zh": {"and": " 和 ", "et_al": " 等", "sep": "，"},
}
CHAPTER = re.compile(r"(?:^|/)chapters/(\d+)_[^/]+$")


def edition(language: str | None) -> str:
    """'zh' for a Chinese build (language zh, zh_CN, zh-Hans ...), else 'en'."""
    return "zh" if (language or "").lower().startswith("zh") else "en"


def _surname(person) -> str:
    """'Müller' for ``M{\\"u}ller`` or ``Müller``: LaTeX accents decoded, braces dropped, so that the
    label reads right and sorts as the reader expects (Müller after Mikolov, not before)."""
    name = " ".join(person.prelast_names + person.last_names)
    try:
        name = codecs.decode(name, "ulatex")
    except Exception:  # noqa: BLE001 - an odd name stays as written rather than break the build
        pass
    return name.replace("{", "").replace("}", "")


def _people(entry) -> list:
    """The authors (else the editors); BibTeX's "and others" counts as a third person (et al.)."""
    people = list(entry.persons.get("author") or entry.persons.get("editor") or [])
    if people and _surname(people[-1]) == "others":
        people = people[:-1] + [None] * max(1, 3 - len(people[:-1]))
    return people


def author_year(entry, language: str | None = "en") -> str:
    """'Gage, 1994', 'Sennrich et al., 2016' or 'Press and Wolf, 2017' for a pybtex entry;
    in Chinese ('zh_CN') 'Sennrich 等，2016' and 'Press 和 Wolf，2017'."""
    words = WORDS[edition(language)]
    people = _people(entry)
    year = entry.fields.get("year", "n.d.")
    if not people:
        return f"{entry.fields.get('title', entry.key)}{words['sep']}{year}"
    if len(people) == 1:
        who = _surname(people[0])
    elif len(people) == 2:
        who = f"{_surname(people[0])}{words['and']}{_surname(people[1])}"
    else:
        who = f"{_surname(people[0])}{words['et_al']}"
    return f"{who}{words['sep']}{year}"


class AuthorYearLabels(BaseLabelStyle):
    """Labels 'Surname et al., 2017'; two entries that would share a label get 2017a, 2017b."""

    language = "en"

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [author_year(e, self.language) for e in entries]
        counts = Counter(labels)
        seen: Counter = Counter()
        for label in labels:
            if counts[label] > 1:
                seen[label] += 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[seen[label] - 1]
            else:
                yield label


class AuthorYearLabelsZh(AuthorYearLabels):
    language = "zh_CN"


class AuthorYearSorting(BaseSortingStyle):
    """The order in which the labels read: first author's surname, then one, two or more authors
    (the second's surname for two), then year and title. pybtex's ``author_year_title`` compares
    the whole author list, which put 'Vaswani et al., 2018' (Vaswani, Bengio, ...) before
    'Vaswani et al., 2017' (Vaswani, Shazeer, ...)."""

    def sorting_key(self, entry):
        people = _people(entry)
        if not people:
            who: tuple = (entry.fields.get("title", entry.key).replace("{", "").lower(), 0, "")
        elif len(people) == 1:
            who = (_surname(people[0]).lower(), 0, "")
        elif len(people) == 2:
            who = (_surname(people[0]).lower(), 1, _surname(people[1]).lower())
        else:
            who = (_surname(people[0]).lower(), 2, "")
        title = entry.fields.get("title", "").replace("{", "").replace("}", "").lower()
        # 'date' (ISO, '2023-02-27'; not printed) orders one author's works of one year by date,
        # so that 2023a is the earlier: LLaMA (February) before Llama 2 (July), whatever the titles
        return (*who, entry.fields.get("year", ""), entry.fields.get("date", ""), title)


MAX_NAMES = 3  # an entry names at most three authors, then "et al." / "等" (as GB/T 7714 does)


@template_node
def names_et_al(children, context, role, et_al, **kwargs):
    """The authors of ``role``, at most MAX_NAMES of them: more (or BibTeX's "and others") give the
    first MAX_NAMES then ``et_al``. pybtex's ``names`` prints every name, and "others" as "others"."""
    persons = list(context["entry"].persons.get(role, []))
    more = bool(persons) and _surname(persons[-1]) == "others"
    persons = [p for p in persons if _surname(p) != "others"]
    if len(persons) > MAX_NAMES:
        persons, more = persons[:MAX_NAMES], True
    style = context["style"]
    shown = [style.format_name(person, style.abbreviate_names) for person in persons]
    if more:
        return join(sep=kwargs["sep"])[shown].format_data(context) + Text(et_al)
    return join(**kwargs)[shown].format_data(context)


class AuthorYearStyle(UnsrtStyle):
    default_label_style = "authoryear"
    default_sorting_style = "authoryear"
    et_al = ", et al."

    def format_names(self, role, as_sentence=True):
        formatted = names_et_al(role, et_al=self.et_al, sep=", ", sep2=" and ", last_sep=", and ")
        return sentence[formatted] if as_sentence else formatted

    def format_title(self, e, which_field, as_sentence=True):
        """The title as references.bib writes it. pybtex's unsrt style lowercases all but its first
        letter ("The illustrated transformer"), which mangles names and titles written in title case."""
        formatted_title = bib_field(which_field)
        return sentence[formatted_title] if as_sentence else formatted_title


# The Chinese edition's words for the English annotations of references.bib (the fields printed as
# written). A Chinese source is marked "中文", as the further reading marks it; names (publishers,
# universities' and series' own titles, addresses) stay as written. A value not listed here is
# printed as it stands, so a new entry's annotation needs a line here.
ZH_FIELDS = {
    "howpublished": {
        "Blog post": "博客文章",
        "Blog post (in Chinese), 科学空间 (Scientific Spaces)": "博客文章（中文），科学空间",
        "Course notes, Stanford University": "课程讲义，斯坦福大学",
        "Course with video lectures (in Mandarin Chinese), National Taiwan University":
            "课程，附视频讲座（中文），台湾大学",
        "Draft of the 3rd edition, online": "第 3 版草稿，在线阅读",
        "GitHub repository": "GitHub 仓库",
        "Online course, also in Chinese; since renamed the LLM Course": "在线课程，有中文版；后更名为 LLM Course",
        "Reddit post, r/LocalLLaMA": "Reddit 帖子，r/LocalLLaMA",
        "Software, GitHub": "软件，GitHub",
        "Specification in the ggml repository, docs/gguf.md": "ggml 仓库中的规范，docs/gguf.md",
        "Video lecture, Neural Networks: Zero to Hero": "视频讲座，Neural Networks: Zero to Hero",
        "Video series, 3Blue1Brown": "视频系列，3Blue1Brown",
        "Video series (in Mandarin Chinese) on the bilibili channel 跟李沐学AI, listed in a GitHub repository":
            "视频系列（中文），哔哩哔哩频道“跟李沐学AI”，目录见 GitHub 仓库",
    },
    "note": {
        "A paid book; its code is free at https://github.com/rasbt/LLMs-from-scratch":
            "付费图书；代码免费，见 https://github.com/rasbt/LLMs-from-scratch",
    },
    "publisher": {
        "Online book (arXiv:2504.12501)": "在线图书（arXiv:2504.12501）",
        "Online book (in Chinese), the Chinese edition of Dive into Deep Learning":
            "在线图书（中文），Dive into Deep Learning 的中文版",
    },
}


def in_chinese(entry):
    """``entry`` with its English annotations (``ZH_FIELDS``) in Chinese: a copy when one changes,
    else ``entry`` itself (the parsed bibliography is shared by both editions' code paths)."""
    changed = {name: ZH_FIELDS[name.lower()][value] for name, value in entry.fields.items()
               if value in ZH_FIELDS.get(name.lower(), {})}
    if not changed:
        return entry
    copy = Entry(entry.type, fields={**entry.fields, **changed}, persons=entry.persons)
    copy.key = entry.key
    return copy


class AuthorYearStyleZh(AuthorYearStyle):
    default_label_style = "authoryear_zh"
    default_sorting_style = "authoryear"
    et_al = " 等"

    def format_entry(self, label, entry, bib_data=None):
        return super().format_entry(label, in_chinese(entry), bib_data=bib_data)

    def format_url(self, e):
        """The address alone, without pybtex's English "URL:" (a link needs no label)."""
        url = bib_field("url", raw=True)
        return href(url)[url]


CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"  # CJK punctuation, ideographs, full-width forms


def chinese_punctuation(text: str, last: bool = False) -> str:
    """The separators pybtex prints (", " and ". ") full-width where they close Chinese text:
    after a Chinese character ("科学空间, 2021" -> "科学空间，2021"), and after the year that
    follows one ("，2021. " -> "，2021。"). With ``last`` (the entry's final full stop, in an
    entry whose title is Chinese), a final "." is "。" too. Latin text keeps its own, and so does
    the "等." that ends a list of authors (as GB/T 7714 writes it)."""
    text = re.sub(f"(?<=[{CJK}]), ?", "，", text)
    text = re.sub(f"(?<=[{CJK}])(?<!等)\\.(?: |$)", "。", text)  # "Parmar 等. " as GB/T 7714 writes it
    text = re.sub("(?<=，\\d{4})\\.(?: |$)", "。", text)
    text = re.sub("(?<=[。，；：）])[ \\t]+", "", text)  # no space beside full-width punctuation
    if last and text.rstrip().endswith("."):
        text = text.rstrip()[:-1] + "。"
    return text


def _text_slots(node: nodes.Element):
    """(parent, index) of every Text node under ``node``, in reading order."""
    for i, child in enumerate(node.children):
        if isinstance(child, nodes.Text):
            yield node, i
        elif isinstance(child, nodes.Element):
            yield from _text_slots(child)


def tighten_chinese_entries(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the Chinese edition, full-width punctuation where a bibliography entry is Chinese
    (``chinese_punctuation``): after a Chinese title or annotation, and at the end of an entry
    one of whose parts ends in "。" (a Chinese title, or an annotation in Chinese such as
    "博客文章，2018。"). Run before ``add_cited_in``."""
    if edition(app.config.language) != "zh":
        return
    entry_of = {c.citation_id: c.entry for c in app.env.get_domain("cite").citations}
    for citation in doctree.findall(nodes.citation):
        body = next((p for p in citation.children if isinstance(p, nodes.paragraph)), None)
        entry = entry_of.get((citation.get("ids") or [""])[0])
        if body is None:
            continue
        chinese_title = bool(entry is not None and re.search(f"[{CJK}]", entry.fields.get("title", "")))
        slots = list(_text_slots(body))  # (parent, index): pybtex reuses one Text node for each " "
        last = max((k for k, (p, _) in enumerate(slots) if not isinstance(p, nodes.reference)), default=-1)
        tail = ""  # the end of the text before, already done: pybtex's separators are often nodes of their own
        chinese_part = chinese_title  # a part of the entry ends in "。": so does the entry
        for k, (parent, i) in enumerate(slots):
            old = str(parent[i])
            if not isinstance(parent, nodes.reference):
                done = chinese_punctuation(tail + old, last=chinese_part and k == last)
                chinese_part = chinese_part or "。" in done
                new = done[len(tail) :] if done.startswith(tail) else old
                if new != old:
                    parent[i] = nodes.Text(new)
                    old = new
            tail = (tail + old)[-6:]


# ----------------------------------------------------------------------------- citations in the text

@template_node
def labelled_year(children, data):
    """The year as the entry's label gives it: '2023a' when the bibliography lists that author's
    works of 2023 as 2023a and 2023b, else the plain year. sphinxcontrib-bibtex's ``year`` prints
    the 'year' field, so "Touvron et al. (2023)" cited both Llamas while the list read 2023a/2023b."""
    assert not children
    year = data["entry"].fields.get("year", "n.d.")
    label = getattr(data.get("formatted_entry"), "label", "") or ""
    m = re.search(re.escape(year) + r"([a-z])$", label)
    return Text(year + m.group(1) if m else year)


@dataclass
class _LabelledParenthetical(BasicAuthorYearParentheticalReferenceStyle):
    def inner(self, role_name: str):
        return bib_join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
            pre_text,
            reference[bib_join(sep=self.author_year_sep)[
                self.person.author_or_editor_or_title(full="s" in role_name), labelled_year]],
            post_text,
        ]


@dataclass
class _LabelledTextual(BasicAuthorYearTextualReferenceStyle):
    def inner(self, role_name: str):
        return bib_join(sep=self.text_reference_sep)[
            self.person.author_or_editor_or_title(full="s" in role_name),
            bib_join[
                self.bracket.left,
                bib_join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                    pre_text, reference[labelled_year], post_text],
                self.bracket.right,
            ],
        ]


@dataclass
class _LabelledYear(ExtraYearReferenceStyle):
    def inner(self, role_name: str):
        return reference[labelled_year]


_LABELLED = {BasicAuthorYearParentheticalReferenceStyle: _LabelledParenthetical,
             BasicAuthorYearTextualReferenceStyle: _LabelledTextual,
             ExtraYearReferenceStyle: _LabelledYear}


def _use_labelled_years(group: AuthorYearReferenceStyle) -> None:
    """Swap the group's author-year and year styles for ones that print the label's year."""
    import dataclasses

    def swap(style):
        cls = _LABELLED.get(type(style))
        if cls is None:
            return style
        return cls(**{f.name: getattr(style, f.name) for f in dataclasses.fields(style) if f.init})

    group.styles = [swap(s) for s in group.styles]
    group.role_style = {role: s for s in group.styles for role in s.role_names()}


@dataclass
class EnglishAuthorYear(AuthorYearReferenceStyle):
    """'Vaswani et al. (2017)' and '(Vaswani et al., 2017)': round brackets, as author-year reads."""

    bracket_textual: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")", sep="; "))
    bracket_parenthetical: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")", sep="; "))
    bracket_author: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")", sep="; "))
    bracket_label: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")", sep="; "))
    bracket_year: BracketStyle = field(default_factory=lambda: BracketStyle(left="(", right=")", sep="; "))
    # upright "et al.", as in the bibliography's labels (sphinxcontrib-bibtex italicises it)
    person: PersonStyle = field(default_factory=lambda: PersonStyle(other=Text(WORDS["en"]["et_al"])))

    def __post_init__(self):
        super().__post_init__()
        _use_labelled_years(self)


def _zh_brackets() -> BracketStyle:
    return BracketStyle(left="（", right="）", sep="；")


@dataclass
class ChineseAuthorYear(AuthorYearReferenceStyle):
    """'Vaswani 等（2017）' and '（Vaswani 等，2017）': the Chinese edition's words and full-width
    punctuation (locale/STYLE.md); 'Press 和 Wolf（2017）' for two authors."""

    bracket_textual: BracketStyle = field(default_factory=_zh_brackets)
    bracket_parenthetical: BracketStyle = field(default_factory=_zh_brackets)
    bracket_author: BracketStyle = field(default_factory=_zh_brackets)
    bracket_label: BracketStyle = field(default_factory=_zh_brackets)
    bracket_year: BracketStyle = field(default_factory=_zh_brackets)
    person: PersonStyle = field(default_factory=lambda: PersonStyle(
        sep="、", sep2=WORDS["zh"]["and"], last_sep=WORDS["zh"]["and"], other=Text(WORDS["zh"]["et_al"])))
    author_year_sep: str = WORDS["zh"]["sep"]
    text_reference_sep: str = ""
    post_text_sep: str = "，"

    def __post_init__(self):
        super().__post_init__()
        _use_labelled_years(self)


def use_edition_styles(app: Sphinx, config: Config) -> None:
    """Swap the configured author-year styles for the edition's (English or Chinese) ones."""
    zh = edition(config.language) == "zh"
    if config.bibtex_reference_style == "author_year":
        config.bibtex_reference_style = "author_year_zh" if zh else "author_year_en"
    if config.bibtex_default_style == "authoryear" and zh:
        config.bibtex_default_style = "authoryear_zh"


# ----------------------------------------------------------------------------- links back to the text

ENV_KEY = "bib_style_cited_at"


def _citation_anchor(key: str) -> str:
    """The id this extension gives a page's first citation of ``key``: 'cite-vaswani2017attention'."""
    return "cite-" + nodes.make_id(key)


def record_citations(app: Sphinx, doctree: nodes.document) -> None:
    """On each page, give the first citation of every key a stable id of its own
    ('cite-<key>') and note it, in reading order, for the bibliography's "Cited in" links.

    The links used to take sphinxcontrib-bibtex's ``CitationRef.citation_ref_id``: the automatic
    id ('id8') that docutils gave the citation's node, a page-wide counter. When a chapter gained
    or lost a citation or another auto-numbered target, an incremental build re-read and rewrote
    that chapter but not the bibliography page, whose "Cited in" links kept the old numbers: on
    the published site 14 of 125 links landed on the next work's citation or on a heading. Now
    the anchor is derived from the key, independent of any counter, it is read from the finished
    doctree in document order (not sorted by line numbers, which notebook cells do not give
    reliably), and ``bibliography_pages_outdated`` writes the bibliography again after any read.
    """
    from sphinx import addnodes
    from sphinxcontrib.bibtex.citation_target import parse_citation_targets

    env = app.env
    store = env.__dict__.setdefault(ENV_KEY, {})
    seen: dict[str, str] = {}
    for node in doctree.findall(addnodes.pending_xref):
        if node.get("refdomain") != "cite":
            continue
        for target in parse_citation_targets(node.get("reftarget", "")):
            if target.key in seen:
                continue
            anchor = _citation_anchor(target.key)
            if anchor not in node["ids"]:
                node["ids"].append(anchor)
            doctree.ids.setdefault(anchor, node)
            seen[target.key] = anchor
    store[env.docname] = seen


def anchor_each_work_of_a_group(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """A citation of several works, "(Gage, 1994; Press and Wolf, 2017)", carries the 'cite-<key>'
    anchors of all of them, so a "Cited in" link to the second work landed on the first. Move each
    such anchor onto the link of its own work inside the group."""
    key_of = {c.citation_id: c.key for c in app.env.get_domain("cite").citations}
    for cite in list(doctree.findall(nodes.inline)):
        if "bibtex-citation" not in cite.get("classes", []):
            continue
        refs = [r for r in cite.findall(nodes.reference) if "#" in r.get("refuri", "") or r.get("refid")]
        keys = {key_of.get(r.get("refid") or r["refuri"].rsplit("#", 1)[1]) for r in refs}
        if len(keys - {None}) < 2:
            continue
        for ref in refs:
            key = key_of.get(ref.get("refid") or ref["refuri"].rsplit("#", 1)[1])
            anchor = _citation_anchor(key) if key else ""
            if anchor in cite["ids"]:
                cite["ids"].remove(anchor)
                ref["ids"].append(anchor)


def purge_citations(app: Sphinx, env, docname: str) -> None:
    env.__dict__.setdefault(ENV_KEY, {}).pop(docname, None)


def merge_citations(app: Sphinx, env, docnames, other) -> None:
    store = env.__dict__.setdefault(ENV_KEY, {})
    for docname in docnames:
        if docname in other.__dict__.get(ENV_KEY, {}):
            store[docname] = other.__dict__[ENV_KEY][docname]


def bibliography_pages_outdated(app: Sphinx, env) -> list[str]:
    """Write the pages holding a bibliography again whenever some page was read: their "Cited
    in" lines depend on every page's citations (Sphinx would otherwise keep an older write)."""
    domain = env.get_domain("cite")
    return sorted({key.docname for key in domain.bibliographies})


def _where_cited(app: Sphinx, bib_docname: str) -> dict[str, list[tuple[str, str]]]:
    """Citation key -> [(docname, id of the first citation there)], pages in reading order, the
    bibliography's own page (its further reading) last."""
    from sphinxcontrib.bibtex.domain import get_docnames

    store = app.env.__dict__.get(ENV_KEY, {})
    order = {d: i for i, d in enumerate(get_docnames(app.env))}
    first: dict[str, dict[str, str]] = {}
    for docname in sorted(store, key=lambda d: (d == bib_docname, order.get(d, len(order)), d)):
        for key, anchor in store[docname].items():
            first.setdefault(key, {})[docname] = anchor
    return {key: list(pages.items()) for key, pages in first.items()}


def _joined(items: list[nodes.Node], zh: bool) -> list[nodes.Node]:
    """'a', 'a and b', 'a, b and c' (Chinese: 'a、b、c')."""
    out: list[nodes.Node] = []
    for i, item in enumerate(items):
        if i:
            out.append(nodes.Text("、" if zh else (" and " if i == len(items) - 1 else ", ")))
        out.append(item)
    return out


FURTHER_READING = {"en": "further reading", "zh": "延伸阅读"}
# the root page's title is the book's ("How a Transformer Learns"): "Cited in How a Transformer
# Learns" read as the whole book, so the root page is named for what it is
INTRODUCTION = {"en": "the introduction", "zh": "引言"}


def cited_in(app: Sphinx, pages: list[tuple[str, str]], fromdocname: str) -> nodes.paragraph:
    """The paragraph 'Cited in chapters 4 and 11; in the introduction and further reading.' with
    links to the citations (a citation on the bibliography's own page is its further reading)."""
    zh = edition(app.config.language) == "zh"

    def link(docname: str, ref_id: str, text: str) -> nodes.reference:
        uri = app.builder.get_relative_uri(fromdocname, docname) + "#" + ref_id
        return nodes.reference("", text, internal=True, refuri=uri)

    chapters = [link(d, i, str(int(CHAPTER.search(d).group(1)))) for d, i in pages if CHAPTER.search(d)]
    def title(docname: str) -> str:  # "Glossary · 术语表" -> "Glossary"
        if docname == fromdocname:
            return FURTHER_READING["zh" if zh else "en"]
        if docname == app.config.root_doc:
            return INTRODUCTION["zh" if zh else "en"]
        return app.env.titles[docname].astext().split(" · ")[0] if docname in app.env.titles else docname

    others = [link(d, i, title(d)) for d, i in pages if not CHAPTER.search(d)]
    here = [d in (fromdocname, app.config.root_doc) for d, _ in pages if not CHAPTER.search(d)]
    para = nodes.paragraph(classes=["bib-cited-in"])
    if zh:
        para += nodes.Text("引用于")
        parts = []
        if chapters:
            parts.append([nodes.Text("第 "), *_joined(chapters, zh), nodes.Text(" 章")])
        for other, own_page in zip(others, here):
            parts.append([other] if own_page else [nodes.Text("《"), other, nodes.Text("》")])
        for i, part in enumerate(parts):
            if i:
                para += nodes.Text("、")
            para.extend(part)
        para += nodes.Text("。")
    else:
        para += nodes.Text("Cited in ")
        if chapters:
            para += nodes.Text("chapter " if len(chapters) == 1 else "chapters ")
            para.extend(_joined(chapters, zh))
        if others:
            para += nodes.Text("; in " if chapters else "")
            para.extend(_joined(others, zh))
        para += nodes.Text(".")
    return para


def add_cited_in(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Below each bibliography entry on ``docname``, the pages that cite it (HTML builders only)."""
    if not hasattr(app.builder, "get_relative_uri") or app.builder.format != "html":
        return
    entries = [n for n in doctree.findall(nodes.citation) if n.get("ids")]
    if not entries:
        return
    domain = app.env.get_domain("cite")
    key_of = {c.citation_id: c.key for c in domain.citations}
    where = _where_cited(app, docname)
    for entry in entries:
        pages = where.get(key_of.get(entry["ids"][0], ""), [])
        if pages:
            _append_cited_in(entry, cited_in(app, pages, docname))
        # docutils links an entry's label back to the one citation on this page, or, for several,
        # prints "(1,2,3)" before the entry: the "Cited in" line already says (and links) where the
        # work is cited, so every label is plain text and no numbered back-links are shown
        entry["backrefs"] = []


def _append_cited_in(entry: nodes.citation, para: nodes.paragraph) -> None:
    """Put the "Cited in" line inside the entry's own paragraph, on a line of its own: as a
    paragraph of its own it stood a paragraph's gap below its entry, just above the next entry's
    label, and on a phone (label above entry) read as the start of the next entry."""
    body = [p for p in entry.children if isinstance(p, nodes.paragraph)]
    if not body:
        entry += para
        return
    line = nodes.inline(classes=list(para["classes"]))
    line.extend(para.children)
    body[-1] += nodes.raw("", "<br />\n", format="html")
    body[-1] += line


def full_repository_urls(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Show a bibliography entry's GitHub/GitLab address in full, like every other address:
    pydata-sphinx-theme's ShortenLinkTransform (a post-transform, before this event) turns
    "https://github.com/karpathy/nanoGPT" into "karpathy/nanoGPT", which reads as no address."""
    for entry in doctree.findall(nodes.citation):
        for ref in entry.findall(nodes.reference):
            uri = ref.get("refuri", "")
            platform = {"github", "gitlab"} & set(ref.get("classes", []))
            if platform and uri.startswith("http") and ref.children and isinstance(ref[0], nodes.Text):
                ref[0] = nodes.Text(uri)
                ref["classes"] = [c for c in ref["classes"] if c not in platform]


def tighten_chinese_citations(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """In the Chinese edition, no space beside a citation's full-width bracket (locale/STYLE.md):
    "影响 {cite:p}`x`。" shows "影响（Voita 等，2019）。", not "影响 （Voita 等，2019）。"."""
    if edition(app.config.language) != "zh":
        return
    for cite in list(doctree.findall(nodes.inline)):
        if "bibtex-citation" not in cite.get("classes", []) or cite.parent is None:
            continue
        text = cite.astext()
        parent, i = cite.parent, cite.parent.index(cite)
        if text.startswith("（") and i > 0 and isinstance(parent[i - 1], nodes.Text):
            before = parent[i - 1]
            if before.rstrip(" ") != before:
                parent.replace(before, nodes.Text(before.rstrip(" ")))
        if text.endswith("）") and i + 1 < len(parent) and isinstance(parent[i + 1], nodes.Text):
            after = parent[i + 1]
            if after.lstrip(" ") != after:
                parent.replace(after, nodes.Text(after.lstrip(" ")))


def setup(app: Sphinx) -> dict:
    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels)
    register_plugin("pybtex.style.labels", "authoryear_zh", AuthorYearLabelsZh)
    register_plugin("pybtex.style.sorting", "authoryear", AuthorYearSorting)
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)
    register_plugin("pybtex.style.formatting", "authoryear_zh", AuthorYearStyleZh)
    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_en", EnglishAuthorYear)
    register_bibtex_plugin("sphinxcontrib.bibtex.style.referencing", "author_year_zh", ChineseAuthorYear)
    app.connect("config-inited", use_edition_styles, priority=800)
    app.connect("doctree-read", record_citations)
    app.connect("env-purge-doc", purge_citations)
    app.connect("env-merge-info", merge_citations)
    app.connect("env-get-updated", bibliography_pages_outdated)
    app.connect("doctree-resolved", anchor_each_work_of_a_group)
    app.connect("doctree-resolved", tighten_chinese_entries)
    app.connect("doctree-resolved", add_cited_in)
    app.connect("doctree-resolved", tighten_chinese_citations)
    app.connect("doctree-resolved", full_repository_urls)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
