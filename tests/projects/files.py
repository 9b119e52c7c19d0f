"""Real files for upload tests, made in memory."""

import functools
import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

# A minimal but well-formed one-page PDF.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n"
    b"0000000101 00000 n \ntrailer<</Size 4/Root 1 0 R>>\nstartxref\n170\n%%EOF\n"
)
# The first bytes of a Linux executable.
ELF_BYTES = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200


DOCX_CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
GIB = 1024**3


def pdf_upload(name: str = "protocol.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def executable_renamed(name: str = "protocol.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ELF_BYTES, content_type="application/pdf")


def odt_upload(name: str = "annexe.odt") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def docx_upload(name: str = "annexe.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def oversized_pdf(megabytes: int = 21) -> SimpleUploadedFile:
    return SimpleUploadedFile("big.pdf", PDF_BYTES + b"0" * (megabytes * 1024 * 1024))


@functools.cache
def _deflated_zeros(size: int) -> tuple[bytes, int]:
    """`size` zero bytes, raw-deflated (about 1 KB per MB), and their CRC-32."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(size // len(chunk))]
    parts.append(compressor.flush())
    crc = 0
    for _ in range(size // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    return b"".join(parts), crc


def _zip_with_one_member(name: bytes, data: bytes, *, crc: int, declared_size: int) -> bytes:
    """A ZIP archive of one deflated member whose headers declare `declared_size`."""
    local = struct.pack(
        "<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), declared_size, len(name), 0
    )
    central = struct.pack(
        "<4s6H3L5H2L",
        b"PK\x01\x02",
        20,
        20,
        0,
        8,
        0,
        0,
        crc,
        len(data),
        declared_size,
        len(name),
        0,
        0,
        0,
        0,
        0,
        0,
    )
    body = local + name + data
    directory = central + name
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), len(body), 0)
    return body + directory + end


def odt_bomb(name: str = "bombe.odt") -> SimpleUploadedFile:
    """About 1 MB whose `mimetype` member declares and unpacks to 1 GiB."""
    data, crc = _deflated_zeros(GIB)
    return SimpleUploadedFile(
        name, _zip_with_one_member(b"mimetype", data, crc=crc, declared_size=GIB)
    )


def odt_bomb_lying(name: str = "bombe.odt") -> SimpleUploadedFile:
    """The same bomb, but its headers claim the member is the usual 39 bytes."""
    data, crc = _deflated_zeros(GIB)
    return SimpleUploadedFile(
        name, _zip_with_one_member(b"mimetype", data, crc=crc, declared_size=len(ODT_MIMETYPE))
    )


def zip_with_many_members(count: int, name: str = "annexe.docx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("word/document.xml", "<w:document/>")
        for index in range(count):
            archive.writestr(f"word/media/{index}.xml", "")
    return SimpleUploadedFile(name, buffer.getvalue())


def docx_with_highly_compressed_member(megabytes: int = 4) -> SimpleUploadedFile:
    """A DOCX-shaped archive with a member compressed a thousand times: no real
    document part does that."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_CONTENT_TYPES)
        archive.writestr("word/document.xml", b"\0" * (megabytes * 1024 * 1024))
    return SimpleUploadedFile("annexe.docx", buffer.getvalue())


def zip_of_other_things(name: str = "annexe.docx") -> SimpleUploadedFile:
    """A ZIP that has a `word/document.xml` but declares no Word document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def _zip(members: dict[str, bytes | str], *, compression=zipfile.ZIP_STORED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_of_arbitrary_files(name: str = "protocole.pdf") -> SimpleUploadedFile:
    """A plain ZIP of a text file and a picture, named as a PDF."""
    members = {"notes.txt": "Quelques notes.", "figure.png": b"\x89PNG\r\n\x1a\n" + bytes(64)}
    return SimpleUploadedFile(name, _zip(members), content_type="application/pdf")


def zip_holding_a_pdf(name: str = "protocole.pdf") -> SimpleUploadedFile:
    """A ZIP whose only member is a real PDF, stored uncompressed: the PDF header is
    in the file, a few bytes in, but the file is an archive."""
    return SimpleUploadedFile(
        name, _zip({"protocole.pdf": PDF_BYTES}), content_type="application/pdf"
    )


def opendocument(mimetype: str, name: str = "annexe.odt") -> SimpleUploadedFile:
    """An OpenDocument archive of the given type (a spreadsheet, a presentation...)."""
    return SimpleUploadedFile(
        name, _zip({"mimetype": mimetype, "content.xml": "<office:document-content/>"})
    )


def docx_without_its_document(name: str = "annexe.docx") -> SimpleUploadedFile:
    """`[Content_Types].xml` declares a Word document, but `word/document.xml` is absent."""
    return SimpleUploadedFile(
        name, _zip({"[Content_Types].xml": DOCX_CONTENT_TYPES, "word/styles.xml": "<w:styles/>"})
    )


def docx_with_macros(name: str = "annexe.docx") -> SimpleUploadedFile:
    """A macro-enabled Word document (.docm): its main part has another content type."""
    content_types = DOCX_CONTENT_TYPES.replace(
        "vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "vnd.ms-word.document.macroEnabled.main+xml",
    )
    return SimpleUploadedFile(
        name,
        _zip(
            {
                "[Content_Types].xml": content_types,
                "word/document.xml": "<w:document/>",
                "word/vbaProject.bin": bytes(64),
            }
        ),
    )


def _encrypt(archive: bytes, member: str) -> bytes:
    """The archive with `member` flagged as encrypted (general purpose bit 0) in its local
    header and in the central directory, as a ZIP made with a password has it."""
    data = bytearray(archive)
    encoded = member.encode()
    for signature, flags_at, name_at in ((b"PK\x03\x04", 6, 30), (b"PK\x01\x02", 8, 46)):
        start = data.find(signature)
        while start >= 0:
            if data[start + name_at : start + name_at + len(encoded)] == encoded:
                (flags,) = struct.unpack_from("<H", data, start + flags_at)
                struct.pack_into("<H", data, start + flags_at, flags | 0x1)
            start = data.find(signature, start + 4)
    return bytes(data)


def odt_with_encrypted_mimetype(name: str = "annexe.odt") -> SimpleUploadedFile:
    archive = _zip({"mimetype": ODT_MIMETYPE, "content.xml": "<office:document-content/>"})
    return SimpleUploadedFile(name, _encrypt(archive, "mimetype"))


def docx_with_encrypted_content_types(name: str = "annexe.docx") -> SimpleUploadedFile:
    archive = _zip(
        {"[Content_Types].xml": DOCX_CONTENT_TYPES, "word/document.xml": "<w:document/>"}
    )
    return SimpleUploadedFile(name, _encrypt(archive, "[Content_Types].xml"))


def docx_with_encrypted_document(name: str = "annexe.docx") -> SimpleUploadedFile:
    """Its declarations are readable, but the document itself cannot be read without a
    password: nothing the hub's staff could open."""
    archive = _zip(
        {"[Content_Types].xml": DOCX_CONTENT_TYPES, "word/document.xml": "<w:document/>"}
    )
    return SimpleUploadedFile(name, _encrypt(archive, "word/document.xml"))


def truncated_zip(name: str = "annexe.docx") -> SimpleUploadedFile:
    """The first half of a DOCX: a ZIP signature with no directory."""
    whole = _zip({"[Content_Types].xml": DOCX_CONTENT_TYPES, "word/document.xml": "<w:document/>"})
    return SimpleUploadedFile(name, whole[: len(whole) // 2])
