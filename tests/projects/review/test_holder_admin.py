"""The hub's side of the data holders, in the admin: a decision recorded for a holder
without an account goes through the holders' services (kept, logged with the
reviewer's name, emailed); a refused base is set aside; administrators add members
and invite people to a holder."""

import pytest
from django.core import mail
from django.urls import reverse

from catalog.models import DataHolder, HolderMembership
from projects import holders, services
from projects.models import Decision, Event, HolderDecision, HolderInvitation, RequestedBase
from tests.projects.review.test_admin_review import _change_form_data, change_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(complete_draft, owner):
    return services.project_submit(project=complete_draft, actor=owner)


def post_decision(client, project, **fields):
    data = _change_form_data(client, project)
    for name, value in fields.items():
        data[f"requested_bases-0-{name}"] = value
    return client.post(change_url(project), data)


def test_a_reviewer_records_a_holders_decision_through_the_service(client, reviewer, submitted):
    client.force_login(reviewer)

    response = post_decision(client, submitted, decision=Decision.AGREED, decided_on="2026-03-02")

    assert response.status_code == 302
    requested = submitted.requested_bases.get()
    assert (requested.decision, requested.decided_on.isoformat()) == (Decision.AGREED, "2026-03-02")
    decision = HolderDecision.objects.get()
    assert (decision.recorded_by, decision.by_the_hub) == (reviewer, True)
    assert decision.event.actor == reviewer
    assert decision.event.visibility == Event.Visibility.SPONSOR


def test_a_decision_the_service_refuses_is_a_message_and_nothing_is_saved(
    client, reviewer, submitted
):
    client.force_login(reviewer)

    response = post_decision(client, submitted, decision=Decision.AGREED_WITH_CONDITIONS)

    assert response.status_code == 302
    page = client.get(response["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert submitted.requested_bases.get().decision == Decision.PENDING
    assert not HolderDecision.objects.exists()


def test_a_delivery_needs_its_date(client, reviewer, submitted):
    holders.requested_base_decide(
        requested=submitted.requested_bases.get(), actor=reviewer, decision=Decision.AGREED
    )
    client.force_login(reviewer)

    post_decision(client, submitted, decision=Decision.DELIVERED, delivered_on="")

    assert submitted.requested_bases.get().decision == Decision.AGREED
    assert HolderDecision.objects.count() == 1


def test_a_reviewer_sets_a_refused_base_aside(client, reviewer, submitted, holder_member):
    requested = submitted.requested_bases.get()
    holders.requested_base_decide(
        requested=requested, actor=holder_member, decision=Decision.REFUSED, note="Hors champ."
    )
    client.force_login(reviewer)

    post_decision(client, submitted, set_aside="on")

    assert RequestedBase.objects.get(pk=requested.pk).set_aside is True
    assert submitted.events.filter(action="base_set_aside", actor=reviewer).exists()
    # The holder's decision is as the holder recorded it: the form did not rewrite it.
    assert HolderDecision.objects.count() == 1


def test_a_hub_administrator_invites_someone_to_act_for_a_holder(
    client, administrator, demo_catalog, django_capture_on_commit_callbacks
):
    client.force_login(administrator)
    holder = DataHolder.objects.get(acronym="SpF")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:projects_holderinvitation_add"),
            {"holder": holder.pk, "email": "Lea@SantePubliqueFrance.example"},
        )

    assert response.status_code == 302
    invitation = HolderInvitation.objects.get()
    assert (invitation.holder, invitation.email, invitation.invited_by) == (
        holder,
        "lea@santepubliquefrance.example",
        administrator,
    )
    (email,) = mail.outbox
    assert email.to == ["lea@santepubliquefrance.example"]
    assert "/holder/join/" in email.body


def test_inviting_a_member_again_is_a_message_not_an_error(client, administrator, holder_member):
    client.force_login(administrator)

    response = client.post(
        reverse("admin:projects_holderinvitation_add"),
        {"holder": DataHolder.objects.get(acronym="Unicancer").pk, "email": holder_member.email},
    )

    assert response.status_code == 302
    assert not HolderInvitation.objects.exists()


def test_reviewers_may_not_invite_people_to_a_holder(client, reviewer, demo_catalog):
    client.force_login(reviewer)

    response = client.post(
        reverse("admin:projects_holderinvitation_add"),
        {"holder": DataHolder.objects.get(acronym="SpF").pk, "email": "x@spf.example"},
    )

    assert response.status_code == 403
    assert not HolderInvitation.objects.exists()


def test_a_hub_administrator_adds_a_member_with_an_account(
    client, administrator, outsider, demo_catalog
):
    client.force_login(administrator)
    holder = DataHolder.objects.get(acronym="SpF")
    url = reverse("admin:catalog_dataholder_change", args=[holder.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update(
        {
            "memberships-TOTAL_FORMS": 1,
            "memberships-INITIAL_FORMS": 0,
            "memberships-MIN_NUM_FORMS": 0,
            "memberships-MAX_NUM_FORMS": 1000,
            "memberships-0-user": outsider.pk,
            "memberships-0-holder": holder.pk,
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302
    assert list(HolderMembership.objects.filter(holder=holder).values_list("user", flat=True)) == [
        outsider.pk
    ]


def test_the_decisions_are_read_only_in_the_admin(client, administrator, submitted, reviewer):
    decision = holders.requested_base_decide(
        requested=submitted.requested_bases.get(), actor=reviewer, decision=Decision.AGREED
    )
    client.force_login(administrator)

    assert client.get(reverse("admin:projects_holderdecision_changelist")).status_code == 200
    assert client.get(reverse("admin:projects_holderdecision_add")).status_code == 403
    assert (
        client.post(reverse("admin:projects_holderdecision_delete", args=[decision.pk])).status_code
        == 403
    )
    assert HolderDecision.objects.count() == 1
