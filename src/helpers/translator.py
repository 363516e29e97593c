"""The toy English -> Chinese translator: batching, training, evaluation, the shipped checkpoint.

``scripts/train_translator.py`` calls ``train`` with ``DEFAULT_SETTINGS`` and writes the
checkpoint that ships inside this package (``helpers/data/translator.pt``, with its settings
and training log in ``translator.json``), so chapters load it anywhere, Colab included.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

import torch
import torch.nn.functional as F

from . import clock, corpus
from ._checks import check_bool, check_int, check_list, check_str_list, show
from .i18n import t
from .transformer import Seq2SeqTransformer, TransformerConfig
from .vocab import Vocab

CHECKPOINT = "translator.pt"
LOG = "translator.json"


@dataclass
class TrainSettings:
    """Everything that determines a training run (saved next to the checkpoint)."""

    steps: int = 1200
    batch_size: int = 64
    lr: float = 2e-3
    warmup: int = 100
    seed: int = 0
    threads: int = 1
    d_model: int = 64
    n_heads: int = 4
    n_layers: int = 2
    d_ff: int = 128
    dropout: float = 0.1
    log_every: int = 50
    norm_first: bool = False  # pre-norm (True) or post-norm (False, as in the 2017 paper)
    residual: bool = True


DEFAULT_SETTINGS = TrainSettings()


def encode_pairs(pairs: list[corpus.Pair], en: Vocab, zh: Vocab) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad a list of pairs into (src (B, S), tgt_in (B, T), tgt_out (B, T)) id tensors.

    tgt_in = <sos> + target, tgt_out = target + <eos> (teacher forcing); padding id is 0.
    """
    pairs = check_list(pairs, "pairs", "corpus.Pair")
    if not pairs:
        raise ValueError("encode_pairs needs at least one pair")
    for i, p in enumerate(pairs):
        if not isinstance(p, corpus.Pair):
            raise TypeError(f"pairs[{i}] must be a corpus.Pair, got {show(p)}")
    src = [en.encode(p.en, strict=True) for p in pairs]
    tgt = [zh.encode(p.zh, strict=True) for p in pairs]
    s_len, t_len = max(map(len, src)), max(map(len, tgt)) + 1

    def pad(rows: list[list[int]], n: int) -> torch.Tensor:
        return torch.tensor([r + [en.pad_id] * (n - len(r)) for r in rows])

    return (
        pad(src, s_len),
        pad([[zh.sos_id] + t for t in tgt], t_len),
        pad([t + [zh.eos_id] for t in tgt], t_len),
    )


def vocabularies() -> tuple[Vocab, Vocab]:
    """The translator's vocabularies: every word of the grammar (the same on every machine)."""
    return corpus.build_vocabs()


def loss_on(model: Seq2SeqTransformer, pairs: list[corpus.Pair], en: Vocab, zh: Vocab) -> torch.Tensor:
    """Mean cross-entropy per target token, padding ignored."""
    src, tgt_in, tgt_out = encode_pairs(pairs, en, zh)
    logits = model(src, tgt_in)
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=zh.pad_id)


def translate(model: Seq2SeqTransformer, sentences: list[tuple[str, ...]], en: Vocab, zh: Vocab,
              batch_size: int = 256, allow_unknown: bool = False) -> list[tuple[str, ...]]:
    """Greedy translations of English token tuples, as Chinese token tuples.

    Every word must be in ``en`` (as ``encode_pairs`` demands): an unknown word raises a
    ``ValueError`` naming it. With ``allow_unknown=True`` unknown words are read as ``<unk>``.
    """
    if not isinstance(model, Seq2SeqTransformer):
        raise TypeError(f"model must be a helpers.transformer.Seq2SeqTransformer, got {show(model)}")
    for name, v in (("en", en), ("zh", zh)):
        if not isinstance(v, Vocab):
            raise TypeError(f"{name} must be a helpers.vocab.Vocab, got {show(v)}")
    sentences = check_list(sentences, "sentences", "token tuples (e.g. [tuple(text.split())])")
    for i, s in enumerate(sentences):
        if isinstance(s, str):
            raise TypeError(f"sentences[{i}] must be a tuple of words, got the str {show(s)}: split it first")
        check_str_list(s, f"sentences[{i}]", nonempty=True)
        if len(s) > model.config.max_len:
            raise ValueError(f"sentences[{i}] has {len(s)} words, more than the model's max_len={model.config.max_len}")
    batch_size = check_int(batch_size, "batch_size", 1)
    if not check_bool(allow_unknown, "allow_unknown"):
        unknown = sorted({w for s in sentences for w in s if w not in en})
        if unknown:
            raise ValueError(f"sentences hold {len(unknown)} word(s) outside the English vocabulary: "
                             f"{unknown[:10]}{' ...' if len(unknown) > 10 else ''}; pass allow_unknown=True "
                             "to read them as <unk>")
    out: list[tuple[str, ...]] = []
    for i in range(0, len(sentences), batch_size):
        chunk = sentences[i : i + batch_size]
        n = max(map(len, chunk))
        src = torch.tensor([en.encode(s) + [en.pad_id] * (n - len(s)) for s in chunk])
        for ids in model.greedy_decode(src, zh.sos_id, zh.eos_id, max_len=20):
            out.append(tuple(zh.decode(ids)))
    return out


