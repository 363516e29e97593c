"""The sampling explorer (chapter 11): compact logits, the cut against helpers.generate, HTML, widget, browser."""

from __future__ import annotations

import re
import shutil

import pytest
import torch
from test_explorers import chromium, english_words, page_data, visible  # noqa: F401 (chromium: a fixture)

from helpers.explorers.sampling import (
    P_GRID,
    T_GRID,
    cut,
    sampling_data,
    sampling_explorer_html,
    sampling_labels,
    sampling_view_html,
    sampling_widget,
)
from helpers.generate import filter_logits, next_token_probs
from helpers.gpt import GPT, GPTConfig
from helpers.poems import CharVocab

TEXTS = ["床前明月光，疑是地上霜。", "白日依山尽，黄河入海流。"]
SETTINGS = [(1.0, None, None), (0.5, None, None), (2.0, None, None), (1.0, 1, None), (1.0, 5, None),
            (0.7, 20, None), (1.0, None, 0.3), (1.5, None, 0.9), (0.8, 10, 0.8), (1.0, 1, 0.5)]


@pytest.fixture(scope="module")
def setup():
    torch.manual_seed(0)
    vocab = CharVocab("".join(sorted(set("".join(TEXTS)))) + "".join(chr(0x4E00 + i) for i in range(200)))
    model = GPT(GPTConfig(vocab_size=len(vocab), block_size=16, n_layer=1, n_head=2, n_embd=16))
    with torch.no_grad():  # spread the logits, as a trained model's are
        model.lm_head.weight.mul_(40)
    return model, vocab, sampling_data(model, vocab, TEXTS, top=20, bin_width=0.02)


def test_data_shapes(setup):
    model, vocab, data = setup
    assert len(data["prompts"]) == 2
    p = data["prompts"][0]
    assert p["tokens"][0] == "<sos>" and p["tokens"][-1] == "<eos>"
    assert len(p["steps"]) == len(p["tokens"]) - 1
    s = p["steps"][3]
    assert len(s["top"]) == 20
    assert sum(n for _, n in s["rest"]) == len(vocab) - 20
    assert [v for _, v in s["top"]] == sorted((v for _, v in s["top"]), reverse=True)


@pytest.mark.parametrize("setting", SETTINGS)
def test_cut_matches_next_token_probs(setup, setting):
    model, vocab, data = setup
    T, k, p = setting
    for text, prompt in zip(TEXTS, data["prompts"]):
        ids = vocab.encode(text, add_sos=True)
        with torch.no_grad():
            logits = model(torch.tensor([ids]))[0][0].double()
        for pos, step in enumerate(prompt["steps"]):
            r = cut(step, T, k, p)
            ref = next_token_probs(logits[pos], T, k, p)
            order = torch.sort(logits[pos], descending=True).indices
            ref = ref[order]
            assert torch.allclose(torch.tensor(r["p"], dtype=torch.float64), ref[:20], atol=3e-3)
            assert abs(r["rest"] - ref[20:].sum().item()) < 3e-3
            n_ref = int((ref > 0).sum())
            if n_ref <= 20:
                assert r["kept"] == n_ref
            else:
                assert abs(r["kept"] - n_ref) <= max(2, 0.03 * n_ref)
            assert abs(sum(r["p"]) + r["rest"] - 1) < 1e-9


def test_top_p_count_is_exact_on_the_sliders(setup):
    """With top-k off, the count top-p keeps is the one filter_logits keeps on the full float32 logits (the
    logits a chapter computes from the whole poem), at every temperature and top-p the sliders can take."""
    model, vocab, data = setup
    assert data["t_grid"] == list(T_GRID) and data["p_grid"] == list(P_GRID)
    for text, prompt in zip(TEXTS, data["prompts"]):
        with torch.no_grad():
            logits = model(torch.tensor([vocab.encode(text, add_sos=True, add_eos=True)]))[0][0]
        for pos, step in enumerate(prompt["steps"]):
            for T in (0.1, 0.7, 1.0, 1.5, 2.0):
                for p in (0.05, 0.3, 0.5, 0.9, 0.95):
                    n_ref = int(filter_logits(logits[pos], T, None, p).isfinite().sum())
                    r = cut(step, T, None, p)
                    assert r["kept"] == n_ref, (pos, T, p)
                    assert sum(x > 0 for x in r["p"]) == min(n_ref, data["top"])  # the most probable ones


