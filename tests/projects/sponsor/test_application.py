"""Drafts, submission, reference numbers, versions and their differences."""

import re

import pytest
from django.urls import reverse

from projects import services, snapshots
from projects.models import Event, ImmutableRecord, Project, ProjectVersion, Status
from tests.factories import make_project
from tests.projects.conftest import EHDS_FIELDS

pytestmark = pytest.mark.django_db

EMPTY_FORMSET = {"bases-TOTAL_FORMS": "0", "bases-INITIAL_FORMS": "0"}


def test_a_draft_can_be_saved_with_only_a_title(client, owner, organisation):
    client.force_login(owner)

    response = client.post(
        reverse("my:project-new"),
        {"title": "Parcours de soins", "edit_version": "1", "save": "1", **EMPTY_FORMSET},
    )

    project = Project.objects.get()
    assert response.status_code == 302
    assert project.title == "Parcours de soins"
    assert project.status == Status.DRAFT
    assert project.reference == ""
    assert project.team.get().user == owner


def test_a_new_sponsor_organisation_is_created_and_joined(client, owner):
    client.force_login(owner)

    client.post(
        reverse("my:project-new"),
        {
            "new_sponsor": "Institut Est",
            "new_sponsor_identifier_kind": "siren",
            "new_sponsor_identifier": "180 092 025",
            "edit_version": "1",
            "save": "1",
            **EMPTY_FORMSET,
        },
    )

    project = Project.objects.get()
    assert project.sponsor.name == "Institut Est"
    assert (project.sponsor.identifier_kind, project.sponsor.identifier) == ("siren", "180092025")
    assert list(project.sponsor.members.all()) == [owner]
    assert project.sponsor.created_by == owner
    assert not project.sponsor.is_verified


def test_submit_lists_every_missing_part_at_once_and_keeps_the_entries(client, owner, draft):
    client.force_login(owner)

    response = client.post(
        reverse("my:project-edit", kwargs={"pk": draft.pk}),
        {
            "title": "Titre modifié",
            "methodology": "Méthode déjà écrite",
            "sponsor": draft.sponsor_id,
            "edit_version": draft.edit_version,
            "submit": "1",
            **EMPTY_FORMSET,
        },
    )

    assert response.status_code == 200
    problems = response.context["problems"]
    assert set(problems) == {
        "summary",
        "purpose",
        "expected_results",
        "funding",
        "themes",
        "planned_start",
        "duration_months",
        "bases",
        "attachments",
        # What the EHDS regulation asks of a data access application.
        "data_users",
        "environment",
        "planned_outputs",
        "legal_route",
        "accepts_no_reidentification",
        "accepts_no_harm",
    }
    # The summary at the top names each missing field, as a link to it.
    assert problems["summary"] == ["« Résumé public » est obligatoire pour déposer le dossier."]
    assert problems["planned_start"] == ["« Début prévu » est obligatoire pour déposer le dossier."]
    summary = response.text[: response.text.index("</ul>", response.text.index("alert-warning"))]
    assert (
        '<a href="#id_funding">« Financement » est obligatoire pour déposer le dossier.</a>'
        in summary
    )
    form = response.context["form"]
    assert form["methodology"].value() == "Méthode déjà écrite"
    assert "summary" in form.errors
    draft.refresh_from_db()
    assert draft.title == "Titre modifié"
    assert draft.status == Status.DRAFT


def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, owner, draft):
    client.force_login(owner)

    response = client.post(
        reverse("my:project-edit", kwargs={"pk": draft.pk}),
        {
            "title": "Nouveau titre",
            "planned_start": "not a date",
            "duration_months": "999",
            "edit_version": draft.edit_version,
            "save": "1",
            **EMPTY_FORMSET,
        },
    )

    assert response.status_code == 200
    assert {"planned_start", "duration_months"} <= set(response.context["form"].errors)
    assert response.context["form"]["title"].value() == "Nouveau titre"
    draft.refresh_from_db()
    assert draft.title == "Étude des parcours"


