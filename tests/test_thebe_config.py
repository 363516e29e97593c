"""_ext/site_assets.py: without the Live Code button, sphinx-thebe's per-page configuration is removed."""

from types import SimpleNamespace

from docutils import nodes
from docutils.utils import new_document


def _page() -> nodes.document:
    doc = new_document("page")
    doc += nodes.paragraph(text="Hello.")
    doc += nodes.raw(text='\n<script type="text/x-thebe-config">{binderOptions: {repo: "a/b"}}</script>\n', format="html")
    doc += nodes.raw(text="<script>kernelName = 'python3'</script>", format="html")
    doc += nodes.raw(text="<div>kept</div>", format="html")
    return doc


def _app(thebe: bool) -> SimpleNamespace:
    return SimpleNamespace(config=SimpleNamespace(html_theme_options={"launch_buttons": {"thebe": thebe}}))


def test_thebe_config_dropped_when_off(site_assets):
    doc = _page()
    site_assets.drop_thebe_config(_app(False), doc, "page")
    raws = [n.astext() for n in doc.findall(nodes.raw)]
    assert raws == ["<div>kept</div>"]
    assert len(list(doc.findall(nodes.paragraph))) == 1


def test_thebe_config_kept_when_on(site_assets):
    doc = _page()
    site_assets.drop_thebe_config(_app(True), doc, "page")
    assert len(list(doc.findall(nodes.raw))) == 3
