"""Pretraining the poem GPT (chapters 10-11): settings, the training loop, form accuracy, save and load.

The model reads poems as characters (``helpers.poems``): the training split, encoded as one stream
<sos> poem <eos> <sos> poem <eos> ..., is cut into random windows of ``block_size`` tokens
(``poems.get_batch``), and the GPT learns to predict each next character (causal language
modelling). AdamW, linear warm-up then cosine decay, gradient clipping at 1.0, as nanoGPT.

``scripts/pretrain_gpt.py`` (``make pretrain``) runs ``train`` with ``PretrainSettings`` and writes
gpt_poems.pt (float16 weights, config, vocabulary: ``torch.load(weights_only=True)`` works) and
gpt_poems.json (settings, log, final validation loss and form accuracy, the checkpoint's SHA-256).
``load()`` reads them back and says so when they do not match each other or the book's run. A run
stopped by its time cap is never saved as ``gpt_poems.pt``, and nothing is replaced unless asked.
Every ``eval_every`` steps the log records the held-out loss and the form accuracy of
``sample_poems`` poems sampled with their own seeded generator, so evaluating does not change the
training run: the weights are the same whatever ``eval_every`` is.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path

import torch

from . import clock, poems
from .generate import cut_at_eos, generate
from .gpt import GPT, GPTConfig, load_checkpoint, save_checkpoint
from .i18n import t

CHECKPOINT_FILE = "gpt_poems.pt"
LOG_FILE = "gpt_poems.json"
PARTIAL_PREFIX = "gpt_poems.partial"  # a run stopped by its time cap is saved under this name, never as the above


@dataclass
class PretrainSettings:
    """Everything a pretraining run depends on (the defaults are the shipped checkpoint's)."""

    seed: int = 0
    threads: int = 1
    vocab_max_size: int = 4000  # specials included; rarer characters become <unk>
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    block_size: int = 96  # a 七言律诗 with <sos> and <eos> is 66 tokens
    dropout: float = 0.0
    attention: str = "manual"  # the shipped checkpoint was trained with it ("sdpa": same maths, other rounding)
    batch_size: int = 32
    steps: int = 1800
    lr: float = 2e-3
    min_lr: float = 2e-4
    warmup: int = 100
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    val_fraction: float = 0.05
    eval_every: int = 100
    eval_batches: int = 20
    sample_poems: int = 200  # generated poems for the form accuracy, at every evaluation
    sample_temperature: float = 1.0
    max_minutes: float = 45.0  # > 0: stop early (at an eval) once this much time has passed

    def model_config(self, vocab_size: int) -> GPTConfig:
        return GPTConfig(vocab_size=vocab_size, block_size=self.block_size, n_layer=self.n_layer,
                         n_head=self.n_head, n_embd=self.n_embd, dropout=self.dropout, attention=self.attention)


@dataclass
class PretrainResult:
    model: GPT
    vocab: poems.CharVocab
    log: list[dict] = field(default_factory=list)  # {"step", "train_loss", "val_loss", "form", "seconds"}
    seconds: float = 0.0
    metrics: dict = field(default_factory=dict)


def lr_at(step: int, s: PretrainSettings) -> float:
    """Linear warm-up to ``lr`` over ``warmup`` steps, then cosine decay to ``min_lr`` at ``steps``."""
    if step < s.warmup:
        return s.lr * (step + 1) / s.warmup
    progress = min(1.0, (step - s.warmup) / max(1, s.steps - s.warmup))
    return s.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (s.lr - s.min_lr)


@torch.no_grad()
def estimate_loss(model: GPT, stream: torch.Tensor, batches: int, batch_size: int,
                  generator: torch.Generator) -> float:
    """Mean loss over ``batches`` random windows of ``stream`` (eval mode, restored after)."""
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a helpers.gpt.GPT, got {type(model).__name__}")
    for name, value in (("batches", batches), ("batch_size", batch_size)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
    was = model.training
    model.eval()
    try:
        losses = [model(*poems.get_batch(stream, batch_size, model.config.block_size, generator))[1].item()
                  for _ in range(batches)]
    finally:
        model.train(was)
    return sum(losses) / len(losses)


def sample_poems(model: GPT, vocab: poems.CharVocab, n: int, seed: int = 0, temperature: float = 1.0,
                 top_k: int | None = None, top_p: float | None = None, prompt: str = "",
                 max_new_tokens: int = 80, batch_size: int = 50) -> list[str]:
    """``n`` poems generated from <sos> (+ ``prompt``), cut at <eos>, specials dropped, seeded."""
    g = torch.Generator().manual_seed(seed)
    start = vocab.encode(prompt, add_sos=True, strict=True)
    out = []
    while len(out) < n:
        b = min(batch_size, n - len(out))
        ids = generate(model, torch.tensor([start] * b), max_new_tokens, temperature=temperature, top_k=top_k,
                       top_p=top_p, generator=g, eos_id=vocab.eos_id)
        out += [vocab.decode(cut_at_eos(row[1:], vocab.eos_id), skip_specials=True) for row in ids]
    return out


def form_accuracy(texts: list[str]) -> dict:
    """Shares of texts that have a regular form, even lines (one length, 5 or 7), right punctuation, a <unk>.

    A <unk> counts as one character (``poems.UNK_SHOWN`` in decoded text); ``forms`` counts each form.
    """
    if not texts:
        raise ValueError("no texts")
    reports = [poems.check_form(text) for text in texts]
    n = len(reports)
    forms: dict[str, int] = {}
    for r in reports:
        if r.form:
            forms[r.form] = forms.get(r.form, 0) + 1
    return {"n": n, "well_formed": sum(r.well_formed for r in reports) / n,
            "even_lines": sum(r.even_lines for r in reports) / n,
            "punctuation_ok": sum(r.punctuation_ok for r in reports) / n,
            "with_unk": sum(poems.UNK_SHOWN in text for text in texts) / n, "forms": forms}


def data(s: PretrainSettings) -> tuple[poems.CharVocab, torch.Tensor, torch.Tensor]:
    """(vocabulary from the training split, train stream, validation stream)."""
    train, val = poems.train_val_split(poems.load_poems(), s.val_fraction)
    vocab = poems.CharVocab.from_poems(train, max_size=s.vocab_max_size)
    return vocab, poems.encode_stream(train, vocab), poems.encode_stream(val, vocab)


def evaluate(model: GPT, vocab: poems.CharVocab, val_stream: torch.Tensor,
             s: PretrainSettings) -> tuple[dict, list[str]]:
    """({"val_loss", "form"}, the sampled poems) for the model as it is now; the training mode is restored.

    Both use their own generators, seeded the same at every evaluation (the same validation windows,
    the same random draws for the poems), so successive evaluations differ only by the weights, and
    the training run's own random stream is untouched.
    """
    g_eval = torch.Generator().manual_seed(s.seed + 1)
    val_loss = estimate_loss(model, val_stream, s.eval_batches, s.batch_size, g_eval)
    texts = sample_poems(model, vocab, s.sample_poems, seed=s.seed, temperature=s.sample_temperature)
    return {"val_loss": val_loss, "form": form_accuracy(texts)}, texts


def train(s: PretrainSettings | None = None, progress: bool = True) -> PretrainResult:
    """Run one pretraining (seeded: same settings, same machine -> same weights); default: the shipped settings."""
    s = PretrainSettings() if s is None else s
    torch.set_num_threads(s.threads)
    torch.manual_seed(s.seed)
    vocab, train_stream, val_stream = data(s)
    model = GPT(s.model_config(len(vocab)))
    opt = model.configure_optimizer(s.lr, s.weight_decay)
    g_train = torch.Generator().manual_seed(s.seed)
    result = PretrainResult(model, vocab)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=s.steps, desc=t("pretraining"), unit=t("step"))
    start = clock.perf_counter()
    running = None
    for step in range(s.steps + 1):
        last = step == s.steps or (s.max_minutes > 0 and clock.perf_counter() - start > 60 * s.max_minutes)
        if step % s.eval_every == 0 or last:
            entry, texts = evaluate(model, vocab, val_stream, s)
            entry = {"step": step, "train_loss": running, **entry, "seconds": round(clock.perf_counter() - start, 1)}
            result.log.append(entry)
            if bar is not None:
                bar.set_postfix(val=f"{entry['val_loss']:.3f}")
        if last:
            break
        for group in opt.param_groups:
            group["lr"] = lr_at(step, s)
        x, y = poems.get_batch(train_stream, s.batch_size, s.block_size, g_train)
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), s.grad_clip)
        opt.step()
        running = loss.item() if running is None else 0.9 * running + 0.1 * loss.item()
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    result.seconds = clock.perf_counter() - start
    model.eval()
    steps_done = result.log[-1]["step"]
    result.metrics = {"val_loss": result.log[-1]["val_loss"], "steps_done": steps_done,
                      "finished": steps_done == s.steps, "form": result.log[-1]["form"], "samples": texts[:10],
                      "params": model.num_params(), "train_seconds": round(result.seconds, 1)}
    return result


