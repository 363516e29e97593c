"""The built website in a real browser (headless Chromium), with the network off.

Any request that leaves the local server fails the test (it is aborted and reported), and so
does any file the site asks its own server for and does not have. Every chapter page: math
typeset by the site's own MathJax (nothing left as raw TeX, headings and page contents
included), Chinese text drawn with a real font (the site's "Book CJK" web font or a system CJK
font, never empty boxes), figures present and sharp (2x PNGs), no blank output, no "Loading
widget", no "Live Code" button that cannot work offline, and none of the book's own scripts
raising a JavaScript error. Every explorer responds to its controls, stays under about 300 KB,
and fits a 390-px phone screen (its tables scroll inside their box). A solution opens when its
title is clicked. Run after the book is built: `make browser` (part of `make test`).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import socketserver
import threading
from pathlib import Path

import pytest

# The built site: _build/html of this repository, or the folder named by BOOK_SITE.
SITE = Path(os.environ.get("BOOK_SITE") or Path(__file__).resolve().parents[2] / "_build" / "html")
CHAPTERS = sorted((SITE / "chapters").glob("*.html"))
VENDOR = SITE / "_vendor"
KNOWN_THIRD_PARTY = ("THEBE_JS_URL",)  # sphinx-thebe 0.3.1 declares its config twice; not ours
CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u33ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
PHONE = {"width": 390, "height": 844}
EXPLORERS = "div[id][class$='-root']"  # .tx-root, .ax-root, .mx-root, .tl-root, ...


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def base_url():
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built site at {SITE}: run `make book` (or `make book-strict`) first")
    server = socketserver.TCPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.fail("Chromium not found: install it with `apt-get install -y chromium` (make test does this as root)")
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=exe,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


def _new_page(browser, base_url, **context_args):
    """A page whose requests may only reach the local server; it records what else it asked for."""
    context = browser.new_context(**context_args)
    pg_left, pg_missing = [], []

    def route(r):  # the network is off: only the local server answers
        if r.request.url.startswith(base_url + "/"):
            r.continue_()
        else:
            pg_left.append(r.request.url)
            r.abort()

    def response(resp):
        if resp.url.startswith(base_url + "/") and resp.status >= 400 and not resp.url.endswith("/favicon.ico"):
            pg_missing.append(f"{resp.status} {resp.url[len(base_url) :]}")

    context.route("**/*", route)
    pg = context.new_page()
    pg.errors, pg.left, pg.missing, pg.base = [], pg_left, pg_missing, base_url
    pg.console_errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("response", response)
    return context, pg


def _check_stayed_local(pg):
    assert not pg.left, f"requests that left the local server: {sorted(set(pg.left))}"
    assert not pg.missing, f"files the site asked for and does not have: {sorted(set(pg.missing))}"
    own_errors = [e for e in pg.errors if not any(k in e for k in KNOWN_THIRD_PARTY)]
    assert not own_errors, own_errors
    # console.error() calls, such as pydata-sphinx-theme's "Got invalid theme mode" when the page
    # starts without a colour mode (failed loads are checked above, as missing files)
    logged = [m for m in pg.console_errors if not m.startswith("Failed to load resource")]
    assert not logged, f"errors logged in the console: {logged}"


@pytest.fixture
def page(browser, base_url):
    context, pg = _new_page(browser, base_url, viewport={"width": 1280, "height": 900})
    yield pg
    _check_stayed_local(pg)
    context.close()


@pytest.fixture
def phone(browser, base_url):
    context, pg = _new_page(browser, base_url, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    yield pg
    _check_stayed_local(pg)
    context.close()


FOLDS = "details.optional-section"  # an Optional section's fold (_ext/optional_sections.py)


def open_folds(page) -> int:
    """Open every Optional section's fold on the page (as a reader's click does); returns how many."""
    return page.evaluate("""(sel) => {
      const folds = [...document.querySelectorAll(sel)];
      for (const d of folds) d.open = true;
      return folds.length;
    }""", FOLDS)


def open_chapter(page, name: str, folds_open: bool = True):
    """Open chapter page ``name`` and wait until MathJax and the fonts are done.

    Every Optional section's fold is opened (``folds_open``, the default) before anything is measured,
    so that the suite's checks measure every figure, formula, explorer and output of the page, the
    folded ones too; ``folds_open=False`` leaves the folds as a reader first sees them (closed)."""
    page.goto(f"{page.base}/chapters/{name}", wait_until="load")
    # MathJax typesets after load; its startup promise resolves when every formula is done.
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
    page.evaluate("() => window.MathJax ? MathJax.startup.promise.then(() => true) : true")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    if folds_open and open_folds(page):
        page.evaluate("() => window.MathJax ? MathJax.startup.promise.then(() => true) : true")
    page.wait_for_timeout(200)
    return page


# ---------------------------------------------------------------------------------------------
# The site's own assets (no browser needed)
# ---------------------------------------------------------------------------------------------
def test_there_are_chapter_pages():
    assert len(CHAPTERS) >= 7, CHAPTERS
    explorers = [h.name for h in CHAPTERS if '-root" id=' in h.read_text(encoding="utf-8")]
    assert len(explorers) >= 4, f"explorers expected in chapters 1, 4, 5, 6; found in {explorers}"


def test_mathjax_is_served_pruned_and_not_linked_everywhere():
    main = VENDOR / "mathjax" / "tex-chtml-full.js"
    assert main.exists(), "the site's own MathJax is missing (built by _ext/site_assets.py)"
    total = sum(f.stat().st_size for f in (VENDOR / "mathjax").rglob("*") if f.is_file())
    assert total < 2_000_000, f"the served MathJax is {total} bytes: prune it"
    assert not (SITE / "_static" / "mathjax").exists(), "MathJax under _static/ would be linked into every page"
    page = (SITE / "chapters" / "04_attention.html").read_text(encoding="utf-8")
    assert "_vendor/mathjax/tex-chtml-full.js" in page
    assert "cdn.jsdelivr" not in page and "unpkg.com" not in page


PAGE_FONT = re.compile(r'<style id="book-cjk-face">@font-face\{font-family:"Book CJK";src:url\("([^"]+)"\)')
PAGE_STYLE = re.compile(r'<style id="book-cjk-face">(.*?)</style>', re.S)


def page_font(html: Path) -> Path | None:
    """The page's own Chinese font ("Book CJK", named in its <head>), or None."""
    m = PAGE_FONT.search(html.read_text(encoding="utf-8"))
    return (html.parent / m.group(1)).resolve() if m else None


