"""Where no Chromium can be found (macOS, a machine without root), skip the browser test and say so.

The test drives the system's Chromium (`chromium` or `chromium-browser` on PATH) through playwright;
`make test` installs Debian's package when run as root. Elsewhere each test is skipped with a reason
that names what was skipped. With the environment variable CI set (`.ci/run` sets CI=true) nothing is
skipped: a missing browser is then an error, so that CI cannot pass without running the test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SKIP_REASON = (
    "browser test of the built site (tests/browser) skipped: no Chromium on PATH "
    "('chromium' or 'chromium-browser'); install it (e.g. sudo apt-get install chromium) to run it"
)


def chromium_found() -> bool:
    """True if a Chromium executable the test can drive is on PATH."""
    return bool(shutil.which("chromium") or shutil.which("chromium-browser"))


def strict() -> bool:
    """True on CI (CI set and not 0/false): a missing browser must fail, not skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config, items):
    if chromium_found() or strict():
        return
    mark = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if Path(str(item.path)).resolve() == HERE / "test_site.py":  # the others need no browser
            item.add_marker(mark)