def finished(result: PretrainResult, s: PretrainSettings) -> bool:
    """Whether the run took all ``s.steps`` steps (a run stopped by ``max_minutes`` did not)."""
    return bool(result.metrics.get("finished", result.metrics.get("steps_done") == s.steps))


def sha256(path: str | Path) -> str:
    """The SHA-256 of a file, hex (what the log records of the checkpoint it describes)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save(result: PretrainResult, s: PretrainSettings, folder: str | Path, overwrite: bool = False,
         partial: bool = False) -> tuple[Path, Path]:
    """Write gpt_poems.pt (float16 weights, config, vocabulary) and gpt_poems.json (settings, log, metrics).

    A run that stopped before ``s.steps`` (its time cap) is not saved as a finished checkpoint: it
    raises unless ``partial=True``, which writes gpt_poems.partial.pt/.json instead, marked unfinished.
    An existing checkpoint is replaced only with ``overwrite=True``. The log records the checkpoint's
    SHA-256, which ``load`` checks.
    """
    folder = Path(folder)
    done = finished(result, s)
    if not done and not partial:
        raise ValueError(f"the run stopped after {result.metrics.get('steps_done')} of {s.steps} steps "
                         f"(max_minutes={s.max_minutes}): not saved as a finished checkpoint; pass partial=True "
                         f"to save it as {PARTIAL_PREFIX}.pt")
    stem = PARTIAL_PREFIX if not done else CHECKPOINT_FILE.removesuffix(".pt")
    ckpt, log = folder / f"{stem}.pt", folder / f"{stem}.json"
    if not overwrite and (ckpt.exists() or log.exists()):
        raise FileExistsError(f"{ckpt if ckpt.exists() else log} exists: pass overwrite=True (--force) to replace it")
    folder.mkdir(parents=True, exist_ok=True)
    save_checkpoint(result.model, ckpt, extra={"vocab": result.vocab.to_list()})
    info = {"settings": asdict(s), "config": result.model.config.to_dict(), "metrics": result.metrics,
            "finished": done, "log": result.log, "checkpoint_bytes": ckpt.stat().st_size,
            "checkpoint_sha256": sha256(ckpt), "torch": torch.__version__,
            "corpus_sha256": poems.provenance()["file"]["sha256"]}
    log.write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return ckpt, log


def differences(info: dict) -> list[str]:
    """What makes a checkpoint's log differ from the book's shipped run: settings, unfinished run.

    ``info`` is a log written by ``save``; the book's run is ``PretrainSettings()`` run to the end.
    """
    book = asdict(PretrainSettings())
    saved = info.get("settings", {})
    out = [f"{f.name}={saved.get(f.name)!r} (book: {book[f.name]!r})" for f in fields(PretrainSettings)
           if f.name in saved and saved[f.name] != book[f.name]]
    if info.get("finished") is False or info.get("metrics", {}).get("finished") is False:
        out.append(f"the run stopped after {info.get('metrics', {}).get('steps_done')} steps")
    return out


def load(folder: str | Path | None = None) -> tuple[GPT, poems.CharVocab, dict]:
    """The pretrained poem GPT (float32, eval mode), its vocabulary, and its log (settings, metrics).

    Warns when the checkpoint is not the one its log describes (SHA-256 differs) and, for the
    package's own copy (``folder=None``, what the chapters load), when its settings differ from the
    book's: the chapters' numbers were computed with that run.
    """
    base = Path(str(resources.files("helpers").joinpath("data"))) if folder is None else Path(folder)
    if not (base / CHECKPOINT_FILE).exists():
        raise FileNotFoundError(f"no {CHECKPOINT_FILE} in {base}; run `make pretrain`")
    if not (base / LOG_FILE).exists():
        raise FileNotFoundError(f"no {LOG_FILE} beside {base / CHECKPOINT_FILE}: the log of the run is needed")
    model, ckpt = load_checkpoint(base / CHECKPOINT_FILE)
    info = json.loads((base / LOG_FILE).read_text(encoding="utf-8"))
    expected = info.get("checkpoint_sha256")
    if expected is not None and sha256(base / CHECKPOINT_FILE) != expected:
        warnings.warn(f"{base / CHECKPOINT_FILE} is not the checkpoint {LOG_FILE} describes (SHA-256 differs): "
                      "its settings and figures do not belong to these weights", stacklevel=2)
    if folder is None and (diff := differences(info)):
        warnings.warn(f"{base / CHECKPOINT_FILE} is not the run the chapters were written with: "
                      f"{'; '.join(diff)}. Their numbers will differ; `git checkout src/helpers/data` restores it",
                      stacklevel=2)
    return model, poems.CharVocab.from_list(ckpt["vocab"]), info
