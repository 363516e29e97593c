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


# names a learner may look up that the glossary files under another term: each is listed in the English
# index at its own letter, as a cross-reference ("GPT (see decoder-only model)")
EN_ALIASES = {"GPT": "decoder-only model (GPT)", "FFN": "position-wise feed-forward network",
              "MLP": "position-wise feed-forward network", "nucleus sampling": "top-p (nucleus) sampling"}
SEE = re.compile(r" · [^·]*? \(see \{term\}`[^`]+`\)")  # an alias's cross-reference in the index


def other_names(text: str) -> dict[str, tuple[str, bool]]:
    """The second and later names of an entry with several ("Kullback–Leibler divergence" of "KL
    divergence"): name -> (the entry's first name, whether the name sorts under the same letter).
    The index lists an entry once: a name under the same letter in brackets after the first name,
    "KL divergence (Kullback–Leibler divergence)"; a name under another letter as a cross-reference,
    "validation set (see training set)"."""
    return {name: (names[0], _sort_key(name)[0] == _sort_key(names[0])[0])
            for names, _ in entries(text) for name in names[1:]}


def az_index(text: str) -> str:
    """The A–Z list: one line per initial, each entry once, a {term} link to its first name (its
    other names as ``other_names`` says); the aliases of ``EN_ALIASES`` are listed too, each at its
    own letter, linking to its term's entry."""
    others = other_names(text)
    rows = []
    for names, _ in entries(text):
        same = [n for n in names[1:] if others[n][1]]
        rows.append((_sort_key(names[0]), names[0], "", f" ({', '.join(same)})" if same else ""))
        rows += [(_sort_key(n), names[0], n, "") for n in names[1:] if not others[n][1]]
    rows += [(_sort_key(alias), term, alias, "") for alias, term in EN_ALIASES.items()]
    by_letter: dict[str, list[str]] = {}
    for sort_key, term, alias, same in sorted(rows):
        if alias:
            shown = re.sub(r"\s*\([^)]*\)", "", term)
            link = f"{alias} (see {{term}}`{shown} <{term}>`)"
        else:
            link = f"{{term}}`{term}`{same}"
        by_letter.setdefault(sort_key[0].upper(), []).append(link)
    return "\n".join(f"- **{letter}** · " + " · ".join(links) for letter, links in by_letter.items())


def pinyin_index(text: str, chinese: dict[str, str], aliases: dict[str, list[str]] | None = None) -> str:
    """The Chinese edition's index: every term, shown as the Chinese edition writes it (Chinese
    name, English in brackets), sorted by the pinyin of its Chinese name (pypinyin) and grouped by
    the pinyin's first letter, as a Chinese reader looks a term up; a name without Chinese
    characters ("GGUF") sorts by its English term. With ``aliases`` (term -> the other Chinese
    names its entry gives, ``chinese_aliases``), each alias is listed too, at its own pinyin, as a
    cross-reference to the term: "跳跃连接（见残差连接）" (plain text, not a link: a translation keeps the
    English unit's roles, scripts/translation.py check)."""
    from pypinyin import lazy_pinyin

    def key(name: str, term: str) -> str:
        name = re.sub(r"\s*[（(][^）)]*[）)]", "", name).strip()
        if re.search(r"[\u4e00-\u9fff]", name):
            # "\0" after the pinyin: a bare term sorts before its compounds (梯度 before 梯度裁剪)
            return " ".join(_sort_key(" ".join(lazy_pinyin(name))).split()) + "\0" + _sort_key(term)
        return _sort_key(name if aliases is not None and name != chinese[term] else term)

    others = other_names(text)
    rows = []
    for names, _ in entries(text):  # each entry once; its other names as cross-references at their own pinyin,
        rows.append((key(chinese[names[0]], names[0]), _with_chinese(names[0], chinese[names[0]]), names[0]))
        main = re.sub(r"\s*[（(][^）)]*[）)]", "", chinese[names[0]]).strip()
        see = "见 " if re.match(r"[A-Za-z0-9]", main) else "见"
        for n in names[1:]:  # a link where the English index has one ("see"), plain text where it folds the name in
            shown = re.sub(r"\s*[（(][^）)]*[）)]", "", chinese[n]).strip()
            target = main if others[n][1] else f"{{term}}`{main} <{names[0]}>`"
            rows.append((key(chinese[n], n), f"{shown}（{see}{target}）", ""))
    for term, names in (aliases or {}).items():
        main = re.sub(r"\s*[（(][^）)]*[）)]", "", chinese[term]).strip()
        see = "见 " if re.match(r"[A-Za-z0-9]", main) else "见"  # 见 softmax 函数, 见残差连接
        rows += [(key(alias, term), f"{alias}（{see}{main}）", "") for alias in names]
    for alias, term in EN_ALIASES.items() if aliases is not None else ():  # GPT, FFN: links, as in English
        main = re.sub(r"\s*[（(][^）)]*[）)]", "", chinese[term]).strip()
        see = "见 " if re.match(r"[A-Za-z0-9]", main) else "见"
        rows.append((_sort_key(alias), f"{alias}（{see}{{term}}`{main} <{term}>`）", ""))
    by_letter: dict[str, list[str]] = {}
    for sort_key, shown, term in sorted(rows):  # an alias is plain text: the catalog keeps the English roles
        by_letter.setdefault(sort_key[0].upper(), []).append(f"{{term}}`{shown} <{term}>`" if term else shown)
    return "\n".join(f"- **{letter}** · " + " · ".join(links) for letter, links in by_letter.items())


