"""A client for the stock service that `make dev-server` starts on localhost."""

import socket

HOST = "127.0.0.1"
PORT = 8765


def ping(host=HOST, port=PORT, timeout=1.0):
    with socket.create_connection((host, port), timeout=timeout) as conn:
        conn.sendall(b"PING\n")
        return conn.recv(16).strip() == b"PONG"
