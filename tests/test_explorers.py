"""The tokenizer, attention and mask explorers: static content present, widget updates with ipywidgets 7 or 8,
and their words in the edition's language."""

import importlib
import json
import re
import shutil
from html.parser import HTMLParser
from importlib import resources

import pytest

from helpers import bpe
from helpers.explorers import mask_explorer_html, mask_stages, token_label, tokenizer_explorer_html, tokens_html
from helpers.explorers.mask import mask_note


@pytest.fixture(scope="module")
def tok():
    return bpe.BPETokenizer.train(["the cat sat on the mat", "猫坐着", "猫在垫子上"], 256 + 30 + 4)


def test_html_embeds_merges_and_a_static_view(tok):
    page = tokenizer_explorer_html(tok, "the cat", examples=["猫坐着"])
    data = json.loads(re.search(r'class="tx-data">(.*?)</script>', page, re.S).group(1))
    assert data["merges"] == [list(m) for m in tok.merges]
    # before any script runs, the tokens are already on the page
    n_spans = page.count('class="tx-tok"')
    assert n_spans == len(tok.encode("the cat"))
    assert "https://" not in page and "src=" not in page  # nothing fetched
    assert len(page.encode()) < 300_000


def test_token_label_shows_partial_utf8_in_hex(tok):
    assert token_label(tok, 0xE7) == "⟨e7⟩"
    assert token_label(tok, ord("a")) == "a"
    assert token_label(tok, tok.token_to_id("<eos>")) == "<eos>"


def test_hex_label_spaces_are_not_drawn_as_marks(tok):
    """A token of two partial-UTF-8 bytes shows "⟨e4 b8⟩" (as Python prints it), not "⟨e4␣b8⟩"."""
    from helpers.explorers.tokenizer import tokens_html

    page = tokens_html(tok, "中")  # 3 bytes: e4 b8 ad; the toy vocabulary merges none of them into a whole
    labels = [token_label(tok, i) for i in tok.encode("中")]
    hex_labels = [lab for lab in labels if lab.startswith("⟨")]
    assert hex_labels, labels
    for lab in hex_labels:
        assert f">{lab}</span>" in page
    assert "␣" not in page
    js = tokenizer_explorer_html(tok, "中")
    assert "if (hex) span.textContent = text;" in js


def test_bad_input():
    with pytest.raises(TypeError, match="BPETokenizer"):
        tokenizer_explorer_html("not a tokenizer", "x")


def attention_fixture():
    from helpers import corpus, explorers, translator

    model, _ = translator.load()
    en, zh = translator.vocabularies()
    pairs = [corpus.RUNNING_EXAMPLE, corpus.make_pair(0, 0, place=0, time=0)]
    return model, en, zh, pairs, explorers.attention_data(model, pairs, en, zh)


def test_attention_data_reproduces_model_weights():
    import torch

    from helpers import translator
    from helpers.explorers import explorer_stages

    model, en, zh, pairs, data = attention_fixture()
    model.keep_attention(True)
    src, tgt_in, _ = translator.encode_pairs(pairs[1:], en, zh)
    model(src, tgt_in)
    for kind, mods in (
        ("encoder", [layer.self_attn for layer in model.encoder]),
        ("decoder", [layer.self_attn for layer in model.decoder]),
        ("cross", [layer.cross_attn for layer in model.decoder]),
    ):
        k = data["sentences"][1]["kinds"][kind]
        for layer, mod in enumerate(mods):
            for head in range(mod.n_heads):
                shown = explorer_stages(k["scores"][layer][head], k["mask"], data["d_k"])["weights"]
                assert torch.allclose(shown.float(), mod.last_weights[0, head], atol=0.02), (kind, layer, head)
    model.keep_attention(False)


def test_attention_and_mask_html_are_self_contained_and_small():
    import torch

    from helpers.explorers import attention_explorer_html, mask_explorer_html

    *_, data = attention_fixture()
    page = attention_explorer_html(data)
    assert "https://" not in page and "src=" not in page and len(page.encode()) < 300_000
    assert "<table class='ax-table'>" in page  # a static view before any script runs
    tokens = ["<sos>", "猫", "坐着", "<pad>"]
    mpage = mask_explorer_html(tokens, torch.zeros(4, 4))
    assert "mx-table" in mpage and len(mpage.encode()) < 300_000
    with pytest.raises(ValueError, match=r"scores must be \(4, 4\)"):
        mask_explorer_html(tokens, torch.zeros(3, 3))
    with pytest.raises(ValueError, match="attention_data"):
        attention_explorer_html({})


def test_attention_explorer_opens_on_chosen_layer_and_head():
    from helpers.explorers import attention_explorer_html, attention_view_html

    *_, data = attention_fixture()
    page = attention_explorer_html(data, kind="encoder", layer=1, head=2)
    assert attention_view_html(data, kind="encoder", layer=1, head=2) in page  # the static view
    assert '.value="1"' in page and '.value="2"' in page  # and the live one
    with pytest.raises(ValueError, match=r"layer must be an int in \[0, 2\), got 2"):
        attention_explorer_html(data, layer=2)
    with pytest.raises(ValueError, match=r"head must be an int in \[0, 4\), got -1"):
        attention_explorer_html(data, head=-1)
    with pytest.raises(ValueError, match="kind must be one of"):
        attention_explorer_html(data, kind="self")


