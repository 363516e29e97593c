"""Small glue between notebook code and the book's text."""

from __future__ import annotations

from typing import Any


def glue(name: str, value: Any, display: bool = False) -> None:
    """Store ``value`` under ``name`` for the text (MyST ``{glue}`` roles); shows nothing.

    In the book build this is ``myst_nb.glue``; where myst-nb is not installed (Colab, a plain
    kernel) it only displays the value if ``display`` is True. It returns ``None`` on purpose:
    a ``glue(...)`` call on the last line of a cell must not leave an output box on the page.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"glue name must be an identifier-like string, got {name!r}")
    if not isinstance(display, bool):
        raise TypeError(f"display must be True or False, got {display!r}")
    try:
        from myst_nb import glue as _glue
    except ImportError:
        if display:
            from IPython.display import display as _display

            _display(value)
        return None
    _glue(name, value, display=display)
    return None
