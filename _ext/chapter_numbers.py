"""Number exercises (and other numbered items) per chapter: Exercise 4.1, 4.2, ... in chapter 4.

Sphinx numbers enumerable nodes across the whole book unless the table of contents is
numbered, and a numbered table of contents would start at 1, not at chapter 0. This
extension renumbers the items of each ``chapters/NN_topic`` page as (NN, 1), (NN, 2), ...
right after Sphinx has assigned its own numbers, so that a syllabus can cite "Exercise 4.2".
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

CHAPTER = re.compile(r"(?:^|/)chapters/(\d+)_[^/]+$")


def renumber(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """Rewrite ``env.toc_fignumbers`` so that numbers restart at (chapter, 1) on each chapter."""
    changed = []
    for docname, by_type in env.toc_fignumbers.items():
        match = CHAPTER.search(docname)
        if not match:
            continue
        chapter = int(match.group(1))
        for figtype, numbers in by_type.items():
            ordered = sorted(numbers, key=lambda node_id: numbers[node_id])
            new = {node_id: (chapter, i + 1) for i, node_id in enumerate(ordered)}
            if new != numbers:
                by_type[figtype] = new
                changed.append(docname)
    return sorted(set(changed))


def setup(app: Sphinx) -> dict:
    # After Sphinx's TocTreeCollector (priority 500) has assigned book-wide numbers.
    app.connect("env-get-updated", renumber, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
