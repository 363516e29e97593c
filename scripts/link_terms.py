"""Link each glossary term at its first use in every chapter.

    python scripts/link_terms.py            # rewrite chapters/*.ipynb
    python scripts/link_terms.py --check    # list first uses that are not links; exit 1 if any

The terms are those of ``appendix/glossary.md``. In each chapter, the first place where a term
(or its plural, or the short form in brackets: "byte-pair encoding (BPE)" is found as either)
appears in the prose becomes ``{term}`text <term>```, which the website shows as a link to the
glossary entry. Headings, directive titles, code, math, links and roles are left alone, and a
term already linked anywhere in the chapter is not linked again.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from link_chapters import CHAPTERS, PROTECTED  # noqa: E402

GLOSSARY = ROOT / "appendix" / "glossary.md"
# Terms too common or too short to be worth a link in running prose.
SKIP = {"head", "mask", "merge", "token", "gradient", "attention", "encoder", "decoder", "alignment",
        # everyday words that are terms only in chapter 13 ("it rewards long keys", "an advantage")
        "reward", "advantage", "policy",
        # "key" and "value" are everyday words too ("a key idea", "three values of beta")
        "key", "value"}
# Glossary terms whose first uses the chapters do not link yet: the chapter-13 terms added in round 22
# (chapter 13 was being edited at the time). Add a term here to keep it unlinked for a while; remove it, run
# this script and translate the changed units to link it.
NOT_LINKED_YET: set[str] = set()


def glossary_terms(text: str | None = None) -> dict[str, str]:
    """Map each phrase to look for (lower case unless it holds a capital) to its glossary term."""
    text = GLOSSARY.read_text(encoding="utf-8") if text is None else text
    phrases: dict[str, str] = {}
    for block in re.findall(r"```\{glossary\}\n(.*?)```", text, re.S):
        for entry in re.split(r"\n\s*\n", block.strip()):
            names = [line.strip() for line in entry.splitlines() if line and not line[0].isspace()]
            for name in names:
                for phrase in _phrases(name):
                    phrases.setdefault(phrase, name)
    return {p: t for p, t in phrases.items() if p.lower() not in SKIP and p not in NOT_LINKED_YET}


def _phrases(term: str) -> list[str]:
    """'byte-pair encoding (BPE)' -> ['byte-pair encoding', 'BPE']; 'pre-norm, post-norm' -> both."""
    m = re.fullmatch(r"(.+?)\s*\((.+)\)", term)
    if m:
        inner = m.group(2)
        out = [m.group(1)]
        if not re.search(r"[_$]", inner):
            out.append(inner)
        return out
    if "," in term:
        return [p.strip() for p in term.split(",")]
    return [term]


def _pattern(phrase: str) -> re.Pattern:
    flags = 0 if any(c.isupper() for c in phrase) else re.I
    plural = "" if phrase.endswith("s") or not phrase[-1].isalpha() else "(?:e?s)?"
    return re.compile(rf"(?<![\w-]){re.escape(phrase)}{plural}(?![\w-])", flags)


def link_chapter(sources: list[str]) -> tuple[list[str], list[str]]:
    """Link the first use of each term across a chapter's markdown cells (in order).

    Returns (new sources, the terms linked).
    """
    terms = glossary_terms()
    already = {t for s in sources for t in re.findall(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`", s)}
    done = {t for t in terms.values() if t in already}
    linked: list[str] = []
    out = []
    for source in sources:
        lines = source.splitlines(keepends=True)
        in_math = False
        for i, line in enumerate(lines):
            stripped = line.lstrip()
            if line.count("$$") % 2 == 1:  # a display formula opens or closes on this line
                in_math = not in_math
                continue
            if in_math or "$$" in line:
                continue
            if re.match(r"(`{3,}|:{3,})", stripped):  # a fence line: a directive's title or code
                continue
            if stripped.startswith(("#", ":", "(", "|")) or _in_code_fence(lines, i):
                continue
            for phrase in sorted(terms, key=len, reverse=True):
                term = terms[phrase]
                if term in done:
                    continue
                new = _link_first(line, _pattern(phrase), term)
                if new != line:
                    line = new
                    done.add(term)
                    linked.append(term)
            lines[i] = line
        out.append("".join(lines))
    return out, linked


def _in_code_fence(lines: list[str], i: int) -> bool:
    """True when line i sits inside a ``` block that is code (not a MyST directive)."""
    inside = None
    for line in lines[:i]:
        s = line.lstrip()
        m = re.match(r"(`{3,})(.*)", s)
        if not m:
            continue
        if inside is None:
            rest = m.group(2).strip()
            inside = "code" if not rest.startswith("{") or rest.startswith(("{code", "{math")) else "directive"
            if inside == "directive":
                inside = None  # directive bodies are prose
        else:
            inside = None
    return inside == "code"


def _link_first(line: str, pattern: re.Pattern, term: str) -> str:
    last = 0
    spans = [(m.start(), m.end()) for m in PROTECTED.finditer(line)] + [(len(line), len(line))]
    for start, end in spans:
        m = pattern.search(line, last, start)
        if m:
            return f"{line[:m.start()]}{{term}}`{m.group(0)} <{term}>`{line[m.end():]}"
        last = end
    return line


def process(path: Path, write: bool) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    md = [c for c in nb.cells if c.cell_type == "markdown"]
    new, linked = link_chapter([c.source for c in md])
    if write and linked:
        for c, s in zip(md, new):
            c.source = s
        nbformat.write(nb, path)
    return linked


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    status = 0
    for path in args.notebooks or list(CHAPTERS.values()):
        linked = process(path, write=not args.check)
        if linked:
            print(f"{path.name}: {'would link' if args.check else 'linked'} {len(linked)} term(s): {', '.join(linked)}")
            status = 1 if args.check else status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
