"""A chat format for the poem GPT: two new special tokens, instructions, and an extended vocabulary.

A conversation of one turn is encoded as

    <sos> <|user|> 写一首五言绝句，以春字开头 <|assistant|> 春眠不觉晓，...。 <eos>

The prompt runs up to and including ``<|assistant|>``; the answer is the poem and its ``<eos>``
(the token that ends the assistant's turn, as ``<|im_end|>`` does in SmolLM2's template).
The two new tokens get the ids ``len(vocab)`` and ``len(vocab) + 1``: every character keeps its
id, so the pretrained weights stay valid and only two rows are added to the (tied) embedding.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .. import poems
from ..gpt import GPT, GPTConfig

USER = "<|user|>"
ASSISTANT = "<|assistant|>"
CHAT_TOKENS: tuple[str, ...] = (USER, ASSISTANT)


def instruction(form: str, first_char: str) -> str:
    """The instruction text for a form (a key of ``poems.FORMS``) and a first character.

    >>> instruction("quatrain5", "春")
    '写一首五言绝句，以春字开头'
    """
    if form not in poems.FORMS:
        raise ValueError(f"form must be one of {sorted(poems.FORMS)}, got {form!r}")
    if not isinstance(first_char, str) or len(first_char) != 1 or first_char in poems.PUNCTUATION:
        raise ValueError(f"first_char must be one character (not punctuation), got {first_char!r}")
    return f"写一首{poems.FORM_NAMES_ZH[form]}，以{first_char}字开头"


@dataclass(frozen=True)
class Request:
    """What an instruction asks for: a regular form and the poem's first character."""

    form: str
    first_char: str

    @property
    def text(self) -> str:
        return instruction(self.form, self.first_char)

    @classmethod
    def of_poem(cls, poem: poems.Poem) -> Request:
        """The request that ``poem`` answers (its own form and first character)."""
        if poem.form is None:
            raise ValueError(f"the poem has no regular form: {poem.text[:20]!r}")
        return cls(poem.form, poem.text[0])


def requests_from(poem_list: Sequence[poems.Poem], vocab: poems.CharVocab, n: int, seed: int = 0) -> list[Request]:
    """``n`` requests of poems drawn (seeded) from ``poem_list``: real form / first-character pairs.

    Poems whose first character is not in ``vocab`` (a rare one, <unk>) are left out.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    usable = [p for p in poem_list if p.form is not None and p.text[0] in vocab.stoi]
    if n > len(usable):
        raise ValueError(f"n={n} but only {len(usable)} poems are usable")
    return [Request.of_poem(p) for p in random.Random(seed).sample(usable, n)]


def eval_requests(vocab: poems.CharVocab, n: int = 200, seed: int = 0, val_fraction: float = 0.05) -> list[Request]:
    """``n`` requests drawn (seeded) from held-out poems: the requests every evaluation uses."""
    _, val = poems.train_val_split(poems.load_poems(), val_fraction)
    return requests_from(val, vocab, n, seed)


class ChatFormat:
    """Encodes prompts and answers of the chat format with a ``CharVocab`` plus ``CHAT_TOKENS``.

    ``size`` = len(vocab) + 2 is the vocabulary size of the chat model.
    """

    def __init__(self, vocab: poems.CharVocab):
        if not isinstance(vocab, poems.CharVocab):
            raise TypeError(f"vocab must be a helpers.poems.CharVocab, got {type(vocab).__name__}")
        self.vocab = vocab
        self.user_id = len(vocab)
        self.assistant_id = len(vocab) + 1
        self.size = len(vocab) + len(CHAT_TOKENS)
        self.eos_id = vocab.eos_id
        self.pad_id = vocab.pad_id

    def prompt_ids(self, request: Request | str) -> list[int]:
        """``<sos> <|user|> instruction <|assistant|>`` as ids (unknown characters raise)."""
        text = request.text if isinstance(request, Request) else request
        if not isinstance(text, str) or not text:
            raise ValueError(f"request must be a Request or a non-empty str, got {request!r}")
        return [self.vocab.sos_id, self.user_id, *self.vocab.encode(text, strict=True), self.assistant_id]

    def example_ids(self, request: Request | str, answer: str) -> tuple[list[int], int]:
        """(prompt + answer + <eos> as ids, the number of prompt ids)."""
        prompt = self.prompt_ids(request)
        return prompt + self.vocab.encode(answer) + [self.eos_id], len(prompt)

    def decode(self, ids: Sequence[int] | torch.Tensor) -> str:
        """Ids -> text with every special token shown by name (for display)."""
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        names = {self.user_id: USER, self.assistant_id: ASSISTANT}
        return "".join(names[i] if i in names else self.vocab.decode([i]) for i in ids)

    def decode_answer(self, ids: Sequence[int] | torch.Tensor) -> str:
        """Answer ids (after ``<|assistant|>``) -> the poem: cut at <eos>, specials dropped (<unk> -> □)."""
        ids = ids.tolist() if isinstance(ids, torch.Tensor) else list(ids)
        if self.eos_id in ids:
            ids = ids[: ids.index(self.eos_id)]
        return self.vocab.decode([i for i in ids if i < len(self.vocab)], skip_specials=True)


def extend_model(model: GPT, n_new: int = len(CHAT_TOKENS), seed: int = 0) -> GPT:
    """A copy of ``model`` whose vocabulary has ``n_new`` more tokens at its end.

    The new rows of the tied embedding start at the mean of the old rows plus small noise
    (std 0.02, seeded), a common choice: the new tokens start as an "average" token, and their
    output logits are close to the average logit rather than far out. Shapes: (V, C) -> (V + n_new, C).
    """
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a helpers.gpt.GPT, got {type(model).__name__}")
    if isinstance(n_new, bool) or not isinstance(n_new, int) or n_new < 1:
        raise ValueError(f"n_new must be an int >= 1, got {n_new!r}")
    cfg = GPTConfig(**{**model.config.to_dict(), "vocab_size": model.config.vocab_size + n_new})
    new = GPT(cfg)
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    old = sd["lm_head.weight"]  # (V, C)
    g = torch.Generator().manual_seed(seed)
    extra = old.mean(0, keepdim=True) + 0.02 * torch.randn(n_new, old.size(1), generator=g)
    sd["lm_head.weight"] = torch.cat([old, extra])
    sd["transformer.wte.weight"] = sd["lm_head.weight"]
    new.load_state_dict(sd)
    return new.train(model.training)
