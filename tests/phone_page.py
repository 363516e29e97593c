"""A fragment of HTML (an explorer) on a 390-px phone page in headless Chromium, for the tests that
check an explorer fits a phone: the page the book gives it (19-px margins, a 352-px column)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def phone_page(html: str, folder: Path, name: str = "explorer.html") -> Iterator[object]:
    """Yield a Playwright page showing ``html`` in a phone's column; skips without Chromium or
    Playwright (CI's no-skip rule then fails the test)."""
    if not shutil.which("chromium"):
        pytest.skip("no Chromium on PATH: the phone check in a browser is skipped")
    sync_api = pytest.importorskip("playwright.sync_api")
    path = folder / name
    path.write_text("<!doctype html><meta charset='utf-8'><meta name='viewport' content='width=device-width'>"
                    "<body style='margin:0;padding:0 19px'><div style='width:352px'>" + html + "</div>",
                    encoding="utf-8")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(path.as_uri())
            yield page
        finally:
            browser.close()
