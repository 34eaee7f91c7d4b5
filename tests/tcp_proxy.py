"""A small TCP proxy for outage tests: forwards to a server, and

- `cut(seconds)` drops every open connection and refuses new ones for that long, as a database restart
  or a network blip does;
- `black_hole()` (or `black_hole_on(marker)`: as soon as a client sends bytes containing `marker`) makes
  the network go silent instead: from then on nothing is delivered in either direction, no connection
  is closed and no new one gets through, so each side waits for an answer that does not come, as
  behind a failed router. `resume()` ends the silence the way TCP does when packets flow again: what
  was held back is delivered late, and a side that gave up meanwhile (closed its socket) is seen to
  have gone, so the other side's connection ends too.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class TcpProxy:
    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self.refuse_until = 0.0
        self.cuts = 0
        #: When the network went silent (time.monotonic()), None while it delivers.
        self.silent_since: float | None = None
        self._marker: bytes | None = None
        self._flowing = threading.Event()
        self._flowing.set()
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self, seconds: float) -> None:
        """Drop every connection now and refuse new ones for `seconds`."""
        self.refuse_until = time.monotonic() + seconds
        self.cuts += 1
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    sock.close()
            self._open.clear()

    def black_hole(self) -> None:
        """Deliver nothing any more, close nothing, let no new connection through."""
        if self.silent_since is None:
            self.silent_since = time.monotonic()
        self._flowing.clear()

    def black_hole_on(self, marker: bytes) -> None:
        """Go silent as soon as a client sends `marker` (that message reaches the server; its answer does not)."""
        self._marker = marker

    def resume(self) -> None:
        """The network is back: deliver what was held back, and closes, and new connections."""
        self._marker = None
        self.silent_since = None
        self._flowing.set()

    def close(self) -> None:
        self._stop.set()
        self._flowing.set()
        self.cut(0)
        self.server.close()

    def _accept(self) -> None:
        self.server.settimeout(0.1)
        while not self._stop.is_set():
            if not self._flowing.wait(0.1):
                continue  # silent: a connection attempt waits in the backlog, unanswered
            try:
                client, _ = self.server.accept()
            except (TimeoutError, OSError):
                continue
            if time.monotonic() < self.refuse_until:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open += [client, upstream]
            for a, b, outbound in ((client, upstream, True), (upstream, client, False)):
                threading.Thread(target=self._pump, args=(a, b, outbound), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, outbound: bool) -> None:
        try:
            while True:
                try:
                    data = source.recv(65536)
                except OSError:  # reset, or closed by cut()
                    data = b""
                self._flowing.wait()  # what arrives while silent (bytes, or the end) is held back
                if not data:
                    break
                target.sendall(data)
                if outbound and self._marker and self._marker in data:
                    self.black_hole()
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.close()