def exact_match(model: Seq2SeqTransformer, pairs: list[corpus.Pair], en: Vocab, zh: Vocab) -> float:
    """Fraction of pairs whose greedy translation equals the reference exactly (at least one pair)."""
    pairs = check_list(pairs, "pairs", "corpus.Pair")
    if not pairs:
        raise ValueError("pairs must hold at least one pair, got none")
    for i, p in enumerate(pairs):
        if not isinstance(p, corpus.Pair):
            raise TypeError(f"pairs[{i}] must be a corpus.Pair, got {show(p)}")
    hyps = translate(model, [p.en for p in pairs], en, zh)
    return sum(h == p.zh for h, p in zip(hyps, pairs)) / len(pairs)


def build_model(settings: TrainSettings, en: Vocab, zh: Vocab) -> Seq2SeqTransformer:
    config = TransformerConfig(
        src_vocab_size=len(en), tgt_vocab_size=len(zh), d_model=settings.d_model, n_heads=settings.n_heads,
        n_layers=settings.n_layers, d_ff=settings.d_ff, dropout=settings.dropout, max_len=32, pad_id=en.pad_id,
        norm_first=settings.norm_first, residual=settings.residual,
    )
    return Seq2SeqTransformer(config)


@dataclass
class TrainResult:
    model: Seq2SeqTransformer
    log: list[dict] = field(default_factory=list)
    test_accuracy: float | None = None
    seconds: float = 0.0


def lr_factor(step: int, warmup: int, steps: int) -> float:
    """The learning rate of step ``step`` (0-based) as a fraction of the peak rate.

    Linear warm-up over the first ``warmup`` steps, reaching the peak (1.0) at step ``warmup - 1``;
    then a linear decay to 5 % of the peak at the last step. The decay starts only after the
    warm-up, so every schedule reaches the peak it states, with or without warm-up.
    """
    check_int(step, "step", 0)
    check_int(warmup, "warmup", 1)
    check_int(steps, "steps", 1)
    if step < warmup:
        return (step + 1) / warmup
    span = max(1, steps - warmup)
    return max(0.05, 1.0 - (step - warmup + 1) / span * 0.95)


def train(settings: TrainSettings = DEFAULT_SETTINGS, progress: bool = True, evaluate: bool = True) -> TrainResult:
    """Train the translator on the training part of the toy corpus (seeded, CPU)."""
    torch.manual_seed(settings.seed)
    torch.set_num_threads(settings.threads)
    rng = random.Random(settings.seed)
    en, zh = vocabularies()
    train_pairs, test_pairs = corpus.split_pairs()
    model = build_model(settings, en, zh)
    opt = torch.optim.AdamW(model.parameters(), lr=settings.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: lr_factor(s, settings.warmup, settings.steps))
    bar = range(settings.steps)
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(bar, desc=t("training"), unit=t("step"))
    log: list[dict] = []
    start = clock.perf_counter()
    model.train()
    for step in bar:
        loss = loss_on(model, rng.sample(train_pairs, settings.batch_size), en, zh)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        lr = sched.get_last_lr()[0]  # the rate this step is taken with
        opt.step()
        sched.step()
        if step % settings.log_every == 0 or step == settings.steps - 1:
            log.append({"step": step, "loss": round(loss.item(), 5), "lr": lr})
            if progress:
                bar.set_postfix(loss=f"{loss.item():.3f}")
    model.eval()
    result = TrainResult(model, log, seconds=clock.perf_counter() - start)
    if evaluate:
        result.test_accuracy = exact_match(model, test_pairs, en, zh)
    return result


def save(result: TrainResult, settings: TrainSettings, folder: str | Path) -> None:
    """Write ``translator.pt`` (config + weights) and ``translator.json`` (settings, log, accuracy)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.to(torch.float32) for k, v in result.model.state_dict().items()}
    torch.save({"config": result.model.config.to_dict(), "state_dict": state}, folder / CHECKPOINT)
    info = {
        "settings": asdict(settings),
        "test_exact_match": result.test_accuracy,
        "train_seconds": round(result.seconds, 1),
        "torch": torch.__version__,
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),  # the kernels' instruction set
        "log": result.log,
    }
    (folder / LOG).write_text(json.dumps(info, indent=1), encoding="utf-8")


def load(folder: str | Path | None = None) -> tuple[Seq2SeqTransformer, dict]:
    """Load the trained translator (default: the checkpoint shipped in this package).

    Returns (model in eval mode, info dict with settings, accuracy and training log).
    """
    base = resources.files("helpers").joinpath("data") if folder is None else Path(folder)
    path = base.joinpath(CHECKPOINT)
    try:
        blob = torch.load(str(path), map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise FileNotFoundError(f"no checkpoint at {path}; run scripts/train_translator.py") from None
    if not isinstance(blob, dict) or "config" not in blob or "state_dict" not in blob:
        raise ValueError(f"{path} is not a translator checkpoint (needs 'config' and 'state_dict')")
    model = Seq2SeqTransformer(TransformerConfig(**blob["config"]))
    model.load_state_dict(blob["state_dict"])
    info = json.loads(base.joinpath(LOG).read_text(encoding="utf-8"))
    return model.eval(), info
