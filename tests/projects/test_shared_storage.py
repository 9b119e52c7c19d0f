"""Attachments through Django's storage API only: stored, read and deleted in a store
that, like an S3-compatible object store, has no local path for a file."""

import os

import pytest
from django.core.files.storage import InMemoryStorage, default_storage
from django.urls import reverse
from django.utils._os import safe_join

from projects.models import Attachment
from tests.projects.files import PDF_BYTES, pdf_upload
from tests.projects.test_uploads import post_files

pytestmark = pytest.mark.django_db


class ObjectStore(InMemoryStorage):
    """An object store as the portal sees one: files by name, never a local path
    (S3Storage raises the same)."""

    def path(self, name):
        raise NotImplementedError("This backend doesn't support absolute paths.")

    def _relative_path(self, name):
        # Django's in-memory store finds its nodes through path(); here, directly.
        return os.path.relpath(safe_join(self.location, name), self.location)


@pytest.fixture
def object_store(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.ObjectStore"},
    }
    return default_storage


def test_an_attachment_is_uploaded_read_and_deleted_through_the_store_alone(
    object_store, settings, client, owner, member, complete_draft
):
    client.force_login(owner)
    assert post_files(client, complete_draft, other=pdf_upload("Annexe.pdf")).status_code == 302
    attachment = Attachment.objects.get(original_name="Annexe.pdf")
    assert object_store.exists(attachment.file.name)
    assert complete_draft.attachments.count() == 2
    # Nothing on local disk: the protocol of the draft went to the store too.
    assert not settings.MEDIA_ROOT.exists() or not any(settings.MEDIA_ROOT.rglob("*.*"))

    client.force_login(member)
    url = reverse("my:attachment", kwargs={"pk": complete_draft.pk, "attachment_id": attachment.pk})
    download = client.get(url)
    assert b"".join(download.streaming_content) == PDF_BYTES

    client.force_login(owner)
    deleted = client.post(
        reverse(
            "my:attachment-delete",
            kwargs={"pk": complete_draft.pk, "attachment_id": attachment.pk},
        )
    )
    assert deleted.status_code == 302
    assert not object_store.exists(attachment.file.name)
    assert not Attachment.objects.filter(pk=attachment.pk).exists()


def test_a_file_missing_from_the_store_is_a_404(object_store, client, owner, draft):
    client.force_login(owner)
    post_files(client, draft, protocol=pdf_upload())
    attachment = Attachment.objects.get()
    object_store.delete(attachment.file.name)

    url = reverse("my:attachment", kwargs={"pk": draft.pk, "attachment_id": attachment.pk})

    assert client.get(url).status_code == 404
