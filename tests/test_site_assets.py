"""The script that makes the site's offline assets (_ext/site_assets.py), without a build or a browser.

The font tests use the npm package @fontsource/noto-sans-sc, fetched once (`make fonts`, or here
on first use) into _build/fonts/."""

from __future__ import annotations

import re

import pytest


@pytest.fixture(scope="module")
def font_folder(site_assets):
    return site_assets.fetch_fonts()


def test_cjk_characters_finds_han_and_full_width_punctuation_only(site_assets):
    texts = ["The cat sat → 猫 坐着 <eos>", "（注意）：猫、狗。 café ∞ √"]
    assert site_assets.cjk_characters(texts) == "".join(sorted(set("猫坐着（注意）：、狗。")))
    assert site_assets.cjk_characters([]) == ""


def test_unicode_ranges_read_and_written(site_assets):
    codes = site_assets.parse_unicode_range("U+20-22,U+4e00, U+ff0c")
    assert codes == {0x20, 0x21, 0x22, 0x4E00, 0xFF0C}
    assert site_assets.format_unicode_range(codes) == "U+20-22,U+4e00,U+ff0c"
    assert site_assets.parse_unicode_range(site_assets.format_unicode_range(codes)) == codes


def test_the_font_package_is_the_pinned_simplified_chinese_one(site_assets, font_folder):
    assert (font_folder / ".complete").read_text().split() == [
        f"{site_assets.FONT_PACKAGE}@{site_assets.FONT_VERSION}", site_assets.FONT_INTEGRITY,
    ]
    slices = site_assets.font_slices(font_folder)
    assert len(slices) > 90 and all(path.exists() for path, _ in slices)
    covered = set().union(*(codes for _, codes in slices))
    assert {ord(c) for c in "猫在垫子上坐着，。术语表的一"} <= covered


def test_subset_has_exactly_the_characters_asked_for_in_the_simplified_face(site_assets, font_folder, tmp_path):
    from fontTools.ttLib import TTFont

    out = tmp_path / "cjk.woff2"
    chars = "猫坐着术语表，"  # from several of the package's slices
    size = site_assets.subset_cjk_font(chars, out, folder=font_folder)
    assert size == out.stat().st_size < 20_000
    font = TTFont(out)
    assert font.flavor == "woff2"
    assert {chr(c) for c in font.getBestCmap()} == set(chars)
    family = str(font["name"].getDebugName(1))
    assert "Noto Sans SC" in family and "TC" not in family, family  # Simplified, not the TC face
    assert font["OS/2"].usWeightClass == 400
    licence = f"{font['name'].getDebugName(13)} {font['name'].getDebugName(14)}"  # the package's has 14 only
    assert "OFL" in licence or "Open Font" in licence, licence


def test_each_page_names_its_own_font_before_the_site_script(site_assets):
    html = '<html><head>\n<meta charset="utf-8" />\n<script src="_static/book-site.js"></script></head></html>'
    once = site_assets.add_page_face(html, "../_vendor/fonts/page/abc.woff2")
    assert once.index('id="book-cjk-face"') < once.index("book-site.js")
    assert 'url("../_vendor/fonts/page/abc.woff2")' in once and "font-family:\"Book CJK\"" in once
    twice = site_assets.add_page_face(once, "../_vendor/fonts/page/def.woff2")
    assert twice.count("book-cjk-face") == 1 and "def.woff2" in twice and "abc.woff2" not in twice
    assert site_assets.add_page_face(twice, None) == html
    rare = site_assets.add_page_face(html, "f.woff2", ("extra.woff2", "\U00023e23"))
    faces = re.findall(r"@font-face\{[^}]*\}", rare)
    assert len(faces) == 2 and "extra.woff2" in faces[1] and "unicode-range:U+23e23;" in faces[1]


def test_fallback_slices_cover_only_cjk(site_assets, font_folder, tmp_path):
    total = site_assets.write_fallback_slices(tmp_path, font_folder)
    css = (tmp_path / "book-cjk-sc.css").read_text(encoding="utf-8")
    files = re.findall(r'url\("sc/([^"]+)"\)', css)
    assert len(files) > 80 and all((tmp_path / "sc" / f).exists() for f in files)
    assert total == sum((tmp_path / "sc" / f).stat().st_size for f in files)
    for rng in re.findall(r"unicode-range:([^;]+);", css):
        assert all(site_assets.is_cjk(c) for c in site_assets.parse_unicode_range(rng)), rng
    assert (tmp_path / "LICENSE-noto-sans-sc.txt").exists()


def test_mathjax_source_has_the_pruned_files(site_assets, tmp_path):
    total = site_assets.copy_mathjax(tmp_path / "mathjax")
    assert 1_000_000 < total < 2_000_000
    assert (tmp_path / "mathjax" / "tex-chtml-full.js").exists()
    assert len(list((tmp_path / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))) > 10