def page_font_extra(html: Path) -> list[Path]:
    """The page's fonts for characters that Noto Sans SC lacks (declared after its own font)."""
    m = PAGE_STYLE.search(html.read_text(encoding="utf-8"))
    urls = re.findall(r'src:url\("([^"]+)"\)', m.group(1)) if m else []
    return [(html.parent / u).resolve() for u in urls[1:]]


def test_every_page_has_a_simplified_chinese_font_with_its_characters():
    """Each page names its own font, with every CJK character of the page, cut from Noto Sans SC
    (the Simplified Chinese face: a Noto Sans CJK TC font would fail here)."""
    from fontTools.ttLib import TTFont

    pages = [h for h in SITE.rglob("*.html") if "_vendor" not in h.relative_to(SITE).parts]
    checked = 0
    for html in pages:
        used = set(CJK.findall(html.read_text(encoding="utf-8", errors="replace")))
        font = page_font(html)
        if not used:
            assert font is None, f"{html.name} has no Chinese and names a font"
            continue
        assert font is not None and font.exists(), f"{html.relative_to(SITE)}: its Chinese font is missing"
        tt = TTFont(font)
        family = str(tt["name"].getDebugName(1))
        assert "Noto Sans SC" in family and "TC" not in family, f"{font.name}: {family}, not Noto Sans SC"
        cmap = set(tt.getBestCmap())
        for extra in page_font_extra(html):  # at most a few rare characters, from Noto Sans CJK TC
            rare = set(TTFont(extra).getBestCmap())
            assert len(rare) <= 5 and not rare & cmap, f"{extra.name}: {len(rare)} characters"
            cmap |= rare
        missing = sorted(c for c in used if ord(c) not in cmap)
        assert not missing, f"{html.name}: its font lacks {len(missing)} characters: {''.join(missing[:50])}"
        checked += 1
    assert checked > 10, "the site shows Chinese text; no page with CJK characters found"
    slices = sorted((VENDOR / "fonts" / "sc").glob("*.woff2"))
    assert len(slices) > 80, "the Noto Sans SC slices for typed characters are missing"
    assert "Noto Sans SC" in str(TTFont(slices[0])["name"].getDebugName(1))
    assert not (VENDOR / "fonts" / "book-cjk.woff2").exists(), "the single CJK subset of earlier builds is back"


# ---------------------------------------------------------------------------------------------
# Every chapter page
# ---------------------------------------------------------------------------------------------
_MATH_STATE = """() => {
  const math = [...document.querySelectorAll('.math')];
  const raw = math.filter((m) => !m.querySelector('mjx-container')).map((m) => m.textContent.slice(0, 60));
  const article = document.querySelector('.bd-article').cloneNode(true);
  article.querySelectorAll('pre, code, script, style, textarea, .cell_input').forEach((e) => e.remove());
  const toc = document.querySelector('.bd-toc, #pst-page-toc-nav, .page-toc');
  return {mathjax: !!window.MathJax, formulas: math.length,
          typeset: document.querySelectorAll('mjx-container').length,
          errors: document.querySelectorAll('mjx-merror').length, raw: raw,
          tex_left: (article.innerText.match(/\\\\[(\\[]|\\$\\$/g) || []).length,
          toc_math: toc ? toc.querySelectorAll('.math').length : 0,
          toc_typeset: toc ? toc.querySelectorAll('.math mjx-container').length : 0};
}"""


def check_math(page, name: str) -> None:
    state = page.evaluate(_MATH_STATE)
    assert state["mathjax"], f"{name}: MathJax did not load"
    assert state["formulas"] > 0 and state["typeset"] >= state["formulas"], state
    assert not state["raw"], f"{name}: formulas left as raw TeX: {state['raw'][:5]}"
    assert state["errors"] == 0, f"{name}: {state['errors']} MathJax errors"
    assert state["tex_left"] == 0, f"{name}: raw TeX delimiters left in the text"
    assert state["toc_typeset"] == state["toc_math"], f"{name}: math in the page contents not typeset"


_CJK_WIDTHS = """() => {
  // The width of the first Chinese character of every visible text node, in em: a CJK font
  // draws a Han character 1 em wide; a font without it draws an empty box (.notdef), about
  // 0.6 em wide in DejaVu Sans. This measures what is on the screen.
  const cjk = /[\\u3400-\\u9fff\\uf900-\\ufaff]/;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script, style, mjx-container, textarea, option, svg')) continue;
    const i = n.textContent.search(cjk);
    if (i < 0) continue;
    const range = document.createRange();
    range.setStart(n, i);
    range.setEnd(n, i + 1);
    const rect = range.getBoundingClientRect();
    if (!rect.width) continue;  // not displayed
    out.push({char: n.textContent[i], em: rect.width / parseFloat(getComputedStyle(el).fontSize),
              text: n.textContent.trim().slice(0, 30)});
  }
  return out;
}"""