def test_mask_stages_nan_and_large_negative():
    import torch

    from helpers.explorers import mask_stages

    tokens = ["<sos>", "猫", "<pad>"]
    s = torch.zeros(3, 3)
    inf = mask_stages(s, tokens, pad=True, causal=True, rows=True, fill="inf")
    big = mask_stages(s, tokens, pad=True, causal=True, rows=True, fill="big")
    assert torch.isnan(inf["weights"][2]).all()
    assert torch.allclose(big["weights"][2], torch.full((3,), 1 / 3, dtype=torch.float64))
    assert torch.allclose(inf["weights"][1], torch.tensor([0.5, 0.5, 0.0], dtype=torch.float64))


def test_tokens_show_their_spaces_and_a_tap_target(tok):
    from helpers.explorers.tokenizer import chip_html

    assert chip_html(" cat") == '<span class="tx-sp">␣</span>cat'
    assert chip_html("a\n") == 'a<span class="tx-sp">↵</span>'
    assert chip_html("<eos>") == "&lt;eos&gt;"
    page = tokenizer_explorer_html(tok, "the cat")
    assert 'class="tx-info"' in page and '<span class="tx-sp">␣</span>' in page
    assert 'addEventListener("click"' in page  # touch screens: a tap shows id and bytes


def test_ids_wrap_only_between_ids(tok):
    """On a phone the id list wraps at the spaces between the ids, never inside a number: its style
    overrides the explorer's "overflow-wrap: anywhere" and breaks no word."""
    from helpers.explorers.tokenizer import _STYLE

    rule = re.search(r"\.tx-ids \{([^}]*)\}", _STYLE).group(1)
    assert "break-all" not in rule
    assert "word-break: normal" in rule and "overflow-wrap: normal" in rule
    ids = re.search(r'class="tx-ids">(.*?)</div>', tokens_html(tok, "the cat sat on the mat")).group(1)
    assert ids == str(tok.encode("the cat sat on the mat"))  # "[a, b, c]": a space after every comma
    js = resources.files("helpers.explorers").joinpath("tokenizer.js").read_text(encoding="utf-8")
    assert '.join(", ")' in js  # the script writes them the same way


def test_attention_output_stage_equals_the_heads_output():
    import torch
    import torch.nn.functional as F

    from helpers import translator
    from helpers.explorers import attention_view_html, explorer_stages
    from helpers.mha import split_heads

    model, en, zh, pairs, data = attention_fixture()
    model.eval()
    src, _, _ = translator.encode_pairs(pairs[1:], en, zh)
    with torch.no_grad():
        x = model.embed(model.src_emb, src)  # what the first encoder layer reads
        mod = model.encoder[0].self_attn
        q, k, v = (split_heads(p(x), mod.n_heads) for p in (mod.q_proj, mod.k_proj, mod.v_proj))
        ref = F.scaled_dot_product_attention(q, k, v)[0]  # (heads, S, d_k), PyTorch's attention
    kind = data["sentences"][1]["kinds"]["encoder"]
    for head in range(mod.n_heads):
        st = explorer_stages(kind["scores"][0][head], kind["mask"], data["d_k"], kind["values"][0][head])
        assert torch.allclose(st["output"].float(), ref[head], atol=0.05), head
    view = attention_view_html(data, sentence=1, kind="cross", layer=0, head=0, stage="output", query=2)
    assert "output" in view and "Σ" in view
    # decoder rows are labelled by the token they write, in both kinds of decoder attention
    dec, cross = data["sentences"][0]["kinds"]["decoder"], data["sentences"][0]["kinds"]["cross"]
    assert dec["q_tokens"] == cross["q_tokens"] == ["→猫", "→坐着", "→<eos>"]
    assert dec["k_tokens"] == ["<sos>", "猫", "坐着"]
    with pytest.raises(ValueError, match="stage must be one of"):
        attention_view_html(data, stage="nope")


def test_text_pair_translates_any_text():
    from helpers.explorers.attention import text_pair

    model, en, zh, *_ = attention_fixture()
    pair = text_pair(model, "The cat sat", en, zh)
    assert pair.zh == ("猫", "坐着")
    assert text_pair(model, "The zebra sat", en, zh).en == ("The", "<unk>", "sat")
    with pytest.raises(ValueError, match="at least one word"):
        text_pair(model, "   ", en, zh)


def test_mask_explorer_layers_heads_and_the_silent_bug():
    import torch

    from helpers.explorers import mask_explorer_html, mask_stages
    from helpers.explorers.mask import mask_note

    tokens = ["<sos>", "猫", "<pad>", "<pad>"]
    scores = torch.randn(2, 4, 4, 4)
    page = mask_explorer_html(tokens, scores, layer=1, head=2)
    data = json.loads(re.search(r'class="mx-data">(.*?)</script>', page, re.S).group(1))
    assert len(data["scores"]) == 2 and len(data["scores"][1]) == 4
    assert "value='1' selected" in page and "value='2' selected" in page
    with pytest.raises(ValueError, match=r"head must be an int in \[0, 4\)"):
        mask_explorer_html(tokens, scores, head=4)
    big = mask_stages(scores[1, 2], tokens, pad=True, causal=True, rows=True, fill="big")
    assert int(big["empty"].sum()) == 2  # the two padded queries
    assert torch.allclose(big["weights"][3], torch.full((4,), 0.25, dtype=torch.float64))
    note = mask_note(big, "big")
    assert "2 rows have no allowed key" in note and "0.25" in note and "silent bug" in note
    inf = mask_stages(scores[1, 2], tokens, pad=True, causal=True, rows=True, fill="inf")
    assert "NaN" in mask_note(inf, "inf")
    ok = mask_stages(scores[1, 2], tokens, pad=True, causal=True, rows=False, fill="big")
    assert mask_note(ok, "big") == "Every row sums to 1."