def test_the_footer_links_each_licence_it_names_to_its_copy_on_the_site(site_assets):
    def pathto(name, resource):
        assert resource == 1
        return f"../{name}"

    en = "Code: MIT licence. Text and figures: CC BY 4.0. See LICENSE and LICENSE-TEXT.\n"
    assert site_assets.link_licences(en, pathto) == (
        'Code: MIT licence. Text and figures: CC BY 4.0. See <a href="../LICENSE.txt">LICENSE</a> and '
        '<a href="../LICENSE-TEXT.txt">LICENSE-TEXT</a>.\n'
    )
    zh = "代码：MIT 许可证。见 LICENSE 和 LICENSE-TEXT。"
    assert site_assets.link_licences(zh, pathto).endswith('<a href="../LICENSE-TEXT.txt">LICENSE-TEXT</a>。')
    # Already a link, or a file name with an extension: left alone; applied twice, nothing changes.
    done = site_assets.link_licences(en, pathto)
    assert site_assets.link_licences(done, pathto) == done
    assert site_assets.link_licences("see LICENSE.txt", pathto) == "see LICENSE.txt"


def test_the_licence_folder_is_found_from_the_chinese_editions_copy(site_assets, tmp_path):
    for name in site_assets.LICENCE_FILES:
        (tmp_path / name).write_text("licence")
    copy = tmp_path / "_build" / "zh" / "src"
    copy.mkdir(parents=True)
    assert site_assets.licence_folder(copy) == tmp_path
    assert site_assets.licence_folder(tmp_path) == tmp_path
    (tmp_path / "LICENSE-TEXT").unlink()
    assert site_assets.licence_folder(copy) is None


def _write_png(path, pixels):
    from PIL import Image

    Image.fromarray(pixels.astype("uint8"), "RGB").save(path)


def test_a_plot_with_few_colours_goes_to_a_palette_and_keeps_them(site_assets, tmp_path):
    import numpy as np
    from PIL import Image

    (tmp_path / "_images").mkdir()
    rng = np.random.default_rng(0)
    pixels = np.full((120, 200, 3), 255)
    pixels[20:60, 20:180] = (31, 119, 180)  # two filled areas
    pixels[70:110, 20:180] = (214, 39, 40)
    pixels[rng.integers(0, 120, 400), rng.integers(0, 200, 400)] = rng.integers(0, 256, (400, 3))  # edge specks
    _write_png(tmp_path / "_images" / "plot.png", pixels)
    site_assets.compress_images(tmp_path)
    with Image.open(tmp_path / "_images" / "plot.png") as im:
        assert im.mode == "P"
        out = np.asarray(im.convert("RGB"))
    assert (out[30, 30] == (31, 119, 180)).all() and (out[80, 30] == (214, 39, 40)).all()


def test_a_figure_with_more_area_colours_than_a_palette_keeps_its_full_colour(site_assets, tmp_path):
    """900 heatmap cells of 8 x 8 pixels, each its own colour: a palette of 256 would merge them."""
    import numpy as np
    from PIL import Image

    (tmp_path / "_images").mkdir()
    cells = np.random.default_rng(0).integers(0, 256, (30, 30, 3))
    pixels = np.repeat(np.repeat(cells, 8, axis=0), 8, axis=1)  # (240, 240, 3)
    path = tmp_path / "_images" / "heatmap.png"
    _write_png(path, pixels)
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(256, dither=Image.Dither.NONE)
        assert not site_assets.palette_keeps_areas(im, small)  # the palette would merge cells
    site_assets.compress_images(tmp_path)
    with Image.open(path) as im:
        assert im.mode == "RGB"
        assert (np.asarray(im) == pixels).all()


def test_printed_source_code_keeps_its_lines():
    """Printed source code (teaching_source's listings) never wraps, at any width: book-site.js
    marks it "listing" (a def/class line and an indented line) and book-site.css keeps its lines
    and lets it scroll sideways, as a code cell does. The browser test checks it on the pages."""
    from pathlib import Path

    static = Path(__file__).resolve().parents[1] / "_ext" / "site_static"
    css = (static / "book-site.css").read_text(encoding="utf-8")
    js = (static / "book-site.js").read_text(encoding="utf-8")
    rule = re.search(r"\.output pre\.listing \{([^}]*)\}", css)
    assert rule and "white-space: pre;" in rule.group(1) and "overflow-x: auto;" in rule.group(1)
    assert 'classList.add("listing")' in js
    header = re.search(r"const header = /(.+)/m;", js).group(1)
    indented = re.search(r"const indented = /(.+)/m;", js).group(1)
    listing = "def prepare(pretrained, method, n_classes=2,\n            pool='mean'):\n    body = copy.deepcopy(pretrained)"
    assert re.search(header, listing, re.M) and re.search(indented, listing, re.M)
    printed = "[1, 2, 3]\ndefault: 0.5\n  two spaces"
    assert not (re.search(header, printed, re.M) and re.search(indented, printed, re.M))
