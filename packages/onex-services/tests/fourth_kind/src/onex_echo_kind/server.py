"""A small TCP server, one line per request, started as a process by the echo kind.

    ECHO <text>    → <text>           (the probe's round trip)
    ADD <name>     → OK               (a name kept by the server, e.g. `<namespace>/thing`)
    LIST <prefix>  → names, space separated, that start with <prefix>
    DROP <prefix>  → how many names that start with <prefix> were removed

`python -m onex_echo_kind.server PORT` serves on 127.0.0.1:PORT until it is stopped.
"""

from __future__ import annotations

import asyncio
import sys

NAMES: set[str] = set()


def answer(line: str) -> str:
    command, _, argument = line.partition(" ")
    if command == "ECHO":
        return argument
    if command == "ADD" and argument:
        NAMES.add(argument)
        return "OK"
    if command == "LIST":
        return " ".join(sorted(n for n in NAMES if n.startswith(argument)))
    if command == "DROP" and argument:
        gone = {n for n in NAMES if n.startswith(argument)}
        NAMES.difference_update(gone)
        return str(len(gone))
    return f"ERR unknown request {command!r}"


async def _serve_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while line := await reader.readline():
            writer.write(answer(line.decode().rstrip("\n")).encode() + b"\n")
            await writer.drain()
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(_serve_client, "127.0.0.1", port)
    print(f"echo server listening on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