# ---------------------------------------------------------------------------------------------
# The explorers' words in the edition's language (BOOK_LANGUAGE, helpers.i18n)
# ---------------------------------------------------------------------------------------------
# Latin words a Chinese explorer may show: special tokens, the names top-k / top-p, id, softmax, NaN, and
# the matrix W<sup>O</sup> (read "WO" once its tags are gone)
LATIN_OK = {"sos", "eos", "pad", "unk", "top", "id", "softmax", "NaN", "WO"}


class _Visible(HTMLParser):
    """What a reader sees or hears of an HTML fragment: its text and its title / aria-label / alt /
    placeholder attributes, without the <style> and the <script>s (the script's English fallback
    and the JSON data are not shown)."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")
        self.parts += [v for k, v in attrs if k in ("title", "aria-label", "alt", "placeholder") and v]

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(page: str) -> str:
    parser = _Visible()
    parser.feed(page)
    return "\n".join(parser.parts)


def english_words(text: str) -> set[str]:
    """The Latin words of ``text`` other than those a Chinese explorer may show (LATIN_OK) and bytes in hex."""
    return {w for w in re.findall(r"[A-Za-z]{2,}", text) if not re.fullmatch(r"[a-f]{2}", w)} - LATIN_OK


def page_data(page: str, prefix: str) -> dict:
    return json.loads(re.search(rf'class="{prefix}-data">(.*?)</script>', page, re.S).group(1).replace("<\\/", "</"))


def script_english(name: str) -> dict:
    """The English fallback an explorer's script keeps (``const EN = {...};``, written as JSON)."""
    js = resources.files("helpers.explorers").joinpath(f"{name}.js").read_text(encoding="utf-8")
    return json.loads(re.search(r"const EN = (\{.*?\});", js, re.S).group(1))


@pytest.mark.parametrize("name", ["attention", "mask", "sampling", "tokenizer", "timeline", "post_training"])
def test_script_fallback_is_the_english_of_the_labels(monkeypatch, name):
    module = importlib.import_module(f"helpers.explorers.{name}")
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    english = getattr(module, f"{name}_labels")()
    assert script_english(name) == english  # same keys, same words: a page without labels reads the same
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    chinese = getattr(module, f"{name}_labels")()
    assert chinese.keys() == english.keys()
    for key, text in chinese.items():
        assert text != english[key] and re.search(r"[\u4e00-\u9fff]", text), key
        assert not english_words(re.sub(r"\{\w+\}|<[^>]+>", "", text)), (key, text)  # no fields, no tags


MASK_TOKENS = ["<sos>", "猫", "<pad>", "<pad>"]


def test_mask_explorer_in_english_and_chinese(monkeypatch):
    import torch

    from helpers.explorers.mask import mask_labels

    scores = torch.randn(2, 3, 4, 4)
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    page = mask_explorer_html(MASK_TOKENS, scores, layer=1)
    for words in (
        "mask (✓ = may attend)",
        "scores after masking",
        "weights after softmax",
        'aria-label="layer"',
        'aria-label="head"',
        ">layer 2<",
        ">head 3<",
        "> padding mask<",
        "> causal (look-ahead) mask<",
        "> also mask padded queries<",
        "fill: <label>",
        ">Every row sums to 1.<",
    ):
        assert words in page, words
    assert page_data(page, "mx")["labels"] == mask_labels()

    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    page = mask_explorer_html(MASK_TOKENS, scores, layer=1)
    for words in (
        "掩码（✓ = 可以关注）",
        "加掩码后的分数",
        "softmax 之后的权重",
        'aria-label="层"',
        'aria-label="注意力头"',
        ">第 2 层<",
        ">3 号头<",
        "> 填充掩码<",
        "> 因果（前瞻）掩码<",
        "> 同时屏蔽填充位置上的查询<",
        "填入值：",
        ">每行之和都是 1。<",
    ):
        assert words in page, words
    assert english_words(visible(page)) == set()
    # no Chinese in italics: browsers slant CJK glyphs artificially (a reader found it ugly)
    assert not re.search(r"<(i|em)>[^<]*[\u4e00-\u9fff]", page)
    data = page_data(page, "mx")
    assert data["labels"] == mask_labels() and data["layer_names"] == ["第 1 层", "第 2 层"]
    # the status line in its three cases: NaN, rows made uniform by −1e9 (one, several), all fine
    s = torch.zeros(4, 4)
    notes = [
        mask_note(mask_stages(s, MASK_TOKENS, True, True, True, "inf"), "inf"),
        mask_note(mask_stages(s[:3, :3], MASK_TOKENS[:3], True, True, True, "big"), "big"),
        mask_note(mask_stages(s, MASK_TOKENS, True, True, True, "big"), "big"),
    ]
    assert notes[0] == "8 个权重是 NaN：用 −∞ 填入时，全被屏蔽的行是 0/0。"
    assert notes[1].startswith(
        "每行之和都是 1，但有 1 行没有可以关注的键：−1e9 把这一行变成了均匀分布（3 个键各得 0.33，"
    )
    assert "有 2 行" in notes[2] and "把这些行" in notes[2] and "（4 个键各得 0.25，" in notes[2]
    assert all(english_words(n) == set() for n in notes)


