"""What every static explorer embeds in its output: a unique root id, its data as JSON, its script.

An explorer's HTML is one ``<div id=root>`` holding a ``<script type="application/json">`` with the
data (computed in Python) and a rendered first view; the explorer's ``.js`` file, read from this
package, is a function called with the root's id, which wires the controls to the data.
"""

from __future__ import annotations

import json
import uuid
from importlib import resources


def new_root_id(prefix: str) -> str:
    """A fresh element id such as ``"ax-3f2a9c01de"`` (``prefix``: the explorer's CSS prefix), so that
    several explorers (or two copies of one) on a page never share an id."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def json_payload(data: object) -> str:
    """``data`` as compact JSON (non-ASCII kept) that is safe inside ``<script>``: ``</`` is written
    ``<\\/``, so no string in the data can close the script element."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def script_call(name: str, root_id: str) -> str:
    """``<script>`` with the explorer's script ``name`` (e.g. ``"loss.js"``), called on ``root_id``."""
    js = resources.files("helpers.explorers").joinpath(name).read_text(encoding="utf-8")
    return f'<script>{js}("{root_id}");</script>'
