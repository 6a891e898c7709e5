"""Bytes of a text document (.txt, .md) to text: UTF-8 (BOM or not), UTF-16 with BOM, GB18030."""

from __future__ import annotations

import codecs
from typing import Final

from checker.inputs.document.model import DocProblem

ENCODINGS_TRIED: Final = "UTF-8, UTF-16 (with a byte order mark) or GB18030"

_BINARY: Final = "the file contains NUL bytes: it is binary data, not a text document"
# C0 control characters that never occur in text (tab, line feed, form feed, CR excepted).
_CONTROL: Final = frozenset(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1A}


def decode_text(raw: bytes) -> str | DocProblem:
    """The text of a document file, or the one problem that makes it unreadable.

    A UTF-8 byte order mark is dropped; UTF-16 needs its byte order mark (without one,
    UTF-16 text is full of NUL bytes and read as binary). Text that is neither UTF-8 nor
    UTF-16 is read as GB18030 when it decodes as such; anything else is a problem naming
    the encodings tried.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and not raw.startswith(
        codecs.BOM_UTF32_LE
    ):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            return DocProblem(
                "unreadable-encoding",
                f"the file starts with a UTF-16 byte order mark but is not valid UTF-16 "
                f"(at byte {exc.start}); it must be {ENCODINGS_TRIED}",
            )
        return _text_or_binary(text)
    if b"\x00" in raw or _looks_binary(raw[:8192]):
        return DocProblem("binary", _BINARY if b"\x00" in raw else _CONTROLS)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        pass
    return DocProblem(
        "unreadable-encoding",
        f"the file is not text in a known encoding (byte 0x{raw[utf8_error]:02x} at offset "
        f"{utf8_error} is not UTF-8, and the file is not GB18030 either); it must be "
        f"{ENCODINGS_TRIED}",
    )


_CONTROLS: Final = "the file is full of control characters: it is binary data, not a text document"


def _looks_binary(head: bytes) -> bool:
    """More than one byte in 20 of the start is a control character no text contains."""
    bad = sum(1 for b in head if b in _CONTROL)
    return bad * 20 > len(head) if head else False


def _text_or_binary(text: str) -> str | DocProblem:
    if "\x00" in text:
        return DocProblem("binary", _BINARY)
    return text
