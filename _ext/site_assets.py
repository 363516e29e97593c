"""The site works offline: MathJax and a Simplified Chinese web font are served by the site itself.

After each HTML build this extension writes ``_vendor/`` into the output folder (a folder that
is served but, unlike ``_static/``, not linked into every page):

* ``_vendor/mathjax/``: MathJax 3's ``tex-chtml-full.js`` (every TeX extension built in, so it
  never loads anything else) and its CHTML web fonts, 1.7 MB, copied from the PyPI package
  ``sphinx-mathjax-offline`` (MathJax 3.2.2; installed by requirements.txt, not used as an
  extension: it would copy all 24 MB of MathJax into ``_static``). ``mathjax_path`` in
  ``_config.yml`` points at it.
* ``_vendor/fonts/``: Noto Sans SC (SIL Open Font License 1.1) from the npm package
  ``@fontsource/noto-sans-sc`` (pinned below, fetched once with ``npm pack`` into
  ``_build/fonts/``; ``make fonts`` or the first build does it, later builds work offline).
  That package cuts the font into about a hundred unicode-range slices (Google Fonts' slices,
  grouped by how often the characters are used). The site uses them twice:

  - ``page/<hash>.woff2``: for every page, one font with exactly the CJK characters of that
    page (its text, sidebar and explorers' scripts), cut from those slices; the page names it
    in an inline ``@font-face`` ("Book CJK"). A chapter downloads only its own characters, in
    one request: less than the fontsource slices that hold them (a chapter's few hundred
    characters are spread over dozens of 30-kB slices).
  - ``sc/*.woff2`` and ``book-cjk-sc.css``: the CJK slices themselves ("Book CJK SC", the next
    font in the stacks), for characters that no page holds: what a reader types into an
    explorer, and the search page's excerpts of other pages. ``book-site.js`` adds that
    stylesheet only when the reader types or searches, and then the browser fetches only the
    slices of the characters typed.
  - ``page/extra-<hash>.woff2``: the few characters of the site that Noto Sans SC does not
    have (a rare ideograph in chapter 11's poem data), cut from Noto Sans CJK TC, the font of
    the PyPI package ``cvttf-notosanscjk-regular`` (the figures draw with a bundled Noto Sans SC
    subset and fall back to it); a page with one of them names this file in a second face, for
    those characters only.

It also adds ``site_static/book-site.css`` (the font stacks, and explorer tables that scroll at
phone width) and ``site_static/book-site.js`` (loads the page's font early and redraws with it;
a fix for clicks on solution titles) to every page, and leaves out sphinx-thebe's scripts when
the "Live Code" button is off (they would only name a CDN), with the Thebe configuration
sphinx-thebe writes into every page (it names an unrelated Binder repository).

``python _ext/site_assets.py fetch-fonts`` fetches the font package (what ``make fonts`` runs).
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

try:  # not needed by `python _ext/site_assets.py fetch-fonts`
    from sphinx.application import Sphinx
    from sphinx.util import logging

    logger = logging.getLogger(__name__)
except ImportError:  # pragma: no cover
    Sphinx = object

HERE = Path(__file__).resolve().parent
VENDOR = "_vendor"
MATHJAX_PACKAGE = "sphinx-mathjax-offline"
MATHJAX_FILES = ("tex-chtml-full.js", "output/chtml/fonts/woff-v2/")

# The Simplified Chinese font: npm package, exact version, and the tarball's sha512 (as the npm
# registry lists it in dist.integrity; checked before anything is unpacked).
FONT_PACKAGE = "@fontsource/noto-sans-sc"
FONT_VERSION = "5.3.1"
FONT_INTEGRITY = "sha512-YxZ/VWAWo9FWzH08Q6fGTzIW6vYNP2TMhUFCnfhlimbhdXnWrxJLrzX3KWt2FKnV0s8XiM5vjpGHQiyFRlTj0w=="
FONT_WEIGHT = "400"
# Where the unpacked slices are kept (build-local, ignored by git); BOOK_FONTS overrides it.
FONT_DIR = Path(os.environ.get("BOOK_FONTS") or HERE.parent / "_build" / "fonts") / f"noto-sans-sc-{FONT_VERSION}"
PAGE_FACE = re.compile(r'\s*<style id="book-cjk-face">.*?</style>', re.S)

# The CJK blocks the web fonts serve (keep in sync with unicode-range in book-site.css).
CJK_RANGES = (
    (0x2E80, 0x2FDF),  # radicals
    (0x3000, 0x33FF),  # CJK punctuation, kana, bopomofo, enclosed and compatibility forms
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0xFE30, 0xFE4F),  # compatibility forms
    (0xFF00, 0xFFEF),  # full-width forms (，：（）)
    (0x20000, 0x2FA1F),  # extensions B and later
)
_CJK = re.compile("[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in CJK_RANGES) + "]")
CJK_UNICODE_RANGE = ",".join(f"U+{a:X}-{b:X}" for a, b in CJK_RANGES)


def is_cjk(code: int) -> bool:
    return any(a <= code <= b for a, b in CJK_RANGES)


def cjk_characters(texts) -> str:
    """The sorted, distinct CJK characters found in ``texts`` (an iterable of strings)."""
    found: set[str] = set()
    for text in texts:
        found.update(_CJK.findall(text))
    return "".join(sorted(found))


def mathjax_source() -> Path:
    """The folder of MathJax 3's ``es5`` build inside the installed ``sphinx-mathjax-offline``."""
    try:
        dist = importlib.metadata.distribution(MATHJAX_PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise RuntimeError(
            f"the site serves MathJax from the PyPI package {MATHJAX_PACKAGE!r}, which is not installed: "
            "run `make install` (or pip install -r requirements.txt)"
        ) from None
    main = next(f for f in dist.files or [] if str(f).endswith("mathjax/tex-chtml-full.js"))
    return Path(main.locate()).parent


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def fetch_fonts(dest: Path = FONT_DIR) -> Path:
    """The unpacked font package (its regular-weight slices, CSS and licence) in ``dest``.

    Fetched once with ``npm pack`` (which downloads the tarball and installs nothing), checked
    against FONT_INTEGRITY, and unpacked into a temporary folder that is then renamed, so a
    build never sees half a folder. Later builds find it there and need no network.
    """
    if (dest / ".complete").exists():
        return dest
    if not shutil.which("npm"):
        raise RuntimeError(
            f"the site's Chinese web font comes from the npm package {FONT_PACKAGE}@{FONT_VERSION}, "
            f"fetched once into {dest}; npm is not installed (install Node.js, e.g. apt-get install npm), "
            "then run `make fonts`"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        out = subprocess.run(
            ["npm", "pack", f"{FONT_PACKAGE}@{FONT_VERSION}", "--silent"],
            cwd=tmp, check=True, capture_output=True, text=True,
        ).stdout.split()
        tarball = Path(tmp) / out[-1]
        if _integrity(tarball) != FONT_INTEGRITY:
            raise RuntimeError(f"{tarball.name}: its sha512 is not the pinned one ({FONT_INTEGRITY})")
        unpacked = Path(tmp) / "unpacked"
        wanted = re.compile(rf"package/(LICENSE|{FONT_WEIGHT}\.css|files/[\w-]+-{FONT_WEIGHT}-normal\.woff2)$")
        with tarfile.open(tarball, "r:gz") as tar:
            for member in tar.getmembers():
                if member.isfile() and wanted.match(member.name):
                    target = unpacked / member.name.removeprefix("package/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(tar.extractfile(member).read())
        (unpacked / ".complete").write_text(f"{FONT_PACKAGE}@{FONT_VERSION} {FONT_INTEGRITY}\n")
        if dest.exists():
            shutil.rmtree(dest)
        try:
            unpacked.rename(dest)
        except OSError:  # another process (a parallel test) unpacked it first
            if not (dest / ".complete").exists():
                raise
    return dest


def parse_unicode_range(text: str) -> set[int]:
    """The code points of a CSS unicode-range value (``U+20-22,U+4e00``; no wildcards)."""
    codes: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        lo, _, hi = part.removeprefix("U+").removeprefix("u+").partition("-")
        codes.update(range(int(lo, 16), int(hi or lo, 16) + 1))
    return codes


def format_unicode_range(codes) -> str:
    """``codes`` as a compact CSS unicode-range value (runs of code points as ranges)."""
    out, run = [], []
    for c in sorted(codes):
        if run and c == run[-1] + 1:
            run.append(c)
            continue
        if run:
            out.append(f"U+{run[0]:x}" + (f"-{run[-1]:x}" if len(run) > 1 else ""))
        run = [c]
    if run:
        out.append(f"U+{run[0]:x}" + (f"-{run[-1]:x}" if len(run) > 1 else ""))
    return ",".join(out)


_FACE = re.compile(r"@font-face\s*\{(.*?)\}", re.S)


def font_slices(folder: Path) -> list[tuple[Path, set[int]]]:
    """The package's slices of the regular weight: (woff2 file, code points of its unicode-range)."""
    css = (folder / f"{FONT_WEIGHT}.css").read_text(encoding="utf-8")
    slices = []
    for body in _FACE.findall(css):
        src = re.search(r"url\(\.?/?([^)]+\.woff2)\)", body)
        rng = re.search(r"unicode-range:\s*([^;]+);", body)
        if src and rng:
            slices.append((folder / src.group(1), parse_unicode_range(rng.group(1))))
    return slices


def _subset(font, unicodes, flavor=None) -> bytes:
    from fontTools import subset

    options = subset.Options()
    options.flavor = flavor
    options.layout_features = []  # CJK text needs none (vertical forms, proportional widths are opt-in)
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "STAT"]
    options.name_IDs = ["*"]  # keep the copyright and licence (SIL OFL 1.1)
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    font.flavor = flavor
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def cut_font(chars: str, folder: Path) -> tuple[bytes, str]:
    """One TrueType font with ``chars``, cut from the slices that hold them; (font, chars missing)."""
    from fontTools.merge import Merger
    from fontTools.ttLib import TTFont

    wanted = {ord(c) for c in chars}
    parts, found = [], set()
    for path, codes in font_slices(folder):
        take = (wanted & codes) - found
        if not take:
            continue
        font = TTFont(path)
        take &= set(font.getBestCmap())
        if take:
            parts.append(io.BytesIO(_subset(font, take)))
            found |= take
    if not parts:  # a font with .notdef only, from the most used slice
        path = max(font_slices(folder), key=lambda s: len(s[1]))[0]
        parts.append(io.BytesIO(_subset(TTFont(path), {0x3000} & set(TTFont(path).getBestCmap()) or {0x20})))
    merged = Merger().merge(parts) if len(parts) > 1 else TTFont(parts[0])
    buf = io.BytesIO()
    merged.save(buf)
    return buf.getvalue(), "".join(sorted(chr(c) for c in wanted - found))


def subset_cjk_font(chars: str, out: Path, folder: Path | None = None, source: bytes | None = None) -> int:
    """Write a WOFF2 font of Noto Sans SC with ``chars`` (and .notdef) to ``out``; returns its size.

    ``source`` is a font already cut from the slices (``cut_font``) that has every one of ``chars``.
    """
    from fontTools.ttLib import TTFont

    if source is None:
        source, _ = cut_font(chars, folder or fetch_fonts())
    font = TTFont(io.BytesIO(source))
    keep = {ord(c) for c in chars} & set(font.getBestCmap())
    data = _subset(font, keep or {0x20}, flavor="woff2")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return len(data)


def cjk_tc_source() -> Path:
    """Noto Sans CJK TC, the OpenType file of the PyPI package ``cvttf-notosanscjk-regular``
    (also the figures' fallback font)."""
    import importlib.util

    spec = importlib.util.find_spec("cvttf_NotoSansCJK_Regular")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(Path(folder).glob("*.otf"))
        if found:
            return found[0]
    raise RuntimeError(
        "characters that Noto Sans SC lacks are cut from the PyPI package cvttf-notosanscjk-regular, "
        "which is not installed: run `make install` (or pip install -r requirements.txt)"
    )


def subset_tc_font(chars: str, out: Path) -> int:
    """Write a WOFF2 subset of Noto Sans CJK TC with ``chars`` to ``out`` (for characters SC lacks)."""
    from fontTools.ttLib import TTFont

    font = TTFont(cjk_tc_source(), lazy=True)
    data = _subset(font, {ord(c) for c in chars} & set(font.getBestCmap()) or {0x3000}, flavor="woff2")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return len(data)


def page_face(font_url: str, extra: tuple[str, str] | None = None) -> str:
    """The inline style that names a page's own font ("Book CJK").

    ``extra`` is (url, characters) of a second face for the page's characters that Noto Sans SC
    does not have; declared last, it is the one the browser tries first for those characters.
    """
    style = (
        '<style id="book-cjk-face">@font-face{font-family:"Book CJK";'
        f'src:url("{font_url}") format("woff2");unicode-range:{CJK_UNICODE_RANGE};font-display:swap}}'
    )
    if extra:
        url, chars = extra
        style += (
            f'@font-face{{font-family:"Book CJK";src:url("{url}") format("woff2");'
            f"unicode-range:{format_unicode_range(ord(c) for c in chars)};font-display:swap}}"
        )
    return style + "</style>"


def add_page_face(html: str, font_url: str | None, extra: tuple[str, str] | None = None) -> str:
    """``html`` with its "Book CJK" @font-face (replacing an older one) at the top of <head>, so it
    is known before book-site.js asks for the font; none when the page has no CJK text."""
    html = PAGE_FACE.sub("", html)
    if font_url is None:
        return html
    style = page_face(font_url, extra)
    m = re.search(r"<head>\s*(<meta charset=[^>]*>)?", html)
    at = m.end() if m else 0
    return html[:at] + "\n    " + style + html[at:]


def write_fallback_slices(fonts: Path, folder: Path) -> int:
    """Copy the package's CJK slices to ``fonts/sc/`` and write ``fonts/book-cjk-sc.css`` ("Book CJK SC",
    each slice limited to its CJK characters); returns the bytes of the slices."""
    sc = fonts / "sc"
    sc.mkdir(parents=True, exist_ok=True)
    rules, names, total = [], set(), 0
    for path, codes in font_slices(folder):
        cjk = {c for c in codes if is_cjk(c)}
        if not cjk:
            continue
        target = sc / path.name
        if not target.exists() or target.stat().st_size != path.stat().st_size:
            shutil.copyfile(path, target)
        names.add(path.name)
        total += path.stat().st_size
        rules.append(
            f'@font-face{{font-family:"Book CJK SC";src:url("sc/{path.name}") format("woff2");'
            f"unicode-range:{format_unicode_range(cjk)};font-display:swap}}"
        )
    for old in sc.glob("*.woff2"):
        if old.name not in names:
            old.unlink()
    (fonts / "book-cjk-sc.css").write_text(
        f"/* Noto Sans SC (SIL Open Font License 1.1, see LICENSE-noto-sans-sc.txt), the CJK slices of the npm "
        f"package {FONT_PACKAGE}@{FONT_VERSION}, regular weight. Written by _ext/site_assets.py; "
        "book-site.js adds it when a reader types or searches. */\n" + "\n".join(rules) + "\n",
        encoding="utf-8",
    )
    shutil.copyfile(folder / "LICENSE", fonts / "LICENSE-noto-sans-sc.txt")
    return total


def build_cjk_fonts(outdir: Path) -> dict:
    """Give every page its own font of its CJK characters and write the fallback slices.

    A page's font is named by a hash of its characters (and the package version), so pages with
    the same characters share one file and an unchanged page keeps its file across builds; fonts
    no page names any more are deleted. Returns numbers for the build log.
    """
    folder = fetch_fonts()
    fonts = outdir / VENDOR / "fonts"
    page_dir = fonts / "page"
    page_dir.mkdir(parents=True, exist_ok=True)
    for old in ("book-cjk.woff2", "book-cjk.txt"):  # the single subset of earlier builds
        (fonts / old).unlink(missing_ok=True)
    pages = {}
    for path in sorted(outdir.rglob("*.html")):
        if VENDOR not in path.relative_to(outdir).parts:
            pages[path] = cjk_characters([path.read_text(encoding="utf-8", errors="replace")])
    names = {
        chars: hashlib.sha256(f"{FONT_VERSION}:{chars}".encode()).hexdigest()[:16] + ".woff2"
        for chars in set(pages.values()) if chars
    }
    source, missing = cut_font(cjk_characters(pages.values()), folder)
    for chars, name in names.items():
        if not (page_dir / name).exists():
            subset_cjk_font(chars, page_dir / name, source=source)
    # Characters Noto Sans SC does not have (a rare ideograph of extension B in a poem): from
    # Noto Sans CJK TC (the figures' fallback font), in one small file for the whole site.
    extra_name = None
    if missing:
        extra_name = "extra-" + hashlib.sha256(f"tc:{missing}".encode()).hexdigest()[:16] + ".woff2"
        if not (page_dir / extra_name).exists():
            subset_tc_font(missing, page_dir / extra_name)
    keep = set(names.values()) | {extra_name}
    for old in page_dir.glob("*.woff2"):
        if old.name not in keep:
            old.unlink()
    for path, chars in pages.items():
        url = extra = None
        if chars:
            url = Path(os.path.relpath(page_dir / names[chars], path.parent)).as_posix()
            rare = "".join(c for c in chars if c in missing)
            if rare:
                extra = (Path(os.path.relpath(page_dir / extra_name, path.parent)).as_posix(), rare)
        html = path.read_text(encoding="utf-8")
        new = add_page_face(html, url, extra)
        if new != html:
            path.write_text(new, encoding="utf-8")
    sizes = [(page_dir / names[c]).stat().st_size for c in pages.values() if c]
    return {
        "pages": len(sizes),
        "files": len(names),
        "largest": max(sizes, default=0),
        "fallback": write_fallback_slices(fonts, folder),
        "missing": missing,
    }


def copy_mathjax(out: Path) -> int:
    """Copy the pruned MathJax into ``out`` (replacing it); returns the bytes copied."""
    src = mathjax_source()
    if out.exists():
        shutil.rmtree(out)
    total = 0
    for rel in MATHJAX_FILES:
        files = sorted((src / rel).iterdir()) if rel.endswith("/") else [src / rel]
        for f in files:
            target = out / f.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, target)
            total += f.stat().st_size
    (out / "README.txt").write_text(
        f"MathJax 3 (Apache License 2.0, https://www.mathjax.org), version "
        f"{importlib.metadata.version(MATHJAX_PACKAGE)} of the PyPI package {MATHJAX_PACKAGE}: "
        f"{', '.join(MATHJAX_FILES)} only. Copied by _ext/site_assets.py at build time.\n",
        encoding="utf-8",
    )
    return total


# The theme (pydata-sphinx-theme) draws its icons twice over: its CSS has Font Awesome's classes and
# web fonts, and every page also loads fontawesome.js (1.5 MB, 0.54 MB gzipped), which swaps each
# <i class="fa-..."> for an SVG. The CSS alone draws the same icons, so the script is dropped, and
# the three web fonts are cut down to the icons the site uses (a few kB instead of 300).
FA_SCRIPT = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')
FA_FONTS = ("fa-solid-900", "fa-regular-400", "fa-brands-400")
FA_ICON = re.compile(r"\bfa-([a-z0-9-]+)")
FA_RULE = re.compile(r'([^{}]+)\{content:"\\([0-9a-f]{1,5})"\}')
FA_CLASS_RULE = re.compile(r'[^{}]*\.fa-[a-z0-9-]+:+before[^{}]*\{content:"\\[0-9a-f]{1,5}"\}')
LAZY = re.compile(r"<img (?![^>]*\bloading=)")


def used_icons(outdir: Path) -> set[str]:
    """Font Awesome icon names in the built pages and in the theme's own scripts (which add some)."""
    names: set[str] = set()
    for path in outdir.rglob("*.html"):
        names |= set(FA_ICON.findall(path.read_text(encoding="utf-8", errors="replace")))
    for path in (outdir / "_static" / "scripts").glob("pydata-sphinx-theme*.js"):
        names |= set(FA_ICON.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def icon_codepoints(css: str, names: set[str]) -> set[int]:
    """Code points the site draws with the icon fonts.

    The icons of ``names`` (classes used on the pages, ``.fa-rocket:before{content:"\\f135"}``), and
    every icon the theme's CSS draws by itself: admonition and dropdown icons are set as custom
    properties (``--pst-icon-lightbulb:"\uf0eb"``, the private-use character itself) or as a
    ``content`` of some other rule.
    """
    codes = set()
    for selectors, code in FA_RULE.findall(css):
        if set(re.findall(r"\.fa-([a-z0-9-]+):+before", selectors)) & names:
            codes.add(int(code, 16))
    rest = FA_CLASS_RULE.sub("", css)
    codes |= {int(code, 16) for code in re.findall(r'"\\([ef][0-9a-f]{3})"', rest)}
    codes |= {ord(ch) for ch in re.findall("[\ue000-\uf8ff]", rest)}
    return codes


def subset_icon_fonts(outdir: Path) -> tuple[int, int]:
    """Cut the theme's Font Awesome web fonts to the icons the site uses; (icons kept, bytes after)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    css = "".join(p.read_text(encoding="utf-8", errors="replace")
                  for p in sorted((outdir / "_static").rglob("*.css")))
    codes = icon_codepoints(css, used_icons(outdir))
    fonts = outdir / "_static" / "vendor" / "fontawesome" / "webfonts"
    total = 0
    for name in FA_FONTS:
        for ext in ("woff2", "ttf"):
            path = fonts / f"{name}.{ext}"
            if not path.exists():
                continue
            font = TTFont(path)
            keep = codes & set(font.getBestCmap())
            options = subset.Options()
            options.flavor = "woff2" if ext == "woff2" else None
            options.name_IDs = ["*"]  # keep the licence records (SIL OFL 1.1)
            options.notdef_outline = True
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=keep or {0x20})
            subsetter.subset(font)
            font.flavor = options.flavor
            font.save(path)
            total += path.stat().st_size
    return len(codes), total


def palette_keeps_areas(im, small, min_pixels: int = 64, tol: int = 4) -> bool:
    """Whether the palette image ``small`` keeps every colour of ``im`` that fills an area.

    A colour on at least ``min_pixels`` pixels (a heatmap cell, a colour-bar step, a filled bar) must
    come back within ``tol`` of 255 in every channel; the rare colours of anti-aliased edges may
    move. A continuous colour bar has more area colours than a palette holds: merging them draws
    bands (a reader saw them in chapter 2's colour bars), so such a figure keeps its full colour.
    """
    import numpy as np

    mode = "RGBA" if "A" in im.mode else "RGB"
    a = np.asarray(im.convert(mode), dtype=np.int16).reshape(-1, len(mode))
    q = np.asarray(small.convert(mode), dtype=np.int16).reshape(-1, len(mode))
    keys = np.zeros(len(a), dtype=np.int64)
    for channel in range(a.shape[1]):
        keys = keys * 256 + a[:, channel]
    _, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    area = counts[inverse] >= min_pixels
    return not area.any() or int(np.abs(a - q).max(1)[area].max()) <= tol


def compress_images(outdir: Path) -> tuple[int, int]:
    """Re-save the figures (``_images/*.png``) with a 256-colour palette where that is smaller and
    keeps every area colour (``palette_keeps_areas``).

    Matplotlib's PNGs are full-colour; a plot has few colours, and a palette of 256 keeps its
    lines and text sharp at about a third of the size. A figure with more shades than that (a
    continuous colour map) keeps its full colour. Returns (bytes before, bytes after).
    """
    from PIL import Image

    before = after = 0
    for path in sorted((outdir / "_images").glob("*.png")):
        size = path.stat().st_size
        before += size
        with Image.open(path) as im:
            im.load()
            if im.mode == "P":  # already done (an incremental build keeps unchanged images)
                after += size
                continue
            opaque = im.mode == "RGB" or (im.mode == "RGBA" and im.getextrema()[3] == (255, 255))
            if opaque:
                small = im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
            else:
                small = im.convert("RGBA").quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
            keeps = palette_keeps_areas(im, small)
        tmp = path.with_suffix(".tmp.png")
        small.save(tmp, optimize=True)
        if keeps and tmp.stat().st_size < size:
            tmp.replace(path)
        else:
            tmp.unlink()
        after += path.stat().st_size
    return before, after


def lighten_pages(outdir: Path) -> int:
    """Drop fontawesome.js from every page and lazy-load images; returns the pages changed."""
    changed = 0
    for path in outdir.rglob("*.html"):
        if VENDOR in path.relative_to(outdir).parts:
            continue
        html = path.read_text(encoding="utf-8")
        new = FA_SCRIPT.sub("", html)
        new = LAZY.sub('<img loading="lazy" decoding="async" ', new)
        if new != html:
            path.write_text(new, encoding="utf-8")
            changed += 1
    return changed


def add_static(app: Sphinx, config) -> None:
    config.html_static_path.append(str(HERE / "site_static"))
    # pydata-sphinx-theme's pages start in the colour mode `default_mode` of the HTML context;
    # Jupyter Book leaves it unset, so the theme's script read an empty mode and logged "Got
    # invalid theme mode: . Resetting to auto." on every page. "auto" is what it fell back to.
    config.html_context.setdefault("default_mode", "auto")


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    mathjax_bytes = copy_mathjax(outdir / VENDOR / "mathjax")
    fonts = build_cjk_fonts(outdir)
    pages = lighten_pages(outdir)
    png_before, png_after = compress_images(outdir)
    logger.info(f"[site_assets] figures {png_before / 1e6:.1f} MB -> {png_after / 1e6:.1f} MB (256-colour palettes)")
    n_icons, icon_bytes = subset_icon_fonts(outdir)
    logger.info(
        f"[site_assets] {pages} pages without fontawesome.js, images lazy-loaded; "
        f"icon fonts cut to {n_icons} icons, {icon_bytes / 1e3:.0f} kB"
    )
    logger.info(
        f"[site_assets] MathJax {mathjax_bytes / 1e6:.2f} MB; Noto Sans SC: {fonts['pages']} pages, each with "
        f"its own font ({fonts['files']} files, the largest {fonts['largest'] / 1e3:.0f} kB), and "
        f"{fonts['fallback'] / 1e6:.1f} MB of slices for typed characters (in {VENDOR}/fonts)"
    )
    if fonts["missing"]:
        logger.info(f"[site_assets] not in Noto Sans SC, so cut from Noto Sans CJK TC: {fonts['missing']}")


def thebe_enabled(app: Sphinx) -> bool:
    """Whether the "Live Code" (Thebe) launch button is on (``launch_buttons.thebe`` in _config.yml)."""
    launch = (app.config.html_theme_options or {}).get("launch_buttons") or {}
    return str(launch.get("thebe", False)).lower() == "true"


def drop_thebe_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Without the Live Code button, leave out sphinx-thebe's scripts (they name a CDN and are never used)."""
    if thebe_enabled(app):
        return
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if files:  # in place: it is the builder's own list, restored after each page
            files[:] = [
                f
                for f in files
                if "thebe" not in str(getattr(f, "filename", f) or "")
                and "THEBE_JS_URL" not in (getattr(f, "attributes", None) or {}).get("body", "")
            ]


def is_thebe_config(node) -> bool:
    """Whether a raw HTML node is one of the two that sphinx-thebe appends to every page: its Thebe
    configuration (a ``text/x-thebe-config`` script naming its default Binder repository,
    binder-examples/jupyter-stacks-datascience) or the ``kernelName`` script."""
    text = node.astext()
    return "text/x-thebe-config" in text or text.lstrip().startswith("<script>kernelName")


def drop_thebe_config(app: Sphinx, doctree, docname: str) -> None:
    """Without the Live Code button, remove sphinx-thebe's configuration from the page (it runs
    after sphinx-thebe's own doctree-resolved handler, which adds it whatever the button)."""
    if thebe_enabled(app):
        return
    from docutils import nodes

    for node in list(doctree.findall(nodes.raw)):
        if is_thebe_config(node):
            node.parent.remove(node)


LICENCE_FILES = ("LICENSE", "LICENSE-TEXT")


def licence_folder(srcdir: Path) -> Path | None:
    """The folder holding LICENSE and LICENSE-TEXT: the book's folder, or one above it (the Chinese
    edition builds from a copy in ``_build/zh/src``); None if there is none."""
    for folder in [srcdir, *srcdir.parents]:
        if all((folder / name).is_file() for name in LICENCE_FILES):
            return folder
    return None


def link_licences(footer: str, pathto) -> str:
    """The footer text with each licence's file name (LICENSE, LICENSE-TEXT) made a link to its copy
    on the site, ``<name>.txt`` at the site's root; ``pathto(name, 1)`` gives a page's relative path."""

    def link(match: re.Match) -> str:
        name = match.group(0)
        return f'<a href="{pathto(name + ".txt", 1)}">{name}</a>'

    return re.sub(r"(?<![\w/.>-])LICENSE(?:-TEXT)?(?!\.\w|[\w<-])", link, footer)


def licence_links(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Every page's footer links the licences it names (the files are copied by ``copy_licences``)."""
    footer = context.get("theme_extra_footer")
    if footer and licence_folder(Path(app.srcdir)) is not None:
        context["theme_extra_footer"] = link_licences(footer, context["pathto"])


def copy_licences(app: Sphinx, exception: Exception | None) -> None:
    """Copy LICENSE and LICENSE-TEXT to the site's root as .txt files (served and read offline too)."""
    folder = licence_folder(Path(app.srcdir))
    if exception is not None or app.builder.format != "html" or folder is None:
        return
    for name in LICENCE_FILES:
        shutil.copyfile(folder / name, Path(app.outdir) / f"{name}.txt")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_static)
    app.connect("html-page-context", drop_thebe_assets, priority=900)
    app.connect("doctree-resolved", drop_thebe_config, priority=900)
    app.connect("html-page-context", licence_links)
    app.connect("build-finished", copy_licences)
    app.add_css_file("book-site.css")
    app.add_js_file("book-site.js")  # in <head>, not deferred: it asks for the CJK font before layout
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    if sys.argv[1:] != ["fetch-fonts"]:
        sys.exit("usage: python _ext/site_assets.py fetch-fonts")
    print(f"{FONT_PACKAGE}@{FONT_VERSION}: {fetch_fonts()}")
