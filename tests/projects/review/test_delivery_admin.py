"""The hub delivers a data request's statistics from the admin; only the team and the
hub's reviewers download them."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from projects import services
from projects.models import Delivery, Event, Project, Status
from projects.uploads import MAX_SIZE
from tests.projects.files import ELF_BYTES, PDF_BYTES
from tests.projects.test_data_requests import CSV_BYTES, a_request, deliver

pytestmark = pytest.mark.django_db

DRAFT_FORM = {
    "edit_version": "1",
    "save": "1",
    "bases-TOTAL_FORMS": "0",
    "bases-INITIAL_FORMS": "0",
}


@pytest.fixture
def in_progress(owner, member, organisation, reviewer):
    project = services.project_submit(project=a_request(owner, member, organisation), actor=owner)
    project = services.project_transition(project=project, actor=reviewer, to=Status.UNDER_REVIEW)
    return services.project_transition(project=project, actor=reviewer, to=Status.IN_PROGRESS)


def deliver_url(project) -> str:
    return reverse("admin:projects_project_deliver", args=[project.pk])


def upload(client, project, name: str, content: bytes, note: str = "Effectifs masqués sous 11."):
    return client.post(
        deliver_url(project), {"file": SimpleUploadedFile(name, content), "note": note}
    )


def test_the_change_page_of_a_request_offers_the_delivery_and_no_holder_decision(
    client, reviewer, in_progress
):
    client.force_login(reviewer)

    page = client.get(reverse("admin:projects_project_change", args=[in_progress.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert deliver_url(in_progress) in html
    assert 'id="requested_bases-group"' not in html
    assert 'id="opinion-group"' not in html and 'id="authorisation-group"' not in html
    assert [form.target for form in page.context["transitions"]] == [Status.COMPLETED]
    assert page.context["transitions"][0].blockers


def test_a_reviewer_delivers_a_csv_file_and_the_team_is_emailed(
    client, reviewer, in_progress, owner, member, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, in_progress, "resultats.csv", CSV_BYTES)

    assert response.status_code == 302
    delivery = Delivery.objects.get(project=in_progress)
    assert (delivery.original_name, delivery.content_type, delivery.size) == (
        "resultats.csv",
        "text/csv",
        len(CSV_BYTES),
    )
    assert delivery.note == "Effectifs masqués sous 11."
    assert Event.objects.filter(project=in_progress, action="statistics_delivered").exists()
    assert {email.to[0] for email in mail.outbox} == {owner.email, member.email}
    # Completing is the reviewer's next move, no longer blocked.
    project = services.project_transition(project=in_progress, actor=reviewer, to=Status.COMPLETED)
    assert project.status == Status.COMPLETED


def test_a_pdf_report_is_accepted_and_named_for_its_type(client, reviewer, in_progress):
    client.force_login(reviewer)

    upload(client, in_progress, "rapport.csv", PDF_BYTES)

    delivery = Delivery.objects.get(project=in_progress)
    assert (delivery.original_name, delivery.content_type) == ("rapport.pdf", "application/pdf")


@pytest.mark.parametrize(
    "content",
    [
        ELF_BYTES,  # an executable
        b"annee;effectif\n2023;12\n\x00\x00\x01binary",  # NUL bytes after a text head
        "année;effectif\n".encode("latin-1"),  # not UTF-8
        b"",  # empty
    ],
)
def test_a_file_that_is_not_statistics_is_refused_on_the_same_page(
    client, reviewer, in_progress, content
):
    client.force_login(reviewer)

    with translation.override("fr"):
        response = upload(client, in_progress, "tableaux.csv", content)

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert Delivery.objects.count() == 0
    assert not Event.objects.filter(action="statistics_delivered").exists()


def test_a_file_too_large_is_refused_without_being_read(client, reviewer, in_progress):
    client.force_login(reviewer)
    big = CSV_BYTES + b"1;2\n" * ((MAX_SIZE - len(CSV_BYTES)) // 4 + 1)
    assert len(big) > MAX_SIZE

    response = upload(client, in_progress, "gros.csv", big)

    assert response.status_code == 200
    assert "20" in " ".join(response.context["form"].errors["file"])
    assert Delivery.objects.count() == 0


def test_nothing_is_delivered_on_a_request_not_in_progress_nor_on_an_access_application(
    client, reviewer, owner, member, organisation, complete_draft
):
    client.force_login(reviewer)
    draft = a_request(owner, member, organisation)
    submitted = services.project_submit(project=draft, actor=owner)
    access = services.project_submit(project=complete_draft, actor=owner)

    for project in (submitted, access):
        response = upload(client, project, "resultats.csv", CSV_BYTES)
        assert response.status_code == 302
    assert Delivery.objects.count() == 0


def test_staff_who_do_not_review_cannot_deliver(client, staff_without_group, in_progress):
    client.force_login(staff_without_group)

    response = upload(client, in_progress, "resultats.csv", CSV_BYTES)

    assert response.status_code in (302, 403)
    assert Delivery.objects.count() == 0


@pytest.fixture
def delivered(in_progress, reviewer) -> Delivery:
    return deliver(in_progress, reviewer)


def download_url(delivery: Delivery) -> str:
    return reverse("my:delivery", args=[delivery.project_id, delivery.pk])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("owner", 200),
        ("member", 200),
        ("reviewer", 200),
        ("outsider", 404),
        ("staff_without_group", 404),
        ("holder_member", 404),
        (None, 302),
    ],
)
def test_only_the_team_and_the_reviewers_download_the_statistics(
    client, request, delivered, persona, expected
):
    if persona:
        client.force_login(request.getfixturevalue(persona))

    response = client.get(download_url(delivered))

    assert response.status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == CSV_BYTES
        assert 'filename="tableaux.csv"' in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
    if expected == 302:
        assert "/accounts/login/" in response["Location"]


def test_a_delivery_is_reached_only_through_its_own_project(
    client, owner, delivered, outsider, organisation, member
):
    other = a_request(owner, member, organisation)
    client.force_login(owner)

    response = client.get(reverse("my:delivery", args=[other.pk, delivered.pk]))

    assert response.status_code == 404


def test_the_team_sees_the_delivery_on_its_project_page_never_the_public(client, owner, delivered):
    client.force_login(owner)

    page = client.get(reverse("my:project", args=[delivered.project_id])).content.decode()

    assert 'id="statistics"' in page and download_url(delivered) in page
    assert "Cellules de moins de 11 masquées." in page
    client.logout()
    public = client.get(reverse("projects:public", args=[delivered.project.reference]))
    assert download_url(delivered) not in public.content.decode()
    assert "Cellules de moins de 11" not in public.content.decode()


def test_the_team_page_of_a_request_shows_its_kind_and_no_holder_decision(client, owner, delivered):
    client.force_login(owner)

    page = client.get(reverse("my:project", args=[delivered.project_id])).content.decode()

    assert 'id="project-kind">Demande de statistiques<' in page
    assert "Décision du responsable de données" not in page
    mine = client.get(reverse("my:projects")).content.decode()
    assert "Demande de statistiques" in mine and 'id="new-request"' in mine


@pytest.mark.parametrize("kind", ["request", "access"])
def test_the_kind_is_chosen_at_creation_and_kept(client, owner, organisation, kind):
    client.force_login(owner)

    page = client.get(reverse("my:project-new"), {"kind": kind})
    assert f'name="kind" value="{kind}"' in page.content.decode()
    response = client.post(
        reverse("my:project-new"), {"kind": kind, "title": "Effectifs", **DRAFT_FORM}
    )

    assert response.status_code == 302
    project = Project.objects.get(title="Effectifs")
    assert project.kind == kind
    # No form changes it afterwards.
    other = "access" if kind == "request" else "request"
    client.post(
        reverse("my:project-edit", args=[project.pk]),
        {**DRAFT_FORM, "kind": other, "title": "Effectifs", "edit_version": project.edit_version},
    )
    project.refresh_from_db()
    assert project.kind == kind


def test_an_unknown_kind_is_a_404(client, owner):
    client.force_login(owner)

    assert client.get(reverse("my:project-new"), {"kind": "both"}).status_code == 404