def test_tokenizer_explorer_in_english_and_chinese(monkeypatch, tok):
    from helpers.explorers.tokenizer import tokenizer_labels

    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    page = tokenizer_explorer_html(tok, "猫<eos>", examples=["猫在垫子上"])
    for words in (
        "merges used: <input",
        "> read &lt;sos&gt; &lt;eos&gt; &lt;pad&gt; &lt;unk&gt; as special tokens<",
        ">Tap or hover a token to see its id and bytes.<",
        "6 characters → 8 bytes → ",
        'title="id ',
        '>Examples:</span> <button class="tx-example"',
    ):
        assert words in page, words
    assert page_data(page, "tx")["labels"] == tokenizer_labels()
    assert "(special)" in tokens_html(tok, "猫<eos>", allowed_special=True)

    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    page = tokenizer_explorer_html(tok, "猫<eos>", examples=["猫在垫子上"])
    for words in (
        "所用合并规则数： <input",
        "> 把 &lt;sos&gt; &lt;eos&gt; &lt;pad&gt; &lt;unk&gt; 读作特殊词元<",
        ">点按词元或把鼠标悬停在上面，可以看到它的 id 和字节。<",
        "6 个字符 → 8 个字节 → ",
        'title="id ',
        '>示例：</span> <button class="tx-example"',
    ):
        assert words in page, words
    assert "——字节：" in page and english_words(visible(page)) == set()
    assert page_data(page, "tx")["labels"] == tokenizer_labels()
    special = tokens_html(tok, "猫<eos>", allowed_special=True)
    assert "（特殊词元）" in special and english_words(visible(special)) == set()


def token_words(data: dict) -> set[str]:
    """The Latin words of an attention explorer's data (its sentences and tokens: The, cat, ...), which a
    Chinese explorer shows as they are."""
    text = " ".join(
        s["name"] + " " + " ".join(k["q_tokens"] + k["k_tokens"])
        for s in data["sentences"]
        for k in s["kinds"].values()
    )
    return english_words(text)


def tiny_attention_data(**names) -> dict:
    """A one-kind attention data set, as helpers.llama.heads makes it: its own names, in English."""
    tokens, mask = ["<sos>", "猫", "坐着"], [[True, False, False], [True, True, False], [True, True, True]]
    return {
        "d_k": 4,
        "n_layers": 1,
        "n_heads": 2,
        **names,
        "sentences": [
            {
                "name": "猫坐着",
                "kinds": {
                    "decoder": {
                        "q_tokens": tokens,
                        "k_tokens": tokens,
                        "mask": mask,
                        "scores": [[[[0.5, 1.0, -1.0], [1.0, 2.0, 0.0], [0.0, 1.0, 3.0]]] * 2],
                    }
                },
            }
        ],
    }


def test_attention_explorer_in_english_and_chinese(monkeypatch):
    from helpers.explorers import attention_explorer_html, attention_view_html
    from helpers.explorers.attention import HINTS, KIND_NAMES, STAGES, attention_labels

    *_, data = attention_fixture()
    before = json.dumps(data, ensure_ascii=False)
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    page = attention_explorer_html(data, kind="cross", layer=1)
    for words in (
        'aria-label="sentence"',
        'aria-label="attention"',
        'aria-label="layer"',
        'aria-label="head"',
        "<label>query <select",
        "step: <label>",
        "> + mask</label>",
        ">(or click a row's token)<",
        "</b> attends to: <span",
        f">{HINTS['cross']}<",
    ):
        assert words in page, words
    embedded = page_data(page, "ax")
    assert embedded["labels"] == attention_labels() and embedded["kind_names"] == KIND_NAMES
    assert embedded["hints"] == HINTS
    view = attention_view_html(data, sentence=1, kind="decoder", stage="output", query=2)
    assert "<th>key</th><th>weight</th>" in view and "<th>output</th>" in view
    assert "output of <b>→在</b> = the weighted sum of the value rows above (one head;" in view

    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    page = attention_explorer_html(data, kind="cross", layer=1)
    for words in (
        'aria-label="句子"',
        'aria-label="注意力"',
        'aria-label="层"',
        'aria-label="注意力头"',
        "<label>查询 <select",
        "步骤： <label>",
        "> + 掩码</label>",
        ">（也可以点击行首的词元）<",
        "</b>关注的词元：<span",
        ">解码器的每一行用箭头加它要写出的词元来标注；各列是源句中的词。<",
    ):
        assert words in page, words
    assert english_words(visible(page)) - token_words(data) == set()
    # no Chinese in italics, on the page or in the words the script writes
    assert not re.search(r"<(i|em)>[^<]*[\u4e00-\u9fff]", page)
    embedded = page_data(page, "ax")
    assert embedded["labels"] == attention_labels()
    assert embedded["kind_names"] == {
        "encoder": "编码器自注意力",
        "decoder": "解码器带掩码的自注意力",
        "cross": "交叉注意力",
    }
    assert embedded["hints"]["decoder"] == "解码器的每一行用箭头加它要写出的词元来标注；它读入的是前一个词元。"
    for text in [*embedded["kind_names"].values(), *embedded["hints"].values(), *attention_labels().values()]:
        assert not english_words(re.sub(r"\{\w+\}|</?[a-z]+>", "", text)), text
    assert json.dumps(data, ensure_ascii=False) == before  # the data stay in English; only the page is Chinese
    for stage in STAGES:
        view = attention_view_html(data, sentence=1, kind="decoder", stage=stage, query=2)
        assert english_words(visible(view)) - token_words(data) == set(), stage
    view = attention_view_html(data, sentence=1, kind="decoder", stage="output", query=2)
    assert "<th>键</th><th>权重</th>" in view and "<th>输出</th>" in view
    assert "<b>→在</b>的输出 = 上面各个值行的加权和（这只是一个头；之后 W<sup>O</sup> 再把各个头混合起来）" in view
    # names a caller's data brings in English (helpers.llama.heads) are shown in Chinese when catalogued
    tiny = attention_explorer_html(tiny_attention_data(kind_names={"decoder": "masked self-attention"}), kind="decoder")
    assert page_data(tiny, "ax")["kind_names"]["decoder"] == "带掩码的自注意力"
    assert english_words(visible(tiny)) == set()


