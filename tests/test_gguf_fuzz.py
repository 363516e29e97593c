"""The GGUF reader (``helpers.llama.GGUFFile``) on damaged files: a small valid file written with
``gguf.GGUFWriter``, then random byte flips, truncations and structural fields (counts, lengths,
types, offsets) overwritten with extreme values.

Whatever the damage, reading the file (and the raw bytes and values of every tensor it lists)
either succeeds or raises ``GGUFFormatError``: no other exception, no hang (an alarm and a
hypothesis deadline), and no allocation out of proportion to the file (``tracemalloc`` peak
below a bound tied to the file's size; the old reader built a 2**40-character format string for
an array count of 2**40).
"""

from __future__ import annotations

import signal
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.llama import GGUFFile, GGUFFormatError

gguf = pytest.importorskip("gguf", reason="the fuzz test writes its file with gguf.GGUFWriter: pip install gguf")

SETTINGS = settings(max_examples=150, derandomize=True, database=None, deadline=2000,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
EXTREMES = (0, 1, 2, 3, 7, 255, 2**16, 2**31 - 1, 2**31, 2**32 - 1, 2**32, 2**40, 2**62, 2**63, 2**64 - 1)


def valid_gguf(path: Path) -> bytes:
    """A small GGUF file with every kind of metadata value and three tensor types."""
    w = gguf.GGUFWriter(str(path), "llama")
    w.add_block_count(2)
    w.add_context_length(64)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_key_value("test.i8", -3, gguf.GGUFValueType.INT8)
    w.add_key_value("test.u16", 7, gguf.GGUFValueType.UINT16)
    w.add_key_value("test.i64", -2**40, gguf.GGUFValueType.INT64)
    w.add_key_value("test.f64", 0.25, gguf.GGUFValueType.FLOAT64)
    w.add_key_value("test.bool", True, gguf.GGUFValueType.BOOL)
    w.add_string("test.text", "héllo")
    w.add_array("test.ints", [1, 2, 3, 4])
    w.add_array("test.floats", [0.5, 1.5])
    w.add_array("test.strings", ["a", "bb", "", "ccc"])
    w.add_token_list([f"t{i}" for i in range(8)])
    rng = np.random.default_rng(0)
    w.add_tensor("f32", rng.standard_normal((2, 8)).astype(np.float32))
    w.add_tensor("f16", rng.standard_normal((4,)).astype(np.float16))
    q8 = gguf.GGMLQuantizationType.Q8_0
    w.add_tensor("q8", gguf.quants.quantize(rng.standard_normal((2, 32)).astype(np.float32), q8), raw_dtype=q8)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path.read_bytes()


def structural_fields(data: bytes) -> list[tuple[int, int]]:
    """(offset, size) of every count, length, type, dim and offset field of a valid file."""
    fields: list[tuple[int, int]] = [(4, 4), (8, 8), (16, 8)]  # version, tensor count, metadata count
    n_tensors, n_kv = struct.unpack_from("<QQ", data, 8)
    pos = 24
    scalar = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}

    def string() -> None:
        nonlocal pos
        fields.append((pos, 8))
        pos += 8 + struct.unpack_from("<Q", data, pos)[0]

    def value(vtype: int) -> None:
        nonlocal pos
        if vtype in scalar:
            pos += scalar[vtype]
        elif vtype == 8:
            string()
        else:
            fields.extend([(pos, 4), (pos + 4, 8)])
            etype, count = struct.unpack_from("<IQ", data, pos)
            pos += 12
            for _ in range(count):
                value(etype)

    for _ in range(n_kv):
        string()
        fields.append((pos, 4))
        vtype = struct.unpack_from("<I", data, pos)[0]
        pos += 4
        value(vtype)
    for _ in range(n_tensors):
        string()
        fields.append((pos, 4))
        n_dims = struct.unpack_from("<I", data, pos)[0]
        pos += 4
        fields.extend((pos + 8 * i, 8) for i in range(n_dims))
        pos += 8 * n_dims
        fields.extend([(pos, 4), (pos + 4, 8)])
        pos += 12
    return fields


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> tuple[bytes, list[tuple[int, int]]]:
    data = valid_gguf(tmp_path_factory.mktemp("gguf") / "valid.gguf")
    return data, structural_fields(data)


class Hang(Exception):
    pass


def read_everything(path: Path) -> None:
    """What a user of the reader does: open the file, then every tensor's bytes and values."""
    file = GGUFFile(path)
    for name in file.tensors:
        file.raw(name)
        file.dequantize(name)


def check_reader(path: Path, size: int) -> None:
    """Only GGUFFormatError (or success), within 10 s, allocating at most 64 bytes per byte of file + 1 MB."""
    def on_alarm(signum, frame):
        raise Hang("the reader took more than 10 s")

    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(10)
    tracemalloc.start()
    try:
        read_everything(path)
    except GGUFFormatError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert peak < 64 * size + 2**20, f"the reader allocated {peak} bytes for a file of {size}"


def test_the_valid_file_reads_back(original, tmp_path):
    data, fields = original
    path = tmp_path / "valid.gguf"
    path.write_bytes(data)
    file = GGUFFile(path)
    assert file.metadata["test.strings"] == ["a", "bb", "", "ccc"] and file.metadata["test.i64"] == -2**40
    assert sorted(file.tensors) == ["f16", "f32", "q8"] and file.dequantize("q8").shape == (2, 32)
    assert len(fields) > 40  # the walk found the structure
    check_reader(path, len(data))


@SETTINGS
@given(st.data())
def test_byte_flips(original, tmp_path, data):
    raw, _ = original
    damaged = bytearray(raw)
    header_end = max(off + size for off, size in original[1])
    for _ in range(data.draw(st.integers(1, 8), label="n_flips")):
        # mostly in the header, where a flip changes the structure; sometimes in the tensor data
        at = data.draw(st.one_of(st.integers(0, header_end - 1), st.integers(0, len(raw) - 1)), label="at")
        damaged[at] = data.draw(st.integers(0, 255), label="byte")
    path = tmp_path / "flipped.gguf"
    path.write_bytes(bytes(damaged))
    check_reader(path, len(damaged))


@SETTINGS
@given(st.data())
def test_truncations(original, tmp_path, data):
    raw, _ = original
    length = data.draw(st.integers(0, len(raw) - 1), label="length")
    path = tmp_path / "cut.gguf"
    path.write_bytes(raw[:length])
    if length < 4:  # not even the magic: that is "not a GGUF file", a GGUFFormatError too
        with pytest.raises(GGUFFormatError, match="not a GGUF file"):
            GGUFFile(path)
        return
    check_reader(path, length)


@SETTINGS
@given(st.data())
def test_structural_fields_set_to_extremes(original, tmp_path, data):
    raw, fields = original
    damaged = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 3), label="n_fields")):
        offset, size = data.draw(st.sampled_from(fields), label="field")
        value = data.draw(st.sampled_from(EXTREMES), label="value") % 2 ** (8 * size)
        damaged[offset : offset + size] = value.to_bytes(size, "little")
    if data.draw(st.booleans(), label="also cut"):
        damaged = damaged[: data.draw(st.integers(4, len(damaged)), label="length")]
    path = tmp_path / "fields.gguf"
    path.write_bytes(bytes(damaged))
    check_reader(path, len(damaged))
