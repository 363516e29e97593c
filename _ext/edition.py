"""Two editions of one book (English at the site's root, Chinese under zh/): on every page a link to
the same page in the other edition, and the look of text the Chinese edition has not translated yet.

Chinese search: Sphinx's "zh" search cuts the pages into words with jieba (fed the glossary's
Chinese terms and the words the chapters' {term} roles show, ``search_words`` in
scripts/translation.py, through ``html_search_options = {"dict": ...}``), but in the browser it splits a typed
query only at spaces and punctuation, so 最大的权重 would be one unknown word; and it ranks every page
that holds a word alike (5 points, 15 if a heading has it), ties broken by title, so 0. 全景 came
before 4. 注意力 for 注意力权重. ``SearchChineseBook`` adds a query splitter that cuts each run of
Chinese characters into the longest words the index knows, and a scorer that ranks pages by how much
they are about the query: after the build, ``bookweights`` is added to the search index, one weight
per word and page (``search_weights``): how often the page says it (log-scaled, a long page
discounted), whether a section heading has it, and whether the page's title has it (most if it is the
title's topic, the words before the colon: 反向传播 for 9. 反向传播：手算梯度……). A query scores
each page by the sum over its words of idf × weight; a compound the index knows (注意力权重) also
scores by its parts (注意力, 权重) at half weight, so the chapter about attention that mostly says
注意力 and 权重 ranks first. ``tests/test_edition.py`` runs Sphinx's own searchtools.js on a small site.

English search: the same scorer (``SearchEnglishBook``, weights of the stemmed words), so "attention"
lists 4. Attention first rather than six glossary entries; two query words the index keys as one
("layer norm" -> layernorm) score as that word, and a page with a glossary term the query names gets
a heading's worth more, so "layer norm" lists 7.'s section and the glossary's entry before pages that
merely say "layer" often. In both editions the results show one entry per page and snippets of the
page's prose, not its table of contents, code or raw TeX (``SUMMARY_JS``); a Chinese term's result
links to the section or glossary entry that teaches it (``term_anchors``, ``bookanchors``).
The index reads raw HTML (notebook output tables) with a word break at each cell (``raw_html_text``),
not glued as Sphinx strips the tags ("stageshapehere").

Theme words: sphinx-book-theme's Chinese catalog lacks some of its own words ("Repository", "Open
issue"); ``book_theme_words`` (English → Chinese, set by ``scripts/translation.py build``) adds them as
a second "booktheme" message catalog, which gettext consults for the words the theme's lacks.

Configuration (``_config.yml``, ``sphinx.config``): ``book_edition`` ("en" or "zh_CN") and
``book_other_edition_root``, the other edition's root relative to this one's ("zh/" or "../"); an
empty value leaves the pages without a switch. ``scripts/translation.py build`` sets both for the
Chinese edition.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections import Counter
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.search import js_index, languages
from sphinx.search.en import SearchEnglish
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


# The query splitter and scorer of the Chinese edition's search page (language_data.js; searchtools.js
# calls splitQuery, and Scorer.score on every result).
SPLIT_QUERY_JS = r"""
// the last query: its words as split (the scorer reads them), as typed, and the words to highlight
var bookQuery = { words: [], cache: null, query: "", highlight: [] };
var splitQuery = (query) => {
  try { bookPatchSearch(); } catch (e) { /* searchtools.js not loaded yet (a test harness) */ }
  const parts = query.split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu).filter((t) => t);
  const index = (typeof Search !== "undefined" && Search._index) ? Search._index : null;
  const known = (w) => index !== null && (w in index.terms || w in index.titleterms);
  const out = [];
  for (const part of parts) {
    if (!/[\u3400-\u9fff]/.test(part)) { out.push(part); continue; }
    if (known(part)) { out.push(part); continue; }
    if (part.length > 2 && index !== null && Object.keys(index.terms).some((t) => t.includes(part))) {
      out.push(part);  // part of a longer word (交叉熵 in 交叉熵损失): searchtools.js matches it partially
      continue;
    }
    let i = 0;
    while (i < part.length) {  // the longest known word at i; a character no word starts with is skipped
      let j = Math.min(part.length, i + 12);
      while (j > i + 1 && !known(part.slice(i, j))) j -= 1;
      if (j > i + 1) out.push(part.slice(i, j));
      i = j;
    }
  }
  bookQuery.words = out;
  bookQuery.cache = null;
  return out;
};
"""

# How a page is about a query (see the module's docstring); Sphinx's scores are kept only to break ties.
SCORER_JS = r"""
var Scorer = {
  objNameMatch: 11, objPartialMatch: 6, objPrio: { 0: 15, 1: 5, 2: -5 }, objPrioDefault: 0,
  title: 15, partialTitle: 7, term: 5, partialTerm: 2,  // Sphinx's defaults (searchtools.js)
  score: (result) => {
    const [docName, , anchor, , score] = result;
    const index = (typeof Search !== "undefined") ? Search._index : null;
    if (!index || !index.bookweights) return score;
    if (bookQuery.cache === null) bookQuery.cache = bookRelevance(index, bookQuery.words);
    const rel = bookQuery.cache[index.docnames.indexOf(docName)] || 0;
    // a section (or object) found by its heading follows its page
    return (anchor ? rel - 0.01 : rel) + score / 10000;
  },
};
// each page's relevance to the query's words: sum of idf x weight; a compound the index knows also
// scores by its parts (the longest shorter words it holds, 注意力权重 -> 注意力 + 权重) at half weight
var bookRelevance = (index, queryWords) => {
  const weights = index.bookweights, n = index.docnames.length;  // word -> [page, 10 x weight, page, ...]
  const stemmer = (typeof Stemmer !== "undefined") ? new Stemmer() : { stemWord: (w) => w };
  const skip = (typeof stopwords !== "undefined") ? stopwords : [];
  const parts = (w) => {  // a compound's parts: the longest shorter words the index weighs, left to right
    const out = [];
    if (w.length < 3 || !/^[\u3400-\u9fff]+$/.test(w)) return out;
    let i = 0;
    while (i < w.length) {
      let j = Math.min(w.length, i + w.length - 1);
      while (j > i + 1 && !(w.slice(i, j) in weights)) j -= 1;
      if (j > i + 1) out.push(w.slice(i, j));
      i = j;
    }
    // only a compound made wholly of known words (注意力 + 权重); 交叉熵 is not 交叉 + a character
    return out.join("") === w ? out : [];
  };
  const rel = new Array(n).fill(0);
  const add = (t, factor) => {
    const list = weights[t] || [];
    const f = factor * Math.log(1 + n / (list.length / 2)) / 10;  // idf; the weights are stored x 10
    for (let k = 0; k < list.length; k += 2) rel[list[k]] += f * list[k + 1];
  };
  const key = (raw) => stemmer.stemWord(raw.toLowerCase());
  const usable = (raw) => raw !== undefined && skip.indexOf(raw.toLowerCase()) === -1 && !/^\d+$/.test(raw);
  const word = (raw, factor) => {
    const w = key(raw);
    if (w in weights) {
      add(w, factor);
      const ps = parts(w);
      ps.forEach((p) => add(p, 0.5 * factor / ps.length));
    } else if (w.length > 2) {  // not a word of the index: the words that hold it (as searchtools.js)
      const holders = Object.keys(weights).filter((t) => t.includes(w));
      holders.forEach((t) => add(t, factor / holders.length));
    }
  };
  const scored = [];  // the query's words as scored
  for (let i = 0; i < queryWords.length; i += 1) {
    const raw = queryWords[i], next = queryWords[i + 1];
    if (!usable(raw)) continue;  // as searchtools.js
    // two words typed for one the index keys whole ("layer norm" -> layernorm): scored as that word, its
    // parts sharing half a weight, as a compound's do (else 0. and 6., saying "layer" most, came first)
    if (usable(next) && key(raw + next) in weights) {
      add(key(raw + next), 1);
      word(raw, 0.25);
      word(next, 0.25);
      scored.push(key(raw + next));
      i += 1;
      continue;
    }
    word(raw, 1);
    scored.push(key(raw));
  }
  // a page with an index entry (a glossary term) the query names, by its name or its bracket ("layer
  // norm", "LayerNorm" -> "layer normalization (LayerNorm)"), defines it: its words count as a heading
  // there once more (a long glossary page, saying each term a few times, came after pages saying "layer")
  const same = (a, b) => a.length === b.length && a.every((k) => b.includes(k));
  const named = new Set();
  for (const [entry, found] of Object.entries(index.indexentries || {})) {
    const names = entry.replace(/\u00ad/g, "").split(/[()（）]/);
    if (names.some((name) => same(name.split(/[^\p{L}\p{N}_]+/u).filter((w) => w).map(key), scored))) {
      found.forEach(([f]) => named.add(f));
    }
  }
  const bonus = scored.reduce((sum, k) => sum + (k in weights ? Math.log(1 + n / (weights[k].length / 2)) : 0), 0);
  if (scored.length) named.forEach((f) => { rel[f] += bonus; });
  return rel;
};
"""

# What a learner sees in the results (both editions). Sphinx's search page fetches each result's page and
# shows 240 characters of its main area's text around the first query word: on this book's pages that
# area starts with the print-only table of contents, the edition switch (中文版) and the title, then code
# cells and raw TeX (\(q = xW^Q\)), and each glossary term found is one more result showing the term
# alone. Installed on the first query (language_data.js loads after searchtools.js, whose Search
# object it patches; splitQuery is the first thing a query calls):
# - bookSnippetText: the text of the article only, without tables of contents, the edition switch,
#   the page title, code, outputs and display math; inline math as plain text (bookPlainMath); a
#   glossary term's result shows the term and its definition;
# - bookOnePerPage: one result per page (the count is of pages), the page's best-scored result; an
#   entry named exactly as the query (the glossary's "attention") gives it its link and snippet, else
#   the shortest section title (or index entry) holding every query word does ("KV cache" -> 11's
#   "The KV cache"), unless the topic of the page's title holds them (9. Backpropagation stays at its top);
#   a Chinese term or alias typed alone links to the section or glossary entry that names or teaches it
#   (``bookanchors``: 词元 -> the glossary's 词元 entry, 层规范化 -> its 层归一化 entry, not its top);
# - bookSearchSummary: the snippet, around the query as typed (else a word as typed, else a stem), cut
#   at word boundaries; soft hyphens (Back&shy;propa&shy;gation) are dropped from titles and snippets.
SUMMARY_JS = r"""
var BOOK_TEX = {alpha: "α", beta: "β", gamma: "γ", delta: "δ", epsilon: "ε", varepsilon: "ε", eta: "η",
  theta: "θ", lambda: "λ", mu: "μ", nu: "ν", pi: "π", rho: "ρ", sigma: "σ", tau: "τ", phi: "φ",
  psi: "ψ", omega: "ω", Delta: "Δ", Sigma: "Σ", Phi: "Φ", top: "⊤", cdot: "·", times: "×", odot: "⊙",
  le: "≤", leq: "≤", ge: "≥", geq: "≥", ne: "≠", neq: "≠", approx: "≈", infty: "∞", sum: "Σ", prod: "Π",
  to: "→", rightarrow: "→", leftarrow: "←", in: "∈", ldots: "…", dots: "…", cdots: "…", mid: "|",
  lvert: "|", rvert: "|", partial: "∂", nabla: "∇"};