def test_greedy_like_settings_keep_one(setup):
    _, _, data = setup
    step = data["prompts"][0]["steps"][0]
    assert cut(step, 1.0, 1, None)["kept"] == 1
    assert cut(step, 1.0, None, 1e-6)["kept"] == 1
    assert cut(step)["kept"] == data["vocab_size"]


def test_html_is_self_contained_with_a_static_view(setup):
    _, _, data = setup
    page = sampling_explorer_html(data)
    assert "se-data" in page and "http" not in page.replace("http-equiv", "")
    assert "survive the cut" in page  # the Python-rendered view is inside
    view = sampling_view_html(data, 1, 2, temperature=0.5, top_k=3)
    assert "<b>3</b> of" in view
    # the footnote counts every token the table does not show, so shown + others = vocabulary
    show = min(data["show"], data["top"])
    others, others_kept = re.search(r"The other ([\d,]+) tokens: .*?\(([\d,]+) kept\)", view).groups()
    assert int(others.replace(",", "")) + show == data["vocab_size"]  # 3,988: with the separator
    assert int(others_kept.replace(",", "")) + view.count("<tr>") == 3  # top-k 3: kept rows plus kept others


def test_widget_builds():
    pytest.importorskip("ipywidgets")
    torch.manual_seed(0)
    vocab = CharVocab("床前明月光疑是地上霜")
    model = GPT(GPTConfig(vocab_size=len(vocab), block_size=16, n_layer=1, n_head=1, n_embd=8))
    data = sampling_data(model, vocab, ["床前明月光"], top=5)
    box = sampling_widget(data)
    html_out = box.children[-1]
    before = html_out.value
    box.children[1].children[1].value = 1  # top-k = 1
    assert html_out.value != before and "<b>1</b> of" in html_out.value


def test_bad_input(setup):
    model, vocab, data = setup
    with pytest.raises(ValueError, match="texts"):
        sampling_data(model, vocab, [])
    with pytest.raises(ValueError, match="top must be"):
        sampling_data(model, vocab, TEXTS, top=0)
    with pytest.raises(TypeError, match="GPT"):
        sampling_data("model", vocab, TEXTS)
    with pytest.raises(ValueError, match="unknown character"):
        sampling_data(model, vocab, ["猫"])
    with pytest.raises(ValueError, match="context length"):
        sampling_data(model, vocab, ["床前明月光，疑是地上霜。白日依山尽，"])
    with pytest.raises(ValueError, match="temperature"):
        cut(data["prompts"][0]["steps"][0], 0.0)
    with pytest.raises(ValueError, match="position"):
        sampling_view_html(data, 0, 99)
    with pytest.raises(ValueError, match="sampling_data"):
        sampling_explorer_html({})


