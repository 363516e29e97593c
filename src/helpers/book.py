"""Small glue between notebook code and the book's text."""

from __future__ import annotations

from typing import Any


def glue(name: str, value: Any, display: bool = False) -> Any:
    """Store ``value`` under ``name`` for the text (MyST ``{glue}`` roles) and return it.

    In the book build this is ``myst_nb.glue``; where myst-nb is not installed (Colab, a plain
    kernel) it only displays the value if ``display`` is True.
    """
    try:
        from myst_nb import glue as _glue
    except ImportError:
        if display:
            from IPython.display import display as _display

            _display(value)
        return value
    _glue(name, value, display=display)
    return value