def test_submitting_gives_a_reference_freezes_version_1_and_logs_a_public_event(
    client, owner, complete_draft
):
    client.force_login(owner)

    response = client.post(
        reverse("my:project-edit", kwargs={"pk": complete_draft.pk}),
        {
            "title": complete_draft.title,
            "summary": complete_draft.summary,
            "purpose": complete_draft.purpose,
            "methodology": complete_draft.methodology,
            "expected_results": complete_draft.expected_results,
            "funding": complete_draft.funding,
            "sponsor": complete_draft.sponsor_id,
            "themes": list(complete_draft.themes.values_list("pk", flat=True)),
            "planned_start": "2027-01-01",
            "duration_months": "24",
            **{name: "on" if value is True else value for name, value in EHDS_FIELDS.items()},
            "edit_version": complete_draft.edit_version,
            "submit": "1",
            "bases-TOTAL_FORMS": "1",
            "bases-INITIAL_FORMS": "1",
            "bases-0-id": complete_draft.requested_bases.get().pk,
            "bases-0-base": complete_draft.requested_bases.get().base_id,
            "bases-0-justification": "Données de vie réelle.",
            "bases-0-period_start": "2015-01-01",
            "bases-0-period_end": "2022-12-31",
        },
        follow=True,
    )

    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.SUBMITTED
    assert re.fullmatch(r"HDH-\d{4}-\d{4}", complete_draft.reference)
    assert complete_draft.reference in response.content.decode()
    version = complete_draft.versions.get()
    assert version.number == 1
    assert version.content["title"] == "Étude des parcours"
    assert version.content["bases"][0]["base"] == "ESME"
    event = complete_draft.events.get(action="submitted")
    assert (event.from_status, event.to_status, event.actor) == ("draft", "submitted", owner)
    assert event.visibility == Event.Visibility.PUBLIC


def test_references_count_up_and_never_repeat(complete_draft, owner):
    first = services.project_submit(project=complete_draft, actor=owner)
    services.project_transition(project=first, actor=owner, to=Status.WITHDRAWN, reason="Stop")
    copy = make_project(owner=owner, title="Second")
    for field in ["summary", "purpose", "methodology", "expected_results", "funding"]:
        setattr(copy, field, getattr(first, field))
    for field in EHDS_FIELDS:
        setattr(copy, field, getattr(first, field))
    copy.sponsor, copy.planned_start, copy.duration_months = first.sponsor, first.planned_start, 12
    copy.save()
    copy.themes.set(first.themes.all())
    for request in first.requested_bases.all():
        request.pk, request.project = None, copy
        request.save()
    for attachment in first.attachments.all():
        attachment.pk, attachment.project = None, copy
        attachment.save()

    second = services.project_submit(project=copy, actor=owner)

    year, number = first.reference.split("-")[1:]
    assert second.reference == f"HDH-{year}-{int(number) + 1:04d}"
    assert first.reference != second.reference


def test_an_unverified_email_cannot_submit(complete_draft, owner, english):
    owner.emailaddress_set.update(verified=False)

    with pytest.raises(services.TransitionError, match="confirm your email"):
        services.project_submit(project=complete_draft, actor=owner)

    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.DRAFT


def test_resubmitting_after_changes_makes_version_2_and_the_diff_shows_what_changed(
    complete_draft, owner, reviewer, client
):
    services.project_submit(project=complete_draft, actor=owner)
    services.project_transition(
        project=complete_draft, actor=reviewer, to=Status.CHANGES_REQUESTED, reason="Précisez."
    )
    complete_draft.refresh_from_db()
    complete_draft.methodology = "Cohorte rétrospective.\nAppariement sur l'âge."
    complete_draft.save()
    services.project_submit(project=complete_draft, actor=owner)

    old, new = complete_draft.versions.order_by("number")
    assert (old.number, new.number) == (1, 2)
    changes = {d.field: d for d in snapshots.diff(old.content, new.content)}
    assert changes["methodology"].changed
    assert ("+", "Appariement sur l'âge.") in changes["methodology"].lines
    assert not changes["title"].changed
    assert complete_draft.events.filter(action="resubmitted").exists()

    client.force_login(owner)
    page = client.get(
        reverse("my:version-compare", kwargs={"pk": complete_draft.pk}), {"from": 1, "to": 2}
    )
    assert "Appariement sur l&#x27;âge." in page.content.decode()


def test_a_version_never_changes_and_is_never_deleted(complete_draft, owner):
    services.project_submit(project=complete_draft, actor=owner)
    version = ProjectVersion.objects.get()

    version.content = {"title": "rewritten"}
    with pytest.raises(ImmutableRecord):
        version.save()
    with pytest.raises(ImmutableRecord):
        version.delete()
    assert ProjectVersion.objects.get().content["title"] == "Étude des parcours"


def test_a_submitted_application_cannot_be_edited(client, owner, complete_draft):
    services.project_submit(project=complete_draft, actor=owner)
    client.force_login(owner)

    response = client.post(
        reverse("my:project-edit", kwargs={"pk": complete_draft.pk}),
        {"title": "Changed", "edit_version": "2", "save": "1", **EMPTY_FORMSET},
    )

    assert response.status_code == 302
    complete_draft.refresh_from_db()
    assert complete_draft.title == "Étude des parcours"