ALIAS = re.compile(r"也(?:叫|称|译作)((?:“[^”]+”[、或]?)+)")


def chinese_aliases(catalog: Path = CATALOG) -> dict[str, list[str]]:
    """Term -> the other names its Chinese entry gives, in quotes after 也叫/也称/也译作
    ("也译作“层规范化”（d2l 中文版）"), names a student meets in other Chinese books and courses."""
    import polib

    out: dict[str, list[str]] = {}
    for unit in polib.pofile(str(catalog)):
        if unit.obsolete or not unit.msgstr.startswith("```{glossary}"):
            continue
        for names, body in entries(unit.msgstr + "\n"):
            found = [a for m in ALIAS.finditer(body) for a in re.findall(r"“([^”]+)”", m.group(1))]
            if found:
                out[names[0]] = found
    return out


def _with_chinese(term: str, name: str) -> str:
    """'消融（ablation）': the Chinese name first and the English term in brackets, as the Chinese
    edition writes a term (locale/STYLE.md); the Chinese name without its own brackets, and the
    term's own brackets as a comma ('字节对编码（byte-pair encoding, BPE）', no brackets inside
    brackets); the term alone if the name adds no Chinese, and the name alone if it already holds
    every word of the term ('BERT 模型', not 'BERT 模型（BERT）')."""
    name = re.sub(r"\s*[（(][^）)]*[）)]", "", name).strip()
    english = re.sub(r"\s*\(([^)]*)\)", r", \1", term)
    if not re.search(r"[\u4e00-\u9fff]", name):
        return term
    return name if _latin_words(term) <= _latin_words(name) else f"{name}（{english}）"


def _latin_words(text: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z0-9_][A-Za-z0-9_\-–]*", text)}


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
    index_terms = re.findall(r"\{term\}`([^`]+)`", SEE.sub("", expected))
    all_terms = [n for names, _ in entries(text) for n in names]
    assert sorted(index_terms) == sorted(names[0] for names, _ in entries(text))
    assert len(set(all_terms)) == len(all_terms)
    for name, (_first, same_letter) in other_names(text).items():  # one entry, one item; a name elsewhere: "see"
        seen = f" ({name}" in expected or f", {name}" in expected if same_letter else f"{name} (see {{term}}`" in expected
        assert seen, name
    assert "{term}`KL divergence` (Kullback–Leibler divergence)" in expected
    assert "validation set (see {term}`training set <training set>`)" in expected


def test_the_english_index_lists_the_aliases():
    """GPT, FFN, MLP, nucleus sampling: each at its own letter, linking to the entry that defines it."""
    text = GLOSSARY.read_text(encoding="utf-8")
    index = az_index(text)
    terms = {n for names, _ in entries(text) for n in names}
    assert all(term in terms for term in EN_ALIASES.values())
    g = re.search(r"^- \*\*G\*\* .*$", index, re.M).group(0)
    assert " · GPT (see {term}`decoder-only model <decoder-only model (GPT)>`)" in g
    assert "nucleus sampling (see {term}`top-p sampling <top-p (nucleus) sampling>`)" in index
    assert len(SEE.findall(index)) == len(EN_ALIASES) + sum(not same for _, same in other_names(text).values())


