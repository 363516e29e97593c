"""Induction heads on the real SmolLM2: the repeated-sequence test against scores computed from the
model's own attention maps, the head ablation against zeroing the columns of W^O, and the
teaching listing and explorer helpers of chapter 12."""

import pytest
import torch
from phone_page import phone_page

from helpers.explorers.attention import stage_html
from helpers.llama import (
    LlamaBlock,
    ModelNotInstalledError,
    RMSNorm,
    attention_maps,
    explorer_data,
    load_llama,
    smollm2_path,
)
from helpers.llama.heads import (
    ablate_heads,
    heads_explorer_html,
    induction_test,
    repeated_random_tokens,
)
from helpers.llama.show import teaching_source


def test_repeated_random_tokens():
    ids = repeated_random_tokens(3, 7, 500, seed=4, low=100)
    assert ids.shape == (3, 14) and torch.equal(ids[:, :7], ids[:, 7:])
    assert ids.min() >= 100 and ids.max() < 500
    assert torch.equal(ids, repeated_random_tokens(3, 7, 500, seed=4, low=100))
    assert not torch.equal(ids, repeated_random_tokens(3, 7, 500, seed=5, low=100))
    with pytest.raises(ValueError):
        repeated_random_tokens(0, 7, 500)


def test_teaching_source_drops_docstring_and_checks_only():
    block = teaching_source(LlamaBlock.forward)
    assert block.splitlines()[0] == "def forward(self, x, positions, cache=None, return_weights=False):"
    assert '"""' not in block and "x = x + a" in block
    norm = teaching_source(RMSNorm.forward)
    assert "check_tensor" not in norm and "raise" not in norm and "rsqrt" in norm
    assert max(len(line) for line in norm.splitlines()) < 90


def _demo(values, scale=2.0, *, name="x", limit=None):
    """Docstring."""
    check_positive(scale)
    total = 0.0
    for v in values:
        if v < 0:
            raise ValueError("negative")
        # keep the positive ones
        total = total + v * scale
    if limit is None:
        limit = 10
    else:
        if limit < 0:
            raise ValueError("limit")
    if name is None:
        check_name(name)
    result = {"name": name, "total": total, "limit": limit, "values": list(values), "scale": scale, "x": 1}  # long
    return result


def check_positive(x):  # used by _demo only
    return x


check_name = check_positive


def test_teaching_source_drops_nested_checks_and_empty_blocks():
    import ast

    listing = teaching_source(_demo)
    assert listing.splitlines()[0] == "def _demo(values, scale=2.0, *, name='x', limit=None):"
    for gone in ("check_", "raise", "else:", "if name is None", "Docstring"):
        assert gone not in listing, gone
    assert "# keep the positive ones" in listing and "if limit is None:" in listing
    assert all(len(line) <= 78 for line in listing.splitlines())
    ast.parse(listing)  # still Python
    excerpt = teaching_source(_demo, start="for v in", stop="total = total")
    lines = excerpt.splitlines()
    assert lines[1].strip() == "..." and lines[-1].strip() == "..." and "for v in values:" in lines[2]
    with pytest.raises(ValueError):
        teaching_source(_demo, start="no such line")
    with pytest.raises(ValueError):
        teaching_source(_demo, start="for v in", stop="no such line")


def test_teaching_source_wraps_long_lines_without_changing_the_code():
    import ast

    from helpers.llama import GGUFFile, GroupedQueryAttention, LayerKVCache, generate, load_llama

    for function in (GroupedQueryAttention.forward, generate, load_llama, GGUFFile.raw, LayerKVCache.append):
        listing = teaching_source(function)
        unwrapped = teaching_source(function, width=10_000)
        assert ast.dump(ast.parse(listing)) == ast.dump(ast.parse(unwrapped)), function.__name__
        assert max(len(line) for line in listing.splitlines()) <= 80, function.__name__
    # the excerpts chapter 12 prints
    loop = teaching_source(generate, start="cache = model.new_cache()")
    assert "for _ in range(max_new_tokens):" in loop and "cache.append" not in loop
    assert "*, temperature=0.0" in loop.replace("\n", " ").replace("  ", " ") or "*," in loop
    reader = teaching_source(load_llama, start="for gguf_name", stop="state[name] = w")
    assert "file.dequantize(gguf_name)" in reader and "unpermute_qk" in reader


