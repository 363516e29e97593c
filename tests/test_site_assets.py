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
