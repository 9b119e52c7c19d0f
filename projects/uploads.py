"""Checks that an uploaded attachment, or the statistics the hub delivers, is what it
claims to be, by its content.

Anyone with an account can upload, so the check itself must be cheap whatever
the file holds: it reads a few bytes of a PDF's head and, for ODT and DOCX
(ZIP archives), the archive's directory and at most a few kilobytes of one or
two members, decompressed as a stream. An archive whose directory declares
more members, larger members or higher compression ratios than any real
document has is refused before a single member is inflated, and a member that
lies about its size is never read past the bytes the check needs. An archive
with a password-protected member is refused too: it cannot be checked.

The statistics the hub delivers for a data request (`validate_statistics`) are a
CSV file (UTF-8 text, read in bounded chunks, refused at the first byte no text
has), a spreadsheet (XLSX or ODS, through the same archive checks) or a PDF report.
"""

import codecs
import re
import struct
import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_SIZE = 20 * 1024 * 1024

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CSV = "text/csv"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {
    PDF: ".pdf",
    ODT: ".odt",
    DOCX: ".docx",
    CSV: ".csv",
    ODS: ".ods",
    XLSX: ".xlsx",
}
# What an application's attachment may be; what the hub's statistics may be.
DOCUMENT_TYPES = frozenset({PDF, ODT, DOCX})
STATISTICS_TYPES = frozenset({CSV, ODS, XLSX, PDF})

# What a real text document's archive stays well within. A 20 MB DOCX or ODT
# holds a few hundred members (pictures are stored compressed already); its XML
# compresses about 10 to 30 times; nothing in it unpacks to more than 200 MB.
MAX_MEMBERS = 2_000
MAX_DIRECTORY_BYTES = 1024 * 1024
MAX_MEMBER_BYTES = 200 * 1024 * 1024
MAX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_RATIO = 200
RATIO_FROM_BYTES = 1024 * 1024  # tiny members may compress absurdly well: not a risk
# How much of a member the check reads: the `mimetype` member is 39 bytes, a
# `[Content_Types].xml` a few kilobytes.
MIMETYPE_READ = 128
CONTENT_TYPES_READ = 64 * 1024
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
# A CSV file is read this much at a time, and must be text throughout.
TEXT_CHUNK = 64 * 1024
# The control characters no CSV holds: all below 0x20 but tab, line feed, carriage return.
NOT_TEXT = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")

ENCRYPTED = 0x1  # bit 0 of a ZIP member's general purpose flags

END_OF_DIRECTORY = b"PK\x05\x06"
END_RECORD = struct.Struct("<4s4H2LH")  # the fixed 22 bytes of the end-of-directory record


class UnsafeArchive(Exception):
    """An archive no real document would be: refused without inflating it."""


def detect_document_type(upload) -> str | None:
    """PDF, ODT or DOCX as read from the bytes, whatever the file's name says; else None.

    ODT stores its type in a `mimetype` member; DOCX declares its main document
    part in `[Content_Types].xml`. Raises UnsafeArchive for a ZIP whose
    directory shows a compression bomb.
    """
    content_type = _detect_type(upload)
    return content_type if content_type in DOCUMENT_TYPES else None


def detect_statistics_type(upload) -> str | None:
    """CSV, XLSX, ODS or PDF as read from the bytes; else None. A file that is neither
    a PDF nor a ZIP is a CSV only if every byte of it is UTF-8 text."""
    content_type = _detect_type(upload)
    if content_type is None and _is_text(upload):
        return CSV
    return content_type if content_type in STATISTICS_TYPES else None


