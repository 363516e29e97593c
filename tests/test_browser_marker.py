"""The rule in tests/conftest.py that marks browser-driving tests (``make test-lowest`` deselects them):
it catches every way a test opens Chromium and nothing else."""

from __future__ import annotations

from types import SimpleNamespace

from conftest import drives_browser


def _uses_playwright():
    import playwright.sync_api  # noqa: F401  (only read by inspect, never run)


def _uses_phone_page(tmp_path):
    from phone_page import phone_page

    with phone_page("<p>x</p>", tmp_path):
        pass


def _names_the_tool_only():
    tools = {"pytest", "playwright", "trl"}  # a declaration, not a browser
    return tools


def test_a_test_that_opens_playwright_is_marked():
    assert drives_browser(SimpleNamespace(fixturenames=[], function=_uses_playwright))


def test_a_test_on_the_phone_page_is_marked():
    assert drives_browser(SimpleNamespace(fixturenames=["tmp_path"], function=_uses_phone_page))


def test_a_test_with_the_chromium_fixture_is_marked():
    assert drives_browser(SimpleNamespace(fixturenames=["chromium", "tmp_path"], function=_names_the_tool_only))


def test_naming_playwright_is_not_driving_a_browser():
    assert not drives_browser(SimpleNamespace(fixturenames=[], function=_names_the_tool_only))
    assert not drives_browser(SimpleNamespace(fixturenames=[]))  # an item without a function (nbval cell)


def test_the_known_browser_tests_are_marked():
    """Collected in this session: the marker is on the explorers' browser tests (when collected)."""
    import test_timeline

    item = SimpleNamespace(fixturenames=["monkeypatch", "tmp_path"], function=test_timeline.test_explorer_in_a_browser)
    assert drives_browser(item)
