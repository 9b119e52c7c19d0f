"""Checks that an uploaded attachment is what it claims to be, by its content."""

import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_SIZE = 20 * 1024 * 1024

PDF = "application/pdf"
ODT = "application/vnd.oasis.opendocument.text"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXTENSIONS = {PDF: ".pdf", ODT: ".odt", DOCX: ".docx"}


def detect_document_type(upload) -> str | None:
    """PDF, ODT or DOCX as read from the bytes, whatever the file's name says; else None.

    ODT and DOCX are ZIP archives: ODT stores its type in a `mimetype` member,
    DOCX declares `word/document.xml` in `[Content_Types].xml`.
    """
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        upload.seek(0)
    return None


def validate_document(upload) -> str:
    """Returns the detected content type, or raises a ValidationError the user can act on."""
    if upload.size > MAX_SIZE:
        raise ValidationError(
            _("%(name)s is too large (%(size)s MB); the limit is 20 MB per file."),
            params={"name": upload.name, "size": round(upload.size / 1024 / 1024, 1)},
            code="too_large",
        )
    content_type = detect_document_type(upload)
    if content_type is None:
        raise ValidationError(
            _("%(name)s is not a PDF, ODT or DOCX document."),
            params={"name": upload.name},
            code="bad_type",
        )
    return content_type
