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
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

GGUF_MAGIC = b"GGUF"
GGUF_VERSIONS = (2, 3)  # version 2 has the same layout as 3 (64-bit counts)
DEFAULT_ALIGNMENT = 32

# value type -> struct format of a scalar (8 = string, 9 = array are handled apart)
_SCALAR_FORMATS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
                   10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9


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


class GGUFFile:
    """A GGUF file, opened: ``metadata`` (a dict) and ``tensors`` (name -> ``GGUFTensorInfo``).

    ``raw(name)`` gives a tensor's bytes without copying them; ``dequantize(name)`` its float32 values.
    """

    def __init__(self, path: str | Path):
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
            raise GGUFFormatError(f"{self.path} is a truncated or corrupt GGUF file: {exc}") from exc

    # ------------------------------------------------------------------ parsing
    def _read(self, fmt: str) -> Any:
        (value,) = struct.unpack_from(fmt, self._map, self._pos)
        self._pos += struct.calcsize(fmt)
        return value

    def _read_string(self) -> str:
        n = self._read("<Q")
        if self._pos + n > len(self._map):
            raise GGUFFormatError(f"{self.path}: a string of {n} bytes runs past the end of the file")
        s = self._map[self._pos : self._pos + n].decode("utf-8", errors="replace")
        self._pos += n
        return s

    def _read_value(self, vtype: int) -> Any:
        if vtype in _SCALAR_FORMATS:
            return self._read(_SCALAR_FORMATS[vtype])
        if vtype == _STRING:
            return self._read_string()
        if vtype == _ARRAY:
            etype, count = self._read("<I"), self._read("<Q")
            if etype in _SCALAR_FORMATS:  # numbers: one struct call for the whole array
                fmt = "<" + _SCALAR_FORMATS[etype][1] * count
                values = list(struct.unpack_from(fmt, self._map, self._pos))
                self._pos += struct.calcsize(fmt)
                return values
            return [self._read_value(etype) for _ in range(count)]
        raise GGUFFormatError(f"{self.path}: unknown metadata value type {vtype} at byte {self._pos}")

    def _parse(self) -> None:
        self._pos = 4
        self.version = self._read("<I")
        if self.version not in GGUF_VERSIONS:
            raise GGUFFormatError(f"{self.path}: GGUF version {self.version} is not supported ({GGUF_VERSIONS})")
        n_tensors, n_kv = self._read("<Q"), self._read("<Q")
        self.metadata: dict[str, Any] = {}
        for _ in range(n_kv):
            key = self._read_string()
            self.metadata[key] = self._read_value(self._read("<I"))
        self.tensors: dict[str, GGUFTensorInfo] = {}
        for _ in range(n_tensors):
            name = self._read_string()
            n_dims = self._read("<I")
            dims = [self._read("<Q") for _ in range(n_dims)]
            ggml_type, offset = self._read("<I"), self._read("<Q")
            self.tensors[name] = GGUFTensorInfo(name, tuple(reversed(dims)), ggml_type, offset)
        align = int(self.metadata.get("general.alignment", DEFAULT_ALIGNMENT))
        self.data_start = (self._pos + align - 1) // align * align

    # ------------------------------------------------------------------ tensors
    def raw(self, name: str) -> np.ndarray:
        """The tensor's bytes as uint8, shape (*shape[:-1], bytes per row): no copy (memory-mapped)."""
        gguf = gguf_package()
        info = self._info(name)
        block, type_size = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType(info.ggml_type)]
        if info.shape[-1] % block:
            raise GGUFFormatError(f"{name}: last dim {info.shape[-1]} is not a multiple of the block size {block}")
        row_bytes = info.shape[-1] // block * type_size
        count = int(np.prod(info.shape[:-1], dtype=np.int64)) * row_bytes
        start = self.data_start + info.offset
        if start + count > len(self._map):
            raise GGUFFormatError(f"{name}: its {count} bytes run past the end of the file")
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

    def _info(self, name: str) -> GGUFTensorInfo:
        if name not in self.tensors:
            raise KeyError(f"no tensor {name!r} in {self.path.name} (it has {len(self.tensors)} tensors)")
        return self.tensors[name]

    def __repr__(self) -> str:
        arch = self.metadata.get("general.architecture")
        return f"GGUFFile({self.path.name!r}, architecture={arch!r}, tensors={len(self.tensors)})"
