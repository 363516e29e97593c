"""The Colab and Binder buttons of a chapter open the learner's notebook, not the MyST source.

A chapter (``chapters/NN_topic.ipynb``) is written in MyST for the website; Colab and Jupyter show
MyST as raw text. ``scripts/learner_notebooks.py`` makes a learner's notebook of every chapter
(numbers filled in, exercises and solutions folded, plain Markdown links), and the publishing
workflow (``.github/workflows/publish.yml``) pushes the repository with those notebooks in place
of the chapters to the branch named here. This extension points the theme's Colab and Binder
buttons at that branch (sphinx-book-theme builds them from ``repository.branch``, which the
repository and issue buttons keep using).

The Chinese edition's learner's notebooks are on the same branch under ``zh/`` (``zh/chapters/``):
``learner_prefix`` is put before the notebook's path in both URLs. ``scripts/translation.py build``
sets it in the Chinese book's configuration; the English book leaves it empty.

    sphinx: config: learner_branch: learner     # _config.yml
    sphinx: config: learner_prefix: zh/         # the Chinese book's _config.yml
"""

from __future__ import annotations

import re

from sphinx.application import Sphinx

DEFAULT_BRANCH = "learner"


def _retarget(url: str, branch: str, learner: str, prefix: str = "") -> str:
    """Point a Binder or Colab URL built for ``branch`` at ``learner``, the notebook's path behind ``prefix``.

    sphinx-book-theme builds ``{colab}/github/ORG/REPO/blob/BRANCH/PATH`` and
    ``{binderhub}/v2/gh/ORG/REPO/BRANCH?urlpath=lab/tree/PATH`` (or ``tree/PATH``), PATH relative to
    the repository's root.
    """
    prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
    if "colab.research.google.com" in url:
        return url.replace(f"/blob/{branch}/", f"/blob/{learner}/{prefix}", 1)
    if "/v2/gh/" in url:
        head, sep, tail = url.partition("?")
        if head.endswith(f"/{branch}"):
            head = head[: -len(branch)] + learner
        if prefix:
            tail = re.sub(r"(^|&)(urlpath=(?:lab/)?tree/)", rf"\g<1>\g<2>{prefix}", tail, count=1)
        return head + sep + tail
    return url


def retarget_launch_buttons(app: Sphinx, pagename, templatename, context, doctree) -> None:
    learner = app.config.learner_branch
    prefix = app.config.learner_prefix
    branch = app.config.html_theme_options.get("repository_branch", "main") or "main"
    for group in context.get("header_buttons", []):
        if group.get("label") != "launch-buttons":
            continue
        for button in group.get("buttons", []):
            if "url" in button:
                button["url"] = _retarget(button["url"], branch, learner, prefix)


def setup(app: Sphinx) -> dict:
    app.add_config_value("learner_branch", DEFAULT_BRANCH, "html")
    app.add_config_value("learner_prefix", "", "html")  # "zh/" in the Chinese book (scripts/translation.py)
    app.add_config_value("book_site_url", "", "html")  # read by scripts/learner_notebooks.py
    # after sphinx-book-theme's add_launch_buttons (priority 501)
    app.connect("html-page-context", retarget_launch_buttons, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