def test_the_chinese_index_matches_the_english():
    import polib

    text = GLOSSARY.read_text(encoding="utf-8")
    po = {e.msgid: e for e in polib.pofile(str(CATALOG)) if not e.obsolete}
    unit = next((e for key, e in po.items() if key.endswith("\n" + az_index(text))), None)
    assert unit is not None and not unit.fuzzy, "the index's unit is missing or stale in the catalog"
    assert unit.msgstr.endswith("\n" + pinyin_index(text, chinese_names(text), chinese_aliases()))


def test_the_chinese_index_is_in_pinyin_order_and_lists_every_term_once():
    text = GLOSSARY.read_text(encoding="utf-8")
    index = pinyin_index(text, chinese_names(text))
    terms = re.findall(r"\{term\}`[^`<]*<([^>`]+)>`", index)
    assert sorted(terms) == sorted([names[0] for names, _ in entries(text)]
                                   + [first for first, same in other_names(text).values() if not same])
    letters = re.findall(r"^- \*\*([A-Z0-9])\*\*", index, re.M)
    assert letters == sorted(letters) and len(letters) == len(set(letters))
    # 注意力 (zhu) after 梯度 (ti), both after 嵌入 (qian): pinyin order, not the English one
    at = {t: index.index(f"<{t}>`") for t in ("embedding", "gradient", "attention")}
    assert at["embedding"] < at["gradient"] < at["attention"]
    # a bare term before its compounds, as an index lists a head word first
    for bare, compound in [("gradient", "gradient clipping"), ("parameter", "parameter count"),
                           ("learning rate", "learning-rate schedule"), ("token", "token id")]:
        assert index.index(f"<{bare}>`") < index.index(f"<{compound}>`"), (bare, compound)


def test_a_chinese_name_that_holds_the_term_gets_no_english_bracket():
    assert _with_chinese("BERT", "BERT 模型") == "BERT 模型"
    assert _with_chinese("ChatML", "ChatML 格式") == "ChatML 格式"
    assert _with_chinese("Q4_1, Q8_0", "Q4_1、Q8_0 量化格式") == "Q4_1、Q8_0 量化格式"
    assert _with_chinese("KV cache", "KV 缓存") == "KV 缓存（KV cache）"  # "cache" says more
    assert _with_chinese("layer normalization (LayerNorm)", "层归一化") == "层归一化（layer normalization, LayerNorm）"
    assert _with_chinese("logits", "logits") == "logits"
    index = pinyin_index(GLOSSARY.read_text(encoding="utf-8"), chinese_names(GLOSSARY.read_text(encoding="utf-8")))
    for redundant in ("BERT 模型（BERT）", "GGUF 文件格式（GGUF）", "sigmoid 函数（sigmoid）", "ChatML 格式（ChatML）"):
        assert redundant not in index


def test_the_chinese_index_lists_the_aliases_other_books_use():
    """层规范化 (d2l 中文版), 跳跃连接, 奖励黑客 ...: each alias its entry gives is in the index, at its own
    pinyin, as a cross-reference to the book's term."""
    aliases = chinese_aliases()
    for term, alias in [("layer normalization (LayerNorm)", "层规范化"), ("batch normalization (BatchNorm)", "批量规范化"),
                        ("position-wise feed-forward network", "基于位置的前馈网络"),
                        ("residual connection", "跳跃连接"), ("residual connection", "短路连接"),
                        ("reward hacking", "奖励黑客"), ("reward hacking", "奖励破解")]:
        assert alias in aliases.get(term, []), (term, alias)
    text = GLOSSARY.read_text(encoding="utf-8")
    index = pinyin_index(text, chinese_names(text), aliases)
    assert " · 跳跃连接（见残差连接）" in index and " · Swish（见 SiLU 激活函数）" in index
    tiao = re.search(r"^- \*\*T\*\* .*$", index, re.M).group(0)
    assert "跳跃连接（见残差连接）" in tiao  # under T (tiao), not under C with 残差连接
    assert "{term}`BERT 模型 <BERT>`" in index
    assert " · 暂退法（见随机失活）" in index and " · 多层感知机（见逐位置前馈网络）" in index
    assert " · GPT（见{term}`仅解码器模型 <decoder-only model (GPT)>`）" in index


if __name__ == "__main__":
    page = GLOSSARY.read_text(encoding="utf-8")
    print(az_index(page))
    print()
    print(pinyin_index(page, chinese_names(page), chinese_aliases()))
    sys.exit(0)
