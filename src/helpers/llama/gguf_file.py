"""The GGUF file format (llama.cpp's), read in a few lines of ``struct``.

A GGUF file (version 3, little-endian) is:

    b"GGUF", version (u32), tensor count (u64), metadata count (u64)
    metadata:  key (string), value type (u32), value        -- repeated
    tensors:   name (string), n_dims (u32), dims (u64 each, fastest-moving first),
               ggml type (u32), offset (u64)                 -- repeated
    padding to ``general.alignment`` (default 32), then the tensor data

where a string is a u64 byte length and UTF-8 bytes, and an array value is an element type (u32),
a count (u64) and the elements. The ``gguf`` package does the number crunching: it knows each
quantisation's block layout and dequantises the bytes (``gguf.quants.dequantize``). Its own reader
(``gguf.GGUFReader``, used by the tests as the reference) builds NumPy views of every metadata
string, about 100,000 of them for a 49k-token vocabulary: 4-6 s and 160 MB on a laptop-class CPU.
Reading the metadata with ``struct`` takes a fraction of a second, and the tensor bytes are
memory-mapped, never copied until they are dequantised.

A damaged file raises ``GGUFFormatError`` and nothing else: every count, length and offset is
checked against the bytes left in the file before anything is allocated for it (an array count of
2**40 in a 3 kB file is refused, not allocated), arrays nest at most ``MAX_NESTING`` deep, and
``general.alignment`` must be a power of two.
"""

from __future__ import annotations

import math
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._checks import show

GGUF_MAGIC = b"GGUF"
GGUF_VERSIONS = (2, 3)  # version 2 has the same layout as 3 (64-bit counts)
DEFAULT_ALIGNMENT = 32
MAX_DIMS = 4  # GGML_MAX_DIMS in llama.cpp
MAX_NESTING = 8  # arrays of arrays of ...: more is a damaged file (llama.cpp itself writes none)

# value type -> struct format of a scalar (8 = string, 9 = array are handled apart)
_SCALAR_FORMATS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
# the fewest bytes one value of each type takes in the file: a string is its u64 length at least,
# an array its element type (u32) and count (u64)
_MIN_SIZE = {**{t: struct.calcsize(f) for t, f in _SCALAR_FORMATS.items()}, _STRING: 8, _ARRAY: 12}


GGUF_INSTALL_HINT = "pip install gguf   (or: pip install 'transformer-book-helpers[llm]')"


def gguf_package():
    """The ``gguf`` package (an optional dependency), or an ``ImportError`` saying how to install it."""
    try:
        import gguf
        import gguf.quants
    except ImportError:
        raise ImportError(f"dequantising GGUF tensors needs the 'gguf' package: {GGUF_INSTALL_HINT}") from None
    return gguf


class GGUFFormatError(ValueError):
    """The file is not a GGUF file, or not one this reader understands."""


@dataclass(frozen=True)
class GGUFTensorInfo:
    """Where one tensor's bytes are. ``shape`` is in PyTorch order (slowest-moving first)."""

    name: str
    shape: tuple[int, ...]
    ggml_type: int  # a gguf.GGMLQuantizationType value, e.g. 3 = Q4_1, 8 = Q8_0, 0 = F32
    offset: int  # from the start of the tensor data


