"""The Chinese edition from one source: translation units, catalogs, checks and the generated book.

    python scripts/translation.py update            # extract the English units into the catalogs (locale/)
    python scripts/translation.py status            # translated / stale / missing units per page
    python scripts/translation.py check             # translations whose markup, numbers or code differ
    python scripts/translation.py update --code-comments   # ... only the code cells' catalogs (locale/zh_CN/code/)
    python scripts/translation.py export chapters/04_attention.ipynb /tmp/04.txt   # a translator's work file
    python scripts/translation.py import chapters/04_attention.ipynb /tmp/04.txt   # ... read back
    python scripts/translation.py build             # the Chinese book's sources in _build/zh/src
    python scripts/translation.py build --english-cache _build/.jupyter_cache   # ... reusing the English outputs

Authors edit the English pages (chapters/*.ipynb, intro.md, appendix/*.md) and nothing else. A page
is cut into translation units: its markdown blocks (a paragraph, a heading, a list, a fenced block
such as an exercise or a figure with its caption), split at blank lines outside fences and display
math. Each unit is a gettext entry (``polib``) keyed by its English text, in one catalog per page:
``locale/zh_CN/<page>.po``. When the English of a unit changes, ``update`` keeps the old
translation of the most similar retired unit but flags it *fuzzy*: a stale unit. A stale or missing
unit shows the English on the Chinese page inside a visible "not yet translated" marker, and
``status`` counts both.

The comments, docstrings and printed strings of the chapters' code cells are units too, in catalogs
of their own (``locale/zh_CN/code/NN_x.po``; see ``code_units`` and ``code_literals``): ``update``,
``status`` and ``check`` cover them.

``build`` writes the Chinese book: each page's markdown is replaced unit by unit; code cells are
copied byte for byte but for their translated comments, docstrings and strings (tests check), and one
hidden cell at the top of each notebook sets ``BOOK_LANGUAGE`` so that the words the helpers print or
draw come out in Chinese (``helpers.i18n``). The generated book lives under ``_build/`` (inside the English book's
root it would break the English ``-W`` build: "document isn't included in any toctree").
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import nbformat
import polib
import yaml

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh_CN"
LOCALE = ROOT / "locale" / LANGUAGE
OUT = ROOT / "_build" / "zh" / "src"
STALE_SIMILARITY = 0.5  # a changed unit inherits the translation of a retired unit at least this similar
LANGUAGE_CELL = ('# 中文版：代码打印和绘制的文字用中文（helpers.i18n 读这个设置）\n'
                 'import os\nos.environ["BOOK_LANGUAGE"] = "zh_CN"')


# ----------------------------------------------------------------------------- units

_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,}|:{3,})")


def split_blocks(text: str) -> list[str]:
    """``text`` cut into blocks and the blank runs between them; ``"".join`` gives ``text`` back.

    Even indices are blocks, odd indices the separators (blank lines). A block is cut at a blank
    line only outside a fence (```, ~~~ or :::, closed by the same character at least as long) and
    outside display math ($$ ... $$).
    """
    parts: list[str] = []
    current: list[str] = []
    in_block = True
    fence: str | None = None
    math = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped == "" and fence is None and not math:
            if in_block:
                parts.append("".join(current))
                current, in_block = [], False
            current.append(line)
            continue
        if not in_block:
            parts.append("".join(current))
            current, in_block = [], True
        current.append(line)
        m = _FENCE.match(line)
        if fence is None and not math:
            if m:
                fence = m.group(2)
            elif stripped.startswith("$$") and not (len(stripped) > 2 and stripped.endswith("$$")):
                math = True
        elif fence is not None:
            if m and stripped == m.group(2) and m.group(2)[0] == fence[0] and len(m.group(2)) >= len(fence):
                fence = None
        elif stripped.endswith("$$"):
            math = False
    parts.append("".join(current))
    return parts


_LABEL_ONLY = re.compile(r"^\(\s*[\w\-:.]+\s*\)=\s*$")
_CODE_FENCE = re.compile(r"^(`{3,}|~{3,})(?!\s*\{)")  # a fence of code, not a {directive}


def translatable(block: str) -> bool:
    """Whether a block holds words to translate (not a label, a comment, code, or display math unless
    English words stand in a \\text{...} of it)."""
    s = block.strip()
    if not s or _LABEL_ONLY.match(s) or (s.startswith("<!--") and s.endswith("-->")):
        return False
    if s.startswith("$$") and s.endswith("$$"):  # display math: only for the English words of its \text{...}
        return any(re.search(r"[A-Za-z]{2,}", body) for body in math_texts(s))
    if _CODE_FENCE.match(s):
        return False
    words = re.sub(r"`{3,}|~{3,}|:{3,}", " ", s)
    words = re.sub(r"\{(?:glue(?::\w+)?|figure|image|include|literalinclude|bibliography)\}[ \t]*\S*", " ", words)
    words = re.sub(r"\$[^$]*\$|`[^`\n]*`|\{[\w:-]+\}|\([\w\-:.]+\)=|^:\w+:.*$", " ", words, flags=re.M)
    return re.search(r"[A-Za-z\u4e00-\u9fff]{2,}", words) is not None


_TEXT_COMMAND = re.compile(r"\\(?:text|textrm|textsf|textit|textbf|mbox)\s*\{")


def _text_spans(math: str) -> list[tuple[int, int]]:
    """(start, end) of the body of every \\text{...} (and \\textrm, \\mbox, ...) in ``math``, braces balanced."""
    spans = []
    for m in _TEXT_COMMAND.finditer(math):
        depth, i = 1, m.end()
        while i < len(math) and depth:
            depth += {"{": 1, "}": -1}.get(math[i], 0) if math[i - 1] != "\\" else 0
            i += 1
        if depth == 0 and not any(a <= m.start() < b for a, b in spans):  # not one inside another's body
            spans.append((m.end(), i - 1))
    return spans


def math_texts(math: str) -> list[str]:
    """The words of ``math`` a reader reads as words: the bodies of its \\text{...}."""
    return [math[a:b] for a, b in _text_spans(math)]


def math_without_texts(math: str) -> str:
    """``math`` with every \\text{...} body replaced by …: what a translation must keep as it is."""
    for a, b in reversed(_text_spans(math)):
        math = math[:a] + "…" + math[b:]
    return math


@dataclass
class Unit:
    """One translation unit: the English ``text`` of a page at ``where`` (cell id or 'md', block index)."""

    text: str
    where: str
    note: str = ""  # for the translator (a ``#.`` line): what kind of unit it is


def page_units(path: Path) -> list[Unit]:
    """The translatable units of one page (a notebook's markdown cells, or a markdown file), in order."""
    out: list[Unit] = []
    for where, source in _markdown_sources(path):
        for i, block in enumerate(split_blocks(source)[::2]):
            if translatable(block):
                out.append(Unit(block.rstrip("\n"), f"{where}#{i}"))
    return out


FIGURE_TEXTS = (("figure", "caption"), ("image", "alt"))  # a code cell's figure caption and alt text


def _markdown_sources(path: Path) -> list[tuple[str, str]]:
    """(where, text) of every text a page shows: markdown cells, and the caption and alt text a code
    cell gives its figure (``metadata.mystnb.figure.caption``, ``metadata.mystnb.image.alt``)."""
    if path.suffix != ".ipynb":
        return [("md", path.read_text(encoding="utf-8"))]
    nb = nbformat.read(path, as_version=4)
    out = []
    for i, cell in enumerate(nb.cells):
        cid = cell.get("id", str(i))
        if cell.cell_type == "markdown":
            out.append((cid, cell.source))
        mystnb = cell.get("metadata", {}).get("mystnb", {})
        for group, key in FIGURE_TEXTS:
            text = mystnb.get(group, {}).get(key)
            if isinstance(text, str) and text.strip():
                out.append((f"{cid}:{group}.{key}", text))
    return out


def book_pages(root: Path = ROOT) -> list[Path]:
    """Every page of the book in the order of _toc.yml (root first)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part["chapters"]]
    pages = []
    for name in names:
        for suffix in (".ipynb", ".md"):
            if (root / f"{name}{suffix}").exists():
                pages.append(root / f"{name}{suffix}")
                break
        else:
            raise FileNotFoundError(f"_toc.yml names {name}, which is neither {name}.ipynb nor {name}.md")
    return pages


# ----------------------------------------------------------------------------- catalogs

BOOK_STRINGS = "_book"  # the book's own words outside the pages: title, author, footer, the table of contents' parts


def book_units(root: Path = ROOT) -> list[Unit]:
    """The words of _config.yml (title, author, footer) and _toc.yml (part captions) a reader sees."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    out = [Unit(config["title"], "_config.yml:title"), Unit(config["author"], "_config.yml:author")]
    footer = config.get("html", {}).get("extra_footer", "").strip()
    if footer:
        out.append(Unit(footer, "_config.yml:html.extra_footer"))
    out += [Unit(part["caption"], f"_toc.yml:parts[{i}].caption") for i, part in enumerate(toc.get("parts", []))
            if part.get("caption")]
    return out


def catalog_path(page: Path, root: Path = ROOT, locale: Path = LOCALE) -> Path:
    if page.name == BOOK_STRINGS:
        return locale / f"{BOOK_STRINGS}.po"
    return locale / page.relative_to(root).with_suffix(".po")


def load_catalog(path: Path) -> polib.POFile:
    if path.exists():
        return polib.pofile(str(path), wrapwidth=0)
    po = polib.POFile(wrapwidth=0)
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": LANGUAGE}
    return po


def update_catalog(units: list[Unit], po: polib.POFile) -> polib.POFile:
    """A catalog for ``units``: known units keep their translation; a changed unit inherits the
    translation of the most similar retired unit, flagged fuzzy (stale); retired units stay obsolete."""
    known = {e.msgid: e for e in po}
    new = polib.POFile(wrapwidth=0)
    new.metadata = dict(po.metadata) or {"Content-Type": "text/plain; charset=UTF-8", "Language": LANGUAGE}
    used: set[str] = set()
    fresh: list[polib.POEntry] = []
    for unit in units:
        if unit.text in used:  # the same English twice on a page: one entry
            next(e for e in new if e.msgid == unit.text).occurrences.append((unit.where, ""))
            continue
        used.add(unit.text)
        old = known.get(unit.text)
        entry = polib.POEntry(msgid=unit.text, msgstr=old.msgstr if old else "", occurrences=[(unit.where, "")],
                              comment=unit.note)
        if old is not None:
            entry.flags = [f for f in old.flags if f != "fuzzy"] + (["fuzzy"] if old.fuzzy else [])
            entry.previous_msgid = old.previous_msgid
        else:
            fresh.append(entry)
        new.append(entry)
    retired = [e for e in po if e.msgid not in used and e.msgstr]
    for entry in fresh:
        scored = [(difflib.SequenceMatcher(None, entry.msgid, r.msgid).ratio(), r) for r in retired]
        if scored:
            score, best = max(scored, key=lambda pair: pair[0])
            if score >= STALE_SIMILARITY:
                entry.msgstr, entry.previous_msgid = best.msgstr, best.msgid
                entry.flags.append("fuzzy")
                retired.remove(best)
    for entry in retired:
        entry.obsolete = True
        new.append(entry)
    return new


def status(po: polib.POFile) -> dict[str, int]:
    live = [e for e in po if not e.obsolete]
    stale = sum(1 for e in live if e.msgstr and e.fuzzy)
    missing = sum(1 for e in live if not e.msgstr)
    return {"units": len(live), "translated": len(live) - stale - missing, "stale": stale, "missing": missing}


# ----------------------------------------------------------------------------- checks

_ROLE = re.compile(r"(?<![A-Za-z0-9_\\])\{[\w:-]+\}`[^`]*`")  # not the {L} of `\p{L}`
_LABEL = re.compile(r"\(([\w\-:.]+)\)=")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]+?\$", re.S)  # inline math may run over a line break
_LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
_DIRECTIVE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\{([\w:-]+)\}", re.M)
_OPTION = re.compile(r"^\s*:(label|name|class|width|figwidth|align|nowrap):\s*(.*)$", re.M)
_FORMAT_FIELD = re.compile(r"(?<!\{)\{[\w.]*(?::[^{}]*)?\}(?![`}])")
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_BROKEN_LINE = re.compile(rf"[{_CJK}，。、；：？！）」』]\n[ \t]*[{_CJK}（「『]")


