"""The built website in a real browser (headless Chromium), with the network off.

Every chapter page: figures present, no blank output and no "Loading widget", none of the
book's own scripts raising a JavaScript error; every explorer responds to its controls and
stays under about 300 KB. Run after the book is built: `make browser` (part of `make test`).
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socketserver
import threading
from pathlib import Path

import pytest

SITE = Path(__file__).resolve().parents[2] / "_build" / "html"
CHAPTERS = sorted((SITE / "chapters").glob("*.html"))
KNOWN_THIRD_PARTY = ("THEBE_JS_URL",)  # sphinx-thebe 0.3.1 declares its config twice; not ours


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
        b = p.chromium.launch(executable_path=exe, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    blocked = []

    def route(r):  # the network is off: only the local server answers
        if r.request.url.startswith(base_url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.base = base_url
    yield pg
    context.close()


def open_chapter(page, name: str):
    page.goto(f"{page.base}/chapters/{name}", wait_until="load")
    page.wait_for_timeout(300)
    return page


def test_there_are_chapter_pages():
    assert len(CHAPTERS) >= 7, CHAPTERS


@pytest.mark.parametrize("html", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_page_renders(page, html):
    open_chapter(page, html.name)
    body = page.inner_text("body")
    assert "Loading widget" not in body
    figures = page.locator("img[src*='_images/']")
    assert figures.count() >= 1, "no figure on the page"
    for i in range(figures.count()):
        assert page.evaluate("(img) => img.complete && img.naturalWidth > 0", figures.nth(i).element_handle())
    outputs = page.locator(".cell_output")
    for i in range(outputs.count()):
        out = outputs.nth(i)
        has_content = out.inner_text().strip() or out.locator("img, table, svg, textarea").count()
        assert has_content, f"blank output #{i} on {html.name}"
    own_errors = [e for e in page.errors if not any(k in e for k in KNOWN_THIRD_PARTY)]
    assert not own_errors, own_errors
    for root in page.locator(".tx-root, .ax-root, .mx-root").all():
        assert root.get_attribute("data-live") == "1", "an explorer's script did not start"
        assert len(root.evaluate("(e) => e.outerHTML").encode()) < 300_000


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
    assert root.locator(".ax-layer").input_value() == "1"  # the chapter opens it on layer 2
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
    assert root.get_attribute("data-state").startswith("1|decoder|1|2|masked")


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


def test_solutions_reveal(page):
    open_chapter(page, "00_big_picture.html")
    solution = page.locator(".solution.dropdown").first
    solution.scroll_into_view_if_needed()
    assert not solution.locator(".cell_output").first.is_visible()
    solution.locator(".toggle-button, button, summary").first.click()
    page.wait_for_timeout(400)
    assert solution.locator(".cell_output").first.is_visible()
