"""Under CI, a skipped test is a failed test.

A test skips where something it needs is missing (a reference library, the model file, Chromium).
On a reader's machine that is a fair message; in CI (the environment variable CI set, as `.ci/run`
sets it) it would let a check pass without running, so every skip is turned into a failure that
names what was missing. A test that may legitimately skip in CI says so with
``@pytest.mark.ci_may_skip``.
"""

from __future__ import annotations

import importlib.util
import inspect
import os
from pathlib import Path

import pytest

# What marks a test as driving a browser: it asks for the ``chromium`` fixture, or its body opens
# Playwright or the shared phone page (tests/phone_page.py). `make test-lowest` deselects them
# (``-m "not drives_browser"``): its environments install neither Playwright nor Chromium, and under
# CI a skip fails. A new browser test is caught by this rule without editing the Makefile.
BROWSER_SIGNS = ("playwright.sync_api", "phone_page(")


def strict() -> bool:
    """True on CI (CI set and not 0/false)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_configure(config):
    config.addinivalue_line("markers", "ci_may_skip: this test may skip even under CI")
    config.addinivalue_line("markers", "drives_browser: the test drives Chromium (set by conftest, not by hand)")


def drives_browser(item) -> bool:
    """True if the test item uses the ``chromium`` fixture or its function's source opens Playwright
    or the phone page."""
    if "chromium" in getattr(item, "fixturenames", ()):
        return True
    function = getattr(item, "function", None)
    try:
        source = inspect.getsource(function) if function is not None else ""
    except (OSError, TypeError):
        return False
    return any(sign in source for sign in BROWSER_SIGNS)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:
        if drives_browser(item):
            item.add_marker(pytest.mark.drives_browser)


def _fail_skip(report, where: str) -> None:
    report.outcome = "failed"
    report.longrepr = f"skipped under CI (CI is set, so nothing may be skipped) in {where}: {report.longrepr}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if strict() and report.skipped and not hasattr(report, "wasxfail") and "ci_may_skip" not in item.keywords:
        _fail_skip(report, item.nodeid)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    report = outcome.get_result()
    if strict() and report.skipped:
        _fail_skip(report, str(collector.nodeid))


@pytest.fixture
def book_style():
    """Draw with the book's figure settings (helpers.viz.BOOK_RC) and its Chinese font, as a chapter
    does after viz.setup_figures(); close every figure afterwards. A figure test module asks for it
    with ``pytestmark = pytest.mark.usefixtures("book_style")``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.viz import BOOK_RC, setup_cjk_font

    with matplotlib.rc_context(BOOK_RC):
        setup_cjk_font()
        yield
    plt.close("all")


@pytest.fixture(autouse=True)
def _fresh_sphinx_source_suffix():
    """Sphinx 7 hands every app the same default ``source_suffix`` dict, and myst-parser / myst-nb
    add ".md" to it in place: a second small site built in the same process (test_edition,
    test_bib_style) then asks for a parser it has not loaded ("Source parser for markdown not
    registered"). Put the default back after every test."""
    yield
    try:
        from sphinx.config import Config
    except ImportError:
        return
    default = Config.config_values["source_suffix"].default
    if isinstance(default, dict):
        default.clear()
        default[".rst"] = "restructuredtext"


@pytest.fixture(scope="module")
def site_assets():
    """The site's build extension ``_ext/site_assets.py``, loaded as a module (it is not a package)."""
    spec = importlib.util.spec_from_file_location("site_assets", Path(__file__).resolve().parents[1] / "_ext" / "site_assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