def _without_roles_math_links(text: str) -> str:
    return _LINK_TARGET.sub("](", _MATH.sub(" ", _ROLE.sub(" ", text)))


def _numbers(text: str) -> list[str]:
    return sorted(re.findall(r"\d+(?:\.\d+)?", _without_roles_math_links(text)))


_LINK_ROLES = ("{term}", "{ref}", "{numref}", "{doc}")  # their shown text is translated; the target is kept


def _roles(text: str) -> list[str]:
    """The roles of ``text`` as they must survive translation: glue, eq and cite roles whole; for term,
    ref, numref and doc roles the role and its target (the shown text may be translated)."""
    out = []
    for role in _ROLE.findall(text):
        name, _, body = role.partition("`")
        body = body[:-1]
        if name in _LINK_ROLES:
            target = re.search(r"<([^<>]+)>$", body)
            out.append(f"{name}<{target.group(1) if target else body}>")
        else:
            out.append(role)
    return sorted(out)


def _structure(text: str) -> dict[str, list[str]]:
    return {
        "roles": _roles(text),
        "labels": sorted(_LABEL.findall(text)),
        "math": sorted(" ".join(math_without_texts(m).split()) for m in _MATH.findall(text)),  # \text{} translated
        "link targets": sorted(_LINK_TARGET.findall(text)),
        "directives": [d for _, d in _DIRECTIVE.findall(text)],
        "directive options": sorted(f"{k}: {v.strip()}" for k, v in _OPTION.findall(text) if k != "class"),
        "format fields": sorted(_FORMAT_FIELD.findall(_without_roles_math_links(text))),
        "numbers": _numbers(text),
        "heading level": [re.match(r"#+", text).group()] if text.startswith("#") else [],
        "glossary terms": _glossary_terms(text),
    }


def _glossary_terms(text: str) -> list[str]:
    """The term lines of a {glossary} block (not indented): the targets of every {term} role, kept in English."""
    m = re.search(r"^(`{3,}|:{3,})\{glossary\}[^\n]*\n(.*?)^\1\s*$", text, re.S | re.M)
    if m is None:
        return []
    return [line for line in m.group(2).splitlines() if line.strip() and not line[0].isspace()]


