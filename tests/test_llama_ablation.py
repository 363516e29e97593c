"""Chapter 12's ablations: ``copy_losses`` and ``ablation_effects`` (helpers.llama.heads) on the real
SmolLM2, the previous-token head whose removal blinds the induction heads, and every chapter-12
figure against the phone rule (helpers.plots._phone), in English and in Chinese (helpers.i18n)."""

import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch

from helpers.i18n import t
from helpers.llama.heads import ablate_heads, ablation_effects, copy_losses, induction_test, repeated_random_tokens
from helpers.plots._phone import figure_violations
from helpers.plots.llama_heads import plot_head_maps, plot_sinks_and_previous
from helpers.plots.llama_induction import plot_ablation, plot_induction_scores, plot_repeat_loss
from helpers.plots.llama_kv_cache import plot_time_per_token
from helpers.plots.llama_params import plot_parameter_budget
from helpers.viz import setup_figures


def test_copy_losses_split_the_two_copies():
    loss = torch.arange(2 * 9.0).reshape(2, 9)  # half = 5: predicting tokens 1..9
    first, second = copy_losses(loss, 5)
    torch.testing.assert_close(first, loss[:, :4].mean(1))  # tokens 1..4
    torch.testing.assert_close(second, loss[:, 5:].mean(1))  # tokens 6..9
    with pytest.raises(ValueError):
        copy_losses(loss, 4)
    with pytest.raises(ValueError):
        copy_losses(loss, True)


def _effects(n_seq=3):
    g = torch.Generator().manual_seed(0)
    return {
        name: {
            "first": 10 + torch.rand(n_seq, generator=g),
            "second": shift + torch.rand(n_seq, generator=g),
            "watch": torch.rand(n_seq, 11, generator=g),
        }
        for name, shift in [("none", 3.0), *[(f"H{b}", 8.0 if b == 0 else 3.0) for b in range(9)]]
    }


def _as_chapter_12_writes(text: str) -> str:
    """A label of chapter 12's code as the current edition's code shows it: in Chinese, its translation in
    locale/zh_CN/code/12_real_model.po, copied here so that this test needs no catalog reader (which the
    lowest-versions run does not install); tests/test_code_strings_i18n.py checks the two agree."""
    chinese = {"all on": "不关", "Layer {PREV[0]}: one head switched off at a time": "第 {PREV[0]} 层：每次关掉一个头"}
    return chinese[text] if os.environ.get("BOOK_LANGUAGE") == "zh_CN" else text


