"""Small glue between notebook code and the book's text."""

from __future__ import annotations

import importlib.util
from typing import Any

GLUE_PREFIX = "application/papermill.record/"  # myst_nb.ext.glue.GLUE_PREFIX


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the text (MyST ``{glue}`` roles); shows nothing.

    In the book build this does what ``myst_nb.glue`` does (the same display call, written out here:
    importing myst-nb costs every chapter about a second); where myst-nb is not installed (Colab, a
    plain kernel) it only displays the value if ``display`` is True. It returns ``None`` on purpose:
    a ``glue(...)`` call on the last line of a cell must not leave an output box on the page.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"glue name must be an identifier-like string, got {name!r}")
    if not isinstance(display, bool):
        raise TypeError(f"display must be True or False, got {display!r}")
    from IPython.display import display as _display

    if importlib.util.find_spec("myst_nb") is None:
        if display:
            _display(value)
        return None
    from IPython.core.formatters import format_display_data

    bundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=prefix)
    _display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)
    return None
