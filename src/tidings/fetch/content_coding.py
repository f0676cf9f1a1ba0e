"""Content-Encoding: how many layers we accept, and the layers aiohttp leaves encoded.

aiohttp decodes a response whose Content-Encoding is exactly one of gzip, deflate, br, zstd (br
with the brotli package, a dependency), in bounded pieces. It leaves everything else as sent:
stacked codings ("gzip, gzip", "gzip, br") and aliases ("x-gzip"). Those are undone here, in
bounded pieces too, so that a decompression bomb costs no more memory than the size cap.
More than ``MAX_LAYERS`` codings is refused outright (urllib3 CVE-2025-66418: one decoder per
layer, each with its own buffers).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, Protocol

import brotli

from tidings.errors import FetchError

MAX_LAYERS: Final = 2
# the largest piece any decoder hands on at once; bounds memory per layer
PIECE: Final = 64 * 1024
# concatenated gzip members are legal but a real body has a handful, not thousands
MAX_MEMBERS: Final = 64

_OURS: Final = frozenset({"gzip", "x-gzip", "deflate", "br"})


def content_codings(values: Iterable[str]) -> list[str]:
    """The codings of every Content-Encoding header, in the order they were applied."""
    codings: list[str] = []
    for value in values:
        for token in value.split(","):
            coding = token.strip().lower()
            if coding and coding != "identity":
                codings.append(coding)
    return codings


def codings_left(codings: Sequence[str], *, decoded_by_aiohttp: bool) -> list[str]:
    """The codings still on the body after aiohttp, or FetchError if we cannot undo them."""
    if len(codings) > MAX_LAYERS:
        raise FetchError(
            f"refused: {len(codings)} stacked Content-Encodings ({', '.join(codings)}); "
            f"at most {MAX_LAYERS} are accepted",
            kind="encoding",
        )
    if decoded_by_aiohttp:
        if len(codings) != 1:
            raise FetchError(
                f"refused: ambiguous Content-Encoding headers ({', '.join(codings)})",
                kind="encoding",
            )
        return []
    if all(coding in _OURS for coding in codings):
        return list(codings)
    if len(codings) == 1:
        # a single unknown label ("utf-8", "none", "binary") is a server mistake: like browsers,
        # take the bytes as they are and let the parser judge them
        return []
    raise FetchError(
        f"unsupported Content-Encoding: {', '.join(codings)}", kind="encoding", permanent=True
    )


class _Decoding(Protocol):
    def feed_all(self, pieces: Iterable[bytes]) -> Iterator[bytes]: ...
    def finish(self) -> Iterator[bytes]: ...


class _BrotliLayer:
    """One br layer, decoded incrementally with a cap on each output piece.

    The decoder stops filling its output at ``PIECE`` (give or take its buffer's growth step) and
    holds the rest back until it is asked again with no input; the pieces are cut to ``PIECE``.
    """

    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def _process(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.process(data, output_buffer_limit=PIECE)
        except brotli.error as exc:
            raise FetchError(f"corrupt br body: {exc}", kind="encoding") from exc
        for start in range(0, len(out), PIECE):
            yield bytes(out[start : start + PIECE])

    def _drain(self) -> Iterator[bytes]:
        """Output the decoder holds back, until it has nothing more for the input so far."""
        while not self._obj.is_finished():
            pieces = list(self._process(b""))
            if not pieces:
                return
            yield from pieces

    def feed_all(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            if self._obj.is_finished():
                return  # what follows the end of the stream is ignored, as for deflate
            yield from self._process(piece)
            yield from self._drain()

    def finish(self) -> Iterator[bytes]:
        # a truncated stream keeps what was decoded: a cut-off feed is the parser's call
        yield from self._drain()


class _Layer:
    """One gzip or deflate layer, decoded incrementally with a cap on each output piece."""

    def __init__(self, coding: str) -> None:
        self._coding = coding
        self._obj: zlib._Decompress | None = None
        self._members = 0
        self._done = False  # past the end of the data; what follows is ignored

    def _start(self, first: bytes) -> zlib._Decompress:
        if self._coding == "deflate":
            # RFC 9110 deflate is zlib-wrapped; many servers send raw deflate instead
            wbits = zlib.MAX_WBITS if first[0] & 0x0F == 8 else -zlib.MAX_WBITS
        else:
            wbits = 16 + zlib.MAX_WBITS
        self._members += 1
        if self._members > MAX_MEMBERS:
            raise FetchError(f"refused: more than {MAX_MEMBERS} gzip members", kind="encoding")
        return zlib.decompressobj(wbits)

    def _inflate(self, obj: zlib._Decompress, data: bytes) -> bytes:
        try:
            return obj.decompress(data, PIECE)
        except zlib.error as exc:
            if self._members > 1:
                # junk after a complete member (padding, a trailer): ignored, as browsers do
                self._done = True
                return b""
            raise FetchError(f"corrupt {self._coding} body: {exc}", kind="encoding") from exc

    def feed(self, data: bytes) -> Iterator[bytes]:
        while data and not self._done:
            if self._obj is None:
                self._obj = self._start(data)
            obj = self._obj
            out = self._inflate(obj, data)
            if out:
                yield out
            if self._done:
                return
            if obj.eof:
                # another gzip member may follow; after deflate the rest is junk
                data = obj.unused_data
                self._obj = None
                self._done = self._coding == "deflate"
            else:
                data = obj.unconsumed_tail
                if not data:
                    yield from self._drain(obj)

    def _drain(self, obj: zlib._Decompress) -> Iterator[bytes]:
        """Output zlib holds back once max_length was reached with no input left."""
        while not obj.eof and not self._done:
            out = self._inflate(obj, b"")
            if not out:
                return
            yield out

    def feed_all(self, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for piece in pieces:
            yield from self.feed(piece)

    def finish(self) -> Iterator[bytes]:
        # a truncated stream keeps what was decoded: a cut-off feed is the parser's call
        if self._obj is not None:
            yield from self._drain(self._obj)


class BodyDecoder:
    """Undoes the given codings (in the order they were applied) over a stream of chunks."""

    def __init__(self, codings: Sequence[str]) -> None:
        # the last coding applied is the first to undo
        self._layers: list[_Decoding] = [
            _BrotliLayer() if coding == "br" else _Layer(coding) for coding in reversed(codings)
        ]

    def _through(self, start: int, pieces: Iterable[bytes]) -> Iterator[bytes]:
        for layer in self._layers[start:]:
            pieces = layer.feed_all(pieces)
        return iter(pieces)

    def feed(self, data: bytes) -> Iterator[bytes]:
        """Decoded pieces for one chunk of the body, each at most ``PIECE`` bytes."""
        return self._through(0, (data,))

    def finish(self) -> Iterator[bytes]:
        """Decoded pieces still held back at the end of the body."""
        for index, layer in enumerate(self._layers):
            yield from self._through(index + 1, layer.finish())
