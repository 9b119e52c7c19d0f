"""Checks that an uploaded attachment is what it claims to be, by its content.

Anyone with an account can upload, so the check itself must be cheap whatever
the file holds: it reads a few bytes of a PDF's head and, for ODT and DOCX
(ZIP archives), the archive's directory and at most a few kilobytes of one or
two members, decompressed as a stream. An archive whose directory declares
more members, larger members or higher compression ratios than any real
document has is refused before a single member is inflated, and a member that
lies about its size is never read past the bytes the check needs. An archive
with a password-protected member is refused too: it cannot be checked.
"""

import struct
import zipfile
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_SIZE = 20 * 1024 * 1024

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", ODT: ".odt", DOCX: ".docx"}

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
                # No text document is a password-protected ZIP (Office and LibreOffice
                # encrypt otherwise), and what cannot be read cannot be checked.
                return None
            if "mimetype" in members:
                if _read_start(archive, "mimetype", MIMETYPE_READ).strip() == ODT.encode():
                    return ODT
                return None
            if (
                "[Content_Types].xml" in members
                and "word/document.xml" in members
                and DOCX_MAIN in _read_start(archive, "[Content_Types].xml", CONTENT_TYPES_READ)
            ):
                return DOCX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        return None
    finally:
        upload.seek(0)
    return None


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
    if upload.size > MAX_SIZE:
        raise ValidationError(
            _("%(name)s is too large (%(size)s MB); the limit is 20 MB per file."),
            params={"name": upload.name, "size": round(upload.size / 1024 / 1024, 1)},
            code="too_large",
        )
    try:
        content_type = detect_document_type(upload)
    except UnsafeArchive:
        raise ValidationError(
            _(
                "%(name)s is an archive whose contents would unpack to an unreasonable "
                "size; it is not a document we can accept."
            ),
            params={"name": upload.name},
            code="unsafe_archive",
        ) from None
    if content_type is None:
        raise ValidationError(
            _("%(name)s is not a PDF, ODT or DOCX document."),
            params={"name": upload.name},
            code="bad_type",
        )
    return content_type


def name_for_type(name: str, content_type: str) -> str:
    """The file's name with the extension of what it really is: a PDF sent as
    `page.html` is kept and downloaded as `page.pdf`, never as HTML."""
    extension = EXTENSIONS[content_type]
    base = PurePath(name).name
    stem, dot, _suffix = base.rpartition(".")
    stem = (stem if dot else base) or "document"
    return f"{stem[: MAX_NAME - len(extension)]}{extension}"


MAX_NAME = 255
