"""Headless Chromium driven through the DevTools protocol, with nothing but the standard library.

Chromium's `--remote-debugging-pipe` reads protocol messages from file descriptor 3
and writes its answers and events to descriptor 4, each a JSON text ended by a NUL
byte: no websocket client, no browser download (Debian's /usr/bin/chromium).
Targets are attached with `flatten`, so the page and its workers (the search
worker) are all reached through one pipe, by session id.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

# The flags Chromium needs on this machine and in CI (as root, no GPU, no network
# but loopback): without the background-networking ones it keeps calling home.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--mute-audio",
)


def find() -> str | None:
    """The Chromium to use: $SCHEMAGEN_CHROMIUM, or Debian's (or another distribution's) on PATH."""
    explicit = os.environ.get("SCHEMAGEN_CHROMIUM")
    if explicit:
        return explicit
    return next(
        (path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))), None
    )


class ProtocolError(RuntimeError):
    pass


class Browser:
    """One Chromium process; `send` a command, read `events` as they arrive."""

    def __init__(self, executable: str, profile: Path, window: tuple[int, int] = (1280, 900)):
        to_child, self._write_fd = os.pipe()
        self._read_fd, from_child = os.pipe()
        # Chromium expects the pipe on fds 3 and 4: bash moves them there (no preexec_fn,
        # which is unsafe once threads run, as the test's web server does). Both start from
        # 10 up, so that neither can be overwritten by the other's move.
        child_in, child_out = (fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_child, from_child))
        for fd in (to_child, from_child):
            os.close(fd)
        args = [
            executable,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--window-size={window[0]},{window[1]}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            ["/bin/bash", "-c", f'exec "$0" "$@" 3<&{child_in} 4>&{child_out} {child_in}<&- {child_out}>&-', *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(child_in, child_out),
        )
        os.close(child_in)
        os.close(child_out)
        self._next_id = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._closed = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._read_fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(1 << 16):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                with self._cond:
                    for raw in messages:
                        message = json.loads(raw)
                        if "id" in message:
                            self._answers[message["id"]] = message
                        else:
                            self.events.append(message)
                    self._cond.notify_all()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 30
    ) -> dict[str, Any]:
        with self._cond:
            self._next_id += 1
            ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")
        with self._cond:
            if not self._cond.wait_for(lambda: ident in self._answers or self._closed, timeout):
                raise TimeoutError(f"{method}: no answer in {timeout} s")
            if ident not in self._answers:
                raise ProtocolError(f"{method}: Chromium exited")
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise ProtocolError(f"{method}: {answer['error']}")
        return dict(answer.get("result", {}))

    def wait_for_event(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 30, since: int = 0
    ) -> dict[str, Any]:
        """The first event from index `since` on that `predicate` accepts."""
        deadline = time.monotonic() + timeout
        seen = since
        with self._cond:
            while True:
                for event in self.events[seen:]:
                    if predicate(event):
                        return event
                seen = len(self.events)
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    raise TimeoutError("the awaited event did not come")
                self._cond.wait(left)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (TimeoutError, ProtocolError, OSError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._write_fd)


class Page:
    """A tab, with every request it and its workers send recorded (`requests`: URLs)."""

    def __init__(self, browser: Browser):
        self.browser = browser
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self._sessions = {self.session}
        for domain in ("Page", "Runtime", "Network", "DOM"):
            self.send(f"{domain}.enable")
        # Workers (the search index runs in one) start paused until their Network domain is on.
        self.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True})
        self._seen = 0

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.browser.send(method, params, self.session)

    def _pump(self) -> None:
        """Let attached workers run, with their requests recorded."""
        events = self.browser.events
        while self._seen < len(events):
            event = events[self._seen]
            self._seen += 1
            if event.get("method") == "Target.attachedToTarget" and event.get("sessionId") in self._sessions:
                child = event["params"]["sessionId"]
                self._sessions.add(child)
                for method in ("Network.enable", "Runtime.enable", "Runtime.runIfWaitingForDebugger"):
                    try:
                        self.browser.send(method, session=child)
                    except ProtocolError:
                        pass  # a worker that ended meanwhile

    def _mine(self, event: dict[str, Any]) -> bool:
        return event.get("sessionId") in self._sessions

    @property
    def requests(self) -> list[str]:
        self._pump()
        return [
            e["params"]["request"]["url"]
            for e in list(self.browser.events)
            if self._mine(e) and e.get("method") == "Network.requestWillBeSent"
        ]

    @property
    def errors(self) -> list[str]:
        """Uncaught exceptions and console errors, of the page and its workers."""
        self._pump()
        out = []
        for e in list(self.browser.events):
            if not self._mine(e):
                continue
            if e.get("method") == "Runtime.exceptionThrown":
                details = e["params"]["exceptionDetails"]
                out.append(str(details.get("exception", {}).get("description") or details.get("text")))
            elif e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "assert"):
                out.append(" ".join(str(a.get("value", a.get("description", ""))) for a in e["params"]["args"]))
        return out

    def goto(self, url: str, timeout: float = 30) -> None:
        since = len(self.browser.events)
        self.send("Page.navigate", {"url": url})
        self.browser.wait_for_event(
            lambda e: self._mine(e) and e.get("method") == "Page.loadEventFired", timeout, since
        )
        self._pump()

    def evaluate(self, expression: str) -> Any:
        answer = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True})
        if "exceptionDetails" in answer:
            raise ProtocolError(f"{expression[:80]}...: {answer['exceptionDetails']}")
        self._pump()
        return answer["result"].get("value")

    def wait_until(self, expression: str, timeout: float = 30, interval: float = 0.1) -> Any:
        """The value of `expression` once it is truthy."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"still falsy after {timeout} s: {expression}")
            time.sleep(interval)

    def dom(self) -> dict[str, Any]:
        """The whole DOM tree, closed shadow roots included (which no script on the page can reach)."""
        return dict(self.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"])

    def screenshot(self, clip: dict[str, float]) -> bytes:
        import base64

        data = self.send(
            "Page.captureScreenshot", {"format": "png", "clip": {**clip, "scale": 1}, "captureBeyondViewport": True}
        )["data"]
        return base64.b64decode(data)


def png_pixels(png: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """(width, height, RGB of every pixel, row by row) of a PNG as Chromium writes it: 8-bit, RGB or RGBA, not
    interlaced."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(png):
        length = int.from_bytes(png[pos : pos + 4], "big")
        kind, body = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    depth, color, interlace = header[8], header[9], header[12]
    assert depth == 8 and color in (2, 6) and interlace == 0, "an 8-bit RGB(A) PNG"
    bpp = 3 if color == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    pixels: list[tuple[int, int, int]] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
        pixels.extend((line[i], line[i + 1], line[i + 2]) for i in range(0, stride, bpp))
        previous = line
    return width, height, pixels
