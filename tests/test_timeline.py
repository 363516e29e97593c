"""Training tools and the training-timeline explorer: snapshots, static HTML, widget, and the browser view,
in English and in Chinese (BOOK_LANGUAGE, helpers.i18n)."""

import json
import re
import shutil

import pytest
import torch
from test_explorers import visible

from helpers import corpus, training, translator
from helpers.explorers.timeline import (
    loss_points,
    timeline_data,
    timeline_explorer_html,
    timeline_labels,
    timeline_view_html,
    timeline_widget,
)


@pytest.fixture(scope="module")
def setup():
    torch.manual_seed(0)
    en, zh = translator.vocabularies()
    model = translator.build_model(translator.TrainSettings(d_model=16, d_ff=32, n_heads=2, dropout=0.0), en, zh)
    pair = corpus.make_pair(0, 0, place=0, time=1)
    return model, en, zh, pair


@pytest.fixture(scope="module")
def data(setup):
    model, en, zh, pair = setup
    snaps = [training.snapshot(model, pair, en, zh, step) for step in (0, 4, 9)]
    snaps[-1]["translation"] = list(pair.zh)  # pretend the last one is right
    _, _, tgt_out = translator.encode_pairs([pair], en, zh)
    losses = [3.5 * 0.7**i for i in range(10)]
    return timeline_data(losses, snaps, list(pair.en), zh.decode(tgt_out[0].tolist()), list(pair.zh),
                         accuracy=[0.0, 0.5, 1.0])


# --- training helpers ------------------------------------------------------------------------
def test_snapshot_matches_the_model(setup):
    model, en, zh, pair = setup
    snap = training.snapshot(model, pair, en, zh, step=3)
    assert snap["step"] == 3
    weights = torch.tensor(snap["cross"])
    assert weights.shape == (len(pair.zh) + 1, len(pair.en))
    assert torch.allclose(weights.sum(-1), torch.ones(len(pair.zh) + 1), atol=1e-2)
    model.keep_attention(True)
    src, tgt_in, _ = translator.encode_pairs([pair], en, zh)
    model.eval()
    with torch.no_grad():
        model(src, tgt_in)
    expected = model.decoder[-1].cross_attn.last_weights[0].mean(0)
    model.keep_attention(False)
    assert torch.allclose(weights, expected, atol=1e-3)
    assert tuple(snap["translation"]) == translator.translate(model, [pair.en], en, zh)[0]


def test_snapshot_keeps_training_mode(setup):
    model, en, zh, pair = setup
    model.train()
    training.snapshot(model, pair, en, zh, 0)
    assert model.training
    model.eval()


def test_layer_grad_norms(setup):
    model, en, zh, pair = setup
    model.zero_grad()
    with pytest.raises(ValueError, match="call loss.backward"):
        training.layer_grad_norms(model)
    translator.loss_on(model, [pair], en, zh).backward()
    norms = training.layer_grad_norms(model)
    assert len(norms["encoder"]) == len(norms["decoder"]) == model.config.n_layers
    layer = model.encoder[0]
    expected = torch.cat([p.grad.flatten() for p in layer.parameters() if p.grad is not None]).norm()
    assert norms["encoder"][0] == pytest.approx(expected.item(), rel=1e-5)
    model.zero_grad()


def test_training_bad_input(setup):
    model, en, zh, pair = setup
    with pytest.raises(TypeError, match="Seq2SeqTransformer, got str"):
        training.layer_grad_norms("model")
    with pytest.raises(ValueError, match=r"layer must be in \[-2, 2\).*got 5"):
        training.cross_attention(model, pair, en, zh, layer=5)


def test_progress_line_outside_ipython_writes_to_stdout(capsys):
    from tqdm import tqdm

    for _ in tqdm(range(3), file=training.ProgressLine(), desc="demo"):
        pass
    out = capsys.readouterr().out
    assert "demo: 100%" in out and "3/3" in out and "█" in out


# --- data and static HTML --------------------------------------------------------------------
def test_loss_points_log_scale():
    pts, axis = loss_points([10.0, 1.0, 0.1])
    ys = [y for _, y in pts]
    assert ys[0] < ys[1] < ys[2] and ys[1] - ys[0] == pytest.approx(ys[2] - ys[1], abs=0.2)
    assert [label for _, label in axis["ticks"]] == ["0.1", "0.3", "1", "3", "10"]
    with pytest.raises(ValueError, match="positive finite"):
        loss_points([1.0, 0.0])


