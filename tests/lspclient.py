"""A small LSP client for the tests: `python -m checker lsp` in a subprocess, JSON-RPC over its stdio."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO

TIMEOUT = 30.0  # seconds: the first analysis compiles the grammar and the built-in packs


def uri(path: Path) -> str:
    return path.resolve().as_uri()


class Client:
    """Drives the real server: requests wait for their answer, notifications are queued,
    and anything that does not come within the timeout fails the test instead of hanging."""

    def __init__(self, cwd: Path, args: tuple[str, ...] = ()) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "checker", "lsp", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
        self.next_id = 0
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notes: list[dict[str, Any]] = []
        self.versions: dict[str, int] = {}
        assert self.proc.stdout is not None
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": uri(cwd),
                "capabilities": {
                    "textDocument": {
                        "hover": {"contentFormat": ["markdown"]},
                        "publishDiagnostics": {"dataSupport": True},
                    }
                },
            },
        )
        self.notify("initialized", {})

    def _read(self, out: BinaryIO) -> None:
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self.inbox.put(json.loads(out.read(length)))

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _next(self, deadline: float) -> dict[str, Any]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no message from the server in time")
        try:
            message = self.inbox.get(timeout=left)
        except queue.Empty:
            raise TimeoutError("no message from the server in time") from None
        if "method" in message and "id" in message:  # a request of the server's: answer it
            self._send({"id": message["id"], "result": None})
        return message

    def request(self, method: str, params: Any, timeout: float = TIMEOUT) -> Any:
        self.next_id += 1
        rid = self.next_id
        self._send({"id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("id") == rid and "method" not in message:
                if "error" in message:
                    raise RuntimeError(message["error"])
                return message.get("result")
            if "method" in message and "id" not in message:
                self.notes.append(message)

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def diagnostics(self, doc: str, timeout: float = TIMEOUT) -> list[dict[str, Any]]:
        """The next diagnostics published for a document (queued ones first)."""
        deadline = time.monotonic() + timeout
        while True:
            for i, note in enumerate(self.notes):
                if (
                    note["method"] == "textDocument/publishDiagnostics"
                    and note["params"]["uri"] == doc
                ):
                    del self.notes[i]
                    return list(note["params"]["diagnostics"])
            message = self._next(deadline)
            if "method" in message and "id" not in message:
                self.notes.append(message)

    # -- documents ------------------------------------------------------------------------

    def open(self, path: Path, text: str | None = None) -> str:
        doc = uri(path)
        self.versions[doc] = 1
        self.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": doc,
                    "languageId": "json" if path.suffix == ".json" else "yaml",
                    "version": 1,
                    "text": path.read_text(encoding="utf-8") if text is None else text,
                }
            },
        )
        return doc

    def change(self, doc: str, text: str) -> None:
        self.versions[doc] += 1
        self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": doc, "version": self.versions[doc]},
                "contentChanges": [{"text": text}],
            },
        )

    def save(self, doc: str) -> None:
        self.notify("textDocument/didSave", {"textDocument": {"uri": doc}})

    def at(self, method: str, doc: str, line: int, character: int, **more: Any) -> Any:
        """A request about a position (0-based line and character, as LSP counts)."""
        params = {"textDocument": {"uri": doc}, "position": {"line": line, "character": character}}
        return self.request(method, {**params, **more})

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except (TimeoutError, OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


def position_of(text: str, needle: str, after: int = 0) -> tuple[int, int]:
    """The 0-based line and character where `needle` starts (characters, as UTF-16 counts
    them for the BMP text of these tests), `after` characters into it."""
    index = text.index(needle) + after
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)
