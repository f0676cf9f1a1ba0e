"""The socket ``tidings serve`` listens on: its connections send small writes at once
(TCP_NODELAY), or every answer written in two parts waits for the client's delayed ACK."""

from __future__ import annotations

import asyncio
import socket

from tidings.cli.listen import bind


async def test_connections_of_the_bound_socket_have_nagle_off() -> None:
    sock = bind("127.0.0.1", 0)
    seen: list[int] = []

    def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = writer.get_extra_info("socket")
        seen.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        writer.close()

    server = await asyncio.start_server(connected, sock=sock)
    async with server:
        _, writer = await asyncio.open_connection(*sock.getsockname())
        for _ in range(100):  # bounded: the server side runs within a few loop turns
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
    assert seen and seen[0] != 0