def test_html_is_self_contained_with_a_static_view(data):
    page = timeline_explorer_html(data)
    embedded = json.loads(re.search(r'class="tl-data">(.*?)</script>', page, re.S).group(1))
    assert embedded.pop("labels") == timeline_labels()  # the words the script writes
    assert embedded == json.loads(json.dumps(data))
    assert "https://" not in page and "src=" not in page  # nothing fetched
    assert len(page.encode()) < 60_000
    # before any script runs, the first snapshot is on the page
    view = timeline_view_html(data, 0)
    assert f'<div class="tl-view">{view}</div>' in page
    assert "step <b>0</b>" in view and view.count("<td ") == 7 * 7  # 7 rows (6 words + <eos>), 7 English words


def test_views_follow_the_snapshots(data):
    first, last = timeline_view_html(data, 0), timeline_view_html(data, 2)
    assert "tl-bad" in first and "✗" in first and "held-out exact match <b>0%</b>" in first
    assert "tl-ok" in last and "✓" in last and "<b>100%</b>" in last
    assert "step <b>9</b>" in last and "<th>→猫</th>" in last


def test_timeline_bad_input(data):
    snaps = data["snapshots"]
    with pytest.raises(ValueError, match="at least one snapshot"):
        timeline_data([1.0], [], ["a"], ["b"], ["b"])
    with pytest.raises(ValueError, match="snapshot 0 is at step 0, outside the 0 logged|positive finite"):
        timeline_data([], snaps, data["src"], data["rows"], data["reference"])
    with pytest.raises(ValueError, match=r"snapshot 0: cross-attention has 7 rows .*expected \(7, 3\)"):
        timeline_data(data["losses"], snaps, ["a", "b", "c"], data["rows"], data["reference"])
    with pytest.raises(ValueError, match="2 accuracies for 3 snapshots"):
        timeline_data(data["losses"], snaps, data["src"], data["rows"], data["reference"], accuracy=[0, 1])
    with pytest.raises(ValueError, match="must have 'step', 'cross' and 'translation'"):
        timeline_data(data["losses"], [{"step": 0}], data["src"], data["rows"], data["reference"])
    with pytest.raises(ValueError, match=r"index must be in \[0, 3\), got 7"):
        timeline_view_html(data, 7)
    with pytest.raises(ValueError, match="timeline_data"):
        timeline_explorer_html({"snapshots": []})


def test_the_loss_curve_is_marked_where_exact_match_first_exceeds_half(data):
    """accuracy 0, 0.5, 1 at steps 0, 4, 9: the first above 50% is at step 9 (0.5 is not above)."""
    assert data["mark"] == {"step": 9, "level": 0.5}
    view = timeline_view_html(data, 0)
    x = data["points"][9][0]
    assert f"<line class='tl-mark' x1='{x}' x2='{x}'" in view and ">exact match &gt; 50%</text>" in view
    plain = timeline_data(data["losses"], data["snapshots"], data["src"], data["rows"], data["reference"])
    assert plain["mark"] is None and "tl-mark" not in timeline_view_html(plain, 0)
    low = timeline_data(data["losses"], data["snapshots"], data["src"], data["rows"], data["reference"],
                        accuracy=[0.0, 0.2, 0.5])
    assert low["mark"] is None


# --- the words in the edition's language ------------------------------------------------------
# Latin a Chinese timeline may show: the running example's English source words and <eos>, as data
LATIN_OK = {"eos", "The", "cat", "sat", "on", "the", "mat", "yesterday", "today"}


def english_words(text: str) -> set[str]:
    """Latin words of ``text`` (besides LATIN_OK and the w of the caption's "→w writes w")."""
    return {w for w in re.findall(r"[A-Za-z]{2,}", text)} - LATIN_OK