def _stray_stars(text: str) -> bool:
    """True if a * or _ emphasis mark is left as a literal character once CommonMark has rendered ``text``."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(_MATH.sub("$M$", _ROLE.sub("`R`", _unfenced(text))))
    html = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    return "*" in html


_FENCE_LINE = re.compile(r"^\s*(```+|:::+|:[\w-]+:).*$\n?", re.M)


def _unfenced(text: str) -> str:
    """``text`` without its directive fences and option lines, so a directive's body is read as
    Markdown (MyST parses it so; CommonMark alone would take a ``` fence for a code block)."""
    return _FENCE_LINE.sub("", text)


def _emphasis(text: str, tag: str) -> int:
    """How many <strong> or <em> elements CommonMark renders from ``text`` (math and roles left out;
    directive bodies read as Markdown)."""
    from markdown_it import MarkdownIt

    text = _MATH.sub("$M$", _ROLE.sub("`R`", _unfenced(text)))  # a role or math ends in punctuation, as in MyST
    return MarkdownIt("commonmark").render(text).count(f"<{tag}>")


def check_translation(english: str, chinese: str) -> list[str]:
    """What is wrong with ``chinese`` as a translation of ``english``: each problem one sentence.

    The roles (glue numbers, equations, citations), labels, math (but the words of a \\text{...} in
    it), link targets, directives and their labels, format fields and heading level must be the
    same; a term, ref, numref or doc role may show other words but keeps its target; every number of
    the English must be there (one may be added); no line break may fall between two Chinese
    characters (a browser shows it as a space).
    """
    problems = []
    a, b = _structure(english), _structure(chinese)
    for key in a:
        if key == "numbers":  # a translation may add a number (spelled-out words, 从 0 数起), never lose one
            lost = list(a[key])
            for n in b[key]:
                if n in lost:
                    lost.remove(n)
            if lost:
                problems.append(f"numbers differ: missing {lost}, added []")
            continue
        if a[key] != b[key]:
            gone = list((Counter(a[key]) - Counter(b[key])).elements())
            extra = list((Counter(b[key]) - Counter(a[key])).elements())
            problems.append(f"{key} differ: missing {gone}, added {extra}")
    emphasis = {tag: (_emphasis(english, tag), _emphasis(chinese, tag)) for tag in ("strong", "em")}
    italics_as_bold = emphasis["strong"][1] - emphasis["strong"][0]  # Chinese bold standing in for italics
    for tag in ("strong", "em"):  # CommonMark: 。** before a CJK character does not close the emphasis
        counts = emphasis[tag]
        if tag == "em" and counts[1] < counts[0] and not _stray_stars(chinese):
            continue  # house style: no italics on Chinese text (locale/STYLE.md); dropping one is not an error
        if tag == "strong" and 0 < italics_as_bold <= emphasis["em"][0] - emphasis["em"][1]:
            continue  # an English *word* set in Chinese bold, as the house style does
        if counts[0] != counts[1]:
            problems.append(f"<{tag}> rendered {counts[1]} times, English {counts[0]}: put a space or the punctuation "
                            "outside the ** or * markers")
    for m in _BROKEN_LINE.finditer(chinese):
        problems.append(f"line break between Chinese characters: {m.group()!r}")
    return problems


# ----------------------------------------------------------------------------- the Chinese book

def translate_block(block: str, po_index: dict[str, polib.POEntry]) -> str:
    """The Chinese of one block: its translation if current, else the English inside a marker."""
    key = block.rstrip("\n")
    tail = block[len(key):]
    entry = po_index.get(key)
    if entry is not None and entry.msgstr and not entry.fuzzy:
        return entry.msgstr + tail
    return _fallback(key, stale=entry is not None and bool(entry.msgstr)) + tail


def _fallback(english: str, stale: bool) -> str:
    """The English of a unit with no current translation, marked on the page (classes styled by _ext/edition.py)."""
    if english.startswith("$$"):  # display math whose \text{...} is not translated yet: a marker around an
        return english  # equation would say less than its English words do (status counts it)
    word = "译文待更新" if stale else "尚未翻译"
    if re.search(r"^#{1,6} ", english, re.M):  # a heading cannot sit inside a directive: mark it in its text
        return re.sub(r"^(#{1,6} .*)$", rf"\1（{word}）", english, flags=re.M)
    if re.search(r"\{[\w-]+-(?:start|end)\}", english):  # one half of a gated directive: wrapping would split it
        return english
    fence = ":" * (max((len(m) for m in re.findall(r"^\s*(:{3,})", english, re.M)), default=2) + 1)
    classes = "untranslated stale" if stale else "untranslated"
    return f"{fence}{{div}} {classes}\n\n{english}\n{fence}"


def translate_source(source: str, po_index: dict[str, polib.POEntry]) -> str:
    parts = split_blocks(source)
    return "".join(translate_block(p, po_index) if i % 2 == 0 and translatable(p) else p
                   for i, p in enumerate(parts))


def glossary_words(root: Path = ROOT) -> list[str]:
    """The Chinese names of the glossary's terms (its bold **名称**, alternatives split at /), for jieba."""
    path = root / "appendix" / "glossary.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    words = set()
    for bold in re.findall(r"\*\*([^*]+)\*\*", text):
        for w in re.split(r"\s*[/／、,，]\s*", bold):
            w = w.strip(" .。()（）")
            if re.fullmatch(r"[\u3400-\u9fffA-Za-z0-9\-]+", w) and re.search(r"[\u3400-\u9fff]", w):
                words.add(w)
    return sorted(words)


# the other names a Chinese glossary entry gives, in quotes after 也叫/也称/也译作 ("也译作“层规范化”")
GLOSSARY_ALIAS = re.compile(r"也(?:叫|称|译作)((?:“[^”]+”[、或]?)+)")


def glossary_aliases(locale: Path = LOCALE) -> list[str]:
    """The Chinese aliases the glossary's entries give (层规范化, 跳跃连接, 暂退法 ...), for jieba: without
    them it cuts 层规范化 into 层 + 规范化, and a search for it finds every 规范化 (Unicode 规范化)."""
    path = locale / "appendix" / "glossary.po"
    words = set()
    for entry in load_catalog(path) if path.exists() else []:
        if entry.msgstr and not entry.obsolete:
            for m in GLOSSARY_ALIAS.finditer(entry.msgstr):
                for w in re.findall(r"“([^”]+)”", m.group(1)):
                    if re.fullmatch(r"[\u3400-\u9fffA-Za-z0-9\-]{2,12}", w) and re.search(f"[{_CJK}]", w):
                        words.add(w)
    return sorted(words)


def search_words(root: Path = ROOT, locale: Path = LOCALE) -> list[str]:
    """The words jieba must know to index the Chinese book (and that the search page then knows):
    the glossary's Chinese terms and the other names its entries give (层规范化, 跳跃连接), a term's
    head without 损失 (交叉熵 of 交叉熵损失, the word the chapters use), and the Chinese a {term} role
    shows in the catalogs ({term}`训练步 <step>`)."""
    words = set(glossary_words(root)) | set(glossary_aliases(locale))
    words |= {w[:-2] for w in words if w.endswith("损失") and len(w) > 4}
    for po in sorted(locale.rglob("*.po")) if locale.exists() else []:
        for entry in load_catalog(po):
            if entry.msgstr and not entry.obsolete:
                for shown in re.findall(r"\{term\}`([^`<]+?)\s*<", entry.msgstr):
                    if re.fullmatch(r"[\u3400-\u9fffA-Za-z0-9\-]{2,12}", shown) and re.search(f"[{_CJK}]", shown):
                        words.add(shown)
    return sorted(words)


# sphinx-book-theme's words its Chinese catalog lacks (its buttons; _ext/edition.py adds them as a catalog)
THEME_WORDS = {"Repository": "仓库", "Open issue": "创建议题", "Source repositories": "源码库",
               "Launch interactive content": "启动交互式内容", "Launch on": "启动于",
               # the pydata theme's and Sphinx's words their zh_CN catalogs leave empty
               "Color mode": "颜色模式", "System Settings": "跟随系统", "Light": "浅色", "Dark": "深色",
               "Link to this heading": "链接到本标题", "Link to this image": "链接到本图片",
               "Link to this definition": "链接到本定义", "Link to this table": "链接到本表格",
               "Link to this code": "链接到本代码",
               # the sidebar buttons' tooltips (_ext/edition_templates), and mainland wording for a word
               # the theme's zh_CN catalog has in Taiwan's (列印成 PDF)
               "Toggle primary sidebar": "切换主侧栏", "Toggle secondary sidebar": "切换本页目录",
               "Print to PDF": "打印为 PDF",
               # aria-labels the theme's templates (_ext/edition_templates) and sphinx-togglebutton's
               # script (_ext/edition.py, _static_words) write in English
               "Main": "全书目录", "Page": "本页目录", "Toggle hidden content": "显示或隐藏内容"}


def build(out: Path = OUT, root: Path = ROOT, locale: Path = LOCALE, english_cache: Path | None = None) -> list[Path]:
    """Write the Chinese book's sources into ``out``; returns the pages written.

    With ``english_cache`` (the English build's execution cache, ``_build/.jupyter_cache``), the
    Chinese book reuses the English outputs: each chapter's code (byte for byte the English code) is
    matched in that cache, its outputs are merged in, and the Chinese book is built without
    executing anything; the numbers, figures and printed text are the English edition's, by
    construction. (Translated figure captions live in the cells' metadata, which jupyter-cache
    hashes: so the outputs are merged here, not looked up by the Chinese build.) Without it, the
    chapters are executed again with ``BOOK_LANGUAGE`` set (one hidden cell at the top) into a
    cache of their own.
    """
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    # and the files pages include (the bench output that appendix/how_to_run.md shows)
    for name in ("_toc.yml", "references.bib", "appendix/how_to_run_bench.txt"):
        if name.endswith(".txt") and not (root / name).exists():
            continue  # a test's small book has no bench output
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / name, out / name)
    for folder in ("_ext", "images"):
        if (root / folder).exists():
            shutil.copytree(root / folder, out / folder)
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    book = load_catalog(catalog_path(root / BOOK_STRINGS, root, locale))
    say = {e.msgid: e.msgstr for e in book if e.msgstr and not e.fuzzy and not e.obsolete}
    config["title"] = say.get(config["title"], config["title"])
    config["author"] = say.get(config["author"], config["author"])
    footer = config.get("html", {}).get("extra_footer", "").strip()
    if footer in say:
        config["html"]["extra_footer"] = say[footer] + "\n"
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    for part in toc.get("parts", []):
        part["caption"] = say.get(part.get("caption"), part.get("caption"))
    (out / "_toc.yml").write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config.update(togglebutton_hint="显示", togglebutton_hint_hide="隐藏")  # the theme's "Click to show"
    # myst-nb's "Show code cell source" / "Hide code cell source" (its {type} would stay English)
    sphinx_config.update(nb_code_prompt_show="显示代码", nb_code_prompt_hide="隐藏代码")
    # Jupyter Book's own placeholder in the search box ("Search this book..."); merged into the
    # theme options (recursive_update in _config.yml), not replacing them
    sphinx_config.setdefault("html_theme_options", {})["search_bar_text"] = "搜索本书……"
    words = out / "_search_words.txt"
    words.write_text("".join(f"{w} 100000\n" for w in search_words(root, locale)), encoding="utf-8")
    sphinx_config.update(language=LANGUAGE, book_edition=LANGUAGE, book_other_edition_root="../",
                         html_search_language="zh", html_search_options={"dict": str(words)},
                         book_theme_words=THEME_WORDS)
    # Colab and Binder open the Chinese learner's notebooks: zh/chapters/ on the learner branch
    # (_ext/learner_launch.py; scripts/learner_notebooks.py --edition zh_CN writes them)
    sphinx_config.update(learner_prefix="zh/")
    if english_cache is None:
        config["execute"] = {**config.get("execute", {}),
                             "cache": str((root / "_build" / ".jupyter_cache_zh").resolve())}
    else:  # the outputs come with the notebooks (below): nothing to execute
        config["execute"] = {**config.get("execute", {}), "execute_notebooks": "off"}
        from jupyter_cache import get_cache

        executed = get_cache(str(Path(english_cache).resolve()))
    (out / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    written = []
    for page in book_pages(root):
        po = load_catalog(catalog_path(page, root, locale))
        index = {e.msgid: e for e in po if not e.obsolete}
        target = out / page.relative_to(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        if page.suffix == ".ipynb":
            nb = nbformat.read(page, as_version=4)
            if english_cache is not None:  # the English run's outputs, matched by the code (and its metadata)
                try:
                    _, nb = executed.merge_match_into_notebook(nb)
                except KeyError:
                    raise FileNotFoundError(f"{page.name} is not in the English execution cache {english_cache}: "
                                            "build the English book first (make book)") from None
            # comments and docstrings, after the merge (matched by the English code); the clock's replay
            # keys a cell by its code without them (helpers/clock.py), so a translated cell replays too
            translate_code_cells(nb, code_index(page, locale))
            for cell in nb.cells:
                if cell.cell_type == "markdown":
                    cell.source = translate_source(cell.source, index)
                mystnb = cell.get("metadata", {}).get("mystnb", {})
                for group, key in FIGURE_TEXTS:  # metadata only: the code itself stays byte for byte
                    text = mystnb.get(group, {}).get(key)
                    if isinstance(text, str) and text.strip():
                        entry = index.get(text.rstrip("\n"))
                        if entry is not None and entry.msgstr and not entry.fuzzy:
                            mystnb[group][key] = entry.msgstr
            if english_cache is None:
                setup = nbformat.v4.new_code_cell(LANGUAGE_CELL, metadata={"tags": ["remove-cell"]})
                setup.id = "book-language"
                nb.cells.insert(0, setup)
            nbformat.write(nb, target)
        else:
            target.write_text(translate_source(page.read_text(encoding="utf-8"), index), encoding="utf-8")
        written.append(target)
    return written


# ----------------------------------------------------------------------------- code comments

# The comments of a chapter's code cells are translation units too, in a catalog of their own per
# chapter (locale/zh_CN/code/NN_x.po): a unit's English is the comment's text without its "#" and
# one space. The Chinese book (and so its learner's notebooks, converted from it) shows each
# translated comment in place of the English one; every other character of the cell stays as it is.
# The docstrings of the functions and classes a cell defines are units of the same catalog
# (``code_docstrings``): the Chinese shows each in the same quotes, at the same indentation.

CODE_CATALOGS = "code"  # locale/zh_CN/code/<chapter>.po
_PRAGMA = re.compile(r"^(?:noqa\b|type:|pragma\b|fmt:|isort:|pylint:|ruff:|mypy:|!|-\*-)", re.I)
_SHAPE = re.compile(r"\((?:\s*[\w.+\-*/]{1,4}\s*,)*\s*[\w.+\-*/]{0,4}\s*\)")  # (B, T, C), (h,), (T)
_CODE_MARK = re.compile(r"[=(\[]|\w\.\w")  # an assignment, a call, an index, an attribute
_PYTHON_CELL_MAGICS = ("%%time", "%%timeit", "%%capture", "%%prun")  # cell magics whose body is Python


def comment_translatable(text: str) -> bool:
    """Whether a code comment's text (without its "#") holds words to translate. Not a unit: a pragma
    (``noqa``, ``type:``, ``fmt:``), commented-out code (Python with an assignment, a call, an index or
    an attribute, or one name such as ``d_model``), shapes and symbols (``(B, T, C)``, ``pi_ref e^(r/b) / Z``): a unit
    has an English word of 3 letters or more, or two of 2 letters."""
    s = text.strip()
    if not s or _PRAGMA.match(s):
        return False
    try:
        compile(s, "<comment>", "exec")
        if _CODE_MARK.search(s) or re.fullmatch(r"\w*(?:[_\d]|[a-z][A-Z])\w*", s):  # a call; d_model, AdamW
            return False
    except (SyntaxError, ValueError):
        pass
    s = _SHAPE.sub(" ", re.sub(r"`[^`]*`", " ", s))
    words = [w.strip(".,;:!?\"'()[]{}") for w in s.split()]
    words = [w for w in words if re.fullmatch(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]", w)]
    return any(len(w) >= 3 for w in words) or len(words) >= 2


def _python_source(source: str) -> str | None:
    """``source`` with its IPython lines (``%magic``, ``!shell``) blanked, the lines kept in place; None
    if the cell is not Python (a cell magic such as ``%%bash``)."""
    first = source.lstrip().split(None, 1)[0] if source.strip() else ""
    if first.startswith("%%") and first not in _PYTHON_CELL_MAGICS:
        return None
    return "".join("\n" if line.lstrip().startswith(("%", "!")) else line
                   for line in source.splitlines(keepends=True))


def code_comments(source: str) -> list[tuple[int, int, str]]:
    """(line, column, comment) of every comment of a code cell (Python ``tokenize`` COMMENT tokens: a
    ``#`` inside a string is none), line counted from 0; [] for a cell that is not Python."""
    import io
    import tokenize

    python = _python_source(source)
    if python is None:
        return []
    try:
        return [(t.start[0] - 1, t.start[1], t.string)
                for t in tokenize.generate_tokens(io.StringIO(python).readline) if t.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError):  # not Python after all: no units
        return []


def _cell_tree(source: str) -> tuple[ast.Module, list[str]] | None:
    """A code cell's syntax tree and its lines (IPython lines blanked, kept in place); None if the cell
    is not Python."""
    python = _python_source(source)
    if python is None:
        return None
    try:
        return ast.parse(python), python.splitlines(keepends=True)
    except (SyntaxError, ValueError):
        return None


def _node_source(lines: list[str], node: ast.expr) -> tuple[int, int, int, int, str]:
    """Where ``node`` lies in ``lines`` (first and last line from 0, columns in characters: ``ast`` counts
    them in UTF-8 bytes) and its source text."""
    line, end_line = node.lineno - 1, node.end_lineno - 1
    col = len(lines[line].encode("utf-8")[:node.col_offset].decode("utf-8"))
    end_col = len(lines[end_line].encode("utf-8")[:node.end_col_offset].decode("utf-8"))
    raw = "".join(lines[line:end_line + 1])
    return line, col, end_line, end_col, raw[col:len(raw) - len(lines[end_line]) + end_col]


def _call_name(call: ast.Call) -> str:
    """The name a call calls: ``print`` for ``print(...)``, ``get`` for ``d.get(...)``; "" otherwise."""
    f = call.func
    return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""


@dataclass(frozen=True)
class Docstring:
    """Where a docstring's literal lies in a cell (lines from 0, columns in characters) and its unit text."""

    line: int  # the line of its opening quotes
    col: int  # the column of its opening quotes (the prefix, if any, before them)
    end_line: int
    end_col: int  # just after its closing quotes
    opening: str  # the prefix and quotes: '"""', "r'''", '"'
    closing: str
    indent: str  # the indentation of the line it opens on: its continuation lines take it
    closing_own_line: bool  # its closing quotes stand on a line of their own
    triple: bool
    text: str  # the unit: the text between the quotes, each line stripped of the indentation


def code_docstrings(source: str) -> list[Docstring]:
    """The docstrings of the functions and classes a code cell defines (``ast``), in order; [] for a cell
    that is not Python. A unit's text is the literal's text as written between its quotes (escapes
    kept), its continuation lines stripped of their common indentation and the closing line's blank
    dropped. A docstring with a string prefix other than ``r`` is left out."""
    import textwrap

    parsed = _cell_tree(source)
    if parsed is None:
        return []
    tree, lines = parsed
    out = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not node.body:
            continue
        first = node.body[0]
        if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)):
            continue
        line, col, end_line, end_col, raw = _node_source(lines, first.value)
        m = re.match(r"([rR]?)(\"\"\"|\'\'\'|\"|\')", raw)
        if m is None or not raw.endswith(m.group(2)) or len(raw) < 2 * len(m.group(2)) + len(m.group(1)):
            continue  # an f-string, bytes or implicit concatenation: not a unit
        quote = m.group(2)
        inner = raw[len(m.group(0)):len(raw) - len(quote)]
        first_line, _, rest = inner.partition("\n")
        closing_own_line = "\n" in inner and inner.rsplit("\n", 1)[1].strip() == ""
        if closing_own_line:
            rest = rest.rsplit("\n", 1)[0] if "\n" in rest else ""
        text = first_line + ("\n" + textwrap.dedent(rest) if "\n" in inner and rest else "")
        if not text.strip() or text != text.strip():
            continue  # blank, or text that starts or ends with spaces: left as it is
        indent = re.match(r"[ \t]*", lines[line]).group(0)
        out.append(Docstring(line, col, end_line, end_col, m.group(0), quote, indent, closing_own_line,
                             len(quote) == 3, text))
    return sorted(out, key=lambda d: (d.line, d.col))


def comment_text(comment: str) -> str:
    """A comment's unit text: without its "#" and one space."""
    text = comment[1:]
    return text[1:] if text.startswith(" ") else text


def _translated_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and "remove-cell" not in c.get("metadata", {}).get("tags", [])]


LITERAL_NOTE = "a string the code prints or draws: keep its {fields} and escapes as they are"


def code_units(path: Path, known: frozenset[str] = frozenset(), values: frozenset[str] = frozenset()) -> list[Unit]:
    """The comment, docstring and string units of a chapter's code cells (not those tagged
    ``remove-cell``), in order; ``where`` is the cell id and the line the unit starts on. A string is a
    unit when it is shown (``Literal.display``), an f-string, or its text is in ``known`` (the catalog's
    units)."""
    if path.suffix != ".ipynb":
        return []
    nb = nbformat.read(path, as_version=4)
    keys = page_keys([c.source for c in nb.cells if c.cell_type == "code"])
    out = []
    for i, cell in enumerate(_translated_cells(nb)):
        found = [(line, comment_text(comment), "") for line, _, comment in code_comments(cell.source)]
        found += [(d.line, d.text, "") for d in code_docstrings(cell.source)]
        found = [x for x in found if comment_translatable(x[1])]
        found += [(lit.line, lit.text, LITERAL_NOTE) for lit in code_literals(cell.source, keys, values)
                  if lit.display or lit.formatted or lit.text in known]
        for line, text, note in sorted(found, key=lambda x: x[0]):
            out.append(Unit(text, f"{cell.get('id', i)}:{line + 1}", note))
    return out


def code_catalog_path(page: Path, locale: Path = LOCALE) -> Path:
    """The catalog of a chapter's code comments: locale/zh_CN/code/NN_x.po."""
    return locale / CODE_CATALOGS / page.with_suffix(".po").name


def translate_comments(source: str, index: dict[str, polib.POEntry]) -> str:
    """``source`` with each comment whose unit is translated (not stale) replaced by ``# `` and its
    translation, in place; every other character as it is."""
    lines = source.splitlines(keepends=True)
    for line, col, comment in reversed(code_comments(source)):
        entry = index.get(comment_text(comment))
        if entry is None or not entry.msgstr or entry.fuzzy or "\n" in entry.msgstr:
            continue
        head = "# " if comment.startswith("# ") else "#"
        text = lines[line]
        lines[line] = text[:col] + head + entry.msgstr + text[col + len(comment):]
    return "".join(lines)


def _usable(entry: polib.POEntry | None) -> bool:
    return entry is not None and bool(entry.msgstr) and not entry.fuzzy


def translate_docstrings(source: str, index: dict[str, polib.POEntry]) -> str:
    """``source`` with the text of each docstring whose unit is translated (not stale) replaced by its
    translation, in the same quotes; continuation lines take the docstring's indentation, and a closing
    quote on a line of its own stays there. Every other character is as it was."""
    lines = source.splitlines(keepends=True)
    for d in reversed(code_docstrings(source)):
        entry = index.get(d.text)
        if not _usable(entry) or ("\n" in entry.msgstr and not d.triple) or d.closing in entry.msgstr \
                or entry.msgstr.endswith((d.closing[0], "\\")):
            continue  # a translation that would end or break the literal: the English stays
        first, *rest = entry.msgstr.split("\n")
        body = first + "".join("\n" + (d.indent + r if r else "") for r in rest)
        if d.closing_own_line:
            body += "\n" + d.indent
        head = lines[d.line][:d.col] + d.opening
        tail = d.closing + lines[d.end_line][d.end_col:]
        lines[d.line:d.end_line + 1] = [head + body + tail]
    return "".join(lines)


# ----------------------------------------------------------------------------- code strings

# The words a code cell prints or draws are written in it as plain strings and f-strings
# (``print(f"loss {loss:.3f}")``), the same in both editions' English source. A string literal of a
# shown code cell is a unit of the chapter's code catalog when it is printed or drawn right there (an
# argument of ``print``, ``Table`` or a figure's label: ``_DISPLAY_CALLS``, ``label=`` ...) or is an
# f-string. A plain string the code keeps to show later (a dict of names for a figure, a list of labels
# for an explorer) is a unit only when its catalog entry is flagged ``value`` (``#, value``: add the
# entry by hand once): the same text is often a key the code finds data by, and a translated key finds
# nothing. An index, a comparison's operand, and a kept string whose text the page also looks something
# up by or compares (``page_keys``) are never translated. A unit's text is the literal as written
# between its quotes, escapes kept; an f-string's text keeps its ``{fields}`` as written, and a
# translation keeps the same field expressions (``check``). The Chinese edition shows the Chinese
# literal in the same quotes, split over as many lines as the English.

_DISPLAY_CALLS = frozenset({"print", "set_title", "set_xlabel", "set_ylabel", "suptitle", "set_label", "text",
                            "annotate", "title", "xlabel", "ylabel", "legend", "set_text", "HTML", "Markdown",
                            "Table"})
_DISPLAY_KEYWORDS = frozenset({"label", "title", "xlabel", "ylabel", "caption", "header", "headers", "names",
                               "labels", "name", "description", "heading"})
_KEY_CALLS = frozenset({"glue", "getattr", "setattr", "hasattr", "open", "Path", "get", "pop", "setdefault",
                        "index", "startswith", "endswith", "split", "rsplit", "replace", "load", "save",
                        "environ", "register_buffer", "named_parameters", "strip", "format"})
_PART = re.compile(r"([rRfFbBuU]{0,2})(\"\"\"|'''|\"|')")
_BETWEEN_PARTS = re.compile(r"(?:[ \t\r\n\\]|#[^\n]*)*")
_FIELD = re.compile(r"\{\{|\}\}|\{[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")  # an escaped brace, or a {field} (one nested level)


@dataclass(frozen=True)
class Literal:
    """A string literal of a code cell: where it lies (lines from 0, columns in characters), its parts
    (an implicit concatenation has several), the source between them and its unit text."""

    line: int
    col: int
    end_line: int
    end_col: int
    parts: tuple[tuple[str, str, str], ...]  # (prefix, quotes, body as written)
    between: tuple[str, ...]  # the source between part i and part i + 1
    text: str
    formatted: bool  # an f-string: its text's {fields} are code
    display: bool  # an argument of print or of a figure's label: a unit even before the catalog holds it


def _split_parts(raw: str) -> tuple[list[tuple[str, str, str]], list[str]] | None:
    """The parts of a literal's source (``"a" f"b{x}"``) and the source between them; None if not one."""
    parts, between, i = [], [], 0
    while i < len(raw):
        m = _PART.match(raw, i)
        if m is None:
            return None
        prefix, quote = m.groups()
        k = m.end()
        while not raw.startswith(quote, k):
            if k >= len(raw):
                return None
            k += 2 if raw[k] == "\\" else 1
        parts.append((prefix, quote, raw[m.end():k]))
        i = k + len(quote)
        gap = _BETWEEN_PARTS.match(raw, i).end()
        if gap < len(raw):
            between.append(raw[i:gap])
        i = gap
    return parts, between


def literal_fields(text: str) -> list[str]:
    """The ``{fields}`` of a unit's text, in order (escaped braces ``{{`` ``}}`` are none)."""
    return [f for f in _FIELD.findall(text) if f not in ("{{", "}}")]


def field_expression(field: str) -> str:
    """A ``{field}``'s expression, without its conversion (``!r``) and format spec (``:>6``): what a
    translation must keep (a spec, a column's width say, may differ)."""
    depth, quote = 0, ""
    for i, ch in enumerate(field[1:-1], 1):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and (ch == ":" or ch == "!" and field[i + 1] != "="):
            return field[1:i].strip()
    return field[1:-1].strip()


def _expressions(text: str) -> list[str]:
    return sorted(field_expression(f) for f in literal_fields(text))


def code_literals(source: str, keys: frozenset[str] = frozenset(),
                  values: frozenset[str] = frozenset()) -> list[Literal]:
    """The string literals of a code cell that may hold words to translate, in order: not a docstring,
    not bytes or raw, not part of an f-string, not a key (an index, a comparison's operand, the first
    argument of ``glue``, ``open``, ``get`` and such: ``_KEY_CALLS``), with an ASCII letter; a string not
    printed or drawn right there (an argument of ``_DISPLAY_CALLS``) is none either if its text is in
    ``keys`` (what the page looks up or compares anywhere: ``page_keys``). A plain string the code keeps
    rather than shows (a dict's key, an item of a list, a value assigned) is one only if its text is in
    ``values`` (units flagged ``value``: names a figure or a table shows later); an f-string is built to
    be shown."""
    parsed = _cell_tree(source)
    if parsed is None:
        return []
    tree, lines = parsed
    parent: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parent[id(child)] = node
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr)}

    def context(node: ast.AST) -> str | None:
        """"key", "dict key", "shown" (an argument of a call that prints or draws), "display" (a keyword such
        as ``label=``) or None (none of these), from the nodes around ``node``."""
        child, up = node, parent.get(id(node))
        while up is not None:
            if isinstance(up, (ast.JoinedStr, ast.FormattedValue)):
                return "key"  # part of an f-string
            if isinstance(up, ast.Subscript) and child is up.slice or isinstance(up, ast.Compare):
                return "key"
            if isinstance(up, ast.Dict) and any(child is k for k in up.keys) \
                    or isinstance(up, ast.DictComp) and child is up.key:
                return "dict key"
            if isinstance(up, ast.keyword):
                return "display" if up.arg in _DISPLAY_KEYWORDS else None
            if isinstance(up, ast.Call):
                if child is up.func:
                    return None
                name = _call_name(up)
                if name in _KEY_CALLS:  # its first argument (getattr's second) is a key; the others are values
                    keys = up.args[:2] if name.endswith("attr") else up.args[:1]
                    return "key" if any(child is k for k in keys) else None
                return "shown" if name in _DISPLAY_CALLS else None
            if not isinstance(up, (ast.BinOp, ast.IfExp, ast.Tuple, ast.List, ast.Starred, ast.BoolOp)):
                return None
            child, up = up, parent.get(id(up))
        return None

    out = []
    for node in ast.walk(tree):
        is_str = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if not (is_str or isinstance(node, ast.JoinedStr)) or id(node) in docstrings:
            continue
        where = context(node)
        if where == "key" or node.end_lineno is None:
            continue
        line, col, end_line, end_col, raw = _node_source(lines, node)
        split = _split_parts(raw)
        if split is None:
            continue
        parts, between = split
        if any(set(p.lower()) & {"r", "b"} for p, _, _ in parts):
            continue
        formatted = any("f" in p.lower() for p, _, _ in parts)
        text = "".join(b if "f" in p.lower() or not formatted else b.replace("{", "{{").replace("}", "}}")
                       for p, _, b in parts)
        if where in ("dict key", None) and not formatted and text not in values \
                or where != "shown" and not formatted and node.value in keys:
            continue  # the code may find what it stored by this text: it stays as it is
        words = re.sub(r"\\(?:N\{[^}]*\}|.)", " ", _FIELD.sub(" ", text) if formatted else text)
        if not re.search(r"[A-Za-z]", words):
            continue
        out.append(Literal(line, col, end_line, end_col, tuple(parts), tuple(between), text, formatted,
                           where in ("display", "shown")))
    return sorted(out, key=lambda x: (x.line, x.col))


