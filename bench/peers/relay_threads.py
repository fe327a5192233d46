#!/usr/bin/env python3
"""A thread-per-client chat relay (issue 5's second Python peer).

Each connection gets a thread that reads whole lines and, holding one global lock, sends each
line to every other client with a blocking sendall. Lines never splice (the lock makes each
broadcast whole), but every client costs a thread, and a client that stops reading blocks the
sendall while the lock is held: then nobody's messages move.

Usage: relay_threads.py --port PORT [--host 127.0.0.1]; prints "listening on HOST:PORT".
"""
import argparse
import socket
import threading

clients = set()
clients_lock = threading.Lock()


def handle(conn):
    with clients_lock:
        clients.add(conn)
    try:
        with conn.makefile("rb") as lines:
            for line in lines:
                broadcast(conn, line)
    except OSError:
        pass
    finally:
        with clients_lock:
            clients.discard(conn)
        conn.close()


def broadcast(source, line):
    with clients_lock:
        for other in list(clients):
            if other is source:
                continue
            try:
                other.sendall(line)
            except OSError:
                clients.discard(other)


def serve(host, port):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen(1024)
    bound_host, bound_port = server.getsockname()
    print(f"listening on {bound_host}:{bound_port}", flush=True)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description="thread-per-client chat relay")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
