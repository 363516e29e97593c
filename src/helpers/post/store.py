"""Checkpoints and logs of chapter 13 (``scripts/post_train.py``): ``src/helpers/data/post_*.pt|json``.

A checkpoint is ``helpers.gpt.save_checkpoint``'s format (float16 weights, config) plus the
chat vocabulary; each has a JSON log beside it with the settings and the results.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from .. import poems
from ..gpt import GPT, load_checkpoint, save_checkpoint
from .chat import CHAT_TOKENS, ChatFormat

STAGES = ("sft", "sft_prompt_loss", "dpo", "dpo_sft", "dpo_gentle", "grpo", "grpo_more", "grpo_hack", "baselines")


def data_dir(folder: str | Path | None = None) -> Path:
    return Path(str(resources.files("helpers").joinpath("data"))) if folder is None else Path(folder)


def _check_stage(stage: str) -> str:
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    return stage


def save_model(model: GPT, chat: ChatFormat, stage: str, folder: str | Path | None = None) -> Path:
    """Write post_<stage>.pt (float16) -> its path."""
    path = data_dir(folder) / f"post_{_check_stage(stage)}.pt"
    save_checkpoint(model, path, extra={"vocab": chat.vocab.to_list(), "chat_tokens": list(CHAT_TOKENS)})
    return path


def load_model(stage: str, folder: str | Path | None = None) -> tuple[GPT, ChatFormat]:
    """(chat model in float32, eval mode; its ChatFormat) from post_<stage>.pt."""
    path = data_dir(folder) / f"post_{_check_stage(stage)}.pt"
    if not path.exists():
        raise FileNotFoundError(f"no {path.name} in {path.parent}; run `python scripts/post_train.py {stage}`")
    model, ckpt = load_checkpoint(path)
    return model, ChatFormat(poems.CharVocab.from_list(ckpt["vocab"]))


def load_log(stage: str, folder: str | Path | None = None) -> dict:
    """The JSON log post_<stage>.json (settings and results)."""
    path = data_dir(folder) / f"post_{_check_stage(stage)}.json"
    if not path.exists():
        raise FileNotFoundError(f"no {path.name} in {path.parent}; run `python scripts/post_train.py {stage}`")
    return json.loads(path.read_text(encoding="utf-8"))
