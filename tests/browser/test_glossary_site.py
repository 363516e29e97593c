"""The glossary's aids on the built site (book-site.js, 6, and book-site.css): an "A–Z" link back to
the index, in the sticky header bar where the page has no "On this page" sidebar, and link underlines that leave the
underscores of a term such as "Q4_1, Q8_0" visible. Uses the site and fixtures of test_site.py."""

from __future__ import annotations

import shutil

import pytest
import test_site

base_url, browser, page, phone = test_site.base_url, test_site.browser, test_site.page, test_site.phone  # fixtures

pytestmark = pytest.mark.skipif(
    not (shutil.which("chromium") or shutil.which("chromium-browser")), reason="no Chromium on PATH (tests/browser)"
)

AZ = "a.book-az-link"


def test_the_glossary_has_an_a_to_z_link_on_a_phone_that_goes_back_to_the_index(phone):
    phone.goto(f"{phone.base}/appendix/glossary.html", wait_until="load")
    phone.evaluate("() => window.scrollTo(0, document.body.scrollHeight / 2)")
    link = phone.locator(AZ)
    assert link.count() == 1 and link.is_visible()
    assert link.get_attribute("href") == "#glossary-index"
    box = link.bounding_box()
    assert box["x"] + box["width"] <= 390 and box["y"] + box["height"] <= 844  # inside the screen
    # it never covers the text: it sits in the header bar (which the text scrolls under, as on every
    # page), beside the menu button, not floating over the article
    bar = phone.locator(".bd-header-article").bounding_box()
    assert phone.locator(f".bd-header-article {AZ}").count() == 1
    assert bar["y"] <= box["y"] and box["y"] + box["height"] <= bar["y"] + bar["height"], (box, bar)
    menu = phone.locator(".bd-header-article .primary-toggle").bounding_box()
    assert abs((menu["y"] + menu["height"] / 2) - (box["y"] + box["height"] / 2)) < 4, (menu, box)  # one row
    assert phone.evaluate("""() => { const r = document.querySelector('a.book-az-link').getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !hit.closest('.bd-article'); }""")
    link.click()
    phone.wait_for_timeout(300)
    top = phone.evaluate("() => document.getElementById('glossary-index').getBoundingClientRect().top")
    assert 0 <= top < 200, top


def test_the_a_to_z_link_is_hidden_beside_the_sidebar_and_absent_elsewhere(page, phone):
    page.goto(f"{page.base}/appendix/glossary.html", wait_until="load")  # 1280 px: "On this page" is shown
    assert not page.locator(AZ).is_visible()
    phone.goto(f"{phone.base}/appendix/notation.html", wait_until="load")
    assert phone.locator(AZ).count() == 0


def test_a_link_underline_sits_below_the_underscores(page):
    page.goto(f"{page.base}/appendix/glossary.html", wait_until="load")
    offset, size = page.evaluate(
        """() => { const a = [...document.querySelectorAll('.bd-article a')].find(x => x.textContent.includes('Q4_1'));
                   const s = getComputedStyle(a); return [parseFloat(s.textUnderlineOffset), parseFloat(s.fontSize)]; }"""
    )
    assert offset >= 0.25 * size, (offset, size)  # the theme's 0.16em drew the line over the "_"
