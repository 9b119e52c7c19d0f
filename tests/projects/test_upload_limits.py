"""The upload check's limits, exactly at and just past each bound, and what it reads.

Archives here are written by hand (`archive`) so that their directories can declare
sizes their members do not have: the check must decide from the directory alone,
before anything is inflated.
"""

import os
import struct
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation

from projects.uploads import (
    CONTENT_TYPES_READ,
    DOCX,
    DOCX_MAIN,
    MAX_DIRECTORY_BYTES,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_SIZE,
    MAX_TOTAL_BYTES,
    ODT,
    PDF,
    RATIO_FROM_BYTES,
    name_for_type,
    validate_document,
)
from tests.projects.files import DOCX_CONTENT_TYPES, PDF_BYTES

MB = 1024 * 1024
MIMETYPE = ODT.encode()


def archive(*members: tuple[str, bytes, int, int], comment: bytes = b"") -> bytes:
    """A stored (uncompressed) ZIP of `(name, data, declared_size, declared_compressed)`
    members: the local headers and the directory declare the given sizes, whatever
    the data is."""
    body, directory = b"", b""
    for name, data, size, compressed in members:
        encoded = name.encode()
        crc = zlib.crc32(data)
        offset = len(body)
        body += struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, compressed, size, len(encoded), 0
        )
        body += encoded + data
        directory += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            0,
            0,
            0,
            crc,
            compressed,
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        directory += encoded
    count = len(members)
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), len(comment)
    )
    return body + directory + end + comment


def odt_with(*others: tuple[str, int, int]) -> SimpleUploadedFile:
    """An ODT whose `mimetype` member is real, followed by members that only declare
    `(name, size, compressed size)` and are never read."""
    members = [("mimetype", MIMETYPE, len(MIMETYPE), len(MIMETYPE))]
    members += [(name, b"", size, compressed) for name, size, compressed in others]
    return SimpleUploadedFile("annexe.odt", archive(*members))


def on_disk(name: str, content: bytes) -> TemporaryUploadedFile:
    """As Django keeps an upload over 2.5 MB: in a temporary file, so that reading it
    allocates memory (reading a whole BytesIO from its start copies nothing)."""
    upload = TemporaryUploadedFile(name, "application/octet-stream", len(content), None)
    upload.write(content)
    upload.seek(0)
    return upload


def outcome(upload) -> str:
    try:
        return validate_document(upload)
    except ValidationError as error:
        return error.code


def peak_memory(call) -> int:
    tracemalloc.start()
    try:
        call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


# Sizes declared by the members.


