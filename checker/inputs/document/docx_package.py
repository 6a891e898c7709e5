"""Open a .docx safely: a zip of bounded size, no zip bomb, no DTD or entity in its XML.

python-docx reads every part of the package into memory and parses it with lxml (entities
not resolved, no network). Before it does, this module checks what the archive declares
(entry count, inflated sizes, compression ratio) and then inflates each XML part itself,
in chunks, stopping at the limit: a part whose real size exceeds the declared one is a
corrupt archive (zipfile stops at the declared size and the CRC fails), never a bomb.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import Final

import docx
from docx.document import Document

from checker.inputs.document.model import (
    MAX_DOCX_FILE_BYTES,
    MAX_DOCX_PART_BYTES,
    MAX_DOCX_PARTS,
    MAX_DOCX_RATIO,
    MAX_DOCX_TOTAL_BYTES,
    DocProblem,
)

_MB: Final = 1024 * 1024
_CHUNK: Final = 1024 * 1024
# A compression ratio over MAX_DOCX_RATIO is only suspicious once the part is this large:
# small XML parts full of repeated tags compress very well.
_RATIO_FLOOR: Final = 1 * _MB
_DTD_MARKS: Final = (b"<!DOCTYPE", b"<!ENTITY")


def _problem(code: str, message: str) -> DocProblem:
    return DocProblem(code, message)


def _bomb(message: str) -> DocProblem:
    return _problem("docx-too-large", f"{message}: the .docx is refused as a possible zip bomb")


def check_package(raw: bytes) -> DocProblem | None:
    """The problem that makes `raw` unsafe or not a Word package, or None when it is fine."""
    if len(raw) > MAX_DOCX_FILE_BYTES:
        return _problem("too-large", f"the file is larger than {MAX_DOCX_FILE_BYTES // _MB} MB")
    if not raw.startswith(b"PK"):
        return _problem("not-docx", "the file is not a .docx: it is not a zip archive")
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
            problem = _check_declared(infos)
            if problem is not None:
                return problem
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                return _problem(
                    "not-docx",
                    "the zip archive is not a Word document: it has no word/document.xml",
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    problem = _check_xml_part(zf, info)
                    if problem is not None:
                        return problem
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
        return _problem("not-docx", f"the file is not a readable .docx: broken zip archive ({exc})")
    except NotImplementedError as exc:  # an unsupported compression method or encryption
        return _problem("not-docx", f"the .docx cannot be read: {exc}")
    return None


def _check_declared(infos: list[zipfile.ZipInfo]) -> DocProblem | None:
    if len(infos) > MAX_DOCX_PARTS:
        return _bomb(f"the archive has {len(infos):,} entries (at most {MAX_DOCX_PARTS:,})")
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            return _problem("not-docx", "the .docx is encrypted (password protected)")
        size = info.file_size
        if size > MAX_DOCX_PART_BYTES:
            return _bomb(
                f"{info.filename} inflates to {size // _MB:,} MB "
                f"(at most {MAX_DOCX_PART_BYTES // _MB} MB)"
            )
        if size > _RATIO_FLOOR and size > MAX_DOCX_RATIO * max(info.compress_size, 1):
            return _bomb(
                f"{info.filename} inflates {size // max(info.compress_size, 1):,} times "
                f"(at most {MAX_DOCX_RATIO} times)"
            )
        total += size
        if total > MAX_DOCX_TOTAL_BYTES:
            return _bomb(f"the parts inflate to more than {MAX_DOCX_TOTAL_BYTES // _MB} MB")
    return None


def _check_xml_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> DocProblem | None:
    """Inflate one XML part in chunks: bounded size, and no DTD (OOXML never has one)."""
    read = 0
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            read += len(chunk)
            if read > MAX_DOCX_PART_BYTES:
                return _bomb(
                    f"{info.filename} inflates to more than {MAX_DOCX_PART_BYTES // _MB} MB"
                )
            window = tail + chunk
            if any(mark in window for mark in _DTD_MARKS):
                return _problem(
                    "unsafe-xml",
                    f"{info.filename} declares a DTD or entities, which Word documents never "
                    "do; the .docx is refused",
                )
            tail = chunk[-16:]
    return None


def open_docx(raw: bytes) -> Document | DocProblem:
    """The python-docx document of a checked package, or the problem that stops reading it."""
    problem = check_package(raw)
    if problem is not None:
        return problem
    try:
        return docx.Document(io.BytesIO(raw))
    except Exception as exc:  # python-docx raises many kinds (KeyError, ValueError, lxml's)
        reason = str(exc).strip() or type(exc).__name__
        if len(reason) > 200:
            reason = reason[:200] + "…"
        return _problem("not-docx", f"the .docx cannot be read: {reason}")
