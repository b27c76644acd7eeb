"""A fake of Slack's Socket Mode server: the WebSocket a ``apps.connections.open`` URL leads to. It
says ``hello`` to each client, sends the envelopes a test gives it and keeps the client's acks. Plain
``ws://`` on 127.0.0.1 (slack_sdk uses TLS only on port 443); RFC 6455 text, ping and close frames."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class FakeSocketMode:
    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._lock = threading.Condition()
        self._client: socket.socket | None = None
        self.acks: list[dict[str, Any]] = []
        self._stopped = False

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._server.getsockname()[1]}/link/?ticket=test"

    def start(self) -> FakeSocketMode:
        threading.Thread(target=self._accept, name="fake-socket-mode", daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped = True
        self._server.close()
        with self._lock:
            if self._client is not None:
                self._client.close()

    def send(self, envelope: dict[str, Any], timeout: float = 30.0) -> dict[str, Any]:
        """Send ``envelope`` once a client is connected; return the client's ack of it."""
        with self._lock:
            if not self._lock.wait_for(lambda: self._client is not None, timeout):
                raise AssertionError("no Socket Mode client connected")
            assert self._client is not None
            self._client.sendall(frame(TEXT, json.dumps(envelope).encode()))

            def acked() -> dict[str, Any] | None:
                return next((a for a in self.acks if a.get("envelope_id") == envelope["envelope_id"]), None)

            if not self._lock.wait_for(acked, timeout):
                raise AssertionError(f"envelope {envelope['envelope_id']} was not acknowledged")
            return acked() or {}

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                request += client.recv(1024) or b"\r\n\r\n"
            key = next(
                line.split(":", 1)[1].strip()
                for line in request.decode().split("\r\n")
                if line.lower().startswith("sec-websocket-key:")
            )
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            client.sendall(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
            )
            hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0COACH"}}
            client.sendall(frame(TEXT, json.dumps(hello).encode()))
            with self._lock:
                self._client = client
                self._lock.notify_all()
            self._read(client)
        except OSError:
            pass

    def _read(self, client: socket.socket) -> None:
        while True:
            opcode, payload = read_frame(client)
            if opcode == CLOSE:
                return
            if opcode == PING:
                client.sendall(frame(PONG, payload))
            elif opcode == TEXT:
                with self._lock:
                    self.acks.append(json.loads(payload))
                    self._lock.notify_all()


def frame(opcode: int, payload: bytes) -> bytes:
    """A final, unmasked frame (a server never masks)."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, size)
    return header + payload


def read_frame(client: socket.socket) -> tuple[int, bytes]:
    first, second = exactly(client, 2)
    size = second & 0x7F
    if size == 126:
        (size,) = struct.unpack("!H", exactly(client, 2))
    elif size == 127:
        (size,) = struct.unpack("!Q", exactly(client, 8))
    mask = exactly(client, 4) if second & 0x80 else b"\0\0\0\0"
    data = exactly(client, size)
    return first & 0x0F, bytes(byte ^ mask[i % 4] for i, byte in enumerate(data))


def exactly(client: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        chunk = client.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the client closed the connection")
        data += chunk
    return data


def slash_command_envelope(form: dict[str, str]) -> dict[str, Any]:
    """``/coach`` as Socket Mode delivers it: the slash command's fields as the envelope's payload."""
    return {
        "envelope_id": f"env-{time.monotonic_ns()}",
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": form,
    }
