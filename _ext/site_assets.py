"""The site works offline: MathJax and a Chinese web font are served by the site itself.

After each HTML build this extension writes ``_vendor/`` into the output folder (a folder that
is served but, unlike ``_static/``, not linked into every page):

* ``_vendor/mathjax/``: MathJax 3's ``tex-chtml-full.js`` (every TeX extension built in, so it
  never loads anything else) and its CHTML web fonts, 1.7 MB, copied from the PyPI package
  ``sphinx-mathjax-offline`` (MathJax 3.2.2; installed by requirements.txt, not used as an
  extension: it would copy all 24 MB of MathJax into ``_static``). ``mathjax_path`` in
  ``_config.yml`` points at it.
* ``_vendor/fonts/book-cjk.woff2``: Noto Sans CJK TC (the font of the PyPI package
  ``cvttf-notosanscjk-regular`` that the figures use) cut down to the CJK characters that the
  built pages contain, rebuilt whenever that set changes, so it is always in sync with the
  text. ``book-cjk.txt`` beside it lists the characters (the browser test checks it).

It also adds ``site_static/book-site.css`` (the "Book CJK" @font-face, used only as the last
fallback of the theme's font stacks, and explorer tables that scroll at phone width) and
``site_static/book-site.js`` (loads that font early and redraws with it; a fix for clicks on
solution titles) to every page, and leaves out sphinx-thebe's scripts when the "Live Code"
button is off (they would only name a CDN).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
VENDOR = "_vendor"
MATHJAX_PACKAGE = "sphinx-mathjax-offline"
MATHJAX_FILES = ("tex-chtml-full.js", "output/chtml/fonts/woff-v2/")
CJK_PACKAGE = "cvttf_NotoSansCJK_Regular"

# The CJK blocks the web font covers (keep in sync with unicode-range in book-site.css).
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


def cjk_font_source() -> Path:
    """The Noto Sans CJK TC OpenType file of the PyPI package ``cvttf-notosanscjk-regular``."""
    spec = importlib.util.find_spec(CJK_PACKAGE)
    for folder in (spec.submodule_search_locations or []) if spec else []:
        found = sorted(Path(folder).glob("*.otf"))
        if found:
            return found[0]
    raise RuntimeError(
        "the site's Chinese web font is cut from the PyPI package cvttf-notosanscjk-regular, "
        "which is not installed: run `make install` (or pip install -r requirements.txt)"
    )


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


def subset_cjk_font(chars: str, out: Path) -> int:
    """Write a WOFF2 subset of Noto Sans CJK TC with ``chars`` (and .notdef) to ``out``; returns its size."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]  # vertical forms and punctuation widths as the font has them
    options.name_IDs = ["*"]  # keep the copyright and licence (SIL OFL 1.1) records
    options.notdef_outline = True
    options.hinting = False
    font = TTFont(cjk_font_source(), lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars or "\u3000")
    subsetter.subset(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.flavor = "woff2"
    font.save(out)
    return out.stat().st_size


def page_texts(outdir: Path):
    """The text of every built page (HTML) and of the search index, where the site shows its words."""
    for path in sorted(outdir.rglob("*.html")):
        if VENDOR not in path.relative_to(outdir).parts:
            yield path.read_text(encoding="utf-8", errors="replace")
    index = outdir / "searchindex.js"
    if index.exists():
        yield index.read_text(encoding="utf-8", errors="replace")


def build_cjk_font(outdir: Path) -> tuple[int, int]:
    """Rebuild ``_vendor/fonts/book-cjk.woff2`` if the set of CJK characters changed; (characters, bytes)."""
    chars = cjk_characters(page_texts(outdir))
    fonts = outdir / VENDOR / "fonts"
    woff2, listing = fonts / "book-cjk.woff2", fonts / "book-cjk.txt"
    stamp = hashlib.sha256(f"{cjk_font_source().stat().st_size}:{chars}".encode()).hexdigest()[:16]
    header = f"# {stamp}\n"
    if woff2.exists() and listing.exists() and listing.read_text(encoding="utf-8").startswith(header):
        return len(chars), woff2.stat().st_size
    size = subset_cjk_font(chars, woff2)
    listing.write_text(
        header + "# The CJK characters of the built site, all in book-cjk.woff2 (a subset of Noto Sans CJK TC,\n"
        "# SIL Open Font License 1.1, from the PyPI package cvttf-notosanscjk-regular), written by\n"
        "# _ext/site_assets.py.\n" + chars + "\n",
        encoding="utf-8",
    )
    return len(chars), size


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


def compress_images(outdir: Path) -> tuple[int, int]:
    """Re-save the figures (``_images/*.png``) with a 256-colour palette where that is smaller.

    Matplotlib's PNGs are full-colour; a plot has few colours, and a palette of 256 keeps its
    lines and text sharp at about a third of the size. Returns (bytes before, bytes after).
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
        tmp = path.with_suffix(".tmp.png")
        small.save(tmp, optimize=True)
        if tmp.stat().st_size < size:
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


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    mathjax_bytes = copy_mathjax(outdir / VENDOR / "mathjax")
    n_chars, font_bytes = build_cjk_font(outdir)
    pages = lighten_pages(outdir)
    png_before, png_after = compress_images(outdir)
    logger.info(f"[site_assets] figures {png_before / 1e6:.1f} MB -> {png_after / 1e6:.1f} MB (256-colour palettes)")
    n_icons, icon_bytes = subset_icon_fonts(outdir)
    logger.info(
        f"[site_assets] {pages} pages without fontawesome.js, images lazy-loaded; "
        f"icon fonts cut to {n_icons} icons, {icon_bytes / 1e3:.0f} kB"
    )
    logger.info(
        f"[site_assets] MathJax {mathjax_bytes / 1e6:.2f} MB; CJK web font {n_chars} characters, "
        f"{font_bytes / 1e3:.0f} kB (in {VENDOR}/)"
    )


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


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", add_static)
    app.connect("html-page-context", drop_thebe_assets, priority=900)
    app.add_css_file("book-site.css")
    app.add_js_file("book-site.js")  # in <head>, not deferred: it asks for the CJK font before layout
    app.connect("build-finished", build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