def test_attention_widget_in_english_and_chinese(monkeypatch):
    pytest.importorskip("ipywidgets")
    from helpers.explorers import attention_widget

    *_, data = attention_fixture()
    for lang, words in (
        ("en", ["sentence", "attention", "layer", "head", "query", "step", "your text", "show"]),
        ("zh_CN", ["句子", "注意力", "层", "注意力头", "查询", "步", "你的文本", "显示"]),
    ):
        monkeypatch.setenv("BOOK_LANGUAGE", lang)
        box = attention_widget(data, compute=lambda text: data["sentences"][0])
        (sentence, kind), (layer, head, query) = box.children[0].children, box.children[1].children
        stage, out, (text, add, _status) = box.children[2], box.children[3], box.children[4].children
        assert [c.description for c in (sentence, kind, layer, head, query, stage, text, add)] == words
        if lang == "en":
            assert text.placeholder == "The dog ran in the garden" and kind.label == "cross-attention"
            assert [o[0] for o in layer.options] == ["layer 1", "layer 2"] and head.options[0][0] == "head 1"
            assert [o[0] for o in stage.options][2] == "+ mask" and "attends to:" in out.value
            continue
        assert text.placeholder == "英文句子，例如 The dog ran in the garden"  # the model reads English
        assert [o[0] for o in kind.options] == ["编码器自注意力", "解码器带掩码的自注意力", "交叉注意力"]
        assert [o[0] for o in layer.options] == ["第 1 层", "第 2 层"] and head.options[3][0] == "4 号头"
        assert [o[0] for o in stage.options] == ["Q Kᵀ", "÷ √dₖ", "+ 掩码", "softmax", "× V"]
        for value in ("raw", "masked", "output"):
            stage.value = value
            assert english_words(visible(out.value)) - token_words(data) == set(), value
        kind.value, query.value = "decoder", 1
        assert "关注的词元：" in out.value and english_words(visible(out.value)) - token_words(data) == set()
    # one kind of attention only (helpers.llama.heads): its menu, a single choice, is hidden
    box = attention_widget(tiny_attention_data(kind_names={"decoder": "masked self-attention"}))
    kind = box.children[0].children[1]
    assert kind.layout.display == "none" and kind.options[0][0] == "带掩码的自注意力"


def test_widgets_in_chinese(monkeypatch, tok):
    pytest.importorskip("ipywidgets")
    import torch

    from helpers.explorers import mask_widget, tokenizer_widget

    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    box = tokenizer_widget(tok, "猫<eos>")
    assert [c.description for c in box.children[:3]] == ["文本", "合并规则", "特殊词元"]
    assert english_words(visible(box.children[3].value)) == set()
    box = mask_widget(MASK_TOKENS, torch.zeros(4, 4))
    assert [c.description for c in box.children[0].children] == ["填充掩码", "因果掩码", "屏蔽填充位置上的查询"]
    assert box.children[1].description == "填入值"
    out = box.children[2]
    box.children[0].children[2].value = True
    assert "NaN" in out.value and english_words(visible(out.value)) == set()


@pytest.fixture
def chromium():
    """A headless Chromium (skips without it) and the way to open an HTML fragment in it, with or without
    JavaScript."""
    if not shutil.which("chromium"):
        pytest.skip("no Chromium on PATH: the browser check is skipped")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        contexts = {js: browser.new_context(java_script_enabled=js) for js in (False, True)}

        def open_page(path, page_html: str, js: bool = True):
            path.write_text("<meta charset='utf-8'>" + page_html, encoding="utf-8")
            page = contexts[js].new_page()
            page.goto(path.as_uri())
            return page

        yield open_page
        browser.close()


