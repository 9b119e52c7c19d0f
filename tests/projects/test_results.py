"""Results and algorithm versions: who declares them and when, the hub's review, what
the author is told, and what the public sees (`projects.results`)."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from catalog.models import Base
from projects import results
from projects.models import (
    Algorithm,
    AlgorithmVersion,
    Event,
    Project,
    PublicVersion,
    Result,
    ReviewState,
    Status,
)
from tests.factories import a_publication as publication
from tests.factories import an_algorithm_version as version
from tests.factories import make_project
from tests.projects.files import PDF_BYTES, executable_renamed, pdf_upload

pytestmark = pytest.mark.django_db


# Who may declare, and when.


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (Status.DRAFT, False),
        (Status.SUBMITTED, False),
        (Status.UNDER_REVIEW, False),
        (Status.APPROVED, False),
        (Status.IN_PROGRESS, True),
        (Status.COMPLETED, True),
        (Status.REJECTED, False),
        (Status.WITHDRAWN, False),
    ],
)
def test_results_are_declared_in_progress_or_completed_only(running, owner, status, allowed):
    Project.objects.filter(pk=running.pk).update(status=status)
    running.refresh_from_db()
    assert results.may_declare(project=running, user=owner) is allowed
    if allowed:
        results.result_declare(project=running, actor=owner, result=publication())
        assert running.outputs.count() == 1
    else:
        with pytest.raises(results.ResultsError, match="une fois le projet en cours ou terminé"):
            results.result_declare(project=running, actor=owner, result=publication())
        assert not Result.objects.exists()


def test_only_the_team_declares(running, outsider, reviewer, member):
    for user in (outsider, reviewer):
        assert not results.may_declare(project=running, user=user)
        with pytest.raises(results.ResultsError, match="Seule l'équipe du projet"):
            results.result_declare(project=running, actor=user, result=publication())
    assert results.may_declare(project=running, user=member)
    assert not Result.objects.exists()


def test_a_declaration_is_private_and_awaits_review(
    running, owner, django_capture_on_commit_callbacks
):
    version_before = PublicVersion.current()
    with django_capture_on_commit_callbacks(execute=True):
        result = results.result_declare(project=running, actor=owner, result=publication())
    assert result.state == ReviewState.PENDING
    assert result.declared_by == owner
    event = Event.objects.get(project=running, action="result_declared")
    assert event.visibility == Event.Visibility.SPONSOR
    assert event.reason == "Parcours après un infarctus"
    assert PublicVersion.current() == version_before  # nothing public changed
    running.refresh_from_db()
    assert running.results_published_on is None


def test_the_reviewers_are_told_of_a_declaration(
    running, owner, reviewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        results.result_declare(project=running, actor=owner, result=publication())
    [email] = mail.outbox
    assert email.to == [reviewer.email]
    assert "HDH-2025-0007" in email.subject
    assert "/admin/projects/result/?state__exact=pending" in email.body


# The review.


def test_publishing_makes_it_public_and_tells_the_author(
    running, owner, member, reviewer, django_capture_on_commit_callbacks
):
    result = results.result_declare(project=running, actor=member, result=publication())
    version_before = PublicVersion.current()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        results.review(item=result, actor=reviewer, publish=True, comment="Merci.")
    result.refresh_from_db()
    running.refresh_from_db()
    assert result.state == ReviewState.PUBLISHED
    assert result.reviewed_by == reviewer and result.reviewed_at is not None
    assert running.results_published_on is not None
    assert PublicVersion.current() != version_before
    event = Event.objects.get(project=running, action="result_published")
    assert event.visibility == Event.Visibility.PUBLIC
    # The author, and only the author, is told.
    [email] = mail.outbox
    assert email.to == [member.email]
    assert "Parcours après un infarctus" in email.body
    assert "Merci." in email.body


def test_a_refusal_needs_a_reason_and_tells_it(
    running, owner, reviewer, django_capture_on_commit_callbacks
):
    result = results.result_declare(project=running, actor=owner, result=publication())
    with pytest.raises(results.ResultsError, match="Dites pourquoi"):
        results.review(item=result, actor=reviewer, publish=False, comment="  ")
    result.refresh_from_db()
    assert result.state == ReviewState.PENDING
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        results.review(
            item=result, actor=reviewer, publish=False, comment="Le DOI est d'un autre article."
        )
    result.refresh_from_db()
    running.refresh_from_db()
    assert result.state == ReviewState.REFUSED
    assert running.results_published_on is None
    event = Event.objects.get(project=running, action="result_refused")
    assert event.visibility == Event.Visibility.SPONSOR
    assert "Le DOI est d'un autre article." in event.reason
    [email] = mail.outbox
    assert email.to == [owner.email]
    assert "Le DOI est d'un autre article." in email.body


def test_a_result_is_reviewed_once(running, owner, reviewer):
    result = results.result_declare(project=running, actor=owner, result=publication())
    results.review(item=result, actor=reviewer, publish=True)
    with pytest.raises(results.ResultsError, match="déjà été examiné"):
        results.review(item=result, actor=reviewer, publish=False, comment="Non.")
    result.refresh_from_db()
    assert result.state == ReviewState.PUBLISHED


def test_only_reviewers_review(running, owner, staff_without_group, administrator):
    result = results.result_declare(project=running, actor=owner, result=publication())
    for user in (owner, staff_without_group):
        with pytest.raises(results.ResultsError, match="Seuls les instructeurs"):
            results.review(item=result, actor=user, publish=True)
    result.refresh_from_db()
    assert result.state == ReviewState.PENDING
    results.review(item=result, actor=administrator, publish=True)
    result.refresh_from_db()
    assert result.state == ReviewState.PUBLISHED


def test_the_first_publication_date_stays(running, owner, reviewer):
    first = results.result_declare(project=running, actor=owner, result=publication())
    second = results.result_declare(project=running, actor=owner, result=publication(title="Suite"))
    results.review(item=first, actor=reviewer, publish=True)
    Project.objects.filter(pk=running.pk).update(results_published_on=date(2026, 1, 2))
    results.review(item=second, actor=reviewer, publish=True)
    running.refresh_from_db()
    assert running.results_published_on == date(2026, 1, 2)


# Algorithms and their versions.


def test_an_algorithm_card_and_its_versions(running, owner, reviewer, demo_catalog):
    esme = Base.objects.get(slug="esme")
    first = results.algorithm_declare(
        project=running, actor=owner, name="Rétino-risque", version=version(), bases=[esme]
    )
    algorithm = first.algorithm
    assert algorithm.slug == "retino-risque"
    assert algorithm.current is None  # not public before the review
    assert list(first.bases.all()) == [esme]
    results.review(item=first, actor=reviewer, publish=True)
    algorithm.refresh_from_db()
    assert algorithm.current == first
    second = results.algorithm_version_declare(
        algorithm=algorithm, actor=owner, version=version("1.1", performance="AUC 0,85.")
    )
    algorithm.refresh_from_db()
    assert algorithm.current == first  # still the published one
    results.review(item=second, actor=reviewer, publish=True)
    algorithm.refresh_from_db()
    assert algorithm.current == second
    first.refresh_from_db()
    assert first.state == ReviewState.PUBLISHED  # the earlier version is kept as it was
    assert first.performance == "AUC 0,82 (IC 95 % 0,80–0,84)."
    assert [
        e.action for e in Event.objects.filter(project=running, action__startswith="algorithm")
    ] == [
        "algorithm_declared",
        "algorithm_published",
        "algorithm_declared",
        "algorithm_published",
    ]


def test_a_refused_version_leaves_the_card_as_it_was(running, owner, reviewer):
    first = results.algorithm_declare(project=running, actor=owner, name="Score", version=version())
    results.review(item=first, actor=reviewer, publish=True)
    second = results.algorithm_version_declare(
        algorithm=first.algorithm, actor=owner, version=version("2.0")
    )
    results.review(item=second, actor=reviewer, publish=False, comment="Performance non étayée.")
    first.algorithm.refresh_from_db()
    assert first.algorithm.current == first


def test_a_version_number_is_declared_once(running, owner):
    first = results.algorithm_declare(project=running, actor=owner, name="Score", version=version())
    with pytest.raises(results.ResultsError, match="a déjà une version 1.0"):
        results.algorithm_version_declare(algorithm=first.algorithm, actor=owner, version=version())
    assert AlgorithmVersion.objects.count() == 1


def test_slugs_are_unique(running, owner):
    slugs = [
        results.algorithm_declare(
            project=running, actor=owner, name="Score à l'hôpital", version=version()
        ).algorithm.slug
        for _ in range(3)
    ]
    assert slugs == ["score-a-lhopital", "score-a-lhopital-2", "score-a-lhopital-3"]
    assert Algorithm.objects.count() == 3


# The team's pages.


def test_the_team_declares_a_publication_from_its_page(client, running, owner):
    client.force_login(owner)
    page = client.get(reverse("my:project", args=[running.pk]))
    assert reverse("my:result-new", args=[running.pk]) in page.text
    response = client.post(
        reverse("my:result-new", args=[running.pk]),
        {
            "kind": "publication",
            "title": "Parcours après un infarctus",
            "doi": "https://doi.org/10.1016/J.LANEPE.2025.101234",
            "venue": "The Lancet Regional Health – Europe",
            "year": "2026",
            # Not asked of a publication: never kept.
            "url": "https://example.org/elsewhere",
        },
    )
    assert response.status_code == 302
    result = Result.objects.get()
    assert result.doi == "10.1016/J.LANEPE.2025.101234"
    assert result.url == ""
    assert result.state == ReviewState.PENDING
    page = client.get(reverse("my:project", args=[running.pk]))
    assert "Parcours après un infarctus" in page.text


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        (
            {"kind": "publication", "title": "T", "doi": "10.12/x", "venue": "V", "year": "2026"},
            "doi",
            "doi",
        ),
        (
            {
                "kind": "publication",
                "title": "T",
                "doi": "doi 10.1234/x y",
                "venue": "V",
                "year": "2026",
            },
            "doi",
            "doi",
        ),
        (
            {"kind": "publication", "title": "T", "doi": "", "venue": "V", "year": "2026"},
            "doi",
            "required",
        ),
        (
            {"kind": "publication", "title": "T", "doi": "10.1234/x", "venue": "", "year": "2026"},
            "venue",
            "required",
        ),
        (
            {"kind": "publication", "title": "T", "doi": "10.1234/x", "venue": "V", "year": "1800"},
            "year",
            "min_value",
        ),
        ({"kind": "dataset", "title": "T", "url": ""}, "url", "required"),
        ({"kind": "code", "title": "T", "url": "javascript:alert(1)"}, "url", "invalid"),
        ({"kind": "report", "title": "T"}, "file", "required"),
        ({"kind": "nonsense", "title": "T"}, "kind", "invalid_choice"),
    ],
)
def test_a_wrong_declaration_is_refused_field_by_field(client, running, owner, data, field, code):
    client.force_login(owner)
    response = client.post(reverse("my:result-new", args=[running.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    # One error per field, the one that says what is wrong.
    assert [error.code for error in errors[field]] == [code], errors
    assert not Result.objects.exists()


def test_a_report_is_a_pdf_by_its_content(client, running, owner):
    client.force_login(owner)
    url = reverse("my:result-new", args=[running.pk])
    refused = client.post(
        url, {"kind": "report", "title": "Rapport", "file": executable_renamed("rapport.pdf")}
    )
    assert refused.status_code == 200
    assert [e.code for e in refused.context["form"].errors.as_data()["file"]] == ["bad_type"]
    assert not Result.objects.exists()
    accepted = client.post(
        url, {"kind": "report", "title": "Rapport final", "file": pdf_upload("mon rapport.pdf")}
    )
    assert accepted.status_code == 302
    result = Result.objects.get()
    assert result.size == len(PDF_BYTES)
    assert result.file.name.endswith(".pdf") and "mon rapport" not in result.file.name
    # The team reads it while it is private; the public does not.
    download = client.get(reverse("my:result-file", args=[running.pk, result.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    client.logout()
    public = client.get(reverse("projects:result-file", args=[running.reference, result.pk]))
    assert public.status_code == 404


def test_the_declaration_pages_refuse_whoever_is_not_on_the_team(
    client, running, outsider, reviewer
):
    urls = [
        reverse("my:result-new", args=[running.pk]),
        reverse("my:algorithm-new", args=[running.pk]),
    ]
    for user in (outsider, reviewer):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 404
            assert (
                client.post(
                    url, {"kind": "code", "title": "T", "url": "https://x.example"}
                ).status_code
                == 404
            )
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 302  # to the sign-in page
    assert not Result.objects.exists()


def test_a_project_not_yet_running_sends_back_to_its_page(client, running, owner):
    Project.objects.filter(pk=running.pk).update(status=Status.APPROVED)
    client.force_login(owner)
    response = client.post(
        reverse("my:result-new", args=[running.pk]),
        {"kind": "code", "title": "T", "url": "https://x.example"},
    )
    assert response.status_code == 302
    assert response.url == reverse("my:project", args=[running.pk])
    assert not Result.objects.exists()


def test_the_team_declares_an_algorithm_then_a_version_prefilled(
    client, running, owner, demo_catalog
):
    client.force_login(owner)
    data = {
        "name": "Rétino-risque",
        "version": "1.0",
        "purpose": "Repérer.",
        "intended_use": "Dépistage.",
        "population": "Adultes.",
        "bases": [Base.objects.get(slug="esme").pk],
        "inputs": "Soins.",
        "outputs": "Score.",
        "performance": "AUC 0,82.",
        "metric": "AUC",
        "validation_data": "2023.",
        "limitations": "Jeunes.",
        "licence": "eupl-1.2",
        "repository_url": "https://gitlab.example/boas/retino",
    }
    assert client.post(reverse("my:algorithm-new", args=[running.pk]), data).status_code == 302
    first = AlgorithmVersion.objects.get()
    assert first.licence == "EUPL-1.2"  # the SPDX list's own spelling
    slug = first.algorithm.slug
    form = client.get(reverse("my:algorithm-version-new", args=[running.pk, slug])).context["form"]
    assert form.initial["purpose"] == "Repérer."
    assert form.initial["version"] == ""
    assert "name" not in form.fields
    again = client.post(reverse("my:algorithm-version-new", args=[running.pk, slug]), data)
    assert again.status_code == 200
    assert "1.0" in " ".join(again.context["form"].errors["version"])
    assert AlgorithmVersion.objects.count() == 1
    data["version"] = "1.1"
    assert (
        client.post(reverse("my:algorithm-version-new", args=[running.pk, slug]), data).status_code
        == 302
    )
    assert AlgorithmVersion.objects.filter(algorithm=first.algorithm).count() == 2


@pytest.mark.parametrize("licence", ["Proprietary-Do-Not-Copy", "MIT AND", "GPL-2.0 OR"])
def test_a_licence_outside_the_spdx_list_is_refused(client, running, owner, licence):
    client.force_login(owner)
    response = client.post(
        reverse("my:algorithm-new", args=[running.pk]),
        {"name": "X", "version": "1", "licence": licence},
    )
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["licence"]] == ["spdx"]
    assert not Algorithm.objects.exists()


# The public page.


def test_the_public_sees_published_results_only(client, running, owner, reviewer):
    published = results.result_declare(project=running, actor=owner, result=publication())
    results.review(item=published, actor=reviewer, publish=True)
    results.result_declare(
        project=running, actor=owner, result=publication(title="Brouillon privé")
    )
    refused = results.result_declare(
        project=running, actor=owner, result=publication(title="Refusé")
    )
    results.review(item=refused, actor=reviewer, publish=False, comment="Non.")
    page = client.get(reverse("projects:public", args=[running.reference]))
    assert "Parcours après un infarctus" in page.text
    assert "https://doi.org/10.1016/j.lanepe.2025.101234" in page.text
    assert "Brouillon privé" not in page.text
    assert "Refusé" not in page.text


def test_a_published_report_is_served_to_anyone(client, running, owner, reviewer):
    report = results.result_declare(
        project=running,
        actor=owner,
        result=Result(kind=Result.Kind.REPORT, title="Rapport final", file=pdf_upload()),
    )
    url = reverse("projects:result-file", args=[running.reference, report.pk])
    assert client.get(url).status_code == 404
    results.review(item=report, actor=reviewer, publish=True)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES
    # Under another project's reference, it is not found.
    other = make_project(owner=owner, title="Autre")
    Project.objects.filter(pk=other.pk).update(status=Status.SUBMITTED, reference="HDH-2025-0099")
    assert (
        client.get(reverse("projects:result-file", args=["HDH-2025-0099", report.pk])).status_code
        == 404
    )


def test_the_public_page_says_results_are_overdue(client, running, settings):
    settings.RESULTS_DUE_MONTHS = 18
    Project.objects.filter(pk=running.pk).update(
        status=Status.COMPLETED, completed_on=date(2020, 1, 15)
    )
    page = client.get(reverse("projects:public", args=[running.reference]))
    assert "results-overdue" in page.text
    Project.objects.filter(pk=running.pk).update(completed_on=date.today())
    page = client.get(reverse("projects:public", args=[running.reference]))
    assert "results-overdue" not in page.text