def _figures():
    torch.manual_seed(0)  # the same data in both editions: their texts are compared
    maps = {16: torch.rand(9, 14, 14).tril().softmax(-1), 18: torch.rand(9, 14, 14).tril().softmax(-1)}
    labels = [
        "The",
        "·cat",
        "·sat",
        "·on",
        "·the",
        "·mat",
        "·because",
        "·it",
        "·was",
        "·tired",
        ".",
        "·and",
        "·a",
        "·b",
    ]
    first, previous = torch.rand(30, 9), torch.rand(30, 9) / 2
    loss = torch.rand(3, 49) * 10
    rows = [
        {
            "position": p,
            "no_cache_s": p / 1000,
            "cache_s": 0.02,
            "no_cache_runs": [p / 1100, p / 1000, p / 900],
            "cache_runs": [0.019, 0.02, 0.021],
        }
        for p in (16, 64, 256)
    ]
    parts = {
        t("embedding (= output)"): 28_311_552,
        t("attention Q, O"): 19_906_560,
        t("attention K, V"): 6_635_520,
        "SwiGLU": 79_626_240,
        t("RMSNorm scales"): 35_136,
    }  # as chapter 12 names them
    effects = _effects()
    return {
        "parameter budget": plot_parameter_budget(parts),
        "sinks and previous": plot_sinks_and_previous(first, previous, [(16, 0), (11, 1)]),
        "head maps": plot_head_maps(maps, labels, [(16, 0), (18, 8)]),
        "induction scores": plot_induction_scores(torch.rand(30, 9)),
        "repeat loss": plot_repeat_loss(loss, 25, loss + 2, controls=[loss + 0.1 * k for k in range(3)]),
        "time per token": plot_time_per_token(rows),
        "ablation": plot_ablation(
            effects,
            {n: _as_chapter_12_writes("all on") if n == "none" else n for n in effects},
            _as_chapter_12_writes("Layer {PREV[0]}: one head switched off at a time").replace("{PREV[0]}", "16"),
            highlight="H0",
        ),
    }


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_every_chapter_12_figure_is_legible_on_a_phone(language, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", language)  # Chinese labels are wider
    setup_figures(check="off")  # the book's style; the check itself is done here, figure by figure
    try:
        for name, fig in _figures().items():
            width_px, small = figure_violations(fig)
            assert not small, f"{name} ({width_px:.0f} px wide): {[str(s) for s in small]}"
            assert width_px <= 560, f"{name} is {width_px:.0f} px wide: draw it phone-sized"
    finally:
        plt.close("all")


def _texts(fig) -> set[str]:
    fig.canvas.draw()
    return {x.get_text() for x in fig.findobj(matplotlib.text.Text) if x.get_text()}


def test_chapter_12_figures_speak_the_editions_language(monkeypatch):
    setup_figures(check="off")
    try:
        monkeypatch.setenv("BOOK_LANGUAGE", "en")
        english = {name: _texts(fig) for name, fig in _figures().items()}
        assert {"layer 16, head 0 (L16H0)", "key: the token looked at", "attention weight"} <= english["head maps"]
        assert {"the model", "induction heads off", "other heads off", "1st copy", "2nd copy"} <= english[
            "repeat loss"
        ]
        assert {"35 thousand", "134.5 M parameters in all", "embedding (= output)"} <= english["parameter budget"]
        monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
        chinese = {name: _texts(fig) for name, fig in _figures().items()}
        assert {"第 16 层 0 号头（L16H0）", "键：被关注的词元", "查询：发出关注的词元", "注意力权重"} <= chinese[
            "head maps"
        ]
        assert {"L16H0", "全部 270 个头，每个头一个点", "层"} <= chinese[
            "sinks and previous"
        ]  # as the code prints heads
        assert {"原模型", "关掉归纳头", "第一遍", "第二遍", "损失（奈特）"} <= chinese["repeat loss"]
        assert {"新词元的位置", "不用缓存：整个序列", "KV 缓存：一个词元"} <= chinese["time per token"]
        assert {"35 K", "共 134.5 M 个参数", "嵌入（= 输出层）", "注意力 Q、O"} <= chinese["parameter budget"]
        assert {"第 16 层：每次关掉一个头", "被关掉的头", "H0", "不关"} <= chinese["ablation"]
        assert "RMSNorm 缩放向量" in chinese["parameter budget"]
        assert {"归纳分数", "注意力头"} <= chinese["induction scores"]
        for name in english:  # the same texts, in the other language: no English word left but the data
            assert len(chinese[name]) == len(english[name]), name
            words = {w for text in chinese[name] for w in text.split() if w.isascii() and w.isalpha() and len(w) > 2}
            assert words <= {"The", "SwiGLU", "RMSNorm"}, (name, words)  # data and names only
    finally:
        plt.close("all")


def test_repeat_loss_draws_one_grey_line_per_control_draw_and_checks_their_shape():
    loss = torch.rand(3, 49) * 10
    fig = plot_repeat_loss(loss, 25, loss + 2, controls=[loss + 0.5, loss + 1.0, loss + 1.5])
    try:
        ax = fig.axes[0]
        grey = [line for line in ax.get_lines() if line.get_color() == "#888888"]
        assert len(grey) == 3  # one line per draw, the mean over the sequences
        torch.testing.assert_close(torch.as_tensor(grey[1].get_ydata()), (loss + 1.0).mean(0))
        labels = [text.get_text() for text in ax.get_legend().get_texts()]
        assert labels == [t("the model"), t("induction heads off"), t("other heads off")]
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match=r"controls\[1\] must be a tensor of loss's shape \(3, 49\)"):
        plot_repeat_loss(loss, 25, controls=[loss, loss[:, :10]])
    with pytest.raises(TypeError, match="controls must be a list of tensors"):
        plot_repeat_loss(loss, 25, controls=loss)
    with pytest.raises(ValueError, match="loss must be a"):
        plot_repeat_loss(loss[0], 25)


def test_per_head_maps_have_axis_labels_and_a_labelled_colour_bar():
    fig = _figures()["head maps"]
    try:
        maps = [ax for ax in fig.get_axes() if ax.get_label() != "<colorbar>"]
        bars = [ax for ax in fig.get_axes() if ax.get_label() == "<colorbar>"]
        assert len(maps) == 2 and len(bars) == 1  # one colour bar for both maps
        for ax in maps:
            assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
        assert bars[0].get_xlabel()  # what the colours stand for (a horizontal bar)
    finally:
        plt.close("all")


