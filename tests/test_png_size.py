"""helpers.png_size: figure PNGs with a 256-colour palette where no pixel moves visibly."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from helpers.png_size import compact_png  # noqa: E402


def _png(fig, **kw) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=200, **kw)
    plt.close(fig)
    return out.getvalue()


def _pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


def test_a_line_plot_shrinks_and_no_pixel_moves_more_than_the_limit():
    fig, ax = plt.subplots()
    for s in range(5):
        ax.plot(np.cumsum(np.random.default_rng(s).normal(size=300)), label=f"seed {s}")
    ax.legend()
    data = _png(fig)
    small = compact_png(data, max_error=16)
    assert len(small) < 0.6 * len(data)
    assert Image.open(io.BytesIO(small)).mode == "P"
    assert np.abs(_pixels(small) - _pixels(data)).max() <= 16
    assert Image.open(io.BytesIO(small)).size == Image.open(io.BytesIO(data)).size


def test_an_image_a_palette_cannot_hold_is_returned_unchanged():
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 256, size=(64, 64, 3), dtype=np.uint8))
    out = io.BytesIO()
    noise.save(out, format="PNG")
    data = out.getvalue()
    assert compact_png(data, max_error=16) == data  # 4,096 random colours: the error would be large
    assert compact_png(data, max_error=255) != data  # any error allowed: the palette is used


def test_a_transparent_png_is_returned_unchanged():
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    data = _png(fig, transparent=True)
    assert compact_png(data) == data


@pytest.mark.parametrize("data, max_error, match", [
    (b"not a png", 16, "data must be the bytes of a PNG file"),
    ("\x89PNG", 16, "data must be the bytes of a PNG file"),
    (None, 16, "data must be the bytes of a PNG file"),
])
def test_bad_data_is_named(data, max_error, match):
    with pytest.raises(ValueError, match=match):
        compact_png(data, max_error)


@pytest.mark.parametrize("max_error", [-1, 256, 1.5, True])
def test_bad_max_error_is_named(max_error):
    fig, ax = plt.subplots()
    ax.plot([0, 1])
    with pytest.raises((ValueError, TypeError), match="max_error"):
        compact_png(_png(fig), max_error)


@pytest.mark.ci_may_skip  # skips with matplotlib-inline 0.1.2 (make test-lowest): transparent figures
def test_the_inline_figures_of_a_kernel_come_out_as_palette_pngs(tmp_path):
    """setup_figures installs it: a figure displayed in a real kernel is a palette PNG with its retina width."""
    import base64

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nfrom helpers.viz import setup_figures\nsetup_figures('off')\n"
        "fig, ax = plt.subplots()\nax.plot([0, 1, 0.5], label='a')\nax.legend()\nplt.show()")])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = [o for o in nb.cells[0].outputs if o.get("output_type") == "display_data"]
    assert outputs, nb.cells[0].outputs
    png = base64.b64decode(outputs[0]["data"]["image/png"])
    image = Image.open(io.BytesIO(png))
    if image.mode == "RGBA" and np.asarray(image.getchannel("A")).min() < 255:
        # matplotlib-inline 0.1.2 (the floor) draws a transparent figure background, which
        # compact_png leaves as it is (tested above)
        pytest.skip("this matplotlib-inline draws transparent figures")
    assert image.mode == "P"
    assert "width" in outputs[0].get("metadata", {}).get("image/png", {})  # shown at its natural width
