"""The Chinese edition (zh/ of the built site, `make book-zh`): every page there, linked both ways,
the same numbers as the English page, Chinese search that finds words typed without spaces, and
pages that render offline (math typeset, Chinese drawn, no request leaving the site)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from test_site import (  # noqa: F401
    PHONE,
    SITE,
    _check_stayed_local,
    _new_page,
    base_url,
    browser,
    check_nothing_clipped,
    check_punctuation_stays_with_its_formula,
    open_chapter,
)

ZH = SITE / "zh"
PAGES = sorted(p.relative_to(SITE) for p in SITE.glob("**/*.html")
               if p.relative_to(SITE).parts[0] not in ("zh", "_static", "_sources", "_vendor", "_images")
               and p.name not in ("search.html", "genindex.html", "index.html"))
SWITCH = re.compile(r'<p class="edition-switch"><a href="([^"]+)"')
PASTED = re.compile(r'<span class="pasted-text">([^<]*)</span>')
NUMBER = re.compile(r"[−-]?\d[\d,.]*\d|\d")


def test_every_page_exists_in_chinese_and_links_to_itself_in_both_directions():
    assert (ZH / "index.html").exists(), f"no Chinese edition at {ZH}: run `make book-zh`"
    assert len(PAGES) >= 18, PAGES
    for rel in PAGES:
        en, zh = SITE / rel, ZH / rel
        assert zh.exists(), f"{rel} has no Chinese page"
        for here, there in ((en, zh), (zh, en)):
            m = SWITCH.search(here.read_text(encoding="utf-8"))
            assert m, f"{here.relative_to(SITE)}: no link to the other edition"
            assert (here.parent / m.group(1)).resolve() == there.resolve(), (here, m.group(1))


@pytest.mark.parametrize("rel", [p for p in PAGES if p.parts[0] == "chapters"], ids=lambda p: p.stem)
def test_the_chinese_page_shows_the_english_numbers(rel):
    """Every glued value of the English page is on the Chinese page, compared by the numbers it
    holds: a glued phrase said in each edition's words ("60% of their poems each" / "都是 60%", or
    "1, 2, 11" / "1、2、11") holds the same numbers."""
    def numbers(page: Path) -> Counter:
        out = Counter()
        for pasted in PASTED.findall(page.read_text(encoding="utf-8")):
            out.update(NUMBER.findall(pasted))
        return out

    en, zh = numbers(SITE / rel), numbers(ZH / rel)
    assert en == zh, f"{rel}: numbers only in English {en - zh}, only in Chinese {zh - en}"


def test_chinese_pages_say_they_are_chinese():
    page = (ZH / "chapters" / "04_attention.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in page or "lang=\"zh-CN\"" in page.split(">", 2)[1]
    assert "Transformer 是怎样学习的" in page


# English words of the page furniture the Chinese edition sets (myst-nb's code toggles) or writes itself
# (the explorers' controls, drawn by helpers.i18n in the Chinese run): none may reach a Chinese page.
ENGLISH_FURNITURE = ("Show code cell", "Hide code cell", "(or click a row's token)", "attends to:",
                     "encoder self-attention", "also mask padded queries",
                     "Repository", "Open issue",  # the theme's buttons (book_theme_words, _ext/edition.py)
                     "Show this optional section", "Hide this optional section")  # _ext/optional_sections.py


@pytest.mark.parametrize("rel", [p for p in PAGES if p.parts[0] == "chapters"], ids=lambda p: p.stem)
def test_no_english_furniture_on_a_chinese_page(rel):
    page = (ZH / rel).read_text(encoding="utf-8")
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)  # the scripts' English fallbacks
    # the code cells, identical in both editions: t("encoder self-attention") is code, not furniture
    page = re.sub(r'<div class="highlight-ipython3 notranslate"><div class="highlight"><pre>.*?</pre>', " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", "", page).replace("&#39;", "'")
    left = [w for w in ENGLISH_FURNITURE if w in page]
    assert not left, f"zh/{rel}: English words on the Chinese page: {left}"


@pytest.fixture
def zh_page(browser, base_url):  # noqa: F811
    context, pg = _new_page(browser, base_url, viewport={"width": 1280, "height": 900})
    pg.base = f"{base_url}/zh"
    yield pg
    _check_stayed_local(pg)
    context.close()


@pytest.mark.parametrize("query, page", [
    ("注意力权重", "chapters/04_attention"),  # a glossary term inside an unspaced sentence
    ("最大的权重", "chapters/04_attention"),  # typed without spaces: cut into 最大 + 权重
    ("因果掩码", "chapters/05_masking"),
])
def test_chinese_search_finds_words_typed_without_spaces(zh_page, query, page):
    zh_page.goto(f"{zh_page.base}/search.html?q={query}", wait_until="load")
    # results appear one by one; the title turns to "Search Results" (in the page's language) when all are in
    zh_page.wait_for_function("() => typeof Search !== 'undefined' && Search.title"
                              " && Search.title.innerText === Documentation.gettext('Search Results')", timeout=30_000)
    hits = zh_page.eval_on_selector_all("#search-results li a", "(as) => as.map((a) => a.getAttribute('href'))")
    assert any(page in h for h in hits), f"{query!r} did not find {page}: {hits[:10]}"


def _search(zh_page, query: str) -> list[str]:
    """The pages the Chinese search lists for ``query``, best first (a page once, its sections after it)."""
    zh_page.goto(f"{zh_page.base}/search.html?q={query}", wait_until="load")
    zh_page.wait_for_function("() => typeof Search !== 'undefined' && Search.title"
                              " && Search.title.innerText === Documentation.gettext('Search Results')", timeout=30_000)
    hits = zh_page.eval_on_selector_all("#search-results li a", "(as) => as.map((a) => a.getAttribute('href'))")
    return list(dict.fromkeys(h.split("#")[0].removesuffix(".html") for h in hits))


@pytest.mark.parametrize("query, page, top", [
    ("注意力权重", "chapters/04_attention", 1),  # the chapter about attention, though it mostly says 注意力 and 权重
    ("最大的权重", "chapters/04_attention", 3),
    ("因果掩码", "chapters/05_masking", 3),
    ("反向传播", "chapters/09_backpropagation", 1),
    ("交叉熵", "chapters/08_loss", 1),  # not 交叉注意力's chapter: 交叉熵 is not 交叉 + a character
])
def test_chinese_search_ranks_the_chapter_about_the_query_first(zh_page, query, page, top):
    """The ranking of _ext/edition.py (title topic, headings, counts; a compound scored by its parts too)."""
    pages = _search(zh_page, query)
    assert page in pages[:top], f"{query!r}: {page} not in the first {top}: {pages[:5]}"
    if query == "反向传播":
        assert pages.index("chapters/09_backpropagation") < pages.index("chapters/10_pretraining_finetuning"), pages


def test_explorer_labels_space_latin_tokens_from_chinese(zh_page):
    """"<b>The</b> 关注的词元", not "The关注的词元": a Latin token in a Chinese label is spaced (attention.js)."""
    open_chapter(zh_page, "04_attention.html")
    root = zh_page.locator(".ax-root").first
    root.wait_for(state="attached")
    zh_page.wait_for_function("() => document.querySelector('.ax-root').dataset.live === '1'")
    seen = []
    for kind in root.locator(".ax-kind option").evaluate_all("(os) => os.map((o) => o.value)"):
        root.locator(".ax-kind").select_option(kind)
        for stage in ("weights", "output"):
            box = root.locator(f".ax-stage[value='{stage}']")
            if box.count():
                box.check()
            seen += [root.locator(".ax-focus").inner_text(), root.locator(".ax-hint").inner_text()]
    assert any(re.search(r"[A-Za-z] [\u3400-\u9fff]", text) for text in seen), seen  # a Latin token was shown
    glued = [text for text in seen if re.search(r"[A-Za-z][\u3400-\u9fff]|[\u3400-\u9fff][A-Za-z]", text)]
    assert not glued, glued


@pytest.fixture
def zh_phone(browser, base_url):  # noqa: F811
    context, pg = _new_page(browser, base_url, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    pg.base = f"{base_url}/zh"
    yield pg
    _check_stayed_local(pg)
    context.close()


@pytest.mark.parametrize("rel", [p for p in PAGES if p.parts[0] == "chapters"], ids=lambda p: p.stem)
def test_a_chinese_chapter_fits_a_phone(zh_phone, rel):
    """Chinese lines break differently from English ones: on a 390-px phone a Chinese chapter does
    not scroll sideways, no formula or heading is clipped, and no line starts with the punctuation
    after a formula."""
    open_chapter(zh_phone, rel.name)
    width = zh_phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"zh/{rel}: the page scrolls sideways on a phone ({width}px)"
    check_nothing_clipped(zh_phone, f"zh/{rel.name}")
    check_punctuation_stays_with_its_formula(zh_phone, f"zh/{rel.name}")


def test_a_translated_chapter_renders(zh_page):
    open_chapter(zh_page, "04_attention.html")
    text = zh_page.inner_text("main")
    assert "注意力" in text and "尚未翻译" not in text
    assert zh_page.locator("mjx-container").count() > 10, "math not typeset"
    raw = zh_page.evaluate("() => [...document.querySelectorAll('main p')].map((p) => p.innerText)"
                           ".filter((t) => /\\$[^$]+\\$|\\{glue|\\{term\\}/.test(t))")
    assert not raw, f"raw MyST or TeX left on the page: {raw[:3]}"


def test_a_chinese_optional_section_folds_with_a_chinese_button(zh_page):
    """An Optional section (**选读**) of a Chinese chapter: closed on load behind a Chinese button
    that opens it (_ext/optional_sections.py reads Sphinx's language)."""
    open_chapter(zh_page, "09_backpropagation.html", folds_open=False)
    fold = zh_page.locator("details.optional-section").first
    summary = fold.locator(":scope > summary")
    assert not fold.evaluate("(d) => d.open")
    assert "展开这一选读小节" in summary.inner_text(), summary.inner_text()
    first = fold.evaluate("(d) => d.previousElementSibling.textContent.trim()")
    assert first.startswith("选读"), first[:40]
    summary.click()
    assert fold.evaluate("(d) => d.open") and "收起这一选读小节" in summary.inner_text()
    assert fold.locator(".optional-section-body > *").first.is_visible()


def test_chinese_captions_are_regular_and_upright(zh_page):
    """Captions of the Chinese edition: one weight for Latin and Chinese (the CJK web font has only
    the regular weight, so the theme's light 300 drew digits lighter than characters), and the
    "图 n.m" label upright (Chinese type is not set in italics)."""
    open_chapter(zh_page, "07_transformer_block.html")
    styles = zh_page.evaluate("""() => [...document.querySelectorAll('main figcaption')].map((f) => {
        const p = f.querySelector('p') || f, n = f.querySelector('.caption-number');
        return [getComputedStyle(p).fontWeight, n ? getComputedStyle(n).fontStyle : 'normal'];
    })""")
    assert styles, "no figure captions on the page"
    assert all(w == "400" and s == "normal" for w, s in styles), styles


# What the theme's templates and sphinx-togglebutton's script say to screen readers in English
# (_ext/edition_templates and _ext/edition.py translate them).
ENGLISH_LABELS = ("Main", "Page", "Toggle hidden content", "Toggle primary sidebar",
                  "Toggle secondary sidebar", "Search", "Color mode", "Source repositories",
                  "Launch interactive content", "Download this page")


def test_a_chinese_page_speaks_chinese_to_screen_readers(zh_page):
    open_chapter(zh_page, "08_loss.html")  # solutions and hidden code: togglebutton's buttons
    labels = zh_page.evaluate("() => [...document.querySelectorAll('[aria-label], [title]')]"
                              ".flatMap((e) => [e.getAttribute('aria-label'), e.getAttribute('title')])"
                              ".filter((x) => x)")
    assert any("显示或隐藏内容" == label for label in labels), "no togglebutton on the page?"
    english = sorted({label for label in labels if label in ENGLISH_LABELS})
    assert not english, f"English aria-labels or tooltips on a Chinese page: {english}"


@pytest.mark.ci_may_skip
def test_an_untranslated_unit_is_marked(zh_page):
    marked = [p for p in PAGES if "untranslated" in (ZH / p).read_text(encoding="utf-8")]
    if not marked:
        pytest.skip("every unit is translated")
    zh_page.goto(f"{zh_page.base}/{marked[0].with_suffix('.html').as_posix()}", wait_until="load")
    label = zh_page.evaluate("() => getComputedStyle(document.querySelector('div.untranslated'), '::before').content")
    assert "尚未翻译" in label or "译文待更新" in label
