"""Attachments are checked by content, limited to 20 MB, and private to the team and staff."""

import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects.models import Attachment
from projects.uploads import DOCX, ODT, PDF, validate_document
from tests.projects.files import (
    PDF_BYTES,
    docx_upload,
    docx_with_encrypted_content_types,
    docx_with_encrypted_document,
    docx_with_highly_compressed_member,
    docx_with_macros,
    docx_without_its_document,
    executable_renamed,
    odt_bomb,
    odt_bomb_lying,
    odt_upload,
    odt_with_encrypted_mimetype,
    opendocument,
    oversized_pdf,
    pdf_upload,
    truncated_zip,
    zip_holding_a_pdf,
    zip_of_arbitrary_files,
    zip_of_other_things,
    zip_with_many_members,
)

pytestmark = pytest.mark.django_db


def post_files(client, project, **files):
    return client.post(
        reverse("my:project-edit", kwargs={"pk": project.pk}),
        {
            "title": project.title,
            "sponsor": project.sponsor_id,
            "edit_version": project.edit_version,
            "save": "1",
            "bases-TOTAL_FORMS": "0",
            "bases-INITIAL_FORMS": "0",
            **files,
        },
    )


def test_a_real_pdf_is_stored_privately_and_downloaded_by_the_team(client, owner, member, draft):
    client.force_login(owner)

    response = post_files(client, draft, protocol=pdf_upload("Protocole v1.pdf"))

    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.original_name) == ("protocol", "Protocole v1.pdf")
    assert attachment.content_type == "application/pdf"
    assert not attachment.file.name.endswith("Protocole v1.pdf")  # stored under a random name
    client.force_login(member)
    download = client.get(
        reverse("my:attachment", kwargs={"pk": draft.pk, "attachment_id": attachment.pk})
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert 'filename="Protocole v1.pdf"' in download["Content-Disposition"]


@pytest.mark.parametrize("upload", [odt_upload, docx_upload])
def test_odt_and_docx_are_accepted_by_content(client, owner, draft, upload):
    client.force_login(owner)

    post_files(client, draft, other=upload())

    assert Attachment.objects.get().kind == "other"


def test_a_renamed_executable_is_refused_and_the_other_entries_are_kept(client, owner, draft):
    client.force_login(owner)

    response = client.post(
        reverse("my:project-edit", kwargs={"pk": draft.pk}),
        {
            "title": "Titre gardé",
            "edit_version": draft.edit_version,
            "save": "1",
            "bases-TOTAL_FORMS": "0",
            "bases-INITIAL_FORMS": "0",
            "protocol": executable_renamed("protocol.pdf"),
        },
    )

    assert response.status_code == 200
    assert response.context["files"].errors.as_data()["protocol"][0].code == "bad_type"
    assert response.context["form"]["title"].value() == "Titre gardé"
    assert not Attachment.objects.exists()


def test_an_oversized_file_is_refused(client, owner, draft):
    client.force_login(owner)

    response = post_files(client, draft, protocol=oversized_pdf(21))

    assert response.status_code == 200
    assert response.context["files"].errors.as_data()["protocol"][0].code == "too_large"
    assert "20 Mo" in str(response.context["files"].errors["protocol"])
    assert not Attachment.objects.exists()


def test_a_valid_file_is_kept_even_when_the_rest_of_the_page_has_errors(client, owner, draft):
    client.force_login(owner)

    response = client.post(
        reverse("my:project-edit", kwargs={"pk": draft.pk}),
        {
            "title": draft.title,
            "planned_start": "not a date",
            "edit_version": draft.edit_version,
            "save": "1",
            "bases-TOTAL_FORMS": "0",
            "bases-INITIAL_FORMS": "0",
            "protocol": pdf_upload(),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Attachment.objects.filter(project=draft).count() == 1


def test_outsiders_and_anonymous_cannot_download(client, outsider, complete_draft):
    attachment = complete_draft.attachments.get()
    url = reverse("my:attachment", kwargs={"pk": complete_draft.pk, "attachment_id": attachment.pk})

    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_media_files_have_no_public_url(client, complete_draft):
    attachment = complete_draft.attachments.get()

    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    assert client.get(f"/{attachment.file.name}").status_code == 404


def _peak_memory_of(call) -> int:
    tracemalloc.start()
    try:
        call()
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak


MEMORY_BOUND = 4 * 1024 * 1024  # a few MB per upload, whatever it unpacks to


@pytest.mark.parametrize("bomb", [odt_bomb, odt_bomb_lying], ids=["declared", "lying"])
def test_a_decompression_bomb_is_refused_within_a_few_megabytes(bomb):
    upload = bomb()
    assert upload.size < 1.1 * 1024 * 1024  # about 1 MB sent, 1 GiB inside
    errors = []

    def check():
        try:
            validate_document(upload)
        except ValidationError as error:
            errors.append(error)

    peak = _peak_memory_of(check)

    assert [getattr(error, "code", None) for error in errors] in (
        ["unsafe_archive"],
        ["bad_type"],
    )
    assert peak < MEMORY_BOUND, f"peak {peak / 1024 / 1024:.1f} MB"


def test_a_bomb_sent_through_the_form_is_refused_and_nothing_is_stored(client, owner, draft):
    client.force_login(owner)

    response = post_files(client, draft, other=odt_bomb())

    assert response.status_code == 200
    assert response.context["files"].errors.as_data()["other"][0].code == "unsafe_archive"
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (lambda: zip_with_many_members(3000), "unsafe_archive"),
        (docx_with_highly_compressed_member, "unsafe_archive"),
        (zip_of_other_things, "bad_type"),
    ],
    ids=["too-many-members", "compression-ratio", "zip-declaring-no-document"],
)
def test_archives_no_real_document_looks_like_are_refused(upload, code):
    with pytest.raises(ValidationError) as refused:
        validate_document(upload())

    assert refused.value.code == code


# Every kind of archive that is not one of the three documents, whatever its name says.
NOT_A_DOCUMENT = {
    "plain-zip-named-pdf": zip_of_arbitrary_files,
    "pdf-inside-a-zip": zip_holding_a_pdf,
    "opendocument-spreadsheet": lambda: opendocument(
        "application/vnd.oasis.opendocument.spreadsheet"
    ),
    "opendocument-presentation": lambda: opendocument(
        "application/vnd.oasis.opendocument.presentation"
    ),
    "opendocument-text-template": lambda: opendocument(
        "application/vnd.oasis.opendocument.text-template"
    ),
    "docx-without-word-document": docx_without_its_document,
    "word-with-macros": docx_with_macros,
    "odt-with-encrypted-mimetype": odt_with_encrypted_mimetype,
    "docx-with-encrypted-content-types": docx_with_encrypted_content_types,
    "docx-with-encrypted-document": docx_with_encrypted_document,
    "truncated-zip": truncated_zip,
}


@pytest.mark.parametrize("upload", NOT_A_DOCUMENT.values(), ids=NOT_A_DOCUMENT.keys())
def test_an_archive_that_is_not_a_text_document_is_refused(upload):
    with pytest.raises(ValidationError) as refused:
        validate_document(upload())

    assert refused.value.code == "bad_type"


@pytest.mark.parametrize(
    "upload",
    [zip_of_arbitrary_files, odt_with_encrypted_mimetype, docx_with_encrypted_content_types],
    ids=["plain-zip-named-pdf", "odt-with-encrypted-mimetype", "docx-with-encrypted-content-types"],
)
def test_such_an_archive_sent_through_the_form_is_refused_with_a_message(
    client, owner, draft, upload
):
    client.force_login(owner)

    response = post_files(client, draft, other=upload())

    assert response.status_code == 200
    assert response.context["files"].errors.as_data()["other"][0].code == "bad_type"
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    ("upload", "content_type"),
    [(pdf_upload, PDF), (odt_upload, ODT), (docx_upload, DOCX)],
    ids=["pdf", "odt", "docx"],
)
def test_each_real_document_is_recognised_by_content(upload, content_type):
    assert validate_document(upload("whatever.bin")) == content_type


