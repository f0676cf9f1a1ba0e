from __future__ import annotations

import gzip
import zlib

import brotli
import pytest

from tidings.errors import FetchError
from tidings.fetch.content_coding import (
    MAX_MEMBERS,
    PIECE,
    BodyDecoder,
    codings_left,
    content_codings,
)

TEXT = b"<rss>" + bytes(range(256)) * 2000 + b"</rss>"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([], []),
        (["gzip"], ["gzip"]),
        (["GZIP"], ["gzip"]),
        (["gzip, deflate"], ["gzip", "deflate"]),
        (["gzip", "br"], ["gzip", "br"]),
        (["identity"], []),
        (["identity, gzip, ,"], ["gzip"]),
        ([" x-gzip "], ["x-gzip"]),
    ],
)
def test_content_codings(headers: list[str], expected: list[str]) -> None:
    assert content_codings(headers) == expected


@pytest.mark.parametrize(
    ("codings", "by_aiohttp", "left"),
    [
        ([], False, []),
        (["gzip"], True, []),
        (["x-gzip"], False, ["x-gzip"]),
        (["gzip", "gzip"], False, ["gzip", "gzip"]),
        (["deflate", "gzip"], False, ["deflate", "gzip"]),
        (["gzip", "br"], False, ["gzip", "br"]),
        (["br", "br"], False, ["br", "br"]),
        (["utf-8"], False, []),  # a mislabel: the bytes are taken as they are
    ],
)
def test_codings_left(codings: list[str], by_aiohttp: bool, left: list[str]) -> None:
    assert codings_left(codings, decoded_by_aiohttp=by_aiohttp) == left


@pytest.mark.parametrize(
    ("codings", "by_aiohttp", "message"),
    [
        (["gzip"] * 3, False, "3 stacked Content-Encodings"),
        (["gzip"] * 50, False, "50 stacked Content-Encodings"),
        (["gzip", "gzip"], True, "ambiguous"),
        (["gzip", "zstd"], False, "unsupported Content-Encoding: gzip, zstd"),
        (["compress", "gzip"], False, "unsupported"),
    ],
)
def test_codings_refused(codings: list[str], by_aiohttp: bool, message: str) -> None:
    with pytest.raises(FetchError, match=message) as info:
        codings_left(codings, decoded_by_aiohttp=by_aiohttp)
    assert info.value.kind == "encoding"


def decode_all(decoder: BodyDecoder, body: bytes, chunk: int = 1000) -> list[bytes]:
    pieces: list[bytes] = []
    for start in range(0, len(body), chunk):
        pieces.extend(decoder.feed(body[start : start + chunk]))
    pieces.extend(decoder.finish())
    return pieces


@pytest.mark.parametrize(
    ("codings", "body"),
    [
        ([], TEXT),
        (["gzip"], gzip.compress(TEXT)),
        (["x-gzip"], gzip.compress(TEXT)),
        (["deflate"], zlib.compress(TEXT)),
        (["deflate"], zlib.compress(TEXT, wbits=-15)),
        (["gzip", "gzip"], gzip.compress(gzip.compress(TEXT))),
        (["deflate", "gzip"], gzip.compress(zlib.compress(TEXT))),
        (["gzip"], gzip.compress(TEXT[:10]) + gzip.compress(TEXT[10:])),
        (["gzip"], gzip.compress(TEXT) + b"\x00\x00 trailing junk"),
        (["deflate"], zlib.compress(TEXT) + b"trailing junk"),
        (["br"], brotli.compress(TEXT)),
        (["gzip", "br"], brotli.compress(gzip.compress(TEXT))),
        (["br", "gzip"], gzip.compress(brotli.compress(TEXT))),
    ],
)
@pytest.mark.parametrize("chunk", [1, 7, 65536])
def test_body_decoder_round_trips(codings: list[str], body: bytes, chunk: int) -> None:
    # one byte at a time only on the small (compressed) bodies, to stay fast
    body_chunks = 4096 if chunk == 1 and len(body) > 20000 else chunk
    pieces = decode_all(BodyDecoder(codings), body, body_chunks)
    assert b"".join(pieces) == TEXT
    assert all(len(p) <= max(PIECE, body_chunks) for p in pieces)


def test_decoded_pieces_are_bounded_for_a_bomb() -> None:
    bomb = gzip.compress(bytes(20 * PIECE))
    decoder = BodyDecoder(["gzip", "gzip"])
    pieces = decoder.feed(gzip.compress(bomb))
    first = next(iter(pieces))
    assert 0 < len(first) <= PIECE


def test_decoded_pieces_are_bounded_for_a_brotli_bomb() -> None:
    bomb = brotli.compress(bytes(64 * PIECE))
    assert len(bomb) < 100
    pieces = list(BodyDecoder(["br"]).feed(bomb))
    assert len(pieces) >= 64
    assert all(0 < len(p) <= PIECE for p in pieces)
    assert sum(map(len, pieces)) == 64 * PIECE


def test_corrupt_brotli_is_an_encoding_error() -> None:
    with pytest.raises(FetchError, match="corrupt br body") as info:
        decode_all(BodyDecoder(["br"]), b"\xffgarbage-garbage-garbage")
    assert info.value.kind == "encoding"


def test_corrupt_data_is_an_encoding_error() -> None:
    with pytest.raises(FetchError, match="corrupt gzip body") as info:
        decode_all(BodyDecoder(["gzip"]), b"\x1f\x8b\x08\x00garbage-garbage-garbage")
    assert info.value.kind == "encoding"


def test_a_truncated_stream_keeps_what_was_decoded() -> None:
    body = gzip.compress(TEXT)
    out = b"".join(decode_all(BodyDecoder(["gzip"]), body[: len(body) // 2]))
    assert TEXT.startswith(out)
    assert out


def test_too_many_gzip_members_are_refused() -> None:
    body = gzip.compress(b"x") * (MAX_MEMBERS + 1)
    with pytest.raises(FetchError, match="gzip members"):
        decode_all(BodyDecoder(["gzip"]), body)