def check_chinese_glyphs(page, name: str) -> None:
    """Every visible Chinese character is drawn by a font that has it (1 em wide), not as an empty box."""
    page.wait_for_function("() => document.documentElement.classList.contains('book-cjk-ready')", timeout=10_000)
    # Text drawn after the page loaded (search results, an explorer's view) can need one more font
    # slice, which the browser fetches when the text appears: on a busy machine that takes longer
    # than a fixed pause. Wait (up to 10 s) until every character is drawn 1 em wide; a character
    # the fonts lack never gets there, and the assertion below names it.
    try:
        page.wait_for_function(f"() => ({_CJK_WIDTHS})().every((w) => w.em >= 0.85)", timeout=10_000)
    except Exception:  # playwright's TimeoutError: measure and report below
        pass
    widths = page.evaluate(_CJK_WIDTHS)
    assert widths, f"{name}: no Chinese text on the page (the sidebar has some)"
    boxes = [w for w in widths if w["em"] < 0.85]
    assert not boxes, f"{name}: Chinese drawn as empty boxes (width in em): {boxes[:5]}"


def check_figures(page, name: str) -> None:
    figures = page.locator("img[src*='_images/']")
    assert figures.count() >= 1, "no figure on the page"
    # figures are lazy-loaded (only when scrolled near): load them all before looking at them
    page.evaluate("() => document.querySelectorAll('img[loading=lazy]').forEach((i) => { i.loading = 'eager'; })")
    page.wait_for_function("() => [...document.querySelectorAll('img')].every((i) => i.complete)", timeout=30_000)
    for i in range(figures.count()):
        img = figures.nth(i).element_handle()
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", img)
    # matplotlib figures are retina PNGs, declared at half their pixel width (helpers.viz.setup_figures),
    # and scaled without distortion when the column is narrower
    bad = page.evaluate("""() => [...document.querySelectorAll('.cell_output img[src*="_images/"]')].map((img) => {
        const declared = parseFloat(img.style.width || img.getAttribute('width') || '0');
        const r = img.getBoundingClientRect();
        const distortion = Math.abs((r.height / r.width) / (img.naturalHeight / img.naturalWidth) - 1);
        const name = img.getAttribute('src').split('/').pop().slice(0, 12);
        if (!(declared && img.naturalWidth >= 1.8 * declared)) return name + ': not 2x (' + img.naturalWidth
          + ' px drawn at ' + declared + ')';
        if (distortion > 0.02) return name + ': distorted (' + Math.round(r.width) + 'x' + Math.round(r.height) + ')';
        return null;
      }).filter((x) => x)""")
    assert not bad, f"{name}: figures not sharp or distorted: {bad}"


@pytest.mark.parametrize("html", CHAPTERS, ids=lambda p: p.stem)
def test_figures_fit_the_column(html):
    """No figure is wider than helpers.viz.COLUMN_WIDTH (7 in = 700 CSS px): wider ones are shrunk, text too."""
    from helpers.viz import COLUMN_WIDTH

    page = html.read_text(encoding="utf-8")
    widths = [float(w) for w in re.findall(r'<img [^>]*src="[^"]*_images/[^"]*"[^>]*style="width: ([\d.]+)px', page)]
    wide = [w for w in widths if w > COLUMN_WIDTH * 100 * 1.03]
    assert not wide, f"{html.name}: figures wider than {COLUMN_WIDTH} in: {wide} px"


