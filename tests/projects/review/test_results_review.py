"""The reviewers publish or refuse declared results and algorithm versions in the
admin; nothing a team declared is edited there."""

import pytest
from django.urls import reverse

from projects import results
from projects.models import AlgorithmVersion, Result, ReviewState
from tests.factories import a_publication, an_algorithm_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def declared(running, owner):
    return results.result_declare(project=running, actor=owner, result=a_publication())


def change_url(item):
    return reverse(f"admin:projects_{item._meta.model_name}_change", args=[item.pk])


def test_the_reviewer_sees_what_waits_and_the_buttons(client, reviewer, declared):
    client.force_login(reviewer)
    listing = client.get(reverse("admin:projects_result_changelist") + "?state__exact=pending")
    assert listing.status_code == 200
    assert "Parcours après un infarctus" in listing.text
    page = client.get(change_url(declared))
    assert page.status_code == 200
    assert 'name="_publish"' in page.text and 'name="_decline"' in page.text
    assert "10.1016/j.lanepe.2025.101234" in page.text
    # The team's words are shown, never offered for editing.
    assert 'name="title"' not in page.text and 'name="doi"' not in page.text


def test_publishing_from_the_admin(client, reviewer, declared):
    client.force_login(reviewer)
    response = client.post(
        change_url(declared), {"comment": "Bravo.", "_publish": "1", "title": "Changé"}
    )
    assert response.status_code == 302
    declared.refresh_from_db()
    assert declared.state == ReviewState.PUBLISHED
    assert declared.review_comment == "Bravo."
    assert declared.title == "Parcours après un infarctus"  # a posted field is ignored
    # Once reviewed, the page has no buttons, and a second post changes nothing.
    page = client.get(change_url(declared))
    assert 'name="_publish"' not in page.text
    client.post(change_url(declared), {"comment": "Non.", "_decline": "1"})
    declared.refresh_from_db()
    assert declared.state == ReviewState.PUBLISHED


def test_a_refusal_without_a_comment_is_refused_with_a_message(client, reviewer, declared):
    client.force_login(reviewer)
    response = client.post(change_url(declared), {"comment": "", "_decline": "1"}, follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Dites pourquoi le résultat est refusé : son auteur le lira."
    ]
    declared.refresh_from_db()
    assert declared.state == ReviewState.PENDING
    client.post(change_url(declared), {"comment": "Hors sujet.", "_decline": "1"})
    declared.refresh_from_db()
    assert declared.state == ReviewState.REFUSED
    assert declared.review_comment == "Hors sujet."


def test_a_plain_save_changes_nothing(client, reviewer, declared):
    client.force_login(reviewer)
    client.post(change_url(declared), {"comment": "Rien."})
    declared.refresh_from_db()
    assert declared.state == ReviewState.PENDING
    assert declared.review_comment == ""


def test_staff_outside_the_review_groups_cannot_review(client, staff_without_group, declared):
    client.force_login(staff_without_group)
    assert client.get(change_url(declared)).status_code == 403
    assert client.post(change_url(declared), {"comment": "x", "_publish": "1"}).status_code == 403
    declared.refresh_from_db()
    assert declared.state == ReviewState.PENDING


def test_sponsors_never_reach_the_admin(client, owner, declared):
    client.force_login(owner)
    response = client.post(change_url(declared), {"_publish": "1"})
    assert response.status_code == 302 and "/admin/login/" in response.url
    declared.refresh_from_db()
    assert declared.state == ReviewState.PENDING


def test_an_algorithm_version_is_reviewed_the_same_way(client, reviewer, running, owner):
    version = results.algorithm_declare(
        project=running, actor=owner, name="Rétino-risque", version=an_algorithm_version()
    )
    client.force_login(reviewer)
    page = client.get(change_url(version))
    assert "EUPL-1.2" in page.text and 'name="_publish"' in page.text
    client.post(change_url(version), {"comment": "", "_publish": "1"})
    version.refresh_from_db()
    assert version.state == ReviewState.PUBLISHED
    assert version.algorithm.current == version
    assert AlgorithmVersion.objects.count() == 1
    assert not Result.objects.exists()


def test_the_report_is_read_through_the_portal(client, reviewer, running, owner):
    from tests.projects.files import pdf_upload

    report = results.result_declare(
        project=running,
        actor=owner,
        result=Result(kind=Result.Kind.REPORT, title="Rapport", file=pdf_upload()),
    )
    client.force_login(reviewer)
    page = client.get(change_url(report))
    link = reverse("my:result-file", args=[running.pk, report.pk])
    assert link in page.text
    assert client.get(link).status_code == 200


def test_the_projects_change_page_lists_its_results(client, reviewer, declared, running, owner):
    version = results.algorithm_declare(
        project=running, actor=owner, name="Rétino-risque", version=an_algorithm_version()
    )
    client.force_login(reviewer)
    page = client.get(reverse("admin:projects_project_change", args=[running.pk]))
    assert change_url(declared) in page.text
    assert change_url(version) in page.text


def test_the_audit_trail_lists_the_latest_event_first(client, reviewer, declared, running):
    client.force_login(reviewer)
    page = client.get(reverse("admin:projects_event_changelist"))
    rows = [event.action for event in page.context["cl"].result_list]
    assert rows[0] == "result_declared"
    assert rows[-1] == "created"