def _seen(page, root: str) -> str:
    """The text and the title / aria-label attributes a reader meets in an explorer, after its script ran."""
    return page.eval_on_selector(
        root,
        """(r) => [r.innerText].concat(
        Array.from(r.querySelectorAll('[title], [aria-label]'), (e) => (e.title || '') + ' ' + (e.getAttribute('aria-label') || ''))
      ).join('\\n')""",
    )


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_scripts_write_the_words_python_wrote(monkeypatch, tmp_path, tok, chromium, lang):
    """The script fills the same templates as Python: once it has run, the view reads as the static one
    did; and in Chinese nothing the reader meets is English, whatever the controls are set to."""
    import torch

    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    pages = {
        "tx": tokenizer_explorer_html(tok, "猫坐着<eos>", examples=["猫在垫子上"]),
        "mx": mask_explorer_html(MASK_TOKENS, torch.randn(2, 2, 4, 4)),
    }
    parts = {"tx": [".tx-info", ".tx-stats"], "mx": [".mx-note"]}
    for name, page_html in pages.items():
        static, live = {}, {}
        for js, seen in ((False, static), (True, live)):
            page = chromium(tmp_path / f"{name}.html", page_html, js)
            seen.update({sel: page.inner_text(sel) for sel in parts[name]})
            seen["titles"] = page.eval_on_selector_all(".tx-tok", "els => els.map((e) => e.title)")
            if js:
                assert page.get_attribute(f".{name}-root", "data-live") == "1"
                if name == "tx":
                    page.locator(".tx-special").check()
                    page.locator(".tx-tok").last.click()
                    picked = (
                        r"token \d+: “<eos>”, id \d+ — bytes \(special\)"
                        if lang == "en"
                        else r"第 \d+ 个词元：“<eos>”，id \d+——字节：（特殊词元）"
                    )
                    assert re.fullmatch(picked, page.inner_text(".tx-info"))
                else:
                    page.locator(".mx-rows").check()
                    page.locator(".mx-fill[value=big]").check()
                    assert ("2 rows have" if lang == "en" else "有 2 行") in page.inner_text(".mx-note")
                if lang == "zh_CN":
                    assert english_words(_seen(page, f".{name}-root")) == set()
        assert live == static, name


def test_tokenizer_ids_wrap_between_ids_and_hover_picks_a_token(tmp_path, tok, chromium):
    """In a phone-wide column the id list runs over several lines, each break between two ids (no
    number cut in two); a mouse moving onto a token writes its id and bytes under the tokens, as
    the hint promises."""
    text = "猫在垫子上坐着 the cat sat on the mat " * 3
    page = chromium(tmp_path / "tx.html", "<div style='width: 300px'>" + tokenizer_explorer_html(tok, text) + "</div>")
    lines = page.eval_on_selector(
        ".tx-ids",
        """(box) => {  // the top of each character's box: characters on one line share it
        const node = box.firstChild, range = document.createRange(), tops = [];
        for (let i = 0; i < node.length; i++) {
          range.setStart(node, i); range.setEnd(node, i + 1);
          tops.push(Math.round(range.getBoundingClientRect().top));
        }
        const lines = [];
        tops.forEach((top, i) => {
          if (!lines.length || top !== lines[lines.length - 1].top) lines.push({top: top, text: ""});
          lines[lines.length - 1].text += node.data[i];
        });
        return lines.map((l) => l.text);
      }""",
    )
    assert len(lines) > 2, lines
    for line in lines[:-1]:
        assert re.fullmatch(r"\[?(\d+, )+", line), lines  # ends after an id's comma and space
    assert re.fullmatch(r"(\d+, )*\d+\]", lines[-1]), lines
    page.locator(".tx-tok").nth(2).hover()
    assert re.fullmatch(r"token 3: “.+”, id \d+ — bytes [0-9a-f ]+", page.inner_text(".tx-info"))
    assert page.locator(".tx-picked").count() == 1


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_attention_script_writes_the_words_python_wrote(monkeypatch, tmp_path, chromium, lang):
    """The attention explorer's script writes the hint and the "attends to" line as Python wrote them; and
    in Chinese nothing the reader meets is English (but the sentences' own words: The, cat, ...), after a
    click on a row's token and whatever the controls are set to."""
    from helpers.explorers import attention_explorer_html

    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    *_, data = attention_fixture()
    page_html = attention_explorer_html(data, kind="cross", layer=1, head=2)
    allowed = token_words(data) | {"dk"}  # the typeset d_k of the "÷ √d_k" step reads "dk" as text
    static, live = {}, {}
    for js, seen in ((False, static), (True, live)):
        page = chromium(tmp_path / "ax.html", page_html, js)
        seen.update({sel: page.inner_text(sel) for sel in (".ax-hint", ".ax-focus")})
        seen["columns"] = page.eval_on_selector_all(".ax-view th", "els => els.map((e) => e.textContent)")
    assert live == static
    assert page.get_attribute(".ax-root", "data-live") == "1"

    def check():
        if lang == "zh_CN":
            options = page.eval_on_selector_all(".ax-root option", "els => els.map((e) => e.text)")
            assert english_words(_seen(page, ".ax-root") + "\n" + "\n".join(options)) - allowed == set()

    check()
    page.locator(".ax-q").nth(2).click()  # a row's token picks the query
    assert page.inner_text(".ax-focus").startswith("→<eos>" if lang == "en" else "→<eos>关注的词元：")
    check()
    page.locator(".ax-stage[value=output]").check()
    head = page.eval_on_selector_all(".ax-view th", "els => els.slice(0, 2).map((e) => e.textContent)")
    assert head == (["key", "weight"] if lang == "en" else ["键", "权重"])
    assert (
        "= the weighted sum of the value rows above" if lang == "en" else "的输出 = 上面各个值行的加权和"
    ) in page.inner_text(".ax-hint")
    check()
    page.locator(".ax-kind").select_option("decoder")
    page.locator(".ax-stage[value=masked]").check()
    assert ("the token it reads is the one before it" if lang == "en" else "它读入的是前一个词元") in page.inner_text(
        ".ax-hint"
    )
    check()
    page.locator(".ax-sentence").select_option("1")
    page.locator(".ax-layer").select_option("0")
    page.locator(".ax-head").select_option("3")
    page.locator(".ax-query").select_option("4")
    assert page.get_attribute(".ax-root", "data-state") == "1|decoder|0|3|masked|4"
    layer = page.eval_on_selector(".ax-layer", "(s) => s.options[s.selectedIndex].text")
    assert layer == ("layer 1" if lang == "en" else "第 1 层")
    check()
    page.locator(".ax-kind").select_option("encoder")
    page.locator(".ax-stage[value=raw]").check()
    check()


