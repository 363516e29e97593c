"""The glossary page (appendix/glossary.md): its A–Z index lists every term, and every entry is complete.

    python tests/test_glossary.py         # print the index the page must hold (English, then Chinese)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "appendix" / "glossary.md"
CATALOG = ROOT / "locale" / "zh_CN" / "appendix" / "glossary.po"


def entries(text: str) -> list[tuple[list[str], str]]:
    """([term lines], definition) of every entry of the page's {glossary} blocks, in page order."""
    out = []
    for block in re.findall(r"^```\{glossary\}\n(.*?)^```", text, re.S | re.M):
        for entry in re.split(r"\n\s*\n", block.strip()):
            lines = entry.splitlines()
            names = [line for line in lines if line and not line[0].isspace()]
            body = " ".join(line.strip() for line in lines if line and line[0].isspace())
            out.append((names, body))
    return out


def _sort_key(term: str) -> str:
    return re.sub(r"[^a-z0-9 ]", "", term.lower())


def az_index(text: str, chinese: dict[str, str] | None = None) -> str:
    """The A–Z list: one line per initial, each term a {term} link; with ``chinese`` (term -> its
    Chinese name) every link shows the term with its Chinese name."""
    terms = sorted({name for names, _ in entries(text) for name in names}, key=_sort_key)
    by_letter: dict[str, list[str]] = {}
    for term in terms:
        by_letter.setdefault(_sort_key(term)[0].upper(), []).append(term)
    lines = []
    for letter, group in by_letter.items():
        if chinese is None:
            links = [f"{{term}}`{t}`" for t in group]
        else:
            links = [f"{{term}}`{_with_chinese(t, chinese[t])} <{t}>`" for t in group]
        lines.append(f"- **{letter}** · " + " · ".join(links))
    return "\n".join(lines)


def pinyin_index(text: str, chinese: dict[str, str]) -> str:
    """The Chinese edition's index: every term, shown as the Chinese edition writes it (Chinese
    name, English in brackets), sorted by the pinyin of its Chinese name (pypinyin) and grouped by
    the pinyin's first letter, as a Chinese reader looks a term up; a name without Chinese
    characters ("GGUF") sorts by its English term."""
    from pypinyin import lazy_pinyin

    def key(term: str) -> str:
        name = re.sub(r"\s*[（(][^）)]*[）)]", "", chinese[term]).strip()
        if re.search(r"[\u4e00-\u9fff]", name):
            return " ".join(_sort_key(" ".join(lazy_pinyin(name))).split()) + " " + _sort_key(term)
        return _sort_key(term)

    terms = sorted({name for names, _ in entries(text) for name in names}, key=key)
    by_letter: dict[str, list[str]] = {}
    for term in terms:
        by_letter.setdefault(key(term)[0].upper(), []).append(term)
    return "\n".join(
        f"- **{letter}** · " + " · ".join(f"{{term}}`{_with_chinese(t, chinese[t])} <{t}>`" for t in group)
        for letter, group in by_letter.items()
    )


def _with_chinese(term: str, name: str) -> str:
    """'消融（ablation）': the Chinese name first and the English term in brackets, as the Chinese
    edition writes a term (locale/STYLE.md); the Chinese name without its own brackets, and the
    term's own brackets as a comma ('字节对编码（byte-pair encoding, BPE）', no brackets inside
    brackets); the term alone if the name adds no Chinese."""
    name = re.sub(r"\s*[（(][^）)]*[）)]", "", name).strip()
    english = re.sub(r"\s*\(([^)]*)\)", r", \1", term)
    return f"{name}（{english}）" if re.search(r"[\u4e00-\u9fff]", name) else term


def chinese_names(text: str) -> dict[str, str]:
    """Term -> the Chinese name in bold at the start of its entry."""
    out = {}
    for names, body in entries(text):
        m = re.match(r"\*\*([^*]+)\*\*", body)
        bold = m.group(1) if m else ""
        parts = [p.strip() for p in bold.split("/")]
        for i, name in enumerate(names):  # "probability ratio / clipped ratio": one Chinese name each
            out[name] = parts[i] if len(names) > 1 and len(parts) == len(names) else bold
    return out


def test_every_entry_has_a_chinese_name_and_a_chapter():
    text = GLOSSARY.read_text(encoding="utf-8")
    found = entries(text)
    assert len(found) > 100
    for names, body in found:
        assert re.match(r"\*\*[^*]+\*\*[.。 ]", body), f"{names}: no **Chinese name** first"
        assert re.search(r"\]\(\.\./chapters/\d\d_\w+\.ipynb\)", body), f"{names}: no chapter link"


def test_the_index_lists_every_term_once():
    text = GLOSSARY.read_text(encoding="utf-8")
    expected = az_index(text)
    assert expected in text, "the A–Z index is out of date: run python tests/test_glossary.py and paste it"
    index_terms = re.findall(r"\{term\}`([^`]+)`", expected)
    all_terms = [n for names, _ in entries(text) for n in names]
    assert sorted(index_terms) == sorted(all_terms) and len(set(all_terms)) == len(all_terms)


def test_the_chinese_index_matches_the_english():
    import polib

    text = GLOSSARY.read_text(encoding="utf-8")
    po = {e.msgid: e for e in polib.pofile(str(CATALOG)) if not e.obsolete}
    unit = next((e for key, e in po.items() if key.endswith("\n" + az_index(text))), None)
    assert unit is not None and not unit.fuzzy, "the index's unit is missing or stale in the catalog"
    assert unit.msgstr.endswith("\n" + pinyin_index(text, chinese_names(text)))


def test_the_chinese_index_is_in_pinyin_order_and_lists_every_term_once():
    text = GLOSSARY.read_text(encoding="utf-8")
    index = pinyin_index(text, chinese_names(text))
    terms = re.findall(r"\{term\}`[^`<]*<([^>`]+)>`", index)
    assert sorted(terms) == sorted(n for names, _ in entries(text) for n in names)
    letters = re.findall(r"^- \*\*([A-Z0-9])\*\*", index, re.M)
    assert letters == sorted(letters) and len(letters) == len(set(letters))
    # 注意力 (zhu) after 梯度 (ti), both after 嵌入 (qian): pinyin order, not the English one
    at = {t: index.index(f"<{t}>`") for t in ("embedding", "gradient", "attention")}
    assert at["embedding"] < at["gradient"] < at["attention"]


if __name__ == "__main__":
    page = GLOSSARY.read_text(encoding="utf-8")
    print(az_index(page))
    print()
    print(pinyin_index(page, chinese_names(page)))
    sys.exit(0)