def test_timeline_in_chinese(monkeypatch, data):
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    page = timeline_explorer_html(data)
    for words in ('aria-label="播放">▶</button>', 'aria-label="快照">', "第 <b>0</b> 步——训练损失 <b>3.500</b>",
                  "——留出句子的完全匹配率 <b>0%</b>", "✗（参考译文：", "训练损失（对数坐标）", ">步</text>",
                  ">完全匹配率 &gt; 50%</text>"):
        assert words in page, words
    assert json.loads(re.search(r'class="tl-data">(.*?)</script>', page, re.S).group(1))["labels"] == timeline_labels()
    assert english_words(visible(page)) - {"w"} == set()
    last = timeline_view_html(data, 2)
    assert "第 <b>9</b> 步" in last and "<b>100%</b>" in last and "✓" in last


def test_widget_in_chinese(monkeypatch, data):
    pytest.importorskip("ipywidgets")
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    slider, out = timeline_widget(data).children
    assert slider.description == "快照" and [label for label, _ in slider.options] == ["第 0 步", "第 4 步", "第 9 步"]
    assert english_words(visible(out.value)) - {"w"} == set()


# --- ipywidgets (7 or 8) ---------------------------------------------------------------------
def test_widget_updates(data):
    box = timeline_widget(data)
    slider, out = box.children
    assert "step <b>0</b>" in out.value
    slider.value = 2
    assert "step <b>9</b>" in out.value and "tl-ok" in out.value


# --- a real browser (skipped without Chromium) -----------------------------------------------
def _text(html_snippet: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_snippet)).strip()


@pytest.fixture(scope="module")
def long_run(data):
    """The same snapshots as ``data`` at steps 0, 120 and 299 of a 300-step run (labels "step 299/299")."""
    snaps = [{**s, "step": step} for s, step in zip(data["snapshots"], (0, 120, 299))]
    losses = [3.5 * 0.98**i for i in range(300)]
    return timeline_data(losses, snaps, data["src"], data["rows"], data["reference"], accuracy=[0.0, 0.77, 1.0])


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_explorer_in_a_browser(data, long_run, tmp_path, monkeypatch, lang):
    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    playwright = pytest.importorskip("playwright.sync_api")
    if exe is None:
        pytest.skip("Chromium not installed")
    page_file = tmp_path / "timeline.html"
    page_file.write_text(f"<html><meta charset='utf-8'><body>{timeline_explorer_html(data)}</body></html>",
                         encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 390, "height": 844})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        root = page.locator(".tl-root")
        assert root.get_attribute("data-live") == "1" and not errors
        for i in (0, 2, 1):
            page.locator(".tl-slider").fill(str(i))
            assert root.get_attribute("data-state") == str(i)
            # the browser draws the same view as Python
            assert _text(page.locator(".tl-view").inner_html()) == _text(timeline_view_html(data, i))
        label = page.locator(".tl-label").inner_text()
        assert label == ("step 4/9" if lang == "en" else "第 4/9 步")
        page.locator(".tl-play").click()
        assert page.locator(".tl-play").inner_text() == "❚❚"
        assert page.locator(".tl-play").get_attribute("aria-label") == ("pause" if lang == "en" else "暂停")
        page.wait_for_function("() => document.querySelector('.tl-root').dataset.state === '2'", timeout=5000)
        # back to ▶ (play) when the last snapshot was shown
        page.wait_for_function("() => document.querySelector('.tl-play').textContent === '\u25b6'", timeout=5000)
        assert page.locator(".tl-play").get_attribute("title") == ("play" if lang == "en" else "播放")
        if lang == "zh_CN":
            assert english_words(page.locator(".tl-root").inner_text()) - {"w"} == set()
        box = root.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 391  # fits a phone
        # a 300-step run on the phone: button, slider and "step 299/299" on one line, the mark drawn
        page_file.write_text(f"<html><meta charset='utf-8'><body>{timeline_explorer_html(long_run, -1)}</body></html>",
                             encoding="utf-8")
        page.goto(page_file.as_uri())
        assert page.locator(".tl-label").inner_text() == ("step 299/299" if lang == "en" else "第 299/299 步")
        boxes = [page.locator(sel).bounding_box() for sel in (".tl-play", ".tl-slider", ".tl-label")]
        middles = [b["y"] + b["height"] / 2 for b in boxes]
        assert max(middles) - min(middles) < 6, boxes  # one line
        assert boxes[1]["width"] > 100 and boxes[2]["x"] + boxes[2]["width"] <= 390, boxes
        assert page.locator(".tl-mark").count() == 1
        assert page.locator(".tl-mark").get_attribute("x1") == str(long_run["points"][120][0])
        browser.close()