def page_keys(sources: list[str]) -> frozenset[str]:
    """The strings a page's code looks things up by or compares (an index, a comparison's operand, the
    first argument of ``get``, ``glue`` and such): a dict's key with one of these texts stays English."""
    found: set[str] = set()
    for source in sources:
        parsed = _cell_tree(source)
        for node in ast.walk(parsed[0]) if parsed is not None else ():
            if isinstance(node, ast.Subscript):
                found |= {n.value for n in ast.walk(node.slice) if isinstance(n, ast.Constant)
                          and isinstance(n.value, str)}
            elif isinstance(node, ast.Compare):
                found |= {n.value for n in [node.left, *node.comparators] if isinstance(n, ast.Constant)
                          and isinstance(n.value, str)}
            elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                if _call_name(node) in _KEY_CALLS:
                    found.add(node.args[0].value)
    return frozenset(found)


def _cuts(text: str, formatted: bool) -> list[int]:
    """The places ``text`` may be cut into two literals: not inside a field, an escape or a doubled brace."""
    bad: set[int] = set()
    for m in _FIELD.finditer(text) if formatted else ():
        bad.update(range(m.start() + 1, m.end()))
    for m in re.finditer(r"\\(?:N\{[^}]*\}|x..|u....|U........|[0-7]{1,3}|.)", text):
        bad.update(range(m.start() + 1, m.end()))
    return [i for i in range(1, len(text)) if i not in bad]