# ------------------------------------------------------------------------------ the real model
from helpers.llama import ModelNotInstalledError, load_llama, smollm2_path  # noqa: E402

try:
    MODEL_PATH = smollm2_path()
except ModelNotInstalledError as exc:
    pytest.skip(f"the model file is not installed ({exc})", allow_module_level=True)
pytest.importorskip("gguf")


@pytest.fixture(scope="module")
def model():
    torch.set_num_threads(1)
    return load_llama(MODEL_PATH)


@pytest.fixture(scope="module")
def repeated():
    return repeated_random_tokens(2, 20, 49152, seed=0)


def test_ablation_effects_equal_the_induction_test_with_the_heads_off(model, repeated):
    watch = [(17, 4), (18, 6)]
    # runs that start at different layers (16, 17 and 20): each from its own first layer
    runs = {"none": [], "two": [(16, 0), (16, 5)], "later": [(20, 1), (17, 2), (23, 0)], "one": [(20, 6)]}
    effects = ablation_effects(model, repeated, runs, watch)
    base = induction_test(model, repeated, streams=True)
    assert base["streams"].shape == (30, *repeated.shape, 576)
    from_base = ablation_effects(model, repeated, runs, watch, base=base)  # no pass of its own
    for name, off in runs.items():
        for key in ("loss", "first", "second", "watch"):
            torch.testing.assert_close(from_base[name][key], effects[name][key])
        with ablate_heads(model, off):
            test = induction_test(model, repeated)
        first, second = copy_losses(test["loss"], 20)
        torch.testing.assert_close(effects[name]["loss"], test["loss"])
        torch.testing.assert_close(effects[name]["first"], first)
        torch.testing.assert_close(effects[name]["second"], second)
        assert effects[name]["watch"].shape == (2, 2)
        torch.testing.assert_close(effects[name]["watch"][:, 1], test["score"][:, 18, 6])
    with pytest.raises(ValueError, match="base must be the result of induction_test"):
        ablation_effects(model, repeated, runs, watch, base=induction_test(model, repeated))  # no streams
    with pytest.raises(ValueError, match="base must come from induction_test on these ids"):
        ablation_effects(model, repeated[:1], runs, watch, base=base)
    with pytest.raises(ValueError):
        ablation_effects(model, repeated, {}, watch)
    with pytest.raises(ValueError):
        ablation_effects(model, repeated, {"x": []}, [(30, 0)])


def test_ablation_effects_after_a_start_token(model, repeated):
    ids = torch.cat([torch.zeros(repeated.shape[0], 1, dtype=torch.long), repeated], 1)  # <|endoftext|> first
    runs, watch = {"none": [], "one": [(16, 0)]}, [(17, 4)]
    base = induction_test(model, ids, streams=True, prefix=1)
    effects = ablation_effects(model, ids, runs, watch, base=base, prefix=1)
    with ablate_heads(model, [(16, 0)]):
        test = induction_test(model, ids, prefix=1)
    torch.testing.assert_close(effects["one"]["loss"], test["loss"])
    torch.testing.assert_close(effects["one"]["watch"][:, 0], test["score"][:, 17, 4])
    torch.testing.assert_close(effects["none"]["loss"], base["loss"])
    fig = plot_repeat_loss(test["loss"], 20, prefix=1)
    assert fig.axes[0].lines[0].get_xdata()[0] == 2  # the first token predicted: a_2, at position 2
    plt.close(fig)


def test_the_previous_token_head_of_layer_16_feeds_the_induction_heads(model, repeated):
    test = induction_test(model, repeated)
    score = test["score"].mean(0)
    top = [(int(i) // 9, int(i) % 9) for i in score.flatten().topk(4).indices]
    runs = {f"H{b}": [(16, b)] for b in range(9)}
    effects = ablation_effects(model, repeated, runs, top)
    others = torch.stack([effects[f"H{b}"]["second"].mean() for b in range(1, 9)])
    _, base_second = copy_losses(test["loss"], 20)
    assert effects["H0"]["second"].mean() > 2 * others.max()
    assert effects["H0"]["second"].mean() > 2 * base_second.mean()
    assert effects["H0"]["watch"].mean() < 0.5 * min(effects[f"H{b}"]["watch"].mean() for b in range(1, 9))