@pytest.mark.skipif(not shutil.which("chromium"), reason="no Chromium on PATH: the browser check is skipped")
def test_browser_recomputes_the_cut_like_python(setup, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    _, _, data = setup
    page_file = tmp_path / "se.html"
    page_file.write_text("<meta charset='utf-8'>" + sampling_explorer_html(data), encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(page_file.as_uri())
        root = page.locator(".se-root")
        assert root.get_attribute("data-live") == "1"
        page.select_option(".se-prompt", "1")
        states = {}
        for T, p_ in (("1.5", "0.9"), ("1", "0.9"), ("0.7", "0.5"), ("2", "0.95")):
            for sel, value in ((".se-pos", "4"), (".se-t", T), (".se-k", "0"), (".se-p", p_)):
                page.eval_on_selector(sel, "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", value)
            states[float(T), float(p_)] = root.get_attribute("data-state").split(",")
        browser.close()
    for (T, p_), state in states.items():  # the browser's count is Python's, and so filter_logits'
        assert state[:2] == ["1", "4"]
        assert int(state[-1]) == cut(data["prompts"][1]["steps"][4], T, None, p_)["kept"]


# a hand-made poem of three tokens over a vocabulary of 5: after <sos> the true 月 is ranked 1st, after
# 月 the true <eos> is not among the 2 stored exactly
TINY = {"vocab_size": 5, "top": 2, "show": 12, "bin_width": 0.1, "prompts": [{
    "tokens": ["<sos>", "月", "<eos>"],
    "steps": [{"top": [["月", 2.0], ["日", 1.0]], "rest": [[0.0, 3]]},
              {"top": [["光", 2.0], ["日", 1.0]], "rest": [[0.5, 1], [0.0, 2]]}]}]}


def test_explorer_in_english_and_chinese(setup, monkeypatch):
    _, _, data = setup
    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    page = sampling_explorer_html(data)
    for words in ("<label>poem <select", "<label>after token (&lt;sos&gt; is 0) <input", "<label>temperature <input", '"se-kv">off<',
                  '"se-pv">off<', " tokens survive the cut</div>", "<div class='se-note'>grey: probability at"):
        assert words in page, words
    assert page_data(page, "se")["labels"] == sampling_labels()
    first, second = sampling_view_html(TINY, 0, 0), sampling_view_html(TINY, 0, 1, top_k=1)
    assert "the poem has “<b>月</b>” (rank 1, " in first and " — <b>5</b> of 5 tokens survive the cut" in first
    assert "the poem has “<b>&lt;eos&gt;</b>” (not among the top 2) — <b>1</b> of 5 tokens" in second

    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    page = sampling_explorer_html(data)
    for words in ("<label>诗 <select", "<label>截至词元（&lt;sos&gt; 记为 0） <input", "<label>温度 <input", '"se-kv">关<', '"se-pv">关<',
                  "截断后剩下 <b>", "<div class='se-note'>灰色：温度为 1、不截断时的概率；"):
        assert words in page, words
    assert english_words(visible(page)) == set()
    assert page_data(page, "se")["labels"] == sampling_labels()
    first, second = sampling_view_html(TINY, 0, 0), sampling_view_html(TINY, 0, 1, top_k=1)
    assert "诗中实际是“<b>月</b>”（排第 1，" in first and "——5 个词元中，截断后剩下 <b>5</b> 个" in first
    assert "诗中实际是“<b>&lt;eos&gt;</b>”（不在前 2 名之内）——5 个词元中，截断后剩下 <b>1</b> 个" in second
    assert "其余 3 个词元：" in second and "（保留 0 个）。" in second
    assert english_words(visible(first + second)) == set()


def test_widget_in_chinese(monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    box = sampling_widget(TINY)
    labels = [c.description for row in box.children[:2] for c in row.children]
    assert labels == ["诗", "截至词元（<sos> 记为 0）", "温度", "top-k（0 = 关）", "top-p（1 = 关）"]
    assert "截断后剩下" in box.children[-1].value and english_words(visible(box.children[-1].value)) == set()


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_browser_writes_the_words_python_wrote(setup, tmp_path, monkeypatch, chromium, lang):  # noqa: F811
    """The script fills the same templates as sampling_view_html: the view it draws reads as the static one
    did, and in Chinese no English word appears, whatever the sliders say."""
    _, _, data = setup
    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    page_html = sampling_explorer_html(data, prompt=0, position=3)
    static = chromium(tmp_path / "se.html", page_html, js=False).inner_text(".se-view")
    page = chromium(tmp_path / "se.html", page_html)
    assert page.get_attribute(".se-root", "data-live") == "1"
    assert page.inner_text(".se-view") == static
    for sel, value in ((".se-k", "3"), (".se-p", "0.5"), (".se-t", "1.5"), (".se-pos", "7")):
        page.eval_on_selector(sel, "(el, v) => { el.value = v; el.dispatchEvent(new Event('input')); }", value)
    live = page.inner_text(".se-root")
    assert ("survive the cut" in live) == (lang == "en")
    if lang == "zh_CN":
        assert "截断后剩下" in live and english_words(live) == set()
