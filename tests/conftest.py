"""Under CI, a skipped test is a failed test.

A test skips where something it needs is missing (a reference library, the model file, Chromium).
On a reader's machine that is a fair message; in CI (the environment variable CI set, as `.ci/run`
sets it) it would let a check pass without running, so every skip is turned into a failure that
names what was missing. A test that may legitimately skip in CI says so with
``@pytest.mark.ci_may_skip``.
"""

from __future__ import annotations

import os

import pytest


def strict() -> bool:
    """True on CI (CI set and not 0/false)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_configure(config):
    config.addinivalue_line("markers", "ci_may_skip: this test may skip even under CI")


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