def _split_text(text: str, weights: list[int], formatted: bool) -> list[str]:
    """``text`` cut into ``len(weights)`` non-empty pieces, near the English parts' proportions (a cut
    after a space or a punctuation mark preferred); [text] if it cannot be."""
    if len(weights) == 1:
        return [text]
    cuts, total, chosen, acc = _cuts(text, formatted), sum(weights) or 1, [], 0
    for w in weights[:-1]:
        acc += w
        target = round(len(text) * acc / total)
        options = [c for c in cuts if c > (chosen[-1] if chosen else 0)]
        if not options:
            return [text]
        nice = [c for c in options if text[c - 1] in " ，。；：、,;:)）" and abs(c - target) <= 6]
        chosen.append(min(nice or options, key=lambda c: abs(c - target)))
    if chosen[-1] >= len(text):
        return [text]
    return [text[a:b] for a, b in zip([0, *chosen], [*chosen, len(text)])]


def render_literal(lit: Literal, text: str) -> str | None:
    """The source of a literal like ``lit`` whose text is ``text``: its quotes, its parts' layout, an f
    prefix on the parts that hold a field; None if ``text`` cannot be written so (it would end the
    literal, or it changes an f-string's field expressions)."""
    quote = lit.parts[0][1]
    if lit.formatted and _expressions(text) != _expressions(lit.text):
        return None
    unescaped = re.sub(r"\\.", "", text)
    if quote[0] in unescaped or text.endswith("\\") or (len(quote) == 1 and "\n" in text):
        return None
    pieces = _split_text(text, [len(b) for _, _, b in lit.parts], lit.formatted)
    between = lit.between if len(pieces) == len(lit.parts) else ()
    if len(pieces) == 1 and lit.end_line != lit.line:
        between = ()
    out = []
    for i, piece in enumerate(pieces):
        prefix = "f" if lit.formatted and ("{" in piece or "}" in piece) else ""
        out.append(prefix + quote + piece + quote + (between[i] if i < len(between) else ""))
    return "".join(out)