def test_a_line_that_fits_once_its_comment_moves_up_is_not_split():
    from helpers.llama.show import _wrap

    line = '        state["m"] = g.clone()  # the first step: the buffer is the gradient itself, nothing to average'
    assert _wrap(line, 79) == ['        # the first step: the buffer is the gradient itself, nothing to average',
                               '        state["m"] = g.clone()']
    long_code = "    total = some_function(first_argument, second_argument, third_argument, fourth)  # why"
    wrapped = _wrap(long_code, 60)
    assert wrapped[0] == "    # why" and len(wrapped) > 2 and all(len(x) <= 60 for x in wrapped)


try:
    MODEL_PATH = smollm2_path()
except ModelNotInstalledError as exc:
    pytest.skip(f"the model file is not installed ({exc})", allow_module_level=True)
pytest.importorskip("gguf")


@pytest.fixture(scope="module")
def model():
    return load_llama(MODEL_PATH)


@pytest.fixture(scope="module")
def repeated():
    return repeated_random_tokens(2, 20, 49152, seed=0)


def test_induction_scores_equal_the_attention_maps(model, repeated):
    test = induction_test(model, repeated)
    n = repeated.shape[1] // 2
    for b in range(repeated.shape[0]):
        maps = attention_maps(model, repeated[b : b + 1])  # one sequence at a time, all layers
        for layer in (0, 17, 18):
            w = maps[layer]  # (heads, T, T)
            expected = torch.stack([w[:, i, i - n + 1] for i in range(n, 2 * n)], -1).mean(-1)
            torch.testing.assert_close(test["score"][b, layer], expected, atol=1e-5, rtol=1e-4)
        logits = model(repeated[b : b + 1])[0]
        loss = torch.nn.functional.cross_entropy(logits[:-1], repeated[b, 1:], reduction="none")
        torch.testing.assert_close(test["loss"][b], loss, atol=1e-3, rtol=1e-3)  # batched vs alone
    assert "score" not in induction_test(model, repeated, scores=False)


def test_induction_test_after_a_start_token(model, repeated):
    ids = torch.cat([torch.zeros(repeated.shape[0], 1, dtype=torch.long), repeated], 1)  # <|endoftext|> first
    test = induction_test(model, ids, prefix=1)
    n = repeated.shape[1] // 2
    assert test["loss"].shape == (repeated.shape[0], 2 * n - 1)
    maps = attention_maps(model, ids[:1])
    w = maps[17]  # (heads, T, T); the repeats start at position 1
    expected = torch.stack([w[:, i + 1, i - n + 2] for i in range(n, 2 * n)], -1).mean(-1)
    torch.testing.assert_close(test["score"][0, 17], expected, atol=1e-5, rtol=1e-4)
    logits = model(ids[:1])[0]
    loss = torch.nn.functional.cross_entropy(logits[:-1], ids[0, 1:], reduction="none")[1:]
    torch.testing.assert_close(test["loss"][0], loss, atol=1e-3, rtol=1e-3)
    with pytest.raises(ValueError, match="prefix"):
        induction_test(model, ids)  # the start token is not a repeated token
    with pytest.raises(ValueError, match="prefix"):
        induction_test(model, repeated, prefix=-1)