def test_withdrawing_needs_a_reason_and_is_logged(client, owner, complete_draft):
    services.project_submit(project=complete_draft, actor=owner)
    client.force_login(owner)
    url = reverse("my:project-withdraw", kwargs={"pk": complete_draft.pk})

    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200
    assert refused.context["form"].errors

    client.post(url, {"reason": "Financement perdu."})
    complete_draft.refresh_from_db()
    assert complete_draft.status == Status.WITHDRAWN
    assert complete_draft.events.get(action="withdrawn").reason == "Financement perdu."


def test_project_page_shows_the_timeline_and_the_thread(client, owner, member, complete_draft):
    services.project_submit(project=complete_draft, actor=owner)
    client.force_login(member)

    client.post(reverse("my:message", kwargs={"pk": complete_draft.pk}), {"body": "Question ?"})
    page = client.get(reverse("my:project", kwargs={"pk": complete_draft.pk}))

    assert [event.action for event in page.context["events"]] == ["submitted"]
    assert [message.body for message in page.context["thread"]] == ["Question ?"]


def test_my_projects_says_what_is_expected_next(client, owner, draft):
    client.force_login(owner)

    page = client.get(reverse("my:projects"))

    assert "Complete your application and submit it." in page.content.decode() or (
        "Complétez votre dossier" in page.content.decode()
    )


def test_the_edit_page_shows_what_the_hub_asked_for(client, owner, reviewer, complete_draft):
    project = services.project_submit(project=complete_draft, actor=owner)
    services.project_transition(
        project=project, actor=reviewer, to=Status.CHANGES_REQUESTED, reason="Précisez la période."
    )
    client.force_login(owner)

    page = client.get(reverse("my:project-edit", kwargs={"pk": project.pk}))

    assert page.context["hub_request"].reason == "Précisez la période."
    assert "Précisez la période." in page.content.decode()


def test_a_text_longer_than_its_limit_is_refused_and_the_other_entries_kept(client, owner, draft):
    client.force_login(owner)

    response = client.post(
        reverse("my:project-edit", kwargs={"pk": draft.pk}),
        {
            "title": "Titre gardé",
            "methodology": "m" * 30_001,
            "purpose": "p" * 20_000,
            "edit_version": draft.edit_version,
            "save": "1",
            **EMPTY_FORMSET,
        },
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["methodology"]
    assert response.context["form"]["title"].value() == "Titre gardé"
    draft.refresh_from_db()
    assert draft.methodology == "" and draft.title == "Étude des parcours"


def test_the_hubs_request_stands_at_the_top_of_the_project_page_and_in_the_thread(
    client, complete_draft, owner, reviewer
):
    reviewer.first_name, reviewer.last_name = "Rita", "Durand"
    reviewer.save()
    project = services.project_submit(project=complete_draft, actor=owner)
    services.project_transition(
        project=project, actor=reviewer, to="changes_requested", reason="Précisez la période."
    )
    client.force_login(owner)

    page = client.get(reverse("my:project", args=[project.pk])).text

    top = page.index('id="hub-request"')
    assert top < page.index('aria-labelledby="content-heading"')
    request = page[top : page.index("</section>", top)]
    assert "Précisez la période." in request
    assert "Rita Durand" in request
    assert reverse("my:project-edit", args=[project.pk]) in request
    thread = page[page.index('id="thread"') :]
    assert "La plateforme a demandé des compléments" in thread
    assert "Précisez la période." in thread


def test_once_authorised_the_team_reads_the_opinion_the_authorisation_and_the_holders(
    client, complete_draft, owner
):
    from datetime import date

    from projects.models import Authorisation, Opinion

    project = services.project_submit(project=complete_draft, actor=owner)
    Project.objects.filter(pk=project.pk).update(status=Status.APPROVED)
    Opinion.objects.create(
        project=project,
        verdict=Opinion.Verdict.WITH_RECOMMENDATIONS,
        given_on=date(2026, 9, 15),
        text="Le comité recommande de préciser la durée de conservation.",
    )
    Authorisation.objects.create(
        project=project,
        kind=Authorisation.Kind.CNIL,
        decision_number="DR-2026-104",
        decided_on=date(2026, 10, 2),
    )
    client.force_login(owner)

    page = client.get(reverse("my:project", args=[project.pk])).text

    opinion = page[page.index('id="opinion"') :]
    assert "Le comité recommande de préciser la durée de conservation." in opinion
    assert "DR-2026-104" in page[page.index('id="authorisation"') :]
    assert "Décision du responsable de données :" in page  # each requested base's


def test_the_requested_periods_read_in_the_readers_date_format(client, complete_draft, owner):
    client.force_login(owner)

    page = client.get(reverse("my:project", args=[complete_draft.pk])).text

    assert "(01/01/2015 → 31/12/2022)" in page
    assert "2015-01-01" not in page