def _detect_type(upload) -> str | None:
    """PDF, or an office archive (ODT, ODS, DOCX, XLSX) as its members declare it."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        _check_directory_size(upload)
        with zipfile.ZipFile(upload) as archive:
            members = {info.filename: info for info in archive.infolist()}
            _check_members(members.values())
            if any(info.flag_bits & ENCRYPTED for info in members.values()):
                # No office document is a password-protected ZIP (Office and LibreOffice
                # encrypt otherwise), and what cannot be read cannot be checked.
                return None
            if "mimetype" in members:
                declared = _read_start(archive, "mimetype", MIMETYPE_READ).strip()
                return {ODT.encode(): ODT, ODS.encode(): ODS}.get(declared)
            if "[Content_Types].xml" in members:
                types = _read_start(archive, "[Content_Types].xml", CONTENT_TYPES_READ)
                if "word/document.xml" in members and DOCX_MAIN in types:
                    return DOCX
                if "xl/workbook.xml" in members and XLSX_MAIN in types:
                    return XLSX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return None
    finally:
        upload.seek(0)
    return None


def _is_text(upload) -> bool:
    """Whether the file is UTF-8 text, not empty, without a NUL or another control
    character that no CSV holds: read TEXT_CHUNK bytes at a time, stopping at the
    first that is not text (the size was checked before)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    upload.seek(0)
    seen = 0
    try:
        while chunk := upload.read(TEXT_CHUNK):
            seen += len(chunk)
            if NOT_TEXT.search(chunk):
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return seen > 0


def _check_directory_size(upload) -> None:
    """Reads the end-of-directory record before `zipfile` parses the directory, so a
    small file listing a million empty members never becomes a million objects."""
    upload.seek(0, 2)
    size = upload.tell()
    tail_start = max(0, size - END_RECORD.size - 65_535)  # the record ends with a comment
    upload.seek(tail_start)
    tail = upload.read()
    at = tail.rfind(END_OF_DIRECTORY)
    if at < 0 or len(tail) - at < END_RECORD.size:
        raise zipfile.BadZipFile("no end of central directory")
    fields = END_RECORD.unpack(tail[at : at + END_RECORD.size])
    entries, directory_bytes = fields[4], fields[5]
    # 0xFFFF and 0xFFFFFFFF announce ZIP64 sizes: no text document needs them.
    if entries >= MAX_MEMBERS or directory_bytes > MAX_DIRECTORY_BYTES:
        raise UnsafeArchive


def _check_members(members) -> None:
    total = 0
    for info in members:
        if info.file_size > MAX_MEMBER_BYTES:
            raise UnsafeArchive
        if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise UnsafeArchive
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise UnsafeArchive


def _read_start(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """At most `limit` bytes of a member, inflated as a stream: a member that unpacks
    to far more than it declared is still read no further."""
    with archive.open(name) as member:
        return member.read(limit)


def validate_document(upload) -> str:
    """Returns the detected content type, or raises a ValidationError the user can act on."""
    return _validated(
        upload, detect_document_type, _("%(name)s is not a PDF, ODT or DOCX document.")
    )


def _validated(upload, detect, not_recognised) -> str:
    """The type `detect` reads from the bytes of a file within the size limit, or a
    ValidationError: too large, an unsafe archive, or `not_recognised`."""
    _check_size(upload)
    try:
        content_type = detect(upload)
    except UnsafeArchive:
        raise _unsafe(upload) from None
    if content_type is None:
        raise ValidationError(not_recognised, params={"name": upload.name}, code="bad_type")
    return content_type


def _check_size(upload) -> None:
    if upload.size > MAX_SIZE:
        raise ValidationError(
            _("%(name)s is too large (%(size)s MB); the limit is 20 MB per file."),
            params={"name": upload.name, "size": round(upload.size / 1024 / 1024, 1)},
            code="too_large",
        )


def _unsafe(upload) -> ValidationError:
    return ValidationError(
        _(
            "%(name)s is an archive whose contents would unpack to an unreasonable "
            "size; it is not a document we can accept."
        ),
        params={"name": upload.name},
        code="unsafe_archive",
    )


def validate_statistics(upload) -> str:
    """The detected type of the hub's statistics file (CSV, XLSX, ODS or PDF), or a
    ValidationError saying why it is refused."""
    return _validated(
        upload,
        detect_statistics_type,
        _(
            "%(name)s is not a CSV file (UTF-8 text), an XLSX or ODS spreadsheet, "
            "or a PDF document."
        ),
    )


def name_for_type(name: str, content_type: str) -> str:
    """The file's name with the extension of what it really is: a PDF sent as
    `page.html` is kept and downloaded as `page.pdf`, never as HTML."""
    extension = EXTENSIONS[content_type]
    base = PurePath(name).name
    stem, dot, _suffix = base.rpartition(".")
    stem = (stem if dot else base) or "document"
    return f"{stem[: MAX_NAME - len(extension)]}{extension}"


MAX_NAME = 255