@pytest.mark.parametrize("html", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_renders(page, html):
    open_chapter(page, html.name)
    body = page.inner_text("body")
    assert "Loading widget" not in body
    assert page.locator(".thebe-launch-button").count() == 0 and "Live Code" not in body, (
        "a Live Code (Thebe) button that cannot work offline"
    )
    check_figures(page, html.name)
    check_figures_described(page, html.name)
    outputs = page.locator(".cell_output")
    for i in range(outputs.count()):
        out = outputs.nth(i)
        has_content = out.inner_text().strip() or out.locator("img, table, svg, textarea").count()
        assert has_content, f"blank output #{i} on {html.name}"
    split = page.evaluate("""() => [...document.querySelectorAll('.cell_output')].filter((o) => [...o.children]
        .some((k, i) => i > 0 && k.classList.contains('stream') && o.children[i - 1].classList.contains('stream')))
        .map((o) => o.innerText.slice(0, 60))""")
    assert not split, f"{html.name}: a cell's printed output split into several boxes: {split}"
    for root in page.locator(EXPLORERS).all():
        assert root.get_attribute("data-live") == "1", "an explorer's script did not start"
        assert len(root.evaluate("(e) => e.outerHTML").encode()) < 300_000
    check_math(page, html.name)
    check_chinese_glyphs(page, html.name)


def test_chinese_is_drawn_with_the_site_font(page):
    """On a machine without CJK fonts (this one), Chinese comes from the site's own "Book CJK" font."""
    open_chapter(page, "05_masking.html")
    check_chinese_glyphs(page, "05_masking.html")
    status = page.evaluate(
        "() => [...document.fonts].filter((f) => f.family.replace(/\"/g, '') === 'Book CJK').map((f) => f.status)"
    )
    assert status == ["loaded"], status
    assert len(page.evaluate(_CJK_WIDTHS)) > 10, "chapter 5 shows Chinese text in its prose and explorer"


_TYPED_WIDTHS = """(text) => {
  // the typed characters, in the explorer's font stack, one span each: width in em
  const root = document.querySelector('.tx-root');
  return [...text].map((ch) => {
    const s = document.createElement('span');
    s.textContent = ch;
    root.appendChild(s);
    const em = s.getBoundingClientRect().width / parseFloat(getComputedStyle(s).fontSize);
    s.remove();
    return em;
  });
}"""


def test_typed_chinese_comes_from_the_font_slices(page):
    """Characters on no page of the site, typed into an explorer, are drawn with Noto Sans SC's
    unicode-range slices ("Book CJK SC"): only their slices are fetched, and only after typing."""
    open_chapter(page, "01_tokenization.html")
    on_page = set(CJK.findall((SITE / "chapters" / "01_tokenization.html").read_text(encoding="utf-8")))
    typed = "".join(c for c in "鑫淼犇葳蕤瑾琅骉" if c not in on_page)[:4]
    assert len(typed) == 4
    slices: list[str] = []
    page.on("request", lambda r: slices.append(r.url) if "/_vendor/fonts/sc/" in r.url else None)
    assert not page.evaluate("() => !!document.querySelector('link[href*=\"book-cjk-sc.css\"]')"), (
        "the slices' stylesheet is loaded before the reader types"
    )
    box = page.locator(".tx-input").first
    box.click()
    box.press("End")
    page.keyboard.type(typed)
    page.wait_for_function(
        "() => [...document.fonts].some((f) => f.family.replace(/\"/g, '') === 'Book CJK SC' && f.status === 'loaded')",
        timeout=10_000,
    )
    page.evaluate(_TYPED_WIDTHS, typed)  # lays the characters out: their slices load
    page.evaluate("() => document.fonts.ready.then(() => true)")
    widths = page.evaluate(_TYPED_WIDTHS, typed)
    assert all(w > 0.85 for w in widths), f"typed {typed} drawn as empty boxes (width in em): {widths}"
    assert 1 <= len(set(slices)) <= len(typed), f"slices fetched for {typed}: {slices}"


@pytest.mark.parametrize("html", CHAPTERS, ids=lambda p: p.stem)
def test_no_stray_values(html):
    """No output box that is only a bare value ("32", "3.4657359027997265", "'Noto Sans CJK TC'"):
    a cell whose last line is a call that returns something (glue, setup_figures) shows it."""
    page = html.read_text(encoding="utf-8")
    shown = re.findall(
        r'<div class="output text_plain[^"]*"><div class="highlight"><pre><span></span>(.*?)</pre>', page, re.S
    )
    values = [re.sub(r"<[^>]+>", "", v).strip() for v in shown]
    stray = [v for v in values if re.fullmatch(r"-?[\d.e+-]+|&#39;[^\n]*&#39;|'[^\n]*'|\"[^\n]*\"|None", v)]
    assert not stray, f"{html.name}: stray output boxes {stray} (end the cell with `;` or assign the result)"


OTHER_PAGES = [
    "intro.html",
    "appendix/how_to_run.html",
    "appendix/glossary.html",
    "appendix/bibliography.html",
    "search.html?q=attention",
    "genindex.html",
]


@pytest.mark.parametrize("path", OTHER_PAGES)
def test_other_pages_work_offline(page, path):
    page.goto(f"{page.base}/{path}", wait_until="load")
    page.evaluate("() => window.MathJax ? MathJax.startup.promise.then(() => true) : true")
    if path.startswith("search.html"):  # the results (and their Chinese words) appear when the search ends
        page.wait_for_selector("#search-results li, .search li", timeout=10_000)
        page.wait_for_function("() => (document.querySelector('.search-summary') || {}).textContent", timeout=20_000)
        assert page.locator("#search-results li, .search li").count() > 0, "offline search found nothing"
    check_chinese_glyphs(page, path)


def test_search_lists_the_chapter_first_with_prose_snippets(page):
    """search.html?q=attention (_ext/edition.py, SUMMARY_JS and the scorer): 4. Attention first, each
    page once (the count is of pages), the glossary linked to its "attention" entry with its
    definition, and snippets from the page's prose: no table of contents, no 中文版 button, no code,
    no raw TeX."""
    page.goto(f"{page.base}/search.html?q=attention", wait_until="load")
    page.wait_for_function("() => typeof Search !== 'undefined' && Search.title"
                           " && Search.title.innerText === Documentation.gettext('Search Results')", timeout=30_000)
    items = page.locator("#search-results li")
    page.wait_for_function("() => [...document.querySelectorAll('#search-results li')]"
                           ".every((li) => li.querySelector('p.context'))", timeout=30_000)
    hrefs = items.evaluate_all("(lis) => lis.map((li) => li.querySelector('a').getAttribute('href'))")
    pages = [h.split("#")[0] for h in hrefs]
    assert pages[0] == "chapters/04_attention.html", pages[:5]
    assert len(pages) == len(set(pages)), pages  # one result per page
    found = re.search(r"(\d+)", page.locator(".search-summary").inner_text())
    assert found and int(found.group(1)) == len(pages)
    assert "appendix/glossary.html#term-attention" in hrefs, hrefs
    snippets = items.locator("p.context").all_inner_texts()
    for text in snippets:
        assert "\\(" not in text and "\\[" not in text, text
        assert not re.search(r"\bContents\b|^(\.\.\.)?中文版|import torch", text), text
    glossary = snippets[pages.index("appendix/glossary.html")]
    assert "weighted average" in glossary, glossary
    # the typed text starts after the magnifier icon (edition.css), not under it
    icon_right, text_left = page.evaluate(
        "() => { const f = document.querySelector('.bd-search-container form.bd-search');"
        " const i = f.querySelector('i').getBoundingClientRect(), input = f.querySelector('input');"
        " return [i.right, input.getBoundingClientRect().left + parseFloat(getComputedStyle(input).paddingLeft)]; }")
    assert text_left >= icon_right + 2, (icon_right, text_left)


# ---------------------------------------------------------------------------------------------
# Explorers and solutions
# ---------------------------------------------------------------------------------------------
def test_tokenizer_explorer_responds(page):
    open_chapter(page, "01_tokenization.html")
    root = page.locator(".tx-root").first
    before = root.get_attribute("data-tokens")
    page.locator(".tx-input").first.fill("猫在垫子上坐着 and the zebra")
    after_typing = root.get_attribute("data-tokens")
    page.locator(".tx-merges").first.fill("0")
    assert after_typing != before
    assert root.get_attribute("data-tokens") == str(len("猫在垫子上坐着 and the zebra".encode()))


def test_attention_explorer_responds(page):
    open_chapter(page, "04_attention.html")
    root = page.locator(".ax-root").first
    # the chapter opens it on the cross-attention head where →猫 and →坐着 read "cat" and "sat" (computed
    # there): layer 2, the row →猫
    assert root.locator(".ax-kind").input_value() == "cross"
    assert root.locator(".ax-layer").input_value() == "1"
    assert root.get_attribute("data-state").endswith("|0"), "the explorer should open on the row '→猫'"
    view = root.locator(".ax-view")
    before = view.inner_html()
    root.locator(".ax-stage[value=raw]").check()
    assert view.inner_html() != before
    root.locator(".ax-kind").select_option("decoder")
    root.locator(".ax-stage[value=masked]").check()
    assert "−∞" in view.inner_text()
    root.locator(".ax-q").nth(1).click()
    assert root.get_attribute("data-state").endswith("|1")
    root.locator(".ax-sentence").select_option("1")
    root.locator(".ax-head").select_option("2")
    assert root.get_attribute("data-state").startswith("1|decoder|1|2|masked")  # layer 2 kept


def test_mask_explorer_responds(page):
    open_chapter(page, "05_masking.html")
    root = page.locator(".mx-root").first
    weights = root.locator(".mx-weights")
    before = weights.inner_html()
    root.locator(".mx-causal").uncheck()
    assert weights.inner_html() != before
    root.locator(".mx-rows").check()
    assert "NaN" in weights.inner_text()
    root.locator(".mx-fill[value=big]").check()
    assert "NaN" not in weights.inner_text()


def test_cross_attention_explorer_responds(page):
    open_chapter(page, "06_cross_attention.html")
    root = page.locator(".ax-root").first
    assert root.locator(".ax-kind").input_value() == "cross"
    before = root.locator(".ax-focus").inner_html()
    root.locator(".ax-q").nth(2).click()
    assert root.locator(".ax-focus").inner_html() != before


_FIT = """(root) => {
  const box = root.getBoundingClientRect();
  const tables = [...root.querySelectorAll('table')].map((t) => {
    let s = t.parentElement;
    while (s !== root && !['auto', 'scroll'].includes(getComputedStyle(s).overflowX)) s = s.parentElement;
    const sb = s.getBoundingClientRect();
    return {wide: t.scrollWidth > box.width, scrolls: s !== root && s.scrollWidth > s.clientWidth,
            inside: sb.left >= box.left - 1 && sb.right <= box.right + 1};
  });
  return {left: box.left, right: box.right, tables: tables};
}"""


@pytest.mark.parametrize("html", CHAPTERS, ids=lambda p: p.stem)
def test_page_and_explorers_fit_a_phone(phone, html):
    name = html.name
    open_chapter(phone, name)
    roots = phone.locator(EXPLORERS).all()
    width = phone.evaluate("() => document.documentElement.clientWidth")
    for root in roots:
        root.scroll_into_view_if_needed()
        fit = root.evaluate(_FIT)
        assert fit["left"] >= 0 and fit["right"] <= width + 1, f"{name}: explorer box {fit} wider than {width}px"
        for t in fit["tables"]:
            assert t["inside"] and (t["scrolls"] or not t["wide"]), f"{name}: a table is cut off: {fit}"
    page_width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert page_width <= width + 1, f"{name}: the page scrolls sideways on a phone ({page_width}px)"
    check_nothing_clipped(phone, name)
    check_figures_get_the_phone_width(phone, name)
    check_printed_output_wraps(phone, name)
    check_punctuation_stays_with_its_formula(phone, name)
    check_formula_text_is_legible(phone, name)
    links = phone.evaluate("""() => [...document.querySelectorAll('.prev-next-area a, .prev-next-area a *')]
        .map((a) => a.getBoundingClientRect()).map((r) => [Math.round(r.left), Math.round(r.right)])""")
    assert all(left >= 0 and right <= width + 1 for left, right in links), f"{name}: Previous/Next links cut off: {links}"


_ORPHANS = """async () => {
  const startup = window.MathJax && window.MathJax.startup;
  if (startup && startup.promise) await startup.promise;
  await new Promise((done) => setTimeout(done, 0));
  const punct = /^[,.;:!?)\\]，。；：！？）】、”’]/;
  const out = [];
  const column = (document.querySelector('.bd-article') || document.body).clientWidth;
  for (const m of document.querySelectorAll('.bd-article mjx-container:not([display="true"])')) {
    if (m.getBoundingClientRect().width > 0.6 * column) continue;  // left free to take a line
    const e = m.parentNode.classList.contains('math') ? m.parentNode : m;
    if (e.parentNode.classList.contains('math-nowrap')) continue;  // kept with its punctuation
    const next = e.nextSibling;
    if (next && next.nodeType === Node.TEXT_NODE && punct.test(next.data)) out.push(next.data.slice(0, 20));
  }
  return out;
}"""


_SMALL_GLYPHS = """() => {
  const out = [];
  for (const c of document.querySelectorAll('.bd-article mjx-container')) {
    for (const g of c.querySelectorAll('mjx-c')) {
      if (g.getBoundingClientRect().width === 0) continue;
      const px = parseFloat(getComputedStyle(g).fontSize);
      if (px < 8.95) { out.push([Math.round(px * 10) / 10, c.textContent.slice(0, 40)]); break; }
    }
  }
  return out;
}"""


def check_formula_text_is_legible(phone, name: str):
    """On a phone no glyph of a formula is drawn below 9 px (a script inside a script was 8 px)."""
    small = phone.evaluate(_SMALL_GLYPHS)
    assert not small, f"{name}: formulas with glyphs under 9 px on a phone (px, text): {small[:5]}"


def check_punctuation_stays_with_its_formula(page, name):
    """On a phone no line starts with the comma or full stop that follows an inline formula:
    book-site.js keeps such punctuation in one unbreakable span with its formula."""
    orphans = page.evaluate(_ORPHANS)
    kept = page.evaluate("() => document.querySelectorAll('.bd-article .math-nowrap').length")
    if name == "00_big_picture.html":
        assert kept >= 10, f"{name}: only {kept} formulas kept with their punctuation"
    assert not orphans, f"{name}: punctuation after an inline formula can start a line: {orphans[:5]}"


def check_printed_output_wraps(page, name):
    """On a phone, printed output that is not a table (book-site.js marks it "wraps") wraps inside
    the column, so that no number the prose quotes hides past its right edge. Printed source code
    (marked "listing": teaching_source's output) never wraps, like a code cell: its lines keep their
    indentation and scroll sideways inside their box."""
    blocks = page.evaluate("""() => [...document.querySelectorAll('.bd-article .cell_output .output pre')]
        .map((p) => ({wraps: p.classList.contains('wraps'), wide: p.scrollWidth > p.clientWidth + 1,
                      listing: p.classList.contains('listing'), space: getComputedStyle(p).whiteSpace,
                      scroll: getComputedStyle(p).overflowX, text: p.textContent.slice(0, 60)}))""")
    wide = [b["text"] for b in blocks if b["wraps"] and b["wide"]]
    assert not wide, f"{name}: printed output still wider than a phone: {wide}"
    listings = [b for b in blocks if b["listing"]]
    bad = [b["text"] for b in listings if b["wraps"] or b["space"] != "pre" or b["scroll"] != "auto"]
    assert not bad, f"{name}: printed source code wraps on a phone: {bad}"
    if name in ("10_pretraining_finetuning.html", "12_real_model.html"):
        assert any(b["text"].startswith("def ") for b in listings), f"{name}: no printed listing found"
    if name == "00_big_picture.html":
        assert sum(b["wraps"] for b in blocks) >= 5 and not all(b["wraps"] for b in blocks), blocks


def check_figures_get_the_phone_width(page, name):
    """A figure wider than the phone is shown at least PHONE_WIDTH_PX wide: the width for which
    helpers.plots._phone sizes its text (11 px at the smallest)."""
    from helpers.plots._phone import PHONE_WIDTH_PX

    narrow = page.evaluate("""(least) => [...document.querySelectorAll('.bd-article figure img')].map((img) => {
        const shown = img.getBoundingClientRect().width;
        const natural = parseFloat(img.style.width || img.getAttribute('width') || '0');  // declared width
        return (shown < least && shown < natural - 1) ? img.getAttribute('src').split('/').pop().slice(0, 16) + ': ' + Math.round(shown) + 'px' : null;
      }).filter((x) => x)""", PHONE_WIDTH_PX)
    assert not narrow, f"{name}: figures shown narrower than {PHONE_WIDTH_PX}px on a phone: {narrow}"


_CLIPPED = """() => {
  const out = [];
  const column = document.querySelector('main article, article.bd-article, main') || document.body;
  const limit = column.getBoundingClientRect().right + 1;
  for (const m of document.querySelectorAll('mjx-container[display="true"]')) {
    const inner = m.querySelector('mjx-math') || m;
    const w = inner.getBoundingClientRect().width, box = m.getBoundingClientRect();
    if (w > box.width + 1 || box.right > limit) out.push('formula: ' + (m.getAttribute('aria-label') || m.textContent).slice(0, 50));
  }
  for (const m of document.querySelectorAll('.bd-article mjx-container:not([display="true"])')) {
    const r = m.getBoundingClientRect(), style = getComputedStyle(m);
    if (r.width > 0 && r.right > limit && style.overflowX !== 'auto') out.push('inline formula: ' + m.textContent.slice(0, 50));
  }
  for (const h of document.querySelectorAll('main h1, main h2, main h3')) {
    if (h.scrollWidth > h.clientWidth + 1) out.push('heading: ' + h.textContent.slice(0, 50));
  }
  return out;
}"""


def check_nothing_clipped(page, name):
    """At phone width every display formula and heading fits the column: long ones are broken into lines."""
    clipped = page.evaluate(_CLIPPED)
    assert not clipped, f"{name}: wider than a phone's column: {clipped}"


def check_figures_described(page, name):
    """Every figure has real alt text (not a file name) and a caption that says what to see."""
    bad = page.evaluate("""() => [...document.querySelectorAll('.cell_output img')].map((img) => {
        const alt = (img.getAttribute('alt') || '').trim();
        const fig = img.closest('figure');
        const cap = fig && fig.querySelector('figcaption');
        const src = img.getAttribute('src').split('/').pop().slice(0, 16);
        if (alt.length < 15 || /^\\S+\\.(png|jpe?g|svg)$|_images\\//i.test(alt)) return src + ': alt text ' + JSON.stringify(alt);
        if (!cap || cap.textContent.trim().length < 15) return src + ': no caption';  // textContent: folded solutions too
        return null;
      }).filter((x) => x)""")
    assert not bad, f"{name}: figures without a description: {bad}"


def test_solutions_reveal(page):
    open_chapter(page, "00_big_picture.html")
    solutions = page.locator(".solution.dropdown")
    assert solutions.count() >= 1
    for i, where in enumerate(["title text", "title"]):
        solution = solutions.nth(i % solutions.count())
        solution.scroll_into_view_if_needed()
        body = solution.locator("section, .cell, p").nth(1)
        assert not body.is_visible()
        title = solution.locator(".admonition-title")
        if where == "title text":  # a click on the words of the title (an <a> or <span> inside it)
            title.locator("a, span").first.click()
        else:
            title.click(position={"x": 8, "y": 8})
        page.wait_for_timeout(300)
        assert body.is_visible(), f"clicking the solution's {where} did not open it"
        if where == "title text":
            title.locator("a, span").first.click()
            page.wait_for_timeout(300)
            assert not body.is_visible(), "a second click did not close the solution"


# ---------------------------------------------------------------------------------------------
# A light first visit, and a chapter that prints
# ---------------------------------------------------------------------------------------------
# Bytes transferred on a page's first visit, gzip as a web server sends text: at most 1.0 MB.
# Of that, the Chinese font is the page's own cut of Noto Sans SC (its characters only, one
# file): CJK_FONT_LIMIT caps it, and no slice for typed characters is fetched before the reader
# types (the single subset of every character of the site, 0.41 MB, made chapters 1.00-1.09 MB).
FIRST_VISIT_LIMIT = 1_000_000
CJK_FONT_LIMIT = 300_000
LIGHT_PAGES = [*CHAPTERS, SITE / "intro.html", SITE / "appendix" / "glossary.html"]
_TEXT = (".html", ".js", ".css", ".json", ".svg", ".txt", ".map")


def transferred(path: Path) -> int:
    """Bytes a web server sends for one file: gzip for text, as is for images and fonts."""
    import gzip

    data = path.read_bytes()
    return len(gzip.compress(data, 6)) if path.suffix in _TEXT or path.name.endswith(".js") else len(data)


@pytest.mark.parametrize("html", LIGHT_PAGES, ids=lambda p: p.stem)
def test_first_visit_is_light(browser, base_url, html):
    """A page's first visit (empty cache, desktop) transfers at most 1.0 MB; images below the fold wait;
    the Chinese font fetched is the page's own, under CJK_FONT_LIMIT."""
    import json
    from urllib.parse import unquote, urlparse

    context, pg = _new_page(browser, base_url, viewport={"width": 1280, "height": 900})
    asked: list[str] = []
    pg.on("request", lambda r: asked.append(r.url))
    open_chapter(pg, Path(os.path.relpath(html, SITE / "chapters")).as_posix())
    # what is weighed is bytes, not speed: on a loaded machine (CI beside other jobs) a page with many
    # figures once took over the default 30 s to go quiet
    pg.wait_for_load_state("networkidle", timeout=120_000)
    _check_stayed_local(pg)
    context.close()
    files = {SITE / unquote(urlparse(u).path).lstrip("/") for u in asked if u.startswith(base_url)}
    sizes = {str(f.relative_to(SITE)): transferred(f) for f in files if f.is_file()}
    total = sum(sizes.values())
    record = SITE.parent / "page_weight.json"
    weights = json.loads(record.read_text()) if record.exists() else {}
    fonts = {name: size for name, size in sizes.items() if name.startswith("_vendor/fonts/")}
    weights[html.stem] = {"bytes": total, "requests": len(asked), "cjk_font_bytes": sum(fonts.values())}
    record.write_text(json.dumps(weights, indent=1, sort_keys=True))
    heaviest = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    assert total <= FIRST_VISIT_LIMIT, f"{html.name}: first visit {total / 1e6:.2f} MB; heaviest {heaviest}"
    own = page_font(html)
    allowed = {str(f.relative_to(SITE.resolve())) for f in [own, *page_font_extra(html)] if f}
    assert own is not None and str(own.relative_to(SITE.resolve())) in fonts and set(fonts) <= allowed, (
        f"{html.name}: Chinese fonts fetched {fonts}, expected the page's own font only"
    )
    assert sum(fonts.values()) <= CJK_FONT_LIMIT, f"{html.name}: {sum(fonts.values()) / 1e3:.0f} kB of Chinese font"


def test_a_chapter_prints_with_solutions_and_without_sidebars(page):
    open_chapter(page, "04_attention.html")
    page.emulate_media(media="print")
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    for chrome in (".bd-sidebar-primary", ".bd-sidebar-secondary", ".bd-header-article"):
        shown = page.locator(chrome)
        assert shown.count() == 0 or not shown.first.is_visible(), f"{chrome} is printed"
    solution = page.locator(".solution").first
    assert solution.locator(".admonition-title ~ *").first.is_visible(), "a solution is printed folded"
    folded = page.locator(".bd-article details")
    assert all(folded.nth(i).evaluate("(d) => d.open") for i in range(folded.count()))
    assert page.locator(".cell_output img").count() >= 1
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 4
    page.emulate_media(media="screen")


# ---------------------------------------------------------------------------------------------
# Optional sections fold (_ext/optional_sections.py, book-site.js 7, book-site.css)
# ---------------------------------------------------------------------------------------------
FOLDED = [h for h in CHAPTERS if 'class="optional-section"' in h.read_text(encoding="utf-8")]
# the first fold of the page that holds `what` (a CSS selector); its index among the page's folds
_FIRST_FOLD_WITH = """(what) => [...document.querySelectorAll('details.optional-section')]
    .findIndex((d) => d.querySelector('.optional-section-body ' + what))"""
# a section inside a fold that the "On this page" list names (its id), or null
_FOLDED_TOC_ENTRY = """() => {
  const listed = new Set([...document.querySelectorAll('#pst-page-toc-nav a[href^="#"]')].map((a) => a.hash.slice(1)));
  const inside = [...document.querySelectorAll('details.optional-section section[id]')].map((s) => s.id);
  return inside.find((id) => listed.has(id)) || null;
}"""


def _chapter_with_fold_holding(page, what: str) -> tuple[str, int]:
    """(chapter file name, index of the fold) of the first chapter whose fold holds ``what``."""
    for html in FOLDED:
        open_chapter(page, html.name, folds_open=False)
        i = page.evaluate(_FIRST_FOLD_WITH, what)
        if i >= 0:
            return html.name, i
    pytest.fail(f"no chapter has an Optional section that holds {what!r}")


def test_chapters_have_optional_sections_folded():
    assert len(FOLDED) >= 5, [h.name for h in FOLDED]


def test_an_optional_section_is_closed_on_load_and_a_click_opens_and_closes_it(page):
    name, i = _chapter_with_fold_holding(page, ".cell_output img")
    fold = page.locator(FOLDS).nth(i)
    summary = fold.locator(":scope > summary")
    figure = fold.locator(".cell_output img").first
    assert not fold.evaluate("(d) => d.open"), f"{name}: the fold is open on load"
    assert not figure.is_visible(), f"{name}: a figure of a closed fold is shown"
    # the section's heading and first paragraph ("Optional. ...") stay outside the fold, shown
    first = fold.evaluate("(d) => d.previousElementSibling.textContent.trim()")
    assert first.startswith("Optional"), f"{name}: the paragraph before the fold is {first[:60]!r}"
    assert summary.is_visible() and "Show this optional section" in summary.inner_text()
    summary.click()
    assert fold.evaluate("(d) => d.open"), f"{name}: a click did not open the fold"
    figure.scroll_into_view_if_needed()
    figure.wait_for(state="visible")
    box = figure.bounding_box()
    assert box and box["width"] > 150 and box["height"] > 100, f"{name}: the folded figure is drawn at {box}"
    assert "Hide this optional section" in summary.inner_text()
    summary.click()
    assert not fold.evaluate("(d) => d.open") and not figure.is_visible(), f"{name}: a second click did not close it"


def test_an_explorer_in_a_fold_draws_at_full_width_when_opened(page):
    name, i = _chapter_with_fold_holding(page, EXPLORERS)
    fold = page.locator(FOLDS).nth(i)
    explorer = fold.locator(EXPLORERS).first
    assert not explorer.is_visible()
    fold.locator(":scope > summary").click()
    explorer.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    box = explorer.bounding_box()
    column = page.evaluate("() => document.querySelector('.bd-article').clientWidth")
    assert box and box["width"] > 0.8 * column and box["height"] > 100, f"{name}: explorer {box}, column {column}px"
    drawn = explorer.evaluate("""(root) => [...root.querySelectorAll('svg, canvas, table, input')]
        .filter((e) => e.getBoundingClientRect().width > 0).length""")
    assert drawn > 0, f"{name}: the explorer in the fold drew nothing visible"


def _in_view(page, element_id: str) -> bool:
    return page.evaluate("""(id) => {
      const r = document.getElementById(id).getBoundingClientRect();
      return r.height > 0 && r.top >= -2 && r.top < window.innerHeight;
    }""", element_id)


def _folded_toc_entry(page) -> tuple[str, str]:
    for html in FOLDED:
        open_chapter(page, html.name, folds_open=False)
        found = page.evaluate(_FOLDED_TOC_ENTRY)
        if found:
            return html.name, found
    pytest.fail("no \"On this page\" entry points inside an Optional section's fold")


def test_a_link_to_an_anchor_inside_a_fold_opens_it(page):
    name, anchor = _folded_toc_entry(page)
    # the address's #fragment, on load
    page.goto(f"{page.base}/chapters/{name}#{anchor}", wait_until="load")
    page.wait_for_timeout(500)
    fold = page.locator(f"{FOLDS}:has(#{anchor})")
    assert fold.evaluate("(d) => d.open"), f"{name}#{anchor}: loading the address left its fold closed"
    assert _in_view(page, anchor), f"{name}#{anchor}: not scrolled to"
    # the "On this page" entry, clicked on a fresh load (fold closed)
    open_chapter(page, name, folds_open=False)
    assert not fold.evaluate("(d) => d.open")
    entry = page.locator(f'#pst-page-toc-nav a[href="#{anchor}"]')
    if entry.is_visible():
        entry.click()
    else:  # a third-level entry the theme shows only while its section is read: the same click event
        entry.evaluate("(a) => a.click()")
    page.wait_for_timeout(500)
    assert fold.evaluate("(d) => d.open"), f"{name}: the \"On this page\" entry #{anchor} left its fold closed"
    assert _in_view(page, anchor), f"{name}#{anchor}: the entry did not scroll to it"
    # closed again, then the same link clicked again (no hashchange): it opens again
    fold.evaluate("(d) => { d.open = false; }")
    entry.evaluate("(a) => a.click()")
    page.wait_for_timeout(500)
    assert fold.evaluate("(d) => d.open") and _in_view(page, anchor), f"{name}: a second click on #{anchor} did not open it"
    # hashchange (the back button, a link typed into the address)
    page.evaluate("() => { location.hash = ''; }")
    fold.evaluate("(d) => { d.open = false; }")
    page.evaluate("(id) => { location.hash = id; }", anchor)
    page.wait_for_timeout(500)
    assert fold.evaluate("(d) => d.open"), f"{name}: hashchange to #{anchor} left its fold closed"


def test_the_fold_button_fits_a_phone_and_is_easy_to_tap(phone):
    for html in FOLDED[:4]:
        open_chapter(phone, html.name, folds_open=False)
        width = phone.evaluate("() => document.documentElement.clientWidth")
        summaries = phone.locator(f"{FOLDS} > summary")
        for k in range(summaries.count()):
            s = summaries.nth(k)
            s.scroll_into_view_if_needed()
            box = s.bounding_box()
            assert box["height"] >= 40, f"{html.name}: fold button {k} is {box['height']:.0f} px high"
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"{html.name}: fold button {k}: {box}"
            px = s.evaluate("(e) => parseFloat(getComputedStyle(e).fontSize)")
            assert px >= 14, f"{html.name}: the fold button's text is {px} px"
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= width + 1


def test_a_printed_chapter_shows_what_its_folds_hold(page):
    name, i = _chapter_with_fold_holding(page, ".cell_output img")
    fold = page.locator(FOLDS).nth(i)
    figure = fold.locator(".cell_output img").first
    body = fold.locator(":scope > .optional-section-body")
    page.emulate_media(media="print")
    try:
        if page.evaluate("() => CSS.supports('selector(::details-content)')"):
            height = body.evaluate("(e) => e.getBoundingClientRect().height")
            assert height > 100, f"{name}: print media alone leaves the fold's content hidden ({height} px)"
        page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        assert fold.evaluate("(d) => d.open"), f"{name}: a printed fold stays closed"
        figure.scroll_into_view_if_needed()  # loading="lazy": the browser loads it when it is near
        figure.wait_for(state="visible", timeout=5000)
        assert not fold.locator(":scope > summary").is_visible(), f"{name}: the fold's button is printed"
    finally:
        page.emulate_media(media="screen")