def test_the_model_has_induction_heads_that_do_the_copying(model, repeated):
    test = induction_test(model, repeated)
    score = test["score"].mean(0)
    n = repeated.shape[1] // 2
    assert score.max() > 0.6 and score[:10].max() < 0.3  # none in the first layers
    first, second = test["loss"][:, : n - 1].mean(), test["loss"][:, n:].mean()
    assert second < first / 2
    top = [(int(i) // 9, int(i) % 9) for i in score.flatten().topk(6).indices]
    with ablate_heads(model, top):
        off = induction_test(model, repeated, scores=False)["loss"][:, n:].mean()
    assert off > 2 * second


def test_ablating_a_head_equals_zeroing_its_columns_of_w_o(model):
    ids = torch.randint(100, 49000, (1, 9), generator=torch.Generator().manual_seed(3))
    heads = [(4, 2), (4, 7), (20, 0)]
    with torch.no_grad():
        plain = model(ids)
        with ablate_heads(model, heads):
            ablated = model(ids)
        hd = model.config.head_dim
        saved = {}
        for layer, head in heads:
            o = model.blocks[layer].attn.o.weight
            saved.setdefault(layer, o.detach().clone())
            o[:, head * hd : (head + 1) * hd] = 0
        try:
            zeroed = model(ids)
        finally:
            for layer, w in saved.items():
                model.blocks[layer].attn.o.weight.copy_(w)
        assert torch.equal(model(ids), plain)  # hooks removed, weights restored
    torch.testing.assert_close(ablated, zeroed, atol=1e-4, rtol=1e-4)
    assert (ablated - plain).abs().max() > 1e-3
    with pytest.raises(ValueError):
        ablate_heads(model, [(30, 0)])


def test_heads_explorer_has_no_single_kind_menu(model):
    from helpers.llama import LlamaTokenizer

    tok = LlamaTokenizer.from_gguf(MODEL_PATH)
    data = explorer_data(model, tok, ["The cat sat on the mat."], [16], max_tokens=6)
    page = heads_explorer_html(data, layer=0, head=0)
    assert 'class="ax-root"' in page
    assert 'class="ax-kind"' not in page and ".ax-kind{" not in page  # one kind: no menu, no style for it
    opened = heads_explorer_html(data, layer=0, head=0, query=3)  # opens on the row of "on"
    assert 'q.value="3"' in opened and 'q.value=' not in page
    with pytest.raises(ValueError, match="query"):
        heads_explorer_html(data, layer=0, head=0, query=99)


def test_heads_explorer_fits_a_phone(model, tmp_path):
    """On a 390-px phone, where the site gives the explorer 352 px, the explorer of chapter 12 (the
    chapter's two texts, the weights step where it opens) shows every column next to the row labels,
    without scrolling sideways, and the sentence menu whole; the wider score steps say that they scroll.
    The scaling step is named with the chapter's d_h, the query menu has a name, and the page stays
    small enough to ship."""

    from helpers.llama import LlamaTokenizer

    tok = LlamaTokenizer.from_gguf(MODEL_PATH)
    texts = ["The cat sat on the mat because it was tired.", "When Harry Potter came in, Harry Potter smiled."]
    data = explorer_data(model, tok, texts, [1, 16, 17, 18, 24], max_tokens=14)
    page_html = heads_explorer_html(data, layer=1, head=0)
    assert len(page_html.encode()) < 120_000  # 5 of the chapter's 11 layers
    assert stage_html("scaled", sub="h") in page_html and stage_html("scaled") not in page_html
    assert "√d_k" not in page_html
    assert '<select class="ax-query" aria-label=' in page_html
    with phone_page(page_html, tmp_path, "heads.html") as page:
        for sentence in ("0", "1"):
            page.select_option(".ax-sentence", sentence)
            page.click(".ax-stage[value=weights]")
            sizes = page.evaluate("""() => { const v = document.querySelector('.ax-view');
                const t = v.querySelector('table'), s = document.querySelector('.ax-sentence');
                return [t.scrollWidth, v.clientWidth, parseFloat(getComputedStyle(t.querySelector('td')).fontSize),
                        s.scrollWidth, s.clientWidth,
                        getComputedStyle(document.querySelector('.ax-wide-note')).display]; }""")
            assert sizes[0] <= sizes[1] and sizes[2] >= 11 and sizes[3] <= sizes[4], (sentence, sizes)
            assert sizes[5] == "none", sizes  # no scrolling note where nothing scrolls
            page.click(".ax-stage[value=raw]")
            note = page.evaluate("getComputedStyle(document.querySelector('.ax-wide-note')).display")
            assert note == "block", (sentence, note)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_heads_widget_hides_the_single_kind_menu(model, language, monkeypatch):
    pytest.importorskip("ipywidgets")
    from helpers.llama import LlamaTokenizer
    from helpers.llama.heads import heads_widget

    monkeypatch.setenv("BOOK_LANGUAGE", language)
    tok = LlamaTokenizer.from_gguf(MODEL_PATH)
    data = explorer_data(model, tok, ["The cat sat."], [16], max_tokens=4)
    box = heads_widget(data)
    controls = [c for row in box.children for c in getattr(row, "children", ())]
    kinds = [c for c in controls if [o[1] for o in getattr(c, "options", ())] == ["decoder"]]
    assert len(kinds) == 1 and kinds[0].layout.display == "none"
    assert all(c.layout.display != "none" for c in controls if c not in kinds)
    from helpers.i18n import t

    layer = next(c for c in controls if c.description == t("layer"))
    assert [o[0] for o in layer.options] == (["layer 16"] if language == "en" else ["第 16 层"])