// inline TeX as a reader would say it in plain text: \(\mathrm{softmax}(QK^\top/\sqrt{d_k})\) -> softmax(QK^⊤/√d_k)
var bookPlainMath = (tex) => {
  let out = tex
    .replace(/^\s*\\[(\[]|\\[)\]]\s*$/g, "")
    .replace(/\\([A-Za-z]+)/g, (m, name) => (BOOK_TEX[name] !== undefined ? BOOK_TEX[name] : m));
  for (let pass = 0; pass < 3; pass += 1) {  // innermost braces first: \sqrt{d_{\mathrm{model}}}
    out = out
      .replace(/\\(?:mathrm|text|mathbf|mathit|mathcal|operatorname|boldsymbol|hat|tilde|bar)\s*\{([^{}]*)\}/g, "$1")
      .replace(/\\mathbb\s*\{([^{}]*)\}/g, "$1")
      .replace(/([_^])\{([^{}]*)\}/g, (m, op, x) => op + (/^\w+$/.test(x) ? x : "(" + x + ")"))
      .replace(/\\sqrt\s*\{([^{}]*)\}/g, (m, x) => "√" + (/^\w+$/.test(x) ? x : "(" + x + ")"))
      .replace(/\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, "$1/$2");
  }
  return out
    .replace(/\\(?:left|right|big|Big|bigg|Bigg)(?![A-Za-z])\s*/g, "")
    .replace(/\\[,;:!]|~/g, " ")
    .replace(/\\\{|\\\}/g, (m) => m.slice(1))
    .replace(/\\([A-Za-z]+)/g, "$1")
    .replace(/[{}]/g, "")
    .replace(/\s+/g, " ")
    .trim();
};
// what a snippet may quote: not tables of contents, the edition switch, code, outputs or display math
var BOOK_SNIPPET_DROP = [".headerlink", "script", "style", "nav", "#jb-print-docs-body", ".edition-switch",
  ".cell_input", ".cell_output", "div.highlight", "pre", "div.math", "button", ".toctree-wrapper",
  "details.hide > summary"];