def metadata_text(value: Any) -> str:
    """A metadata value as a table shows it: whole numbers with thousands separators (100000.0 ->
    "100,000", 8192 -> "8,192"), other floats to 3 significant digits (a float32 epsilon,
    9.999997747378752e-06 -> "1e-05"), anything else as ``str`` gives it (strings, lists)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):.3g}"


class GGUFFile:
    """A GGUF file, opened: ``metadata`` (a dict) and ``tensors`` (name -> ``GGUFTensorInfo``).

    ``raw(name)`` gives a tensor's bytes without copying them; ``dequantize(name)`` its float32 values.
    """

    def __init__(self, path: str | Path):
        if not isinstance(path, (str, Path)) and not hasattr(path, "__fspath__"):
            raise TypeError(f"path must be a str or a pathlib.Path, got {show(path)}")
        self.path = Path(path)
        if not self.path.is_file():
            raise FileNotFoundError(f"no such file: {self.path}")
        with self.path.open("rb") as f:
            magic = f.read(4)
            if magic != GGUF_MAGIC:
                raise GGUFFormatError(f"{self.path} is not a GGUF file: it starts with {magic!r}, not {GGUF_MAGIC!r}")
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            self._parse()
        except struct.error as exc:
            self._map.close()
            raise GGUFFormatError(f"{self.path} is a truncated or corrupt GGUF file: {exc}") from exc
        except GGUFFormatError:
            self._map.close()
            raise

    # ------------------------------------------------------------------ parsing
    def _read(self, fmt: str) -> Any:
        (value,) = struct.unpack_from(fmt, self._map, self._pos)
        self._pos += struct.calcsize(fmt)
        return value

    def _left(self) -> int:
        """Bytes left in the file after the read position."""
        return len(self._map) - self._pos

    def _check_count(self, count: int, min_size: int, what: str) -> None:
        """``count`` items of at least ``min_size`` bytes each must fit in what is left of the file."""
        if count * min_size > self._left():
            raise GGUFFormatError(
                f"{self.path}: {what} announces {count} items of at least {min_size} bytes each, but only "
                f"{self._left()} bytes are left in the file (at byte {self._pos}): a truncated or corrupt file"
            )

    def _read_string(self, what: str = "a string") -> str:
        n = self._read("<Q")
        if n > self._left():
            raise GGUFFormatError(
                f"{self.path}: {what} of {n} bytes runs past the end of the file "
                f"(at byte {self._pos}, {self._left()} bytes left)"
            )
        s = self._map[self._pos : self._pos + n].decode("utf-8", errors="replace")
        self._pos += n
        return s

    def _read_value(self, vtype: int, key: str, depth: int = 0) -> Any:
        if vtype in _SCALAR_FORMATS:
            return self._read(_SCALAR_FORMATS[vtype])
        if vtype == _STRING:
            return self._read_string(f"the string value of {key!r}")
        if vtype == _ARRAY:
            if depth >= MAX_NESTING:
                raise GGUFFormatError(
                    f"{self.path}: the value of {key!r} holds arrays nested more than {MAX_NESTING} deep"
                )
            etype, count = self._read("<I"), self._read("<Q")
            if etype not in _MIN_SIZE:
                raise GGUFFormatError(
                    f"{self.path}: the array {key!r} has an unknown element type {etype} (at byte {self._pos - 12})"
                )
            self._check_count(count, _MIN_SIZE[etype], f"the array {key!r}")
            if etype in _SCALAR_FORMATS:  # numbers: one struct call for the whole array
                fmt = f"<{count}{_SCALAR_FORMATS[etype][1]}"  # a repeat count, not a string of `count` codes
                values = list(struct.unpack_from(fmt, self._map, self._pos))
                self._pos += struct.calcsize(fmt)
                return values
            return [self._read_value(etype, key, depth + 1) for _ in range(count)]
        raise GGUFFormatError(f"{self.path}: unknown metadata value type {vtype} for {key!r} at byte {self._pos}")

    def _parse(self) -> None:
        self._pos = 4
        self.version = self._read("<I")
        if self.version not in GGUF_VERSIONS:
            raise GGUFFormatError(f"{self.path}: GGUF version {self.version} is not supported ({GGUF_VERSIONS})")
        n_tensors, n_kv = self._read("<Q"), self._read("<Q")
        # a metadata entry: key length (8), value type (4), a value (1 byte at least)
        self._check_count(n_kv, 13, "the header's metadata count")
        # a tensor entry: name length (8), n_dims (4), one dim at least (8), type (4), offset (8)
        self._check_count(n_tensors, 32, "the header's tensor count")
        self.metadata: dict[str, Any] = {}
        for _ in range(n_kv):
            key = self._read_string("a metadata key")
            if key in self.metadata:
                raise GGUFFormatError(f"{self.path}: the metadata key {key!r} appears twice")
            self.metadata[key] = self._read_value(self._read("<I"), key)
        self.tensors: dict[str, GGUFTensorInfo] = {}
        for _ in range(n_tensors):
            name = self._read_string("a tensor name")
            if name in self.tensors:
                raise GGUFFormatError(f"{self.path}: tensor {name!r} appears twice")
            n_dims = self._read("<I")
            if not 1 <= n_dims <= MAX_DIMS:
                raise GGUFFormatError(f"{self.path}: tensor {name!r} has {n_dims} dims, expected 1..{MAX_DIMS}")
            dims = [self._read("<Q") for _ in range(n_dims)]
            ggml_type, offset = self._read("<I"), self._read("<Q")
            # no GGML type takes less than 1 bit per value: more values than 8 per byte of the file
            # cannot be there (the exact size is checked by ``raw``, which knows the type)
            n_values = math.prod(dims)
            if n_values > 8 * len(self._map) or offset > len(self._map):
                raise GGUFFormatError(
                    f"{self.path}: tensor {name!r} of shape {tuple(reversed(dims))} at offset "
                    f"{offset} cannot fit in the file's {len(self._map)} bytes"
                )
            self.tensors[name] = GGUFTensorInfo(name, tuple(reversed(dims)), ggml_type, offset)
        align = self.metadata.get("general.alignment", DEFAULT_ALIGNMENT)
        if isinstance(align, bool) or not isinstance(align, int) or align <= 0 or align & (align - 1):
            raise GGUFFormatError(f"{self.path}: general.alignment must be a power of two, got {align!r}")
        self.data_start = (self._pos + align - 1) // align * align
        if self.tensors and self.data_start > len(self._map):
            raise GGUFFormatError(
                f"{self.path}: the tensor data would start at byte {self.data_start}, past the "
                f"end of the file ({len(self._map)} bytes)"
            )

    # ------------------------------------------------------------------ tensors
    def raw(self, name: str) -> np.ndarray:
        """The tensor's bytes as uint8, shape (*shape[:-1], bytes per row): no copy (memory-mapped)."""
        gguf = gguf_package()
        info = self._info(name)
        self._check_ggml_type(info)
        block, type_size = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType(info.ggml_type)]
        if info.shape[-1] % block:
            raise GGUFFormatError(
                f"tensor {name!r}: last dim {info.shape[-1]} is not a multiple of the block "
                f"size {block} of its ggml type {info.ggml_type}"
            )
        row_bytes = info.shape[-1] // block * type_size
        count = math.prod(info.shape[:-1]) * row_bytes
        start = self.data_start + info.offset
        if start + count > len(self._map):
            raise GGUFFormatError(
                f"tensor {name!r}: its {count} bytes from byte {start} run past the end of "
                f"the file ({len(self._map)} bytes)"
            )
        data = np.frombuffer(self._map, dtype=np.uint8, count=count, offset=start)
        return data.reshape(*info.shape[:-1], row_bytes)

    def release_pages(self) -> None:
        """Drop the file's pages from this process's resident memory (``madvise(MADV_DONTNEED)``).

        Reading tensors through the memory map makes their pages count as the process's memory
        for as long as the file is open; the data stay in the system's file cache and are read
        again on the next access. No-op where ``madvise`` is missing.
        """
        if hasattr(self._map, "madvise") and hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)

    def dequantize(self, name: str) -> np.ndarray:
        """The tensor's values as a new float32 array of shape ``tensors[name].shape``."""
        gguf = gguf_package()
        info = self._info(name)
        values = gguf.quants.dequantize(self.raw(name), gguf.GGMLQuantizationType(info.ggml_type))
        if not values.flags.writeable:  # float32 tensors come back as views of the file: copy them
            values = values.copy()
        return values.astype(np.float32, copy=False).reshape(info.shape)

    def _check_ggml_type(self, info: GGUFTensorInfo):
        """The tensor's ``gguf.GGMLQuantizationType``, if the ``gguf`` package knows its layout."""
        gguf = gguf_package()
        try:
            qtype = gguf.GGMLQuantizationType(info.ggml_type)
        except ValueError:
            qtype = None
        if qtype is None or qtype not in gguf.GGML_QUANT_SIZES:
            raise GGUFFormatError(
                f"tensor {info.name!r} has ggml type {info.ggml_type}, which the gguf package does not know"
            )
        return qtype

    def _info(self, name: str) -> GGUFTensorInfo:
        if not isinstance(name, str):
            raise TypeError(f"name must be a tensor name (str), got {show(name)}")
        if name not in self.tensors:
            raise KeyError(f"no tensor {name!r} in {self.path.name} (it has {len(self.tensors)} tensors)")
        return self.tensors[name]

    def __repr__(self) -> str:
        arch = self.metadata.get("general.architecture")
        return f"GGUFFile({self.path.name!r}, architecture={arch!r}, tensors={len(self.tensors)})"