def test_a_single_kind_explorer_has_no_menu_of_kinds(tmp_path, chromium):
    """Data with one kind of attention (chapter 12's): no menu of a single choice; the script reads the
    kind from the data, and the controls still redraw the view. With three kinds the menu is there."""
    from helpers.explorers import attention_explorer_html

    *_, data = attention_fixture()
    assert '<select class="ax-kind"' in attention_explorer_html(data, kind="cross")  # chapters 4 and 6
    one = {**data, "sentences": [{**s, "kinds": {"decoder": s["kinds"]["decoder"]}} for s in data["sentences"]]}
    page_html = attention_explorer_html(one, kind="decoder", layer=1, head=2, query=1)
    assert 'class="ax-kind"' not in page_html
    page = chromium(tmp_path / "ax1.html", page_html)
    assert page.get_attribute(".ax-root", "data-live") == "1"
    assert page.get_attribute(".ax-root", "data-state") == "0|decoder|1|2|weights|1"
    assert page.locator(".ax-kind").count() == 0
    page.locator(".ax-sentence").select_option("1")
    page.locator(".ax-stage[value=masked]").check()
    assert page.get_attribute(".ax-root", "data-state") == "1|decoder|1|2|masked|0"
    assert "−∞" in page.inner_text(".ax-view")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_scaling_step_is_typeset_not_raw_text(language, monkeypatch):
    """Readers saw "÷ √d_k" as raw text: the page shows a radical over d with a subscript k."""
    from helpers.explorers import attention_explorer_html
    from helpers.explorers.attention import STAGES, stage_html

    monkeypatch.setenv("BOOK_LANGUAGE", language)
    label = stage_html("scaled")
    assert "√" in label and "<i>d</i><sub" in label and "<i>k</i></sub>" in label and "d_k" not in label
    assert "border-top" in label  # the bar over the radicand, drawn by CSS (no MathJax, works offline)
    *_, data = attention_fixture()
    page = attention_explorer_html(data, kind="cross", layer=1)
    assert label in page and "√d_k" not in visible(page)
    assert all(stage_html(s) for s in STAGES)
    with pytest.raises(ValueError, match="stage must be one of"):
        stage_html("scale")
    assert "<i>h</i></sub>" in stage_html("scaled", sub="h")  # chapter 12's d_h
    with pytest.raises(ValueError, match="sub must be 'k' or 'h'.*'q'"):
        stage_html("scaled", sub="q")


def test_the_widget_shows_the_typeset_step(monkeypatch):
    pytest.importorskip("ipywidgets")
    from helpers.explorers import attention_widget
    from helpers.explorers.attention import stage_html

    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    *_, data = attention_fixture()
    box = attention_widget(data)
    stage, out = box.children[2], box.children[3]
    stage.value = "scaled"
    assert "÷ √dₖ" in [o[0] for o in stage.options] and stage_html("scaled") in out.value
    head_width = attention_widget(data, sub="h")
    stage, out = head_width.children[2], head_width.children[3]
    stage.value = "scaled"
    assert "÷ √dₕ" in [o[0] for o in stage.options] and stage_html("scaled", sub="h") in out.value
    with pytest.raises(ValueError, match="sub must be"):
        attention_widget(data, sub="x")


def test_attention_explorer_prints_a_true_minus(monkeypatch, tmp_path, chromium):
    """Both explorers print negative numbers with U+2212 ("−10.25"), in the view Python writes and in the
    one the script draws (the scores and the × V step); the attention explorer used to print a hyphen."""
    from helpers.explorers import attention_explorer_html, attention_view_html

    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    *_, data = attention_fixture()
    for stage in ("raw", "output"):
        static = attention_view_html(data, kind="cross", layer=1, head=2, stage=stage)
        assert re.search(r">\u2212\d", static) and not re.search(r">-\d", static), stage
    page = chromium(tmp_path / "minus.html", attention_explorer_html(data, kind="cross", layer=1, head=2))
    for stage in ("raw", "output"):
        page.locator(f".ax-stage[value={stage}]").check()
        shown = page.eval_on_selector_all(".ax-view td", "els => els.map((e) => e.textContent)")
        assert any(c.startswith("\u2212") for c in shown) and not any(c.startswith("-") for c in shown), stage


def test_mask_explorer_note_on_scrolling_shows_on_phones_only(tmp_path, chromium):
    """The note "On a narrow screen the tables scroll sideways" showed at 1280 px too, where nothing scrolls."""
    import torch

    page = chromium(tmp_path / "mx.html", mask_explorer_html(MASK_TOKENS, torch.randn(2, 2, 4, 4)))
    assert not page.locator(".mx-narrow").is_visible()
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator(".mx-narrow").is_visible()