VALUE = "value"  # the flag of a unit translated also where the code keeps it (a dict's key, a list's item)


def value_units(entries) -> frozenset[str]:
    """The texts of the units flagged ``value`` in a catalog or an index: strings the code keeps (a dict's
    key, a list of names) only to show them later (a figure's names), never to look something up."""
    values = entries.values() if isinstance(entries, dict) else entries
    return frozenset(e.msgid for e in values if VALUE in e.flags and not e.obsolete)


def translate_literals(source: str, index: dict[str, polib.POEntry], keys: frozenset[str] = frozenset()) -> str:
    """``source`` with each string literal whose unit is translated (not stale) written in Chinese
    (``render_literal``; ``keys``: see ``code_literals``); every other character as it is."""
    lines = source.splitlines(keepends=True)
    for lit in reversed(code_literals(source, keys, value_units(index))):
        entry = index.get(lit.text)
        if not _usable(entry) or entry.msgstr == lit.text:
            continue
        new = render_literal(lit, entry.msgstr)
        if new is None:
            continue
        head, tail = lines[lit.line][:lit.col], lines[lit.end_line][lit.end_col:]
        lines[lit.line:lit.end_line + 1] = [head + new + tail]
    return "".join(lines)


def translate_code(source: str, index: dict[str, polib.POEntry], keys: frozenset[str] = frozenset()) -> str:
    """A code cell as the Chinese edition shows it: its strings (``translate_literals``), comments
    (``translate_comments``) and docstrings (``translate_docstrings``) translated; the rest byte for byte."""
    return translate_docstrings(translate_comments(translate_literals(source, index, keys), index), index)


