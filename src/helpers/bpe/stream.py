"""Decoding a stream of tokens whose bytes may end in the middle of a character.

A model writes one token at a time, and a byte-level token can hold part of a character: "猫"
(bytes e7 8c ab) may arrive as three tokens. Decoding each token alone gives "�" replacement
characters. ``StreamDecoder`` keeps the bytes of an unfinished character until the rest arrive.
"""

from __future__ import annotations

from .._checks import check_int, show


def utf8_length(lead: int) -> int:
    """How many bytes the UTF-8 character that starts with byte ``lead`` has (0: not a lead byte).

    0xxxxxxx: 1 (ASCII); 110xxxxx: 2; 1110xxxx: 3 (most Chinese); 11110xxx: 4 (emoji);
    10xxxxxx is a continuation byte, never the start of a character.
    """
    check_int(lead, "lead")
    if not 0 <= lead <= 255:
        raise ValueError(f"lead must be a byte, 0..255, got {lead}")
    if lead < 0x80:
        return 1
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


class StreamDecoder:
    """Turn bytes that arrive in pieces into text, holding back an unfinished last character.

    ``feed(chunk)`` returns the text that is complete so far; ``finish()`` returns what is left
    (an unfinished character at the very end becomes "�"). Invalid bytes become "�" as in
    ``bytes.decode("utf-8", errors="replace")``.
    """

    def __init__(self) -> None:
        self.pending = b""

    def _complete_up_to(self, data: bytes) -> int:
        """Length of the longest prefix of ``data`` that does not end inside a character."""
        # look at the last (at most 3) bytes for the lead byte of an unfinished character
        for back in range(1, min(3, len(data)) + 1):
            byte = data[-back]
            if byte & 0xC0 == 0x80:  # a continuation byte: keep looking for its lead byte
                continue
            need = utf8_length(byte)
            return len(data) - back if need > back else len(data)
        return len(data)

    def feed(self, chunk: bytes) -> str:
        if isinstance(chunk, (str, int)) or chunk is None:  # bytes(5) would be five zero bytes
            raise TypeError(f"chunk must be bytes (or a list of ints 0..255), got {show(chunk)}")
        try:
            chunk = bytes(chunk)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"chunk must be bytes (or a list of ints 0..255), got {show(chunk)}: {exc}") from None
        data = self.pending + chunk
        cut = self._complete_up_to(data)
        self.pending = data[cut:]
        return data[:cut].decode("utf-8", errors="replace")

    def finish(self) -> str:
        rest, self.pending = self.pending, b""
        return rest.decode("utf-8", errors="replace")
