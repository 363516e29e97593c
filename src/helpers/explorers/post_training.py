"""The post-training explorer (chapter 13): the same instructions answered by the base, SFT, DPO and GRPO models.

Each answer is shown line by line with its form checks: every line's length (a wrong one marked),
whether the punctuation alternates ，。, whether the answer has the requested form and starts with
the requested character. The data (a few KB) is embedded in the output; the browser only
switches between prompts (``post_training.js``), so it works on the static site with no kernel
and no network. Before the script runs, the first prompt's view rendered in Python is shown,
so the output is never blank.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from .. import poems
from ..i18n import t
from ._embed import json_payload, new_root_id, script_call

_STYLE = """
<style>
/* every text 13 px or more: readable on a 390-px phone (the line lengths too) */
.pt-root {font-family: var(--pst-font-family-base, sans-serif); border: 1px solid #ccc; border-radius: 6px;
          padding: 10px; color: #111; background: #fff; max-width: 100%; box-sizing: border-box;
          overflow-wrap: anywhere;}
.pt-controls {display: flex; flex-wrap: wrap; gap: 6px 12px; align-items: center; font-size: 15px;
              margin-bottom: 8px;}
.pt-controls select, .pt-controls button {font-family: inherit; font-size: 15px; max-width: 100%;}
.pt-controls select {min-width: 0; flex: 1 1 12em;}
.pt-ask {font-size: 17px; margin: 4px 0 8px 0;}
.pt-ask .pt-n {font-size: 14px; color: #444;}
.pt-card {border-top: 1px solid #ddd; padding: 6px 0;}
.pt-name {font-weight: bold; font-size: 15px;}
.pt-badge {display: inline-block; font-size: 13px; padding: 0 6px; margin-left: 6px; border-radius: 8px;}
.pt-ok {background: #d8efd9; color: #14532d;}
.pt-bad {background: #f9d9d6; color: #7f1d1d;}
.pt-lines {font-size: 18px; line-height: 1.5; margin-top: 2px;}
.pt-line .pt-n {font-size: 14px; color: #444; margin-left: 8px;}
.pt-line.pt-wrong .pt-n {color: #b3261e; font-weight: bold;}
.pt-note {font-size: 13px; color: #444; margin-top: 6px;}
</style>
"""


def answer_checks(answer: str, form: str, first_char: str) -> dict:
    """The checks the explorer shows for one answer (JSON-ready)."""
    if form not in poems.FORMS:
        raise ValueError(f"form must be one of {sorted(poems.FORMS)}, got {form!r}")
    rep = poems.check_form(answer)
    return {
        "text": answer,
        "lines": poems.split_lines(answer),
        "lengths": list(rep.line_lengths),
        "punct_ok": rep.punctuation_ok,
        "form": rep.form,
        "form_ok": rep.form == form,
        "first_ok": answer[:1] == first_char,
    }


def post_data(models: Sequence[str], requests: Sequence, answers: dict[str, Sequence[str]]) -> dict:
    """Data for the explorer: ``answers[model][i]`` answers ``requests[i]`` (``chat.Request``s)."""
    if not models or not requests:
        raise ValueError("need at least one model and one request")
    for m in models:
        if len(answers.get(m, ())) != len(requests):
            raise ValueError(f"answers[{m!r}] must hold one answer per request ({len(requests)})")
    prompts = []
    for i, r in enumerate(requests):
        chars = poems.FORMS[r.form][0]
        prompts.append(
            {
                "instruction": r.text,
                "form": r.form,
                "form_zh": poems.FORM_NAMES_ZH[r.form],
                "first": r.first_char,
                "chars": chars,
                "n_lines": poems.FORMS[r.form][1],
                "answers": [answer_checks(answers[m][i], r.form, r.first_char) for m in models],
            }
        )
    return {"models": list(models), "prompts": prompts}


def post_training_labels() -> dict[str, str]:
    """The words of the view post_training.js writes, in the current language: templates whose
    ``{fields}`` the script (and ``post_view_html``) fills in; the script keeps the English as a
    fallback for a missing key."""
    return {
        "ask": t("({form}: {lines} lines of {chars}, first character {first})"),
        "form": t("form"),
        "first": t("first character"),
        "empty": t("(empty)"),
    }


def _badge(ok: bool, text: str) -> str:
    return f"<span class='pt-badge {'pt-ok' if ok else 'pt-bad'}'>{'✓' if ok else '✗'} {html.escape(text)}</span>"


def post_view_html(data: dict, prompt: int = 0) -> str:
    """The view of one prompt (the same HTML the script renders)."""
    p = data["prompts"][prompt]
    labels = post_training_labels()
    ask = labels["ask"].format(form=p["form_zh"], lines=p["n_lines"], chars=p["chars"], first=p["first"])
    out = [f"<div class='pt-ask'>{html.escape(p['instruction'])} <span class='pt-n'>{html.escape(ask)}</span></div>"]
    for name, a in zip(data["models"], p["answers"]):
        lines = "".join(
            f"<div class='pt-line{'' if n == p['chars'] else ' pt-wrong'}'>{html.escape(line)}"
            f"<span class='pt-n'>{n}</span></div>"
            for line, n in zip(a["lines"], a["lengths"])
        )
        out.append(
            f"<div class='pt-card'><span class='pt-name'>{html.escape(name)}</span>"
            + _badge(a["form_ok"], labels["form"])
            + _badge(a["first_ok"], labels["first"])
            + _badge(a["punct_ok"], "，。")
            + f"<div class='pt-lines'>{lines or html.escape(labels['empty'])}</div></div>"
        )
    return "".join(out)


def post_explorer_html(data: dict, prompt: int = 0) -> str:
    """Self-contained explorer: pick an instruction, see every model's answer with its checks."""
    if not isinstance(data, dict) or not data.get("prompts"):
        raise ValueError("data must come from post_data(...) and hold at least one prompt")
    root_id = new_root_id("pt")
    payload = json_payload({**data, "labels": post_training_labels()})
    options = "".join(
        f"<option value='{i}'>{i + 1}. {html.escape(p['instruction'])}</option>" for i, p in enumerate(data["prompts"])
    )
    aria = {
        "prev": html.escape(t("previous instruction"), quote=True),
        "prompt": html.escape(t("instruction"), quote=True),
        "next": html.escape(t("next instruction"), quote=True),
    }
    note = html.escape(
        t(
            "Each line's number is its length without the mark (red: not the requested length). "
            "form: the requested number of lines and line length with ，。 alternating. "
            "Next to a model's name, ✓ marks a check its answer passes and ✗ one it fails: form, "
            "first character (the requested one) and ，。 (every line ends with the right mark)."
        ),
        quote=False,
    )
    return f"""{_STYLE}
<div class="pt-root" id="{root_id}">
  <script type="application/json" class="pt-data">{payload}</script>
  <div class="pt-controls" style="display:none">
    <button class="pt-prev" type="button" aria-label="{aria["prev"]}">◀</button>
    <select class="pt-prompt" aria-label="{aria["prompt"]}">{options}</select>
    <button class="pt-next" type="button" aria-label="{aria["next"]}">▶</button>
  </div>
  <div class="pt-view">{post_view_html(data, prompt)}</div>
  <div class="pt-note">{note}</div>
</div>
{script_call("post_training.js", root_id)}
"""