def test_all_heads_view_in_python(monkeypatch):
    """The "all heads" view (drawn by attention.js; Python renders the same HTML): one small grid per head of
    the layer, coloured by the chosen stage (the weights for × V), each a button that opens its head."""
    from helpers.explorers import attention_explorer_html, attention_view_html, explorer_stages
    from helpers.explorers.attention import _mini_html, attention_heads_html

    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    *_, data = attention_fixture()
    view = attention_heads_html(data, sentence=1, kind="cross", layer=1, stage="raw", head=2)
    k = data["sentences"][1]["kinds"]["cross"]
    assert re.findall(r"data-h='(\d+)'", view) == [str(h) for h in range(data["n_heads"])]
    assert view.count("class='ax-h ax-cur'") == 1 and "ax-cur' data-h='2'" in view
    assert [*re.findall(r"class='ax-hl'>([^<]*)<", view)] == [f"head {h + 1}" for h in range(data["n_heads"])]
    cells = len(k["q_tokens"]) * len(k["k_tokens"])
    assert view.count("<span style='background:") == data["n_heads"] * cells
    raw = explorer_stages(k["scores"][1][3], k["mask"], data["d_k"])["raw"].tolist()
    assert _mini_html(raw, False) in view  # head 4's grid is its raw scores
    weights = attention_heads_html(data, sentence=1, kind="cross", layer=1, stage="weights")
    assert attention_heads_html(data, sentence=1, kind="cross", layer=1, stage="output") == weights
    masked = attention_heads_html(data, kind="decoder", stage="masked")
    assert "#d0d0d0" in masked and "#d0d0d0" not in weights  # the causal mask's −∞, grey
    page = attention_explorer_html(data, kind="cross", layer=1, head=2)
    assert "class=\"ax-all\" aria-pressed=\"false\">all heads</button>" in page
    assert attention_view_html(data, kind="cross", layer=1, head=2) in page  # the first view is unchanged
    assert view not in page  # the all-heads view is the script's
    for bad, match in (({"layer": 2}, "layer"), ({"head": 4}, "head"), ({"stage": "nope"}, "stage"),
                       ({"kind": "self"}, "kind")):
        with pytest.raises(ValueError, match=match):
            attention_heads_html(data, **bad)
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    assert ">全部头</button>" in attention_explorer_html(data)
    assert "class='ax-hl'>1 号头<" in attention_heads_html(data)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_all_heads_view_opens_a_head_on_a_phone(monkeypatch, tmp_path, chromium, lang):
    """A reader asked for an overview of every head, as bertviz gives: "all heads" shows one grid per head of
    the layer (what Python renders), wrapping in a 390-px column, labels ≥ 13 px; a click opens that head."""
    from helpers.explorers import attention_explorer_html
    from helpers.explorers.attention import attention_heads_html

    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    *_, data = attention_fixture()
    page = chromium(tmp_path / "heads.html",
                    "<div style='width: 374px'>" + attention_explorer_html(data, kind="cross", layer=1) + "</div>")
    page.set_viewport_size({"width": 390, "height": 800})
    page.locator(".ax-sentence").select_option("1")  # the longer sentence
    page.locator(".ax-stage[value=raw]").check()
    page.locator(".ax-all").click()
    assert page.get_attribute(".ax-all", "aria-pressed") == "true"
    assert page.locator(".ax-h").count() == data["n_heads"] and page.locator(".ax-mini").count() == data["n_heads"]

    def same(python_html):  # the script drew what Python renders (both as the browser serialises them)
        parsed = page.evaluate("(h) => { const d = document.createElement('div'); d.innerHTML = h; return d.innerHTML; }",
                               python_html)
        return page.inner_html(".ax-view") == parsed

    assert same(attention_heads_html(data, sentence=1, kind="cross", layer=1, stage="raw"))
    boxes = [page.locator(".ax-h").nth(h).bounding_box() for h in range(data["n_heads"])]
    assert max(b["x"] + b["width"] for b in boxes) <= 390 and len({b["y"] for b in boxes}) > 1  # wrapped
    sizes = page.eval_on_selector_all(".ax-hl, .ax-hint", "els => els.map((e) => parseFloat(getComputedStyle(e).fontSize))")
    assert min(sizes) >= 13
    colours = page.eval_on_selector(".ax-hl", "(e) => [getComputedStyle(e).color, getComputedStyle(e.parentNode).backgroundColor]")
    assert colours == ["rgb(34, 34, 34)", "rgb(255, 255, 255)"]
    assert ("Click a head to open it." if lang == "en" else "点击一个头即可打开它。") in page.inner_text(".ax-hint")
    page.locator(".ax-layer").select_option("0")  # the overview follows the layer
    assert same(attention_heads_html(data, sentence=1, kind="cross", layer=0, stage="raw"))
    page.locator(".ax-h").nth(3).focus()
    page.keyboard.press("Enter")  # a button: the keyboard opens a head too
    assert page.get_attribute(".ax-root", "data-state") == "1|cross|0|3|raw|0"
    assert page.get_attribute(".ax-root", "data-all") == "0" and page.locator(".ax-table").count() == 1
    assert page.get_attribute(".ax-all", "aria-pressed") == "false"
    page.locator(".ax-all").click()
    page.locator(".ax-h").nth(1).click()
    assert page.get_attribute(".ax-root", "data-state") == "1|cross|0|1|raw|0"
