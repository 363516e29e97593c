"""Turn every plain "chapter N" in the book's prose into a link to that chapter.

    python scripts/link_chapters.py                # rewrite chapters/*.ipynb, intro.md, appendix/*.md
    python scripts/link_chapters.py --check        # list plain mentions; exit 1 if any

"chapter 4" becomes ``[chapter 4](04_attention.ipynb)`` (the path relative to the page), and
"chapters 10 and 11" links each number: ``chapters [10](10_...) and [11](11_...)``. Text that is
already a link, inline code, math, a MyST role, a directive's first line and HTML are left alone,
and so is a number with no chapter file (a chapter still to be written).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = {int(p.name[:2]): p for p in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))}

# Spans that must not be touched: links and images, inline code, math, roles, HTML tags, URLs.
PROTECTED = re.compile(
    r"!?\[[^\]]*\]\([^)]*\)"  # [text](target), ![alt](src)
    r"|\[[^\]]*\]\[[^\]]*\]"  # [text][ref]
    r"|\{[a-z:-]+\}`[^`]*`"  # {role}`...`
    r"|``[^`]*``|`[^`]*`"  # inline code
    r"|\$\$.*?\$\$|\$[^$\n]+\$"  # math
    r"|<[^>\n]+>"  # HTML tags
    r"|https?://\S+",
    re.S,
)
MENTION = re.compile(
    r"\b(?P<word>[Cc]hapters?)(?P<sp>\s+)(?P<nums>\d{1,2}(?:(?:\s*(?:,|–|-|to|and|or)\s*|,\s*and\s*)\d{1,2}\b)*)\b"
)
NUMBER = re.compile(r"\d{1,2}")


def _target(n: int, page: Path) -> str | None:
    path = CHAPTERS.get(n)
    if path is None:
        return None
    return Path(os.path.relpath(path, page.parent)).as_posix()


def _link_mention(m: re.Match, page: Path) -> str:
    word, sp, nums = m.group("word"), m.group("sp"), m.group("nums")
    numbers = [int(x) for x in NUMBER.findall(nums)]
    if any(_target(n, page) is None for n in numbers):
        return m.group(0)
    if len(numbers) == 1:
        return f"[{word}{sp}{nums}]({_target(numbers[0], page)})"
    linked = NUMBER.sub(lambda k: f"[{k.group(0)}]({_target(int(k.group(0)), page)})", nums)
    return f"{word}{sp}{linked}"


def link_text(text: str, page: Path) -> str:
    """Link the plain chapter mentions of one markdown text (a cell or a file)."""
    out, fence, fence_kind, in_math = [], None, "code", False
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if line.count("$$") % 2 == 1:  # a display formula opens or closes on this line
            in_math = not in_math
            out.append(line)
            continue
        if in_math:
            out.append(line)
            continue
        opener = re.match(r"(`{3,}|~{3,}|:{3,})", stripped)
        if fence is not None:  # inside a fenced block: link only inside MyST directives' bodies
            closes = opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence)
            if closes and not stripped[len(opener.group(1)):].strip():
                fence = None
                out.append(line)
                continue
            if fence_kind == "code" or stripped.startswith(":"):
                out.append(line)
                continue
        elif opener:
            fence = opener.group(1)
            rest = stripped[len(fence):]
            fence_kind = "directive" if rest.startswith("{") and not rest.startswith(("{code", "{math")) else "code"
            if fence[0] == ":":
                fence_kind = "directive"
            out.append(line)  # the directive's own line (its title) stays as written
            continue
        if stripped.startswith("(") and stripped.rstrip().endswith(")="):
            out.append(line)
            continue
        out.append(_link_line(line, page))
    return "".join(out)



def _link_line(line: str, page: Path) -> str:
    parts, last = [], 0
    for m in PROTECTED.finditer(line):
        parts.append(MENTION.sub(lambda k: _link_mention(k, page), line[last:m.start()]))
        parts.append(m.group(0))
        last = m.end()
    parts.append(MENTION.sub(lambda k: _link_mention(k, page), line[last:]))
    return "".join(parts)


def plain_mentions(text: str, page: Path) -> list[str]:
    """The mentions that ``link_text`` would link (for the check and the tests)."""
    linked = link_text(text, page)
    if linked == text:
        return []
    return [m.group(0) for m in MENTION.finditer(_strip_protected(text))
            if all(_target(int(n), page) for n in NUMBER.findall(m.group("nums")))]


def _strip_protected(text: str) -> str:
    return PROTECTED.sub(" ", text)


def pages() -> list[Path]:
    return [*CHAPTERS.values(), ROOT / "intro.md", *sorted((ROOT / "appendix").glob("*.md"))]


def process(page: Path, write: bool) -> int:
    """Link one page's mentions; returns how many markdown blocks changed."""
    changed = 0
    if page.suffix == ".ipynb":
        nb = nbformat.read(page, as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            new = link_text(cell.source, page)
            if new != cell.source:
                changed += 1
                cell.source = new
        if write and changed:
            nbformat.write(nb, page)
    else:
        text = page.read_text(encoding="utf-8")
        new = link_text(text, page)
        if new != text:
            changed = 1
            if write:
                page.write_text(new, encoding="utf-8")
    return changed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pages", nargs="*", type=Path, help="pages to process (default: the whole book)")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if a plain mention is left")
    args = parser.parse_args(argv)
    status = 0
    for page in args.pages or pages():
        n = process(page.resolve(), write=not args.check)
        if n:
            print(f"{page}: {'would link' if args.check else 'linked'} mentions in {n} block(s)")
            status = 1 if args.check else status
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