@pytest.mark.parametrize(
    ("sent_as", "stored_suffix", "downloaded_as"),
    [
        ("page.html", ".pdf", "page.pdf"),
        ("protocole.PDF", ".pdf", "protocole.pdf"),
        ("script.exe", ".pdf", "script.pdf"),
        ("sans extension", ".pdf", "sans extension.pdf"),
    ],
)
def test_stored_and_downloaded_names_carry_the_detected_extension(
    client, owner, draft, sent_as, stored_suffix, downloaded_as
):
    client.force_login(owner)

    post_files(client, draft, protocol=pdf_upload(sent_as))

    attachment = Attachment.objects.get()
    assert attachment.file.name.endswith(stored_suffix)
    assert attachment.file.name.count(".") == 1
    download = client.get(
        reverse("my:attachment", kwargs={"pk": draft.pk, "attachment_id": attachment.pk})
    )
    assert download["Content-Type"] == "application/pdf"
    assert f'filename="{downloaded_as}"' in download["Content-Disposition"]


def test_an_odt_named_as_a_pdf_is_stored_as_odt(client, owner, draft):
    client.force_login(owner)

    post_files(client, draft, other=odt_upload("annexe.pdf"))

    attachment = Attachment.objects.get()
    assert attachment.file.name.endswith(".odt")
    assert attachment.original_name == "annexe.odt"