def test_members_up_to_the_limits_are_accepted():
    """Two members of exactly the largest size, compressed exactly at the largest ratio,
    and a third that brings the total (the `mimetype` member's 39 bytes included) to
    exactly the largest total."""
    assert MAX_TOTAL_BYTES == 2 * MAX_MEMBER_BYTES + 100 * MB
    upload = odt_with(
        ("content.xml", MAX_MEMBER_BYTES, MAX_MEMBER_BYTES // MAX_RATIO),
        ("styles.xml", MAX_MEMBER_BYTES, MAX_MEMBER_BYTES // MAX_RATIO),
        ("meta.xml", 100 * MB - len(MIMETYPE), 100 * MB // MAX_RATIO),
    )

    assert outcome(upload) == ODT


def test_one_byte_over_the_total_is_refused():
    upload = odt_with(
        ("content.xml", MAX_MEMBER_BYTES, MAX_MEMBER_BYTES // MAX_RATIO),
        ("styles.xml", MAX_MEMBER_BYTES, MAX_MEMBER_BYTES // MAX_RATIO),
        ("meta.xml", 100 * MB - len(MIMETYPE), 100 * MB // MAX_RATIO),
        ("settings.xml", 1, 1),
    )

    assert outcome(upload) == "unsafe_archive"


def test_one_byte_over_the_largest_member_is_refused():
    upload = odt_with(("content.xml", MAX_MEMBER_BYTES + 1, MAX_MEMBER_BYTES))

    assert outcome(upload) == "unsafe_archive"


def test_a_ratio_just_over_the_limit_is_refused():
    upload = odt_with(("content.xml", 10 * MB, 10 * MB // MAX_RATIO - 1))

    assert outcome(upload) == "unsafe_archive"


def test_small_members_may_compress_at_any_ratio():
    upload = odt_with(("content.xml", RATIO_FROM_BYTES, 10), ("styles.xml", 1000, 0))

    assert outcome(upload) == ODT


def test_members_stored_without_compression_are_accepted_whatever_their_size():
    upload = odt_with(("Pictures/scan.png", 150 * MB, 150 * MB))

    assert outcome(upload) == ODT


# The directory, read from its end record before it is parsed.


def many_members(count: int) -> SimpleUploadedFile:
    members = [("mimetype", MIMETYPE, len(MIMETYPE), len(MIMETYPE))]
    members += [(f"m/{index}", b"", 0, 0) for index in range(count - 1)]
    return SimpleUploadedFile("annexe.odt", archive(*members))


def test_an_archive_of_one_member_under_the_limit_is_accepted():
    assert outcome(many_members(MAX_MEMBERS - 1)) == ODT


def test_an_archive_of_as_many_members_as_the_limit_is_refused():
    assert outcome(many_members(MAX_MEMBERS)) == "unsafe_archive"


def with_declared_directory_size(content: bytes, size: int) -> bytes:
    at = content.rfind(b"PK\x05\x06")
    return content[: at + 12] + struct.pack("<L", size) + content[at + 16 :]


def test_a_directory_declared_at_the_limit_is_parsed_and_one_byte_more_is_refused():
    content = archive(("mimetype", MIMETYPE, len(MIMETYPE), len(MIMETYPE)))

    at_limit = with_declared_directory_size(content, MAX_DIRECTORY_BYTES)
    over = with_declared_directory_size(content, MAX_DIRECTORY_BYTES + 1)

    # Parsed, then found inconsistent: not a document, but not refused as unsafe.
    assert outcome(SimpleUploadedFile("a.odt", at_limit)) == "bad_type"
    assert outcome(SimpleUploadedFile("a.odt", over)) == "unsafe_archive"


def test_the_end_record_is_found_behind_the_longest_comment():
    content = archive(("mimetype", MIMETYPE, len(MIMETYPE), len(MIMETYPE)), comment=b"c" * 65_535)

    assert outcome(SimpleUploadedFile("annexe.odt", content)) == ODT


def test_the_last_end_record_counts_not_one_inside_a_member():
    """A member may hold the end record's signature: the real record is the last one."""
    decoy = b"PK\x05\x06" + struct.pack("<4H2LH", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0, 0)
    content = archive(
        ("mimetype", MIMETYPE, len(MIMETYPE), len(MIMETYPE)),
        ("content.xml", decoy, len(decoy), len(decoy)),
    )

    assert outcome(SimpleUploadedFile("annexe.odt", content)) == ODT


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04" + b"\0" * 100,
        archive(("mimetype", MIMETYPE, len(MIMETYPE), len(MIMETYPE)))[:-10],
    ],
    ids=["no-end-record", "cut-inside-the-end-record"],
)
def test_an_archive_without_a_whole_end_record_is_not_a_document(content):
    assert outcome(SimpleUploadedFile("annexe.odt", content)) == "bad_type"


# How much the check reads.


def test_a_large_document_is_checked_reading_a_few_kilobytes():
    """12 MB of incompressible content, stored, before the archive's directory: the
    check reads the end record and the two small parts it needs, not the file."""
    noise = os.urandom(12 * MB)
    content = archive(
        (
            "[Content_Types].xml",
            DOCX_CONTENT_TYPES.encode(),
            len(DOCX_CONTENT_TYPES),
            len(DOCX_CONTENT_TYPES),
        ),
        ("word/media/scan.png", noise, len(noise), len(noise)),
        ("word/document.xml", b"<w:document/>", 13, 13),
    )
    upload = on_disk("annexe.docx", content)
    found = []

    peak = peak_memory(lambda: found.append(outcome(upload)))

    assert found == [DOCX]
    assert peak < 2 * MB, f"peak {peak / MB:.1f} MB"


def test_a_large_pdf_is_recognised_from_its_first_bytes():
    upload = on_disk("gros.pdf", PDF_BYTES + b"0" * (15 * MB))
    found = []

    peak = peak_memory(lambda: found.append(outcome(upload)))

    assert found == [PDF]
    assert peak < 2 * MB, f"peak {peak / MB:.1f} MB"


def test_a_word_document_is_declared_in_the_first_64_kilobytes_of_its_content_types():
    padding = b" " * CONTENT_TYPES_READ
    late = padding + DOCX_MAIN
    content = archive(
        ("[Content_Types].xml", late, len(late), len(late)),
        ("word/document.xml", b"<w:document/>", 13, 13),
    )

    assert outcome(SimpleUploadedFile("annexe.docx", content)) == "bad_type"


def test_a_real_docx_written_by_zipfile_is_still_recognised():
    """The hand-made archives above are not the only shape: zipfile's own, deflated."""
    upload = SimpleUploadedFile("annexe.docx", b"")
    with zipfile.ZipFile(upload.file, "w", compression=zipfile.ZIP_DEFLATED) as docx:
        docx.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        docx.writestr("word/document.xml", "<w:document>" + "texte " * 10_000 + "</w:document>")
    upload.size = upload.file.tell()

    assert outcome(upload) == DOCX


# The size limit of a file and the messages.


def test_a_file_of_exactly_20_mb_is_accepted_and_one_byte_more_refused():
    exactly = SimpleUploadedFile("limite.pdf", PDF_BYTES + b"0" * (MAX_SIZE - len(PDF_BYTES)))
    over = SimpleUploadedFile("trop.pdf", PDF_BYTES + b"0" * (MAX_SIZE + 1 - len(PDF_BYTES)))

    assert outcome(exactly) == PDF
    assert outcome(over) == "too_large"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("gros.pdf", PDF_BYTES + b"0" * (21 * MB + MB // 4)),
            "gros.pdf is too large (21.3 MB); the limit is 20 MB per file.",
        ),
        (
            SimpleUploadedFile("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 100),
            "photo.pdf is not a PDF, ODT or DOCX document.",
        ),
        (
            odt_with(("content.xml", MAX_MEMBER_BYTES + 1, MAX_MEMBER_BYTES)),
            "annexe.odt is an archive whose contents would unpack to an unreasonable size; "
            "it is not a document we can accept.",
        ),
    ],
    ids=["too-large", "bad-type", "unsafe-archive"],
)
def test_each_refusal_names_the_file_and_says_why(upload, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            validate_document(upload)

        assert refused.value.messages == [message]


@pytest.mark.parametrize(
    ("sent_as", "kept_as"),
    [
        ("", "document.pdf"),
        (".pdf", "document.pdf"),
        ("archive.tar.gz", "archive.tar.pdf"),
        ("sans extension", "sans extension.pdf"),
        ("dossier/sous-dossier/page.html", "page.pdf"),
        ("x" * 300 + ".html", "x" * 251 + ".pdf"),
    ],
)
def test_the_kept_name_has_the_detected_extension_and_at_most_255_characters(sent_as, kept_as):
    assert name_for_type(sent_as, PDF) == kept_as