def translate_code_cells(nb, index: dict[str, polib.POEntry]) -> None:
    """Translate the comments and docstrings of ``nb``'s code cells (not those tagged ``remove-cell``) in place."""
    if index:
        keys = page_keys([c.source for c in nb.cells if c.cell_type == "code"])
        for cell in _translated_cells(nb):
            cell.source = translate_code(cell.source, index, keys)


def code_index(page: Path, locale: Path = LOCALE) -> dict[str, polib.POEntry]:
    path = code_catalog_path(page, locale)
    return {e.msgid: e for e in load_catalog(path) if not e.obsolete} if path.exists() else {}


def check_comment(english: str, chinese: str, literal: bool = False) -> list[str]:
    """What a comment's (or docstring's) translation changed that it must keep: its numbers, its `code`
    spans; and a one-line comment or docstring stays one line. A string's (``literal``) also keeps its
    ``{fields}`` and its escapes (``\\n``), and its numbers are counted outside the fields."""
    problems = []
    if "\n" in chinese and "\n" not in english:
        problems.append("a comment's translation must be one line")
    if literal:
        for name, find in (("fields", lambda t: [field_expression(f) for f in literal_fields(t)]),
                           ("escapes", lambda t: re.findall(r"\\[^n]", t))):  # a label may drop its \n
            a, b = Counter(find(english)), Counter(find(chinese))
            if a != b:
                problems.append(f"{name} differ: missing {sorted((a - b).elements())}, "
                                f"added {sorted((b - a).elements())}")
        # numbers outside the fields, not those in a word ('regulated5', '1st': 第一, '4-gram': 四元语法)
        english, chinese = (re.sub(r"[A-Za-z_]*\d+-?[A-Za-z_]\w*|[A-Za-z_]\w*\d+", " ", _FIELD.sub(" ", x))
                            for x in (english, chinese))
    numbers = [re.findall(r"\d+(?:\.\d+)?", re.sub(r"`[^`]*`", " ", t)) for t in (english, chinese)]
    lost = sorted((Counter(numbers[0]) - Counter(numbers[1])).elements())  # as in prose: one may be added
    if lost:
        problems.append(f"numbers differ: missing {lost}, added []")
    code = [Counter(re.findall(r"`[^`]+`", t)) for t in (english, chinese)]
    if code[0] != code[1]:
        problems.append(f"code differ: missing {sorted((code[0] - code[1]).elements())}, "
                        f"added {sorted((code[1] - code[0]).elements())}")
    return problems


