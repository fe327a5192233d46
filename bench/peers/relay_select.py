#!/usr/bin/env python3
"""A chat relay in the style of the classic seed socket-chat servers (issue 5's peer).

One select() loop over the listening socket and every client. Whatever chunk arrives from a
client (recv of up to 4096 bytes) is sent as-is to every other client with a blocking sendall.
It does not look for line ends, so under load a chunk can end in the middle of a line and
another client's chunk lands right after it: receivers see spliced lines. A client that stops
reading blocks the sendall, and with it everyone. select() cannot watch descriptors past
FD_SETSIZE (1024): like the seeds, it dies there. All of this is the point: it is the baseline
the benchmark measures, not something to fix.

Usage: relay_select.py --port PORT [--host 127.0.0.1]; prints "listening on HOST:PORT".
"""
import argparse
import select
import socket

RECV_BUFFER = 4096


def serve(host, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(1024)
    bound_host, bound_port = server.getsockname()
    print(f"listening on {bound_host}:{bound_port}", flush=True)

    connections = [server]
    while True:
        readable, _, _ = select.select(connections, [], [])
        for sock in readable:
            if sock is server:
                client, _ = server.accept()
                connections.append(client)
                continue
            try:
                chunk = sock.recv(RECV_BUFFER)
            except OSError:
                chunk = b""
            if not chunk:
                connections.remove(sock)
                sock.close()
                continue
            broadcast(connections, server, sock, chunk)


def broadcast(connections, server, source, chunk):
    for other in list(connections):
        if other is server or other is source:
            continue
        try:
            other.sendall(chunk)
        except OSError:
            connections.remove(other)
            other.close()


def main():
    parser = argparse.ArgumentParser(description="select()-loop chat relay (seed style)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
