"""Attachments are checked by content, limited to 20 MB, and private to the team and staff."""

import pytest
from django.urls import reverse

from projects.models import Attachment
from tests.projects.files import (
    PDF_BYTES,
    docx_upload,
    executable_renamed,
    odt_upload,
    oversized_pdf,
    pdf_upload,
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