# ----------------------------------------------------------------------------- a translator's work file

UNIT_HEAD = "=== unit {n} ==="
ZH_HEAD = "--- 中文 ---"


def export_units(po: polib.POFile) -> str:
    """The live units of a catalog as a plain text file a translator edits: the English, then the Chinese
    (empty when missing; a stale one shows its old translation and, above it, the English it translated)."""
    out = []
    for n, e in enumerate(u for u in po if not u.obsolete):
        out.append(UNIT_HEAD.format(n=n))
        out.append(e.msgid)
        if e.fuzzy and e.previous_msgid:
            out.append("--- stale: the translation below was made for ---")
            out.append(e.previous_msgid)
        out.append(ZH_HEAD)
        out.append(e.msgstr)
    return "\n".join(out) + "\n"


def import_units(po: polib.POFile, text: str) -> int:
    """Set the translations from a file written by ``export_units`` (units matched by their English);
    a non-empty translation clears the stale flag. A stale unit whose file still shows the stale
    marker and whose Chinese is unchanged stays stale (an overlooked unit is not confirmed by
    accident): to keep its old translation, delete the marker and the old English below it.
    Returns the number of units set."""
    live = [u for u in po if not u.obsolete]
    chunks = re.split(r"^=== unit (\d+) ===\n", text, flags=re.M)[1:]
    done = 0
    for number, body in zip(chunks[::2], chunks[1::2]):
        english, sep, chinese = body.partition(f"\n{ZH_HEAD}\n")
        if not sep:
            raise ValueError(f"unit {number}: no line '{ZH_HEAD}'")
        english, marked, _ = english.partition("\n--- stale: the translation below was made for ---\n")
        matches = [u for u in live if u.msgid == english]
        if not matches:
            raise ValueError(f"unit {number}: its English is not a unit of this page any more: {english[:60]!r}")
        chinese = chinese.rstrip("\n")
        if marked and matches[0].fuzzy and chinese == matches[0].msgstr:
            continue  # still marked stale and not edited: left stale
        if chinese.strip():
            entry = matches[0]
            entry.msgstr = chinese
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            entry.previous_msgid = None
            done += 1
    return done


# ----------------------------------------------------------------------------- command line

def _code_catalog(command: str, page: Path, totals: dict[str, int]) -> int:
    """``update``, ``status`` or ``check`` the catalog of ``page``'s code comments; returns the problems found."""
    path = code_catalog_path(page)
    if command != "update" and not path.exists():
        return 0
    po = load_catalog(path)
    if command == "update":
        po = update_catalog(code_units(page, frozenset(e.msgid for e in po if not e.obsolete), value_units(po)), po)
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
    counts = status(po)
    for k in totals:
        totals[k] += counts[k]
    if command in ("update", "status"):
        print(f"{'  code: ' + page.stem:45} " + "  ".join(f"{k} {v:4}" for k, v in counts.items()))
    problems = 0
    if command == "check":
        for e in po:
            if e.msgstr and not e.obsolete:
                for p in check_comment(e.msgid, e.msgstr, literal=e.comment == LITERAL_NOTE):
                    problems += 1
                    print(f"{path.relative_to(ROOT)}:{e.linenum}: {p}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["update", "status", "check", "build", "export", "import"])
    ap.add_argument("page", nargs="?", type=Path,
                    help="the English page (chapters/04_attention.ipynb): export/import need it; "
                         "update/status/check then take only it")
    ap.add_argument("file", nargs="?", type=Path, help="export/import: the translator's work file")
    ap.add_argument("--out", type=Path, default=OUT, help="build: folder of the Chinese sources")
    ap.add_argument("--english-cache", type=Path, default=None,
                    help="build: reuse the English build's execution cache (_build/.jupyter_cache): no second run")
    ap.add_argument("--code-comments", action="store_true",
                    help="update/status/check: only the catalogs of the code comments (locale/zh_CN/code/)")
    args = ap.parse_args(argv)
    if args.command in ("export", "import"):
        if args.page is None or args.file is None:
            ap.error(f"{args.command} needs a page and a file")
        path = catalog_path(args.page.resolve())
        po = load_catalog(path)
        if args.command == "export":
            args.file.write_text(export_units(po), encoding="utf-8")
            print(f"{status(po)} -> {args.file}")
        else:
            n = import_units(po, args.file.read_text(encoding="utf-8"))
            po.save(str(path))
            print(f"{n} translations set; {status(po)}")
        return 0
    if args.command == "build":
        pages = build(args.out, english_cache=args.english_cache)
        print(f"{len(pages)} pages written to {args.out}")
        return 0
    totals = {"units": 0, "translated": 0, "stale": 0, "missing": 0}
    code_totals = dict(totals)
    problems = 0
    pages = [*book_pages(), ROOT / BOOK_STRINGS]
    if args.page is not None:  # update/status/check one page (a translator working on one chapter)
        pages = [p for p in pages if p == args.page.resolve()]
        if not pages:
            ap.error(f"{args.page} is not a page of the book (see _toc.yml)")
    for page in pages:
        if args.code_comments:
            if page.suffix == ".ipynb":
                problems += _code_catalog(args.command, page, code_totals)
            continue
        path = catalog_path(page)
        po = load_catalog(path)
        if args.command == "update":
            po = update_catalog(book_units() if page.name == BOOK_STRINGS else page_units(page), po)
            path.parent.mkdir(parents=True, exist_ok=True)
            po.save(str(path))
        counts = status(po)
        for k in totals:
            totals[k] += counts[k]
        if args.command in ("update", "status"):
            print(f"{page.relative_to(ROOT)!s:45} " + "  ".join(f"{k} {v:4}" for k, v in counts.items()))
        if args.command == "check":
            for e in po:
                if e.msgstr and not e.obsolete:
                    for p in check_translation(e.msgid, e.msgstr):
                        problems += 1
                        print(f"{path.relative_to(ROOT)}:{e.linenum}: {p}")
        if page.suffix == ".ipynb":  # its code comments: a catalog of their own
            problems += _code_catalog(args.command, page, code_totals)
    if args.command in ("update", "status"):
        print("code comments: " + json.dumps(code_totals))
        if args.code_comments:
            return 0
    if args.command == "check":
        print(f"{problems} problems")
        return 1 if problems else 0
    print(json.dumps(totals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