// a paragraph or list item that is a list of links (the glossary's A-Z index, a reading path)
var bookLinkList = (n) => {
  const all = n.textContent.replace(/\s+/g, "").length;
  const links = [...n.querySelectorAll("a")].reduce((k, a) => k + a.textContent.replace(/\s+/g, "").length, 0);
  return all > 40 && links >= 0.8 * all;
};
var bookSnippetText = (doc, anchor) => {
  const main = doc.querySelector("article") || doc.querySelector('[role="main"]');
  if (!main) return "";
  let el = null;
  try { el = anchor ? main.querySelector(anchor) : null; } catch (e) { el = null; }
  const parts = [el || main];
  if (el && el.tagName === "DT") {  // a glossary term: its definition follows
    let next = el.nextElementSibling;
    while (next && next.tagName === "DT") next = next.nextElementSibling;
    if (next && next.tagName === "DD") parts.push(next);
  }
  const text = parts.map((part) => {
    const copy = part.cloneNode(true);
    copy.querySelectorAll(BOOK_SNIPPET_DROP.join(",")).forEach((n) => n.remove());
    if (!el) copy.querySelectorAll("h1").forEach((n) => n.remove());  // the result's link shows the title
    copy.querySelectorAll("p, li").forEach((n) => { if (bookLinkList(n)) n.remove(); });
    copy.querySelectorAll("span.math").forEach((n) => { n.textContent = bookPlainMath(n.textContent); });
    return copy.textContent;
  }).join(" ").replace(/\s+/g, " ").trim();
  // a page of links only (the book's root): its text as Sphinx takes it, never nothing (no snippet fails)
  if (text) return text.replace(/\u00ad/g, "");  // soft hyphens (Back&shy;propa&shy;gation) split no word
  const all = main.cloneNode(true);
  all.querySelectorAll(".headerlink").forEach((n) => n.remove());
  return all.textContent.replace(/\s+/g, " ").trim();
};
// one result per page, best first kept (results are sorted worst to best, as searchtools.js shows them)
var bookOnePerPage = (results, query) => {
  const q = query.toLowerCase().trim();
  const index = (typeof Search !== "undefined") ? Search._index : null;
  // a result at an entry named exactly as the query: a section title, or an index entry (a glossary term)
  const named = (r) => r[2] !== "" && (r[1].toLowerCase().split(" > ").pop() === q
    || (index !== null && ((index.indexentries || {})[q] || []).some(
      ([file, id]) => index.docnames[file] === r[0] && "#" + id === r[2])));
  const seen = new Map(), out = [];
  for (let i = results.length - 1; i >= 0; i -= 1) {
    const r = results[i];
    if (!seen.has(r[0])) {
      seen.set(r[0], out.length);
      out.push([r[0], r[1], r[2], null, r[4], r[5]]);  // no "(term, in Glossary)": a snippet instead
      continue;
    }
    const kept = out[seen.get(r[0])];
    if (named(r) && !named(kept)) {
      kept[1] = r[1].includes(" > ") ? r[1] : r[1] + " > " + query.trim();
      kept[2] = r[2];
    }
  }
  // a page not named as the query, whose title's topic lacks a query word: linked to its section (or
  // glossary entry) whose title holds every query word, the shortest ("KV cache" -> "The KV cache")
  if (index !== null) {
    const words = bookTitleWords(query);
    out.forEach((kept) => {
      if (!words.length || named(kept)) return;
      const file = index.docnames.indexOf(kept[0]);
      const topic = bookTopic(index.titles[file] || "");
      if (words.every((w) => topic.includes(w))) return;  // the page is about it: its top
      // one word the index keeps a section for: that section (or entry: the glossary's 词元 entry, not its
      // section "1 · 词元化"); else the title holding every word, else where a word is taught
      const term = bookTermSection(index, file, words);
      const best = (words.length === 1 && term) || bookBestSection(index, file, words) || term;
      if (best !== null) {
        kept[1] = (index.titles[file] || kept[1]).split(" > ")[0] + " > " + best[0];
        kept[2] = "#" + best[1];
      }
    });
  }
  return out.reverse();
};
// the words a title must hold: the query's words as split (bookQuery), lower case, no stopwords
var bookTitleWords = (query) => {
  const skip = (typeof stopwords !== "undefined") ? stopwords : [];
  const words = bookQuery.words.length ? bookQuery.words : query.split(/\s+/);
  return words.map((w) => w.toLowerCase()).filter((w) => w && skip.indexOf(w) === -1);
};
var bookPlainTitle = (t) => t.replace(/\u00ad/g, "").toLowerCase();
// a page title's topic (the words before its colon): "7. the transformer block"
var bookTopic = (title) => bookPlainTitle(title).split(/[：:—–(（]/)[0];
// the section title (or index entry) of page `file` that holds every word, the shortest, as [title, id];
// not an exercise or a solution (their titles name a task, not where it is taught)
var bookBestSection = (index, file, words) => {
  let best = null;
  const consider = (entries) => {
    for (const [title, found] of Object.entries(entries || {})) {
      const t = bookPlainTitle(title);
      if (!words.every((w) => t.includes(w)) || (best !== null && title.length >= best[0].length)) continue;
      for (const [f, id] of found) {
        if (f === file && id && !/^ex-|solution/.test(id)) { best = [title.replace(/\u00ad/g, ""), id]; break; }
      }
    }
  };
  consider(index.alltitles);
  consider(index.indexentries);
  return best;
};
// the section (or glossary entry) of page `file` that names a query word or says it most, for the words
// the index keeps sections for (bookanchors, term_anchors: the Chinese edition's terms and aliases,
// 层规范化 -> the glossary's 层归一化 entry), as [title, id]
var bookTermSection = (index, file, words) => {
  const anchors = index.bookanchors || {}, targets = index.booktargets || [];
  const stem = (typeof Stemmer !== "undefined") ? new Stemmer() : { stemWord: (w) => w };
  for (const w of words) {
    for (const k of anchors[w] || anchors[stem.stemWord(w)] || []) {
      const [f, id, title] = targets[k];
      if (f === file) return [title, id];
    }
  }
  return null;
};
// the snippet (Search.makeSearchSummary): around the first place the query is whole (the phrase, else a
// word as typed, else a stemmed word, as Sphinx), from a word boundary to a word boundary
var bookSearchSummary = (htmlText, keywords, anchor) => {
  const text = Search.htmlToText(htmlText, anchor);
  if (text === "") return null;
  const lower = text.toLowerCase();
  const first = (ws) => {
    const hits = ws.filter((k) => k).map((k) => lower.indexOf(k.toLowerCase())).filter((i) => i > -1);
    return hits.length ? Math.min(...hits) : -1;
  };
  let at = -1;
  for (const ws of [[bookQuery.query], bookQuery.highlight, [...keywords]]) {
    at = first(ws || []);
    if (at > -1) break;
  }
  at = Math.max(at, 0);
  let start = Math.max(at - 120, 0);
  if (start > 0) {  // after the first space or Chinese punctuation mark
    const cut = text.slice(start, at).search(/[\s。，；：、）]/);
    start = cut > -1 ? start + cut + 1 : at;
  }
  let end = Math.min(start + 240, text.length);
  if (end < text.length) {
    const cut = text.lastIndexOf(" ", end);
    if (cut > at) end = cut;
  }
  const summary = document.createElement("p");
  summary.classList.add("context");
  summary.textContent = (start > 0 ? "..." : "") + text.slice(start, end).trim() + (end < text.length ? "..." : "");
  return summary;
};
var bookSearchPatched = false;
var bookPatchSearch = () => {
  if (bookSearchPatched || typeof Search === "undefined") return;
  bookSearchPatched = true;
  const performSearch = Search._performSearch;
  Search._performSearch = (query, searchTerms, excludedTerms, highlightTerms, ...rest) => {
    const index = Search._index;
    if (index && !index.bookPlainTitles) {  // soft hyphens (Back&shy;propa&shy;gation) split no title
      index.bookPlainTitles = true;
      index.titles = index.titles.map((t) => t.replace(/\u00ad/g, ""));
      index.alltitles = Object.fromEntries(Object.entries(index.alltitles || {}).map(
        ([t, found]) => [t.replace(/\u00ad/g, ""), found]));
    }
    bookQuery.query = query.trim();
    bookQuery.highlight = [...(highlightTerms || [])];
    return bookOnePerPage(performSearch(query, searchTerms, excludedTerms, highlightTerms, ...rest), query);
  };
  Search.makeSearchSummary = bookSearchSummary;
  Search.htmlToText = (htmlString, anchor) =>
    bookSnippetText(new DOMParser().parseFromString(htmlString, "text/html"), anchor);
};
"""


# the weight of a word in a page: log(1 + count), the count scaled down on a page longer than the
# average; plus HEADING for each section heading that has it (at most two), TITLE if the page's title
# has it, TOPIC if it is the title's topic (the words before its colon), shared among the topic's words
# (title = 1 + 1/n for a topic of n words): "attention" is all of 4. Attention's topic, half of
# 6. Cross-attention's
HEADING, TITLE, TOPIC = 1.0, 4.0, 10.0


def search_weights(stats: dict[str, tuple[int, dict[str, tuple[int, int, float]]]],
                   docnames: list[str]) -> dict[str, list[int]]:
    """``{word: [page number, 10 x weight, page number, 10 x weight, ...]}`` for the search index, from
    ``page_stats`` of every page (``docnames`` in the index's order). A word on one page only is left
    out: every query that holds it finds that page alone, nothing to rank."""
    lengths = [stats[d][0] for d in docnames if d in stats and stats[d][0]]
    average = sum(lengths) / len(lengths) if lengths else 1
    out: dict[str, list[int]] = {}
    for i, docname in enumerate(docnames):
        length, words = stats.get(docname, (0, {}))
        scale = min(1.0, average / length) if length else 1.0
        for word, (count, headings, title) in sorted(words.items()):
            on_title = max(TITLE, TOPIC * (title - 1)) if title > 1 else TITLE * title
            weight = math.log(1 + count * scale) + HEADING * min(headings, 2) + on_title
            out.setdefault(word, []).extend((i, round(10 * weight)))
    return {w: pages for w, pages in out.items() if len(pages) > 2}


def title_topic(title: str) -> str:
    """The topic of a page's title: "4. 注意力：每个词元都向每个词元提问" -> "注意力"."""
    title = re.sub(r"^\s*(?:[A-Z]|\d+)(?:\.\d+)*\.?\s+", "", title)
    return re.split(r"[：:—–(（]", title, maxsplit=1)[0].strip()


def index_keys(lang, words) -> list[str]:
    """``words`` as the search index keys them: stemmed and lower-cased, else as they are, filtered."""
    out = []
    for word in words:
        stemmed = lang.stem(word).lower()
        if lang.word_filter(stemmed):
            out.append(stemmed)
        elif lang.word_filter(word):
            out.append(word)
    return out


# tags that may sit inside a word (<b>Back</b>prop); any other tag (a table cell, a line break) ends one
INLINE_TAGS = {"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q", "s",
               "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr"}
_TAG = re.compile(r"<!--.*?-->|<(/?)([A-Za-z][\w-]*)[^<>]*>", re.S)


def raw_html_text(markup: str) -> str:
    """The words of raw HTML (a notebook's output table) for the search index. Sphinx deletes the tags,
    which glues the words of neighbouring cells: ``<th>stage</th><th>shape</th><th>here</th>`` (a
    table of chapter 0) was indexed as the word "stageshapehere...". Here every tag but an inline one
    ends a word, style and script go, and entities are decoded (``&lt;eos&gt;`` is the word eos, not
    lt, eos, gt); the text keeps no ``<`` or ``>``, so Sphinx's own tag stripping has nothing to glue."""
    text = re.sub(r"<(style|script)\b.*?</\1\s*>", " ", markup, flags=re.I | re.S)
    text = _TAG.sub(lambda m: "" if (m.group(2) or "").lower() in INLINE_TAGS else " ", text)
    return html.unescape(text).replace("<", " ").replace(">", " ")


def _index_raw_html_as_text(indexer) -> None:
    """Make ``indexer`` (Sphinx's IndexBuilder) read each raw HTML node as ``raw_html_text`` gives it:
    its word collector sees that text in place of the markup, which the page itself keeps."""
    if getattr(indexer, "_book_raw_html", False):
        return
    collect = indexer._word_collector

    def word_collector(doctree: nodes.document):
        raws = [n for n in doctree.findall(nodes.raw) if "html" in n.get("format", "").split()]
        kept = [n.children[:] for n in raws]
        try:
            for node in raws:
                node[:] = [nodes.Text(raw_html_text(node.astext()))]
            return collect(doctree)
        finally:
            for node, children in zip(raws, kept):
                node[:] = children

    indexer._word_collector = word_collector
    indexer._book_raw_html = True


def page_stats(indexer, doctree: nodes.document) -> tuple[int, dict[str, tuple[int, int, float]]]:
    """(words on the page, {word: (count, section headings with it, 1 + 1/n for one of the n words of
    the title's topic / 1 in the title / 0)}), the
    words as the search index keys them (split by the index's language, stemmed, filtered)."""
    lang = indexer.lang
    store = indexer._word_collector(doctree)  # the words Sphinx indexes, in order, and the titles

    def keys(words) -> list[str]:  # as the index keys them
        return index_keys(lang, words)

    counts = Counter(keys(store.words))
    # a title's soft hyphens (9. Back\u00adpropa\u00adgation, for narrow screens) do not split its words
    titles = [title.replace("\u00ad", "") for title, _ in store.titles]
    page_title = titles[0] if titles else ""
    headings = Counter(w for title in titles[1:] for w in set(keys(lang.split(title))))
    in_title = set(keys(lang.split(page_title)))
    if isinstance(lang, SearchChinese):
        import jieba

        topic = set(keys(w.strip() for w in jieba.cut(title_topic(page_title))))
    else:  # "4. Attention: every token asks every token" -> attent
        topic = set(keys(lang.split(title_topic(page_title))))
    words = {w: (counts[w], headings[w], 1 + 1 / len(topic) if w in topic else 1 if w in in_title else 0)
             for w in counts.keys() | headings.keys() | in_title}
    return len(store.words), words


def _link_list(node: nodes.Node) -> bool:
    """A paragraph or list item that is a list of links (the glossary's A-Z index), as bookLinkList."""
    if not isinstance(node, (nodes.paragraph, nodes.list_item)):
        return False
    size = len(re.sub(r"\s+", "", node.astext()))
    linked = sum(len(re.sub(r"\s+", "", r.astext())) for r in node.findall(nodes.reference))
    return size > 40 and linked >= 0.8 * size


# sphinx-exercise's nodes: an exercise names a task, not where its words are taught
EXERCISE_NODES = ("exercise_node", "exercise_enumerable_node", "solution_node")


def term_anchors(lang, doctree: nodes.document, terms: set[str]) -> dict[str, tuple[str, str]]:
    """``{word: (id, title)}``: for each of ``terms`` (words as the index keys them) that the page says,
    the section or glossary entry that names it (a title or glossary term line that is the word, else
    the shortest that holds it), else the one that says it most, if that is at least half the times
    the page says it; none for a word said mostly at the page's top (before its first section) or all
    over the page. Exercises, solutions and link lists (the glossary's A-Z index) do not count. A
    search result for a term then links where the page teaches it: 层规范化 (an alias the 层归一化 entry
    gives) to that entry, not to the glossary's top."""
    if not terms:
        return {}
    top = next(iter(doctree.findall(nodes.section)), None)
    counts: dict[tuple[str, str], Counter] = {("", ""): Counter()}  # in document order
    named: dict[str, tuple[tuple[bool, int], tuple[str, str]]] = {}

    def exact(title: str, word: str) -> bool:  # "词元（token）" names 词元 exactly, "1 · 词元化" does not
        return index_keys(lang, [GLOSSARY_NAME.sub("", title).strip()]) == [word]

    def visit(node: nodes.Node, target: tuple[str, str], heading: bool) -> None:
        if (isinstance(node, (nodes.comment, nodes.raw)) or type(node).__name__ in EXERCISE_NODES
                or _link_list(node) or (isinstance(node, nodes.title) and node.parent is top)):
            return  # the page's own title: the page is about it, nowhere in particular
        if isinstance(node, nodes.section) and node is not top and node["ids"] and len(node) \
                and isinstance(node[0], nodes.title):
            target = (node["ids"][0], node[0].astext().replace("\u00ad", ""))
        elif isinstance(node, nodes.definition_list_item) and isinstance(node.parent.parent, addnodes.glossary):
            term = next((t for t in node.children if isinstance(t, nodes.term) and t["ids"]), None)
            if term is not None:
                target = (term["ids"][0], term.astext())
        heading = heading or isinstance(node, (nodes.title, nodes.term))
        if isinstance(node, nodes.Text):
            for word in index_keys(lang, lang.split(node.astext())):
                if word in terms:
                    counts.setdefault(target, Counter())[word] += 1
                    if heading and target[0]:
                        rank = (not exact(target[1], word), len(target[1]))
                        if word not in named or rank < named[word][0]:
                            named[word] = (rank, target)
            return
        for child in node.children:
            visit(child, target, heading)

    visit(doctree, ("", ""), False)
    best: dict[str, tuple[int, tuple[str, str]]] = {}
    total: Counter = Counter()
    for target, words in counts.items():
        total.update(words)
        for word, count in words.items():
            if word not in best or count > best[word][0]:
                best[word] = (count, target)
    said = {word: target for word, (count, target) in best.items() if target[0] and 2 * count >= total[word]}
    return dict(sorted({**said, **{word: target for word, (_, target) in named.items()}}.items()))


def _is_book_search(app) -> bool:
    indexer = getattr(app.builder, "indexer", None)
    return indexer is not None and isinstance(indexer.lang, (SearchChineseBook, SearchEnglishBook))


def _page_search_data(app, doctree: nodes.document, docname: str) -> None:
    indexer = app.builder.indexer
    _index_raw_html_as_text(indexer)
    app.builder.__dict__.setdefault("_book_search_stats", {})[docname] = page_stats(indexer, doctree)
    terms = getattr(indexer.lang, "book_terms", set())
    app.builder.__dict__.setdefault("_book_search_anchors", {})[docname] = term_anchors(indexer.lang, doctree, terms)


def _collect_search_stats(app, doctree, docname) -> None:
    """Each page's word statistics and term sections, from the doctree the index is fed next
    (doctree-resolved, after the other handlers: the Chinese glossary's headwords are in place)."""
    if _is_book_search(app):
        _page_search_data(app, doctree, docname)


def _add_search_weights(app, exception) -> None:
    """Add ``bookweights`` to the search index Sphinx has written (build-finished)."""
    if exception is not None or not _is_book_search(app):
        return
    path = Path(app.outdir) / app.builder.searchindex_filename
    if not path.exists():
        return
    index = js_index.loads(path.read_text(encoding="utf-8"))
    stats = app.builder.__dict__.setdefault("_book_search_stats", {})
    for docname in index["docnames"]:
        if docname not in stats:  # not written in this (incremental) build
            _page_search_data(app, app.env.get_doctree(docname), docname)
    index["bookweights"] = search_weights(stats, list(index["docnames"]))
    # {term: [k, ...]} and booktargets[k] = [page, section or glossary entry id, its title]
    anchors: dict[str, list[int]] = {}
    targets: dict[tuple[int, str, str], int] = {}
    found = app.builder.__dict__.setdefault("_book_search_anchors", {})
    for i, docname in enumerate(index["docnames"]):
        for word, (target, title) in found.get(docname, {}).items():
            anchors.setdefault(word, []).append(targets.setdefault((i, target, title), len(targets)))
    if anchors:
        index["bookanchors"] = dict(sorted(anchors.items()))
        index["booktargets"] = [list(t) for t in targets]
    # UTF-8 rather than Sphinx's \u escapes, no spaces: the weights cost the index a fifth, not two thirds
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    path.write_text(js_index.PREFIX + text + js_index.SUFFIX, encoding="utf-8")


class _TermSet(set):
    """A set that takes ``extend``, so it can stand in for SearchChinese's list of Latin terms."""

    def extend(self, terms) -> None:
        self.update(terms)


class SearchEnglishBook(SearchEnglish):
    """Sphinx's English search with the book's scorer (title topic, headings, counts: ``bookweights``)
    and the snippets of SUMMARY_JS, so "attention" lists 4. Attention first, not the glossary."""

    js_splitter_code = SPLIT_QUERY_JS + SCORER_JS + SUMMARY_JS


class SearchChineseBook(SearchChinese):
    """Sphinx's Chinese search, with a query splitter that knows the index's words (see the module).

    Sphinx 7's SearchChinese keeps every Latin word it has split in one class-level *list*
    (duplicates too) and looks each word up in it when stemming: quadratic in the size of the
    book (the Chinese build spent minutes there). Here the terms are a set, per instance: the same
    answers to ``word in latin_terms``, in constant time."""

    js_splitter_code = SPLIT_QUERY_JS + SCORER_JS + SUMMARY_JS

    def init(self, options: dict[str, str]) -> None:
        super().init(options)
        self.latin_terms = _TermSet()
        # the words of jieba's dictionary (the glossary's terms and aliases): where a page teaches
        # each is kept in the index (``term_anchors``)
        path = Path(options.get("dict") or "")
        words = path.read_text(encoding="utf-8").split("\n") if path.is_file() else []
        self.book_terms = set(index_keys(self, [w.split()[0] for w in words if w.strip()]))


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


# a Chinese character or full-width punctuation mark: no space between two of them (locale/STYLE.md)
CJK_CHAR = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
NOT_PROSE = (nodes.literal, nodes.literal_block, nodes.math, nodes.math_block, nodes.raw, nodes.comment)


class ChineseSpacing(SphinxPostTransform):
    """No space between Chinese text and a bold term, a link or emphasis that starts (or ends) with
    Chinese (the Chinese edition only).

    Markdown cannot make 作**{term}`微调`** bold without a space (CommonMark's flanking rule: ``**``
    between a Chinese character and ``{`` is not an opening delimiter), so a translation writes
    "作 **{term}`微调`** 来"; the page then showed "这叫作 微调 来", a space browsers draw between two
    Chinese characters. Latin text keeps its space: "用 **BPE** 切分" stays spaced.
    """

    default_priority = 41
    formats = ("html",)

    def run(self, **kwargs) -> None:
        if self.app.config.book_edition != "zh_CN":
            return
        tighten_chinese_spaces(self.document)


def tighten_chinese_spaces(doctree: nodes.Node) -> int:
    """Drop the space between a Chinese character and a neighbouring inline element whose own
    text starts (or ends) with a Chinese character; returns how many were dropped."""
    dropped = 0
    for text in list(doctree.findall(nodes.Text)):
        parent = text.parent
        if parent is None or isinstance(parent, NOT_PROSE) or any(isinstance(a, NOT_PROSE) for a in _ancestors(parent)):
            continue
        old = str(text)
        new, i = old, parent.index(text)
        after = parent[i + 1] if i + 1 < len(parent) else None
        before = parent[i - 1] if i > 0 else None
        if (len(new) >= 2 and new.endswith(" ") and CJK_CHAR.match(new[-2]) and isinstance(after, nodes.Inline)
                and not isinstance(after, NOT_PROSE) and CJK_CHAR.match(after.astext()[:1])):
            new = new[:-1]
        if (len(new) >= 2 and new.startswith(" ") and CJK_CHAR.match(new[1]) and isinstance(before, nodes.Inline)
                and not isinstance(before, NOT_PROSE) and CJK_CHAR.match(before.astext()[-1:])):
            new = new[1:]
        if new != old:
            parent.replace(text, nodes.Text(new))
            dropped += 1
    return dropped


def _ancestors(node: nodes.Node):
    while node is not None:
        yield node
        node = node.parent


def _exercise_number_space(app, pagename, templatename, context, doctree) -> None:
    """"练习 10.1（只用掩码词元）": Sphinx writes a space after every caption number
    ("<span class="caption-number">练习 10.1 </span>"); before a full-width bracket it goes."""
    if app.config.book_edition == "zh_CN" and "body" in context:
        context["body"] = re.sub(r'(<span class="caption-number">[^<]*?) </span>(?=（)', r"\1</span>", context["body"])


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


def theme_words_catalog(words: dict[str, str], language: str, folder: Path, domain: str = "booktheme") -> Path:
    """Write ``words`` as the message catalog ``domain`` for ``language`` under ``folder`` (a
    gettext locale folder); returns the folder."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale=language, domain=domain)
    for english, chinese in sorted(words.items()):
        catalog.add(english, chinese)
    mo = folder / language / "LC_MESSAGES" / f"{domain}.mo"
    mo.parent.mkdir(parents=True, exist_ok=True)
    with mo.open("wb") as f:
        write_mo(f, catalog)
    return folder


def _theme_words(app) -> None:
    """The theme's words its own catalog lacks (``book_theme_words``), as a second "booktheme" catalog."""
    words, language = app.config.book_theme_words, app.config.language
    if words and language:
        folder = Path(app.doctreedir) / "book_theme_words"
        # sphinx-book-theme looks its words up in "booktheme"; the pydata theme's templates and
        # Sphinx's own ("Color mode", "Link to this heading") in "sphinx": a catalog added under
        # a name is consulted only for the words the first one of that name lacks
        for domain in ("booktheme", "sphinx"):
            theme_words_catalog(words, language, folder, domain)
            app.add_message_catalog(domain, str(folder))


TEMPLATES = Path(__file__).parent / "edition_templates"


def _templates(app, config) -> None:
    """The Chinese edition's copies of the theme's templates that write words in English without
    gettext (the sidebar buttons' tooltips, two navigation aria-labels): the copies look them up
    (``book_theme_words`` has the words)."""
    if config.book_edition != "en" and config.book_theme_words:
        config.templates_path = [str(TEMPLATES)] + list(config.templates_path)


#: Static scripts that write English words without gettext: file -> the exact strings to translate.
STATIC_WORDS = {"togglebutton.js": ('aria-label="{}"', ("Toggle hidden content",))}


def _static_words(app, exception) -> None:
    """In a translated edition, translate the English words that static scripts write into pages
    (sphinx-togglebutton's button says "Toggle hidden content" to screen readers)."""
    words = app.config.book_theme_words
    if exception or not words or app.builder.format != "html":
        return
    for name, (pattern, english) in STATIC_WORDS.items():
        path = Path(app.outdir) / "_static" / name
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for word in english:
            if word in words:
                text = text.replace(pattern.format(word), pattern.format(words[word]))
        path.write_text(text, encoding="utf-8")


#: Words that myst-nb writes into a page's HTML without gettext: a hidden cell's ``<summary>``
#: (myst_nb/sphinx_.py) says "Toggle hidden content" to screen readers.
PAGE_WORDS = ('<summary aria-label="{}">', ("Toggle hidden content",))


def _page_words(app, pagename, templatename, context, doctree) -> None:
    """In a translated edition, translate the English words myst-nb writes into a page's body."""
    words = app.config.book_theme_words
    if not words or "body" not in context:
        return
    pattern, english = PAGE_WORDS
    for word in english:
        if word in words:
            context["body"] = context["body"].replace(
                pattern.format(word), pattern.format(html.escape(words[word], quote=True)))


_HAN = "\u4e00-\u9fff"
_BEFORE_LINK = re.compile(rf"([{_HAN}])(<a [^>]*>(?:<span [^>]*>)*)([A-Za-z0-9])")
_AFTER_LINK = re.compile(rf"([A-Za-z0-9])((?:</span>)*</a>)([{_HAN}])")


def space_links(body: str) -> str:
    """The house style's space between Chinese and Latin text, where a link's text begins or ends
    with Latin letters or digits next to a Chinese character ("把 softmax 稍微", "在 DPO 一节"):
    the catalogs write the role with no space ("把{term}`softmax`"), and the link starts the Latin."""
    body = _BEFORE_LINK.sub(r"\1 \2\3", body)
    return _AFTER_LINK.sub(r"\1\2 \3", body)


def _cjk_link_spaces(app, pagename, templatename, context, doctree) -> None:
    if app.config.book_edition == "zh_CN" and "body" in context:
        context["body"] = space_links(context["body"])


def _prefer_our_words(app) -> None:
    """Our words before the theme's own for sphinx-book-theme's Python-side words (its zh_CN catalog
    says 列印成 PDF, Taiwan's wording: mainland Chinese says 打印为 PDF)."""
    import gettext

    from sphinx import locale as sphinx_locale

    words, language = app.config.book_theme_words, app.config.language
    if not words or not language:
        return
    folder = Path(app.doctreedir) / "book_theme_words"
    ours = gettext.translation("booktheme", str(folder), [language])
    key = ("general", "booktheme")
    if key in sphinx_locale.translators:
        ours.add_fallback(sphinx_locale.translators[key])
    sphinx_locale.translators[key] = ours



GLOSSARY_NAME = re.compile(r"\s*[（(][^）)]*[）)]")


def latin_words(text: str) -> set[str]:
    """The Latin words of a glossary term or name, lower-cased: {"bert"} for "BERT 模型"."""
    return {w.lower() for w in re.findall(r"[A-Za-z0-9_][A-Za-z0-9_\-–]*", text)}


def chinese_glossary_headwords(app, doctree, docname) -> None:
    """In the Chinese edition, a glossary entry's headword reads "模型维度（model dimension, d_model）":
    its Chinese name first, the English term in brackets (locale/STYLE.md), as the Chinese A-Z index
    does (tests/test_glossary.py). The term line stays English in the source, since every {term} role
    targets it; the Chinese name is the bold text the definition starts with ("**模型维度**。..."),
    one per term when an entry has several ("**训练集 / 验证集**"). That bold name then leaves the
    definition, unless it says more than the headword (a bracket: "**Unigram 分词（一元语言模型）**")."""
    if app.config.book_edition != "zh_CN":
        return
    for glossary in doctree.findall(addnodes.glossary):
        for item in glossary.findall(nodes.definition_list_item):
            terms = [t for t in item.children if isinstance(t, nodes.term)]
            definition = next((d for d in item.children if isinstance(d, nodes.definition)), None)
            para = definition[0] if definition is not None and len(definition) else None
            if not terms or not isinstance(para, nodes.paragraph) or not para.children:
                continue
            bold = next((c for c in para.children if not (isinstance(c, nodes.Text) and not str(c).strip())), None)
            if not isinstance(bold, nodes.strong):
                continue
            names = [n.strip() for n in bold.astext().split("/")]
            if len(names) != len(terms):
                names = [bold.astext().strip()] * len(terms)
            shown = False
            for term, name in zip(terms, names):
                plain = GLOSSARY_NAME.sub("", name).strip()
                if not CJK_CHAR.search(plain):
                    continue
                english = re.sub(r"\s*\(([^)]*)\)", r", \1", term.astext())
                repeats = latin_words(term.astext()) <= latin_words(plain)
                for child in [c for c in term.children if isinstance(c, nodes.Text)]:
                    term.remove(child)
                # "BERT 模型", not "BERT 模型（BERT）": no bracket that repeats the name's own words
                shown_as = plain if repeats else f"{plain}（{english}）"
                term.insert(0, nodes.Text(shown_as))
                shown = True
            if shown and not GLOSSARY_NAME.search(bold.astext()):
                i = para.index(bold)
                para.remove(bold)
                if i < len(para) and isinstance(para[i], nodes.Text):
                    para.replace(para[i], nodes.Text(str(para[i]).lstrip("。. ")))

def setup(app):
    languages["zh"] = SearchChineseBook
    languages["en"] = SearchEnglishBook
    app.add_config_value("book_edition", "en", "html")
    app.add_config_value("book_other_edition_root", "", "html")
    app.add_config_value("book_theme_words", {}, "html")
    app.connect("builder-inited", _static)
    app.connect("builder-inited", _theme_words)
    app.connect("builder-inited", _prefer_our_words)
    app.connect("config-inited", _templates)
    app.connect("doctree-resolved", _collect_search_stats, priority=900)
    app.connect("build-finished", _add_search_weights)
    app.connect("build-finished", _static_words)
    app.connect("doctree-resolved", chinese_glossary_headwords)
    app.connect("html-page-context", _switch)
    app.add_post_transform(ChineseExerciseTitles)
    app.add_post_transform(ChineseSpacing)
    app.connect("html-page-context", _exercise_number_space)
    app.connect("html-page-context", _page_words)
    app.connect("html-page-context", _cjk_link_spaces)
    app.add_css_file("edition.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
