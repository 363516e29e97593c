"""A one-chapter copy of the book's configuration, for tests of the Chinese build and the learner's notebooks."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "chapters/04_attention"


def mini_book(tmp_path: Path, intro: str = "# Intro\n", caption: str = "A") -> Path:
    """Make ``tmp_path/book``: the real ``_config.yml`` and ``references.bib``, a table of contents with
    one part (``caption``) holding ``chapters/04_attention``, and ``intro.md`` (``intro``). The chapter's
    notebook is the caller's to write (``root / CHAPTER`` + ``.ipynb``). Returns the book's root."""
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    for name in ("_config.yml", "references.bib"):
        (root / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    (root / "_toc.yml").write_text(f"format: jb-book\nroot: intro\nparts:\n  - caption: {caption}\n    chapters:\n"
                                   f"      - file: {CHAPTER}\n", encoding="utf-8")
    (root / "intro.md").write_text(intro, encoding="utf-8")
    return root
